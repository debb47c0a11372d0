import CRightsSQLite

/// SQLite as this process uses it, set up once before the first connection opens.
enum SQLiteLibrary {
    /// Every connection here is used by one thread at a time (GRDB serialises each; a scratch database belongs to
    /// one step of an import), so SQLite's serialised mode only adds a mutex to every call, and its memory
    /// statistics a global mutex to every allocation: an eighth of a large import's time. Both are turned off
    /// when this process has not used SQLite yet (otherwise SQLite refuses, and keeps its safe defaults).
    static let configured: Bool = rights_sqlite_configure_for_one_thread_per_connection() == 0

    /// Call before opening a connection.
    static func prepare() { _ = configured }
}
