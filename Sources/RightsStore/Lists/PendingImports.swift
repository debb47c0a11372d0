import Foundation
import GRDB
import RightsCore

#if canImport(Glibc)
    import Glibc
#endif

/// An import applies its rows in short transactions (ARCHITECTURE.md invariant 11) and publishes them in one last
/// one (invariant 9). Until then its `imports` row is `pending` and its rows, though in the tables, are in no
/// answer: every read of list entries, consents and person links leaves out the rows of a pending import. Writes
/// that act for a person (an erasure, a correction, a link) act on them too, so that publishing cannot bring back
/// what they removed.
enum PendingImports {
    /// The ids of the imports not yet published, as an SQL subquery (a partial index keeps it one page).
    static let ids = "(SELECT id FROM imports WHERE pending)"

    /// An SQL condition: the import id in `column` (NULL for a row no import wrote) is not a pending import's.
    static func published(_ column: String) -> String { "(\(column) IS NULL OR \(column) NOT IN \(ids))" }

    /// Whether any import is being applied (or was abandoned and not yet removed): the hot paths add the condition
    /// only then, so that their covering indexes serve them the rest of the time.
    static func exist(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM imports WHERE pending)") ?? false
    }

    /// `published(column)` after `AND`, or nothing when no import is pending.
    static func condition(_ column: String, _ db: Database) throws -> String {
        try exist(db) ? " AND " + published(column) : ""
    }
}

/// Imports are applied one at a time per installation: each holds an exclusive `flock` on `DATABASE-import.lock`
/// while it writes, which the kernel lets go of when the process ends however it ends. A pending import whose lock
/// is free was abandoned (killed, or its machine lost power) and is removed by the next import or `serve`.
final class ImportLock {
    private let fd: Int32

    /// Waits for the lock (another import finishing), or returns nil at once when `wait` is false and it is held.
    init?(databasePath: String, wait: Bool) throws {
        let path = databasePath + "-import.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError.refused("cannot open \(path) to apply an import: \(String(cString: strerror(errno)))")
        }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            close(fd)
            if errno == EWOULDBLOCK { return nil }
            throw StoreError.refused("cannot lock \(path) to apply an import: \(String(cString: strerror(errno)))")
        }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

extension RightsStore {
    /// Removes what abandoned imports wrote, when no import is running; returns how many were removed. `serve` calls
    /// it as it starts, and every import before it applies.
    @discardableResult
    public func removeAbandonedImports() throws -> Int {
        guard let lock = try ImportLock(databasePath: path, wait: false) else { return 0 }
        return try withExtendedLifetime(lock) { try removePendingImports() }
    }

    /// Removes every pending import's rows, in short transactions; the caller holds the import lock.
    @discardableResult
    func removePendingImports() throws -> Int {
        let abandoned = try read { db in try Int64.fetchAll(db, sql: "SELECT id FROM imports WHERE pending") }
        for importID in abandoned { try removeImport(importID) }
        return abandoned.count
    }

    /// Deletes what import `importID` wrote, a slice per transaction so that the desk's writes go on meanwhile, then
    /// its `imports` row (and its list, when it made one that holds nothing else) with an audit event.
    func removeImport(_ importID: Int64) throws {
        let slice = 20_000
        // Entries, with the identifiers beside them (found from each entry's `others`).
        while try write({ db -> Bool in
            guard
                let range = try Row.fetchOne(
                    db, sql: "SELECT first_entry_id, last_entry_id FROM imports WHERE id = ? AND pending",
                    arguments: [importID]),
                let first = range[0] as Int64?, let last = range[1] as Int64?, first <= last
            else { return false }
            let end = min(last, first + Int64(slice) - 1)
            try ImportRecord.deleteEntries(first...end, in: db)
            // What is left to delete, so that a removal cut short goes on from here the next time.
            try db.execute(
                sql: """
                    UPDATE imports SET first_entry_id = CASE WHEN ?1 < last_entry_id THEN ?1 + 1 END,
                        last_entry_id = CASE WHEN ?1 < last_entry_id THEN last_entry_id END
                    WHERE id = ?2
                    """, arguments: [end, importID])
            return end < last
        }) {}
        // Consents and duplicate rows, by the import's own indexes; then the consent texts only its consents
        // named (looked for without the lock: consent_events has no index by text, and a text is rarely new).
        let texts = try read { db in
            try Int64.fetchAll(
                db, sql: "SELECT DISTINCT text_id FROM consent_events WHERE import_id = ? AND text_id IS NOT NULL",
                arguments: [importID])
        }
        while try write({ db -> Bool in
            try db.execute(
                sql: """
                    DELETE FROM consent_events WHERE id IN (
                        SELECT id FROM consent_events WHERE import_id = ?1 LIMIT ?2)
                    """, arguments: [importID, slice])
            return db.changesCount > 0
        }) {}
        if !texts.isEmpty {
            let (unused, seen) = try read { db in
                let seen = try Int64.fetchOne(db, sql: "SELECT ifnull(max(id), 0) FROM consent_events") ?? 0
                let unused = try texts.filter { text in
                    try Bool.fetchOne(
                        db, sql: "SELECT NOT EXISTS (SELECT 1 FROM consent_events WHERE text_id = ?)",
                        arguments: [text]) == true
                }
                return (unused, seen)
            }
            try write { db in
                for text in unused {
                    // Unless a consent recorded since names it.
                    try db.execute(
                        sql: """
                            DELETE FROM consent_texts WHERE id = ?1
                                AND NOT EXISTS (SELECT 1 FROM consent_events WHERE id > ?2 AND text_id = ?1)
                            """, arguments: [text, seen])
                }
            }
        }
        while try write({ db -> Bool in
            try db.execute(
                sql: """
                    DELETE FROM duplicate_rows WHERE import_id = ?1 AND line IN (
                        SELECT line FROM duplicate_rows WHERE import_id = ?1 LIMIT ?2)
                    """, arguments: [importID, slice])
            return db.changesCount > 0
        }) {}
        // Its person links (they have no index by import): the table read in key order, 100,000 rows a
        // transaction. Links the desk made meanwhile through one of them (a request naming that identifier) are
        // made again from `identity_links` below.
        var after = Data()
        while let next = try write({ db -> Data? in
            let rows = try Row.fetchAll(
                db, sql: "SELECT id_hash, import_id FROM person_links WHERE id_hash > ? ORDER BY id_hash LIMIT 100000",
                arguments: [after])
            guard let last = rows.last else { return nil }
            let delete = try db.makeStatement(sql: "DELETE FROM person_links WHERE id_hash = ?")
            for row in rows where (row["import_id"] as Int64?) == importID {
                try delete.execute(arguments: [row["id_hash"] as Data])
            }
            return last["id_hash"] as Data
        }) {
            after = next
        }
        try perform(actor: "rightsdesk", at: Date()) { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT list_id, made_list, imported_at, file_name FROM imports WHERE id = ? AND pending",
                arguments: [importID])
            guard let row else {
                return ((), AuditDraft(kind: "lists.import_removed", payload: ["import_id": .int(importID)]))
            }
            let listID: Int64 = row["list_id"]
            let since: Int64 = row["imported_at"]
            try db.execute(sql: "DELETE FROM imports WHERE id = ?", arguments: [importID])
            if row["made_list"] as Bool,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM imports WHERE list_id = ?", arguments: [listID]) == 0
            {
                try db.execute(sql: "DELETE FROM lists WHERE id = ?", arguments: [listID])
            }
            try PersonLinks.relink(since: since, db)
            return (
                (),
                AuditDraft(
                    kind: "lists.import_removed",
                    payload: [
                        "import_id": .int(importID), "file_name": .string(row["file_name"]),
                        "reason": .string("abandoned before it was published"),
                    ])
            )
        }
    }
}
