import Foundation
import GRDB
import RightsCore

/// What an erasure removed, per table: counts only, for the audit chain and the officer.
public typealias ErasureCounts = [String: Int]

/// One line of the erasure journal (`PATH.erasures`): keyed hashes and times, never personal data. A restore
/// replays every line newer than its backup, so that no backup brings back a person who asked to be deleted.
public struct ErasureRecord: Sendable, Codable, Equatable {
    public var at: String
    public var request: String?
    /// Hex keyed hashes of every identifier erased.
    public var hashes: [String]

    public init(at: String, request: String?, hashes: [String]) {
        self.at = at
        self.request = request
        self.hashes = hashes
    }
}

extension RightsStore {
    /// The journal beside the database.
    public var erasureJournalPath: String { path + ".erasures" }

    /// Erases a person known by the keyed hashes of their identifiers (ARCHITECTURE.md invariant 4): every list row
    /// that carries one of them (and the row's other identifiers with it), their sends, the plain form kept for
    /// block-list exports, the plaintext of their requests, and their audit payloads (by deleting the subject keys
    /// that seal them). What the law keeps stays: keyed-hash suppressions (purpose `all` for every identifier
    /// found), consent and refusal events (hashes and times only), request dates and outcomes. The erasure is
    /// appended to the journal before the transaction commits.
    func erase(
        hashes subjectHashes: [[UInt8]], requestID: String?, reason: String, at: Date, actor: String, now: Date,
        journal: Bool = true, _ db: Database
    )
        throws -> ErasureCounts
    {
        var counts: ErasureCounts = [:]
        // Their identifiers: the ones named with every identifier linked to them (one person), and every other
        // identifier on a list row that carries one of them.
        let person = try PersonLinks.person(
            of: subjectHashes.compactMap { HashKey($0).map { PersonLinks.Member(key: $0, kind: .phone) } },
            pending: true, db)
        var hashes = Set(subjectHashes.map { Data($0) } + person.map { Data($0.key.bytes) })
        let named = Array(hashes)
        var entryIDs = Set<Int64>()
        for hash in named {
            entryIDs.formUnion(
                try Int64.fetchAll(db, sql: "SELECT id FROM entries WHERE key_hash = ?", arguments: [hash]))
            entryIDs.formUnion(
                try Int64.fetchAll(
                    db, sql: "SELECT entry_id FROM entry_identifiers WHERE id_hash = ?", arguments: [hash]))
        }
        // Each row's identifiers are its key and its `others` (`entry_identifiers` has no index by entry: one
        // would be a random insert per identifier an import writes).
        for entry in entryIDs {
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT key_hash, others FROM entries WHERE id = ?", arguments: [entry])
            else { continue }
            hashes.insert(row["key_hash"])
            hashes.formUnion(EntryHashes.split(row["others"]).map { Data($0) })
        }
        // Rows of other lists that carry the identifiers found on their rows.
        for hash in hashes.subtracting(named) {
            entryIDs.formUnion(
                try Int64.fetchAll(db, sql: "SELECT id FROM entries WHERE key_hash = ?", arguments: [hash]))
            entryIDs.formUnion(
                try Int64.fetchAll(
                    db, sql: "SELECT entry_id FROM entry_identifiers WHERE id_hash = ?", arguments: [hash]))
        }
        func count(_ table: String, _ changed: Int) { if changed > 0 { counts[table, default: 0] += changed } }

        for entry in entryIDs {
            try db.execute(sql: "DELETE FROM duplicate_rows WHERE entry_id = ?", arguments: [entry])
            count("duplicate_rows", db.changesCount)
            let others = try Data.fetchOne(db, sql: "SELECT others FROM entries WHERE id = ?", arguments: [entry])
            for other in EntryHashes.split(others) {
                try db.execute(
                    sql: "DELETE FROM entry_identifiers WHERE id_hash = ? AND entry_id = ?",
                    arguments: [Data(other), entry])
                count("entry_identifiers", db.changesCount)
            }
            if let list = try Int64.fetchOne(
                db, sql: "DELETE FROM entries WHERE id = ? RETURNING list_id", arguments: [entry])
            {
                try db.execute(
                    sql: "UPDATE lists SET entry_count = entry_count - 1 WHERE id = ?", arguments: [list])
                count("entries", 1)
                try ListRowWriter.countErasedEntry(db)
            }
        }
        var requestIDs = Set<String>()
        for hash in hashes {
            try db.execute(sql: "DELETE FROM sends WHERE id_hash = ?", arguments: [hash])
            count("sends", db.changesCount)
            try db.execute(sql: "DELETE FROM suppressed_contacts WHERE id_hash = ?", arguments: [hash])
            count("suppressed_contacts", db.changesCount)
            try db.execute(sql: "DELETE FROM subject_keys WHERE subject = ?", arguments: [Hex.encode(Array(hash))])
            count("subject_keys", db.changesCount)
            try db.execute(sql: "DELETE FROM webhook_events WHERE id_hash = ?", arguments: [hash])
            count("webhook_events", db.changesCount)
            try db.execute(sql: "DELETE FROM lookups WHERE id_hash = ?", arguments: [hash])
            count("lookups", db.changesCount)
            // The links stay as keyed hashes (a re-imported row must still find the person's refusal); an officer's
            // reason for one is free text and goes.
            try db.execute(
                sql:
                    "UPDATE identity_links SET reason = NULL WHERE (a_hash = ?1 OR b_hash = ?1) AND reason IS NOT NULL",
                arguments: [hash])
            count("identity_links", db.changesCount)
            requestIDs.formUnion(
                try String.fetchAll(
                    db, sql: "SELECT request_id FROM request_subjects WHERE id_hash = ?", arguments: [hash]))
            // The refusals and consents stay as proof (keyed hash, scope, times); what staff or a list typed about
            // them goes: a suppression's reasons, a consent's method, evidence reference and its own text.
            try db.execute(
                sql: """
                    UPDATE suppressions SET reason = 'erased', lift_reason = iif(lift_reason IS NULL, NULL, 'erased')
                    WHERE id_hash = ? AND (reason <> 'erased' OR lift_reason <> 'erased')
                    """, arguments: [hash])
            count("suppressions", db.changesCount)
            let texts = try Int64.fetchAll(
                db, sql: "SELECT DISTINCT text_id FROM consent_events WHERE id_hash = ? AND text_id IS NOT NULL",
                arguments: [hash])
            try db.execute(
                sql: """
                    UPDATE consent_events SET method = NULL, evidence = NULL, text_id = NULL
                    WHERE id_hash = ? AND (method IS NOT NULL OR evidence IS NOT NULL OR text_id IS NOT NULL)
                    """, arguments: [hash])
            count("consent_events", db.changesCount)
            for text in texts {
                // A wording other people agreed to is not theirs alone and stays.
                try db.execute(
                    sql: """
                        DELETE FROM consent_texts WHERE id = ?1
                        AND NOT EXISTS (SELECT 1 FROM consent_events WHERE text_id = ?1)
                        """, arguments: [text])
                count("consent_texts", db.changesCount)
            }
            // Never contacted again, whichever identifier a later list carries.
            _ = try insertSuppression(
                Array(hash), purpose: .all, reason: reason, since: at, requestID: requestID, actor: actor, now: now, db)
        }
        for request in requestIDs.sorted() {
            // The request stays as evidence of its handling (type, dates, outcome); what identified the person goes.
            try db.execute(
                sql: """
                    UPDATE requests SET name = NULL, address = NULL, note = NULL, closing_note = NULL,
                        extension_reason = NULL, late_reason = NULL, representative_name = NULL,
                        representative_evidence = NULL, restriction_condition = NULL, evidence = NULL
                    WHERE id = ?
                    """, arguments: [request])
            try db.execute(
                sql: """
                    UPDATE request_subjects SET normalized = ?2, method = NULL
                    WHERE request_id = ?1 AND (normalized <> ?2 OR method IS NOT NULL)
                    """,
                arguments: [request, RequestDetail.Subject.erasedIdentifier])
            count("request_subjects", db.changesCount)
            try db.execute(
                sql: "UPDATE request_events SET note = NULL WHERE request_id = ? AND note IS NOT NULL",
                arguments: [request])
            count("request_events", db.changesCount)
            try db.execute(sql: "DELETE FROM deliveries WHERE request_id = ?", arguments: [request])
            count("deliveries", db.changesCount)
            try db.execute(sql: "DELETE FROM letters WHERE request_id = ?", arguments: [request])
            count("letters", db.changesCount)
        }
        counts["requests"] = requestIDs.count
        let record = ErasureRecord(
            at: Timestamp.utc(now), request: requestID, hashes: hashes.map { Hex.encode(Array($0)) }.sorted())
        // A replay after a restore (`journal: false`) re-applies a line already in the journal.
        if journal { try appendToJournal(record) }
        return counts
    }

    private func appendToJournal(_ record: ErasureRecord) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = try encoder.encode(record) + Data("\n".utf8)
        do {
            if !FileManager.default.fileExists(atPath: erasureJournalPath) {
                // A file that cannot be created fails to open just below, with the reason.
                _ = FileManager.default.createFile(
                    atPath: erasureJournalPath, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: erasureJournalPath))
            defer { try? handle.close() }
            // A last line without its newline was cut short by a crash before its transaction committed: drop it,
            // so that this record starts a line of its own.
            let existing = try Data(contentsOf: URL(fileURLWithPath: erasureJournalPath))
            if let last = existing.last, last != UInt8(ascii: "\n") {
                let keep = existing.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
                try handle.truncate(atOffset: UInt64(keep))
            }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
            try handle.synchronize()
        } catch {
            throw StoreError.refused("cannot write the erasure journal \(erasureJournalPath): \(error)")
        }
    }

    /// Moves every committed page into the database file and empties the WAL, so that nothing erased is left
    /// readable in `-wal`; waits for readers of other processes to finish their transactions (up to `timeout`).
    public func checkpointTruncating(timeout: TimeInterval = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let done = try pool.writeWithoutTransaction { db -> Bool in
                do {
                    let (frames, copied) = try db.checkpoint(.truncate)
                    return frames <= 0 || frames == copied
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                    return false
                }
            }
            if done { return }
            guard Date() < deadline else {
                throw StoreError.refused("the WAL could not be emptied: a reader held it for \(Int(timeout)) s")
            }
            usleep(50_000)
        }
    }
}
