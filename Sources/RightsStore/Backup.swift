import Foundation
import GRDB
import RightsCore

/// Where a consistent copy of the database stands: the audit head it holds and when its snapshot was taken. A
/// restore replays the erasures journalled from that time on, so that the copy never brings anyone back.
public struct BackupInfo: Sendable, Equatable {
    /// The newest audit event in the copy.
    public let headSeq: Int64
    /// That event's hash, hex.
    public let headHash: String
    /// Read from the clock just before the snapshot opened: every erasure that the copy may lack is journalled at
    /// or after it (an erasure's journal time is taken before its transaction commits).
    public let createdAt: Date

    public init(headSeq: Int64, headHash: String, createdAt: Date) {
        self.headSeq = headSeq
        self.headHash = headHash
        self.createdAt = createdAt
    }
}

extension ErasureRecord {
    /// The journal's time as a date, or nil when it is not a time.
    public var time: Date? { Timestamp.parse(at) }

    /// Every record of the erasure journal at `path`, oldest first; no journal is no erasure. A last line without
    /// its newline is a write cut short by a crash, whose transaction never committed: it is left out. Any other line
    /// that is not a record stops the caller, since a restore that skipped it could bring a person back.
    public static func readJournal(at path: String) throws -> [ErasureRecord] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError.refused("cannot read the erasure journal \(path)")
        }
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        var records: [ErasureRecord] = []
        for (index, line) in lines.enumerated() where !line.isEmpty {
            let record = try? JSONDecoder().decode(ErasureRecord.self, from: Data(line))
            guard let record, record.time != nil, !record.hashes.isEmpty,
                record.hashes.allSatisfy({ Hex.decode($0)?.isEmpty == false })
            else {
                if index == lines.count - 1 { break }  // torn last line: no newline after it
                throw StoreError.refused(
                    "\(path):\(index + 1): not an erasure record; the journal must be repaired before a restore")
            }
            records.append(record)
        }
        return records
    }
}

extension RightsStore {
    /// Closes every connection (SQLite then folds and removes the WAL); the store cannot be used afterwards. For a
    /// file about to be moved, such as a restored copy.
    public func close() throws { try pool.close() }

    /// The newest audit event's sequence number and hex hash (0 and 64 zeros for an empty chain).
    public func auditHead() throws -> (seq: Int64, hash: String) { try read(Self.auditHead) }

    private static func auditHead(_ db: Database) throws -> (seq: Int64, hash: String) {
        guard let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        else { return (0, Hex.encode(AuditChain.genesis)) }
        return (row["seq"], Hex.encode(Array(row["hash"] as Data)))
    }

    /// Copies the database to a new file at `path` while other connections keep reading and writing: SQLite's online
    /// backup reads one snapshot, the one in which the audit head is read, so the copy and its head agree. The copy
    /// is left in rollback-journal mode, one self-contained file; whoever opens it with a pool turns WAL back on.
    public func backup(to path: String) throws -> BackupInfo {
        guard !FileManager.default.fileExists(atPath: path) else { throw StoreError.alreadyExists(path) }
        let createdAt = Date()
        let destination = try DatabaseQueue(path: path)
        do {
            let head = try pool.read { db in
                let head = try Self.auditHead(db)
                try destination.writeWithoutTransaction { try db.backup(to: $0) }
                return head
            }
            // The pages carry the source's WAL flag; a file that travels alone must not need a -wal beside it.
            try destination.writeWithoutTransaction { db in
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
                guard mode?.lowercased() == "delete" else {
                    throw StoreError.refused("the copy \(path) stayed in journal mode \(mode ?? "unknown")")
                }
            }
            try destination.close()
            return BackupInfo(headSeq: head.seq, headHash: head.hash, createdAt: createdAt)
        } catch {
            try? destination.close()
            for suffix in ["", "-journal", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
            throw error
        }
    }

    /// Replays the erasure journal at `journalPath` (default: this database's own) into a database restored from a
    /// backup taken at `after`, so that it never resurrects a person who asked to be deleted (ARCHITECTURE.md
    /// invariant 5). A record is replayed when it is at or after `after`, or when its request is here but not
    /// completed: an erasure whose clock was read before the backup's snapshot but which committed after it. A record
    /// already replayed into this database (its `erasure.replay` event is on the chain) is not replayed again. Each
    /// replay is one unit of work with one `erasure.replay` event (counts, the record's time and request, no personal
    /// data) and writes no journal line: the line is already there. Returns the records replayed, oldest first.
    @discardableResult
    public func replayErasures(from journalPath: String? = nil, after: Date, actor: String, now: Date) throws
        -> [ErasureRecord]
    {
        let records = try ErasureRecord.readJournal(at: journalPath ?? erasureJournalPath)
        guard !records.isEmpty else { return [] }
        let replayedBefore = try read { db in
            var keys = Set<String>()
            for payload in try String.fetchAll(
                db, sql: "SELECT payload FROM audit_events WHERE kind = 'erasure.replay'")
            {
                guard let value = try? JSONValue(parsing: Array(payload.utf8)),
                    let at = value["erased_at"]?.stringValue
                else { continue }
                keys.insert(Self.replayKey(at: at, request: value["request"]?.stringValue))
            }
            return keys
        }
        var replayed: [ErasureRecord] = []
        for record in records {
            guard let time = record.time, !replayedBefore.contains(Self.replayKey(record)) else { continue }
            var due = time >= after
            if !due, let request = record.request {
                let state = try read { db in
                    try String.fetchOne(db, sql: "SELECT state FROM requests WHERE id = ?", arguments: [request])
                }
                due = state.map { $0 != RequestState.completed.rawValue } ?? false
            }
            guard due else { continue }
            // `readJournal` checked every hash; an undecodable one here would be a bug, not input.
            let hashes = record.hashes.compactMap(Hex.decode)
            let reason = record.request.map { "deletion request \($0)" } ?? "erasure replayed after a restore"
            try perform(actor: actor, at: now) { db in
                if let request = record.request { try RequestNumbers.retire(request, db) }
                let counts = try erase(
                    hashes: hashes, requestID: record.request, reason: reason, at: time, actor: actor, now: now,
                    journal: false, db)
                let draft = AuditDraft(
                    kind: "erasure.replay",
                    payload: [
                        "erased_at": .string(record.at), "request": .optional(record.request),
                        "identifiers": .int(hashes.count), "erased": .object(counts.mapValues { .int($0) }),
                    ])
                return ((), draft)
            }
            replayed.append(record)
        }
        // Erased means gone from the files, WAL included (invariant 5).
        if !replayed.isEmpty { try checkpointTruncating() }
        return replayed
    }

    private static func replayKey(_ record: ErasureRecord) -> String {
        replayKey(at: record.at, request: record.request)
    }

    private static func replayKey(at: String, request: String?) -> String { at + "\n" + (request ?? "") }
}
