import Foundation
import GRDB
import GRDBSQLite
import RightsCore

/// A version of the national Do-Not-Call list as sorted blocks of keyed hashes (see the migration that made
/// `dnc_blocks`): written once per import, read by seeking one block or by streaming them all in order. Each
/// number is in exactly one kind's blocks (a number listed as SMS and as calls is `both`), and each kind's blocks
/// are sorted on their own.
enum DoNotCallBlocks {
    /// Hashes per blob: 64 KiB, a few SQLite overflow pages, small enough that one lookup reads little.
    static let perBlock = 2048

    /// Writes `keys` (any order, duplicates allowed) as version `version`; returns how many distinct numbers.
    static func write(_ keys: [(key: HashKey, kind: DoNotCallKind)], version: Int64, _ db: Database) throws -> Int {
        var sorted = keys
        sorted.sort { $0.key < $1.key }
        var distinct: [(key: HashKey, kind: DoNotCallKind)] = []
        distinct.reserveCapacity(sorted.count)
        for entry in sorted {
            if let last = distinct.last, last.key == entry.key {
                distinct[distinct.count - 1].kind = last.kind.union(entry.kind)
            } else {
                distinct.append(entry)
            }
        }
        let insert = try RawStatement(
            db, "INSERT INTO dnc_blocks(version_id, first_hash, hashes, kind) VALUES (?1, ?2, ?3, ?4)")
        var blob: [UInt8] = []
        blob.reserveCapacity(perBlock * 32)
        for kind in DoNotCallKind.allCases {
            let group = distinct.lazy.filter { $0.kind == kind }.map(\.key)
            var pending: [HashKey] = []
            pending.reserveCapacity(perBlock)
            func flush() throws {
                guard let first = pending.first else { return }
                blob.removeAll(keepingCapacity: true)
                for key in pending { key.withBytes { blob.append(contentsOf: $0) } }
                insert.bind(1, version)
                insert.bind(2, blob: first.bytes)
                insert.bind(3, blob: blob)
                insert.bind(4, kind.rawValue)
                try insert.run()
                pending.removeAll(keepingCapacity: true)
            }
            for key in group {
                pending.append(key)
                if pending.count == perBlock { try flush() }
            }
            try flush()
        }
        return distinct.count
    }

    /// The kinds version `version` holds that stop advertising on `channel` (most versions hold `both` only).
    static func kinds(version: Int64, stopping channel: Channel, _ db: Database) throws -> [DoNotCallKind] {
        try DoNotCallKind.kinds(stopping: channel).filter { kind in
            try Bool.fetchOne(
                db.cachedStatement(
                    sql: "SELECT EXISTS (SELECT 1 FROM dnc_blocks WHERE version_id = ? AND kind = ?)"),
                arguments: [version, kind.rawValue]) == true
        }
    }

    /// How `key` is listed in version `version` among `kinds` (every kind by default), or nil.
    static func kind(
        of key: HashKey, version: Int64, among kinds: [DoNotCallKind] = DoNotCallKind.allCases, _ db: Database
    ) throws -> DoNotCallKind? {
        for kind in kinds where try contains(key, version: version, kind: kind, db) { return kind }
        return nil
    }

    /// Whether `key` is in version `version` under `kind`: the one block that could hold it, then a binary search.
    static func contains(_ key: HashKey, version: Int64, kind: DoNotCallKind, _ db: Database) throws -> Bool {
        let block = try Data.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT hashes FROM dnc_blocks INDEXED BY dnc_blocks_by_kind
                    WHERE version_id = ? AND kind = ? AND first_hash <= ?
                    ORDER BY first_hash DESC LIMIT 1
                    """), arguments: [version, kind.rawValue, Data(key.bytes)])
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

    /// Streams every hash of version `version` listed under `kind`, in ascending order.
    static func forEach(version: Int64, kind: DoNotCallKind, _ db: Database, _ body: (HashKey) -> Void) throws {
        let statement = try db.makeStatement(
            sql: """
                SELECT hashes FROM dnc_blocks INDEXED BY dnc_blocks_by_kind WHERE version_id = ? AND kind = ?
                ORDER BY first_hash
                """)
        try statement.setArguments([version, kind.rawValue])
        let handle = statement.sqliteStatement
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

    /// The first migrations' writer, before kinds existed: every number listed for both.
    private static func writeBoth(_ keys: [HashKey], version: Int64, _ db: Database) throws {
        var sorted = keys
        sorted.sort()
        var distinct: [HashKey] = []
        for key in sorted where distinct.last != key { distinct.append(key) }
        var start = 0
        while start < distinct.count {
            let end = min(start + perBlock, distinct.count)
            var blob: [UInt8] = []
            for key in distinct[start..<end] { key.withBytes { blob.append(contentsOf: $0) } }
            try db.execute(
                sql: "INSERT INTO dnc_blocks(version_id, first_hash, hashes) VALUES (?, ?, ?)",
                arguments: [version, Data(distinct[start].bytes), Data(blob)])
            start = end
        }
    }

    /// The migration from one row per number (`dnc_numbers`) to blocks, version by version.
    static func convertRows(_ db: Database) throws {
        let versions = try Int64.fetchAll(db, sql: "SELECT id FROM dnc_versions ORDER BY id")
        for version in versions {
            let keys = try Data.fetchAll(
                db, sql: "SELECT id_hash FROM dnc_numbers WHERE version_id = ?", arguments: [version]
            ).compactMap { HashKey([UInt8]($0)) }
            try writeBoth(keys, version: version, db)
        }
    }
}
