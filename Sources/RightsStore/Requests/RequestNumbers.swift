import GRDB

/// The sequence numbers of request ids (`RQ-2026-000016`: 16) that must not be given again.
enum RequestNumbers {
    private static let key = "request_number_retired"

    /// The sequence number of `id`, when it has the form `RQ-YEAR-NUMBER` (with any suffix after the digits).
    static func sequence(of id: String) -> Int? {
        let parts = id.split(separator: "-")
        guard parts.count == 3, parts[0] == "RQ" else { return nil }
        return Int(parts[2].prefix { $0.isASCII && $0.isNumber })
    }

    /// Keeps `id`'s number from being given again: a replayed erasure cites it though its request may be gone.
    static func retire(_ id: String, _ db: Database) throws {
        guard let number = sequence(of: id), number > (try retired(db)) else { return }
        try db.execute(
            sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            arguments: [key, String(number)])
    }

    /// The highest number retired so far (0: none).
    static func retired(_ db: Database) throws -> Int {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]).flatMap { Int($0) } ?? 0
    }
}
