#include <sqlite3.h>

// sqlite3_config is variadic, which Swift cannot call: these wrappers call it for RightsStore.

// Multi-thread mode: no mutex around each call on a connection (GRDB, and the scratch databases, use a connection
// from one thread at a time), and no global memory statistics (a mutex on every allocation). Only effective before
// SQLite is first used in the process; returns SQLITE_MISUSE after.
static inline int rights_sqlite_configure_for_one_thread_per_connection(void) {
    int code = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    if (code != SQLITE_OK) return code;
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
