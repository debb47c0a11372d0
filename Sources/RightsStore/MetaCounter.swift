import GRDB

/// A count kept in `meta` (stored as text, as every `meta` value is): read and added to without reading a table.
enum MetaCounter {
    static func value(_ key: String, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?", arguments: [key]) ?? 0
    }

    static func add(_ delta: Int64, to key: String, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO meta(key, value) VALUES (?1, ?2)
                ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + ?2 AS TEXT)
                """, arguments: [key, String(delta)])
    }
}
