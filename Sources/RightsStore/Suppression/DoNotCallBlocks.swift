import Foundation
import GRDB
import GRDBSQLite
import RightsCore

/// A version of the national Do-Not-Call list as sorted blocks of keyed hashes (see the migration that made
/// `dnc_blocks`): written once per import, read by seeking one block or by streaming them all in order.
enum DoNotCallBlocks {
    /// Hashes per blob: 64 KiB, a few SQLite overflow pages, small enough that one lookup reads little.
    static let perBlock = 2048

    /// Writes `keys` (any order, duplicates allowed) as version `version`; returns how many distinct numbers.
    static func write(_ keys: [HashKey], version: Int64, _ db: Database) throws -> Int {
        var sorted = keys
        sorted.sort()
        var distinct: [HashKey] = []
        distinct.reserveCapacity(sorted.count)
        for key in sorted where distinct.last != key { distinct.append(key) }
        let insert = try RawStatement(db, "INSERT INTO dnc_blocks(version_id, first_hash, hashes) VALUES (?1, ?2, ?3)")
        var start = 0
        var blob: [UInt8] = []
        blob.reserveCapacity(perBlock * 32)
        while start < distinct.count {
            let end = min(start + perBlock, distinct.count)
            blob.removeAll(keepingCapacity: true)
            for key in distinct[start..<end] { key.withBytes { blob.append(contentsOf: $0) } }
            insert.bind(1, version)
            insert.bind(2, blob: distinct[start].bytes)
            insert.bind(3, blob: blob)
            try insert.run()
            start = end
        }
        return distinct.count
    }

    /// Whether `key` is in version `version`: the one block that could hold it, then a binary search.
    static func contains(_ key: HashKey, version: Int64, _ db: Database) throws -> Bool {
        let block = try Data.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT hashes FROM dnc_blocks WHERE version_id = ? AND first_hash <= ?
                    ORDER BY first_hash DESC LIMIT 1
                    """), arguments: [version, Data(key.bytes)])
        guard let block else { return false }
        return block.withUnsafeBytes { bytes in
            var low = 0
            var high = bytes.count / 32
            while low < high {
                let middle = (low + high) / 2
                let probe = HashKey(UnsafeRawBufferPointer(rebasing: bytes[(middle * 32)..<(middle * 32 + 32)]))!
                if probe == key { return true }
                if probe < key { low = middle + 1 } else { high = middle }
            }
            return false
        }
    }

    /// Streams every hash of version `version` in ascending order.
    static func forEach(version: Int64, _ db: Database, _ body: (HashKey) -> Void) throws {
        let statement = try db.makeStatement(
            sql: "SELECT hashes FROM dnc_blocks WHERE version_id = ? ORDER BY first_hash")
        let handle = statement.sqliteStatement
        sqlite3_bind_int64(handle, 1, version)
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw StoreError.sqlite(code: code, message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            let count = Int(sqlite3_column_bytes(handle, 0))
            guard let base = sqlite3_column_blob(handle, 0) else { continue }
            let bytes = UnsafeRawBufferPointer(start: base, count: count)
            var offset = 0
            while offset + 32 <= count {
                body(HashKey(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 32)]))!)
                offset += 32
            }
        }
    }

    /// The migration from one row per number (`dnc_numbers`) to blocks, version by version.
    static func convertRows(_ db: Database) throws {
        let versions = try Int64.fetchAll(db, sql: "SELECT id FROM dnc_versions ORDER BY id")
        for version in versions {
            let keys = try Data.fetchAll(
                db, sql: "SELECT id_hash FROM dnc_numbers WHERE version_id = ?", arguments: [version]
            ).compactMap { HashKey([UInt8]($0)) }
            _ = try write(keys, version: version, db)
        }
    }
}
