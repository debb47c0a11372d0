#include <stdlib.h>
#if defined(__GLIBC__)
// malloc_trim, which glibc declares in <malloc.h> and its Swift module does not export.
#include <malloc.h>
#endif

// Hands the heap's free pages back to the system where the C library can (glibc); returns 1 if it released any.
static inline int rights_return_freed_memory(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}
