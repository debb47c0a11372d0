import Foundation
import GRDB
import RightsCore

/// The RightsDesk database: opens SQLite with the pragmas the invariants need and runs every change as a
/// unit of work that writes its audit event in the same transaction (ARCHITECTURE.md invariant 1).
public final class RightsStore: Sendable {
    let pool: DatabasePool
    public let path: String
    public let hasher: KeyedHasher

    private init(pool: DatabasePool, path: String, hasher: KeyedHasher) {
        self.pool = pool
        self.path = path
        self.hasher = hasher
    }

    /// Creates a new database at `path` bound to the installation whose secret `hasher` holds.
    public static func create(
        at path: String, hasher: KeyedHasher, installationID: String, organization: String, contact: String? = nil,
        actor: String, now: Date, busyTimeout: TimeInterval = defaultBusyTimeout
    ) throws -> RightsStore {
        guard !FileManager.default.fileExists(atPath: path) else { throw StoreError.alreadyExists(path) }
        let store = RightsStore(pool: try openPool(path, busyTimeout: busyTimeout), path: path, hasher: hasher)
        try Migrations.migrator.migrate(store.pool)
        try store.perform(actor: actor, at: now) { db in
            var values = [
                ("installation_id", installationID), ("key_check", hasher.keyCheck),
                ("organization", organization), ("created_at", Timestamp.utc(now)),
            ]
            if let contact, !contact.isEmpty { values.append(("contact", contact)) }
            for (key, value) in values {
                try db.execute(sql: "INSERT INTO meta(key, value) VALUES (?, ?)", arguments: [key, value])
            }
            return ((), AuditDraft(kind: "installation.init", payload: ["organization": .string(organization)]))
        }
        return store
    }

    /// Opens an existing database and checks that the key file's secret belongs to it.
    public static func open(
        at path: String, hasher: KeyedHasher, installationID: String, busyTimeout: TimeInterval = defaultBusyTimeout
    ) throws -> RightsStore {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.missingDatabase(path) }
        let pool: DatabasePool
        do {
            pool = try openPool(path, busyTimeout: busyTimeout)
            _ = try pool.read { db in try db.tableExists("meta") }
        } catch {
            throw StoreError.notRightsDesk(path)
        }
        let store = RightsStore(pool: pool, path: path, hasher: hasher)
        let meta = try store.meta()
        guard let check = meta["key_check"], let installation = meta["installation_id"] else {
            throw StoreError.notRightsDesk(path)
        }
        guard installation == installationID else {
            throw StoreError.keyFileMismatch(
                "it is for installation \(installationID), the database is \(installation)")
        }
        guard check == hasher.keyCheck else {
            throw StoreError.keyFileMismatch("its secret does not produce this database's key check")
        }
        try Migrations.migrator.migrate(pool)
        return store
    }

    /// How long a write waits for another process's write lock before it is refused (`StoreError.busy`): long
    /// enough to outlast an import's apply step of a few million rows (`$RIGHTSDESK_BUSY_TIMEOUT`, in seconds, else
    /// 60).
    public static var defaultBusyTimeout: TimeInterval {
        ProcessInfo.processInfo.environment["RIGHTSDESK_BUSY_TIMEOUT"].flatMap(TimeInterval.init).flatMap {
            $0 > 0 && $0 <= 3600 ? $0 : nil
        } ?? 60
    }

    private static func openPool(_ path: String, busyTimeout: TimeInterval) throws -> DatabasePool {
        SQLiteLibrary.prepare()
        var config = Configuration()
        config.foreignKeysEnabled = true
        // Waits for another process's write lock by trying again every millisecond (SQLite's own timeout backs off
        // to 100 ms between tries, and would miss the pauses an import leaves between its transactions).
        let tries = Int(busyTimeout * 1000)
        config.busyMode = .callback { numberOfTries in
            guard numberOfTries < tries else { return false }
            usleep(1_000)
            return true
        }
        config.prepareDatabase { db in
            // FULL: a committed unit of work survives power loss. secure_delete: deleted personal data is
            // overwritten with zeros in the file, not left in free pages.
            try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON; PRAGMA cache_size = -65536")
        }
        return try DatabasePool(path: path, configuration: config)
    }

    /// Runs `work` and appends its audit event in one transaction: both are committed, or neither.
    @discardableResult
    public func perform<T>(actor: String, at now: Date, _ work: (Database) throws -> (T, AuditDraft)) throws -> T {
        try pool.write { db in
            let (result, draft) = try work(db)
            try AuditChain.append(draft, actor: actor, at: now, in: db, hasher: hasher)
            return result
        }
    }

    public func read<T>(_ work: (Database) throws -> T) throws -> T { try pool.read(work) }

    /// A write that is bookkeeping, not an event of the record (a delivery's lease, a portal attempt's counter).
    func write<T>(_ work: (Database) throws -> T) throws -> T { try pool.write(work) }

    /// A read in one snapshot, like `read`, for the desk's busiest lookups: the transaction is opened and closed with
    /// cached statements instead of SQL compiled twice per call, which is a tenth of a lookup's cost at 10M entries.
    func snapshotRead<T>(_ work: (Database) throws -> T) throws -> T {
        try pool.unsafeRead { db in
            try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
            let result: T
            do {
                result = try work(db)
            } catch {
                try? db.cachedStatement(sql: "ROLLBACK TRANSACTION").execute()
                throw error
            }
            try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
            return result
        }
    }

    public func meta() throws -> [String: String] {
        try pool.read { db in
            var values: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta") { values[row[0]] = row[1] }
            return values
        }
    }

    public var organization: String { (try? meta()["organization"]) ?? "" }
}
