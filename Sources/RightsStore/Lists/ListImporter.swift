import Foundation
import GRDB
import RightsCore

/// What `lists import` was asked to do.
public struct ListImportRequest: Sendable {
    public var list: String
    public var fileName: String
    public var source: String?
    public var consentChannel: Channel?
    public var zaloOA: String?
    public var basis: LegalBasis?
    public var delimiter: UInt8?
    public var map: [String: ListField]
    public var strict: Bool

    public init(
        list: String, fileName: String, source: String? = nil, consentChannel: Channel? = nil, zaloOA: String? = nil,
        basis: LegalBasis? = nil, delimiter: UInt8? = nil, map: [String: ListField] = [:], strict: Bool = false
    ) {
        self.list = list
        self.fileName = fileName
        self.source = source
        self.consentChannel = consentChannel
        self.zaloOA = zaloOA
        self.basis = basis
        self.delimiter = delimiter
        self.map = map
        self.strict = strict
    }
}

/// How far an import is: rows read from the file, then the rows, identifiers, consents and links written; and,
/// as each of its steps ends, how long it took (`lists import --timings`, `bench import`).
public enum ImportProgress: Sendable, Equatable {
    case read(rows: Int)
    case written(Int, of: Int)
    case step(String, seconds: Double)
}

/// Times an import's steps one after the other, each reported as it ends.
struct StepClock {
    private var start = DispatchTime.now().uptimeNanoseconds
    private(set) var steps: [(name: String, seconds: Double)] = []

    /// Ends the step under way as `name`; the next begins now.
    mutating func end(_ name: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        steps.append((name, Double(now - start) / 1e9))
        start = now
    }
}

/// A row that was not imported, and why.
public struct InvalidRow: Sendable, Codable, Equatable {
    public let line: Int
    public let reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}

/// The counts `lists import --json` prints (CONTRACT.md).
public struct ListImportResult: Sendable, Codable {
    public var list: String
    public var rows = 0
    public var imported = 0
    public var duplicates = 0
    public var suppressed = 0
    public var consents = 0
    public var invalid: [InvalidRow] = []
    public var fileSHA256 = ""
    public var basis: LegalBasis = .other
    /// Rows that had a consent time but no channel, so recorded no consent (consent is per channel).
    public var consentsWithoutChannel = 0

    enum CodingKeys: String, CodingKey {
        case list, rows, imported, duplicates, suppressed, consents, invalid
        case fileSHA256 = "file_sha256"
        case basis
        case consentsWithoutChannel = "consents_without_channel"
    }
}

extension RightsStore {
    /// Imports a contact list: the whole file or nothing (ARCHITECTURE.md invariant 9), never holding the write
    /// lock for more than a fifth of a second at a time (invariant 11).
    ///
    /// The file is first read, validated, normalised and hashed into a scratch database in buckets of keyed hash
    /// (`ListStage`), with no lock on the installation. Its rows are then written bucket by bucket, so that every
    /// index takes its keys a narrow range at a time instead of one random descent per row, in transactions of
    /// about 200 ms with a pause between them in which the desk's writes go first. Until the last transaction
    /// publishes the import, its rows are in no answer (`PendingImports`); if the import fails or is killed before
    /// that, they are removed (at once, or by the next import or `serve`). `chunks` hands out the file's bytes;
    /// `progress` is told the rows read so far every 64k rows, then what is written after each transaction;
    /// `applied` is told the same count (what it throws ends the import, which is then removed).
    public func importList(
        _ request: ListImportRequest, actor: String, at now: Date, chunks: @escaping () throws -> [UInt8]?,
        progress: ((ImportProgress) -> Void)? = nil, applied: ((Int) throws -> Void)? = nil
    ) throws -> ListImportResult {
        let input = InputFile(name: request.fileName, delimiter: request.delimiter, chunks: chunks)
        let stage = try ListStage(
            request, input: input, hasher: hasher, progress: progress.map { report in { report(.read(rows: $0)) } })
        for step in stage.clock.steps { progress?(.step(step.name, seconds: step.seconds)) }
        var clock = StepClock()
        func ended(_ name: String) {
            clock.end(name)
            if let step = clock.steps.last { progress?(.step(step.name, seconds: step.seconds)) }
        }
        // One import is applied at a time; one left pending now was abandoned, and its rows would hold its keys.
        guard let lock = try ImportLock(databasePath: path, wait: true) else {
            throw StoreError.refused("another import is being applied to this installation")
        }
        return try withExtendedLifetime(lock) {
            try removePendingImports()
            // Who the file's identifiers already are, and which are suppressed, read in a snapshot.
            let (probed, suppressed) = try read { db in
                (try PersonLinks.probe(stage.linkPlan, db), try stage.suppressedLines(db))
            }
            // The probe's reader filled its page cache with the links it read; the apply writes through another.
            pool.releaseMemoryEventually()
            ProcessMemory.returnFreed()
            ended("probe the installation")
            let opened = try write { db in
                let existing = try ListRecord.find(name: request.list, in: db)
                let list =
                    try existing
                    ?? ListRecord.findOrCreate(
                        name: request.list, basis: request.basis ?? .other, actor: actor, now: now, in: db)
                let basis = request.basis ?? list.basis
                let importID = try ImportRecord.insert(
                    listID: list.id, request: request, basis: basis, encoding: stage.encoding,
                    delimiter: stage.delimiter, headers: stage.headers, madeList: existing == nil, actor: actor,
                    now: now, in: db)
                return (list: list, basis: basis, importID: importID)
            }
            do {
                return try apply(
                    stage, request, list: opened.list, basis: opened.basis, importID: opened.importID,
                    probed: consume probed, suppressed: suppressed, actor: actor, now: now, progress: progress,
                    applied: applied, ended: ended)
            } catch {
                // Nothing of it may stay: removed now, else by the next import or `serve`.
                try? removeImport(opened.importID)
                throw error
            }
        }
    }

    /// Identifiers to link beyond which the links and members are written through a smaller page cache: the plan
    /// (36 bytes an identifier) is then the larger part of the import's memory.
    static let largeLinkPlan = 4_000_000

    private func apply(
        _ stage: ListStage, _ request: ListImportRequest, list: ListRecord, basis: LegalBasis, importID: Int64,
        probed: consuming PersonLinks.Probe, suppressed: ListStage.Suppressed, actor: String, now: Date,
        progress: ((ImportProgress) -> Void)?, applied: ((Int) throws -> Void)?, ended: (String) -> Void
    ) throws -> ListImportResult {
        var writer = ListRowWriter(
            listID: list.id, importID: importID, source: request.source, now: now,
            lines: stage.lastLine)
        var written = 0
        // Every staged row, identifier and consent, and every identifier to link (those linked already included),
        // once as a link and once as its person's member.
        let writes = stage.writes + 2 * stage.linkPlan.count
        // A fixed page cache large enough for the keyed-hash indexes of a few million entries: without it a large
        // import spills half-written index pages to the WAL and rewrites them again and again. It is a constant, so
        // memory still does not grow with the file.
        var cacheKilobytes = 98_304
        func inShortTransactions(_ step: (Database, UInt64) throws -> (done: Bool, rows: Int)) throws {
            while true {
                let (done, rows) = try write { db in
                    try db.execute(sql: "PRAGMA cache_size = -\(cacheKilobytes)")
                    return try step(db, DispatchTime.now().uptimeNanoseconds + ListRowWriter.transactionBudget)
                }
                written += rows
                progress?(.written(written, of: writes))
                try applied?(written)
                if done { return }
                // Another process's write waits in its busy handler, which tries again every millisecond.
                usleep(2_000)
            }
        }
        writer.erasedBefore = try read { db in try ListRowWriter.erasedEntries(db) }
        var rows = BucketCursor(try stage.bucketedRows())
        try inShortTransactions { db, deadline in try writer.writeEntries(&rows, db, until: deadline) }
        ended("write entries")
        var identifiers = BucketCursor(try stage.bucketedIdentifiers())
        try inShortTransactions { db, deadline in try writer.writeIdentifiers(&identifiers, db, until: deadline) }
        ended("write other identifiers")
        var consents = BucketCursor(try stage.bucketedConsents())
        let textIDs = try write { db in try writer.textIDs(stage.texts, db) }
        try inShortTransactions { db, deadline in
            try writer.writeConsents(&consents, textIDs: textIDs, db, until: deadline)
        }
        // Every staged row is written: the scratch databases go before the links' arrays are made.
        (rows, identifiers, consents) = (BucketCursor([]), BucketCursor([]), BucketCursor([]))
        stage.releaseScratch()
        ended("write consents")

        // The links: worked out from the snapshot's persons (read again if the desk changed a link since), new
        // person numbers reserved, then inserted in key order like the rest.
        var probe = consume probed
        if try read({ db in try !probe.isCurrent(db) }) {
            probe = try read { db in try PersonLinks.probe(stage.linkPlan, db) }
        }
        let assignment = PersonLinks.Assignment(stage.linkPlan, existing: probe.takePersons())
        var links: PersonLinks.Assignment.Writer?
        if !assignment.isEmpty {
            // The links go in key order across the whole index and the members at its end: neither comes back to
            // a page often, so beside a large plan (the peak of a 10M-row file) a smaller cache does, and its pages
            // are given back. With a small plan the full cache is kept: it makes both about a tenth faster.
            if stage.linkPlan.count > Self.largeLinkPlan {
                cacheKilobytes = 32_768
                try write { db in try db.execute(sql: "PRAGMA cache_size = -\(cacheKilobytes)") }
                ProcessMemory.returnFreed()
            }
            let firstNewPerson = try write { db in try PersonLinks.reserve(assignment.newPersons, db) }
            var writer = assignment.writer(firstNewPerson: firstNewPerson, importID: importID)
            try inShortTransactions { db, deadline in
                let before = writer.position
                let done = try writer.insert(db, until: deadline)
                return (done, writer.position - before)
            }
            ended("write links")
            // Then each person's members, in person order; the skipped identifiers (linked already) count as done.
            var skipped = stage.linkPlan.count - writer.added
            try inShortTransactions { db, deadline in
                let before = writer.memberPosition
                let done = try writer.insertMembers(db, until: deadline, verify: !probe.isCurrent(db))
                defer { skipped = 0 }
                return (done, writer.memberPosition - before + skipped)
            }
            ended("write persons' members")
            links = writer
        }
        // What the file's rows join: the persons as read before the links were written, or, when the desk changed a
        // link meanwhile, as read again now (the import's own links included), in a snapshot without the lock.
        var joins = (assignment: assignment, probe: probe)
        if try read({ db in try !probe.isCurrent(db) }) {
            var again = try read { db in try PersonLinks.probe(stage.linkPlan, db) }
            joins = (PersonLinks.Assignment(stage.linkPlan, existing: again.takePersons()), again)
        }

        defer { ended("publish") }
        return try perform(actor: actor, at: now) { db in
            var result = ListImportResult(list: request.list)
            result.basis = basis
            result.rows = stage.rows
            result.invalid = stage.invalid
            result.consentsWithoutChannel = stage.consentsWithoutChannel
            result.imported = writer.imported
            result.duplicates = writer.duplicates
            result.consents = writer.consents
            result.fileSHA256 = stage.fileSHA256
            // The persons the file's rows join are merged; should a link have changed since they were read, the
            // whole plan is linked again here against what the table holds.
            let added = links?.added ?? 0
            let merged: Bool
            if try joins.probe.isCurrent(db) {
                merged = try joins.assignment.merge(db)
            } else {
                try PersonLinks.link(stage.linkPlan, db)
                merged = true
            }
            if added > 0 {
                try PersonLinks.adjustCount(by: added, db)
            } else if merged {
                try PersonLinks.bumpVersion(db)
            }
            try db.execute(sql: "DELETE FROM meta WHERE key = 'person_reserved'")
            try db.execute(
                sql: "UPDATE lists SET entry_count = entry_count + ? WHERE id = ?",
                arguments: [result.imported, list.id])
            try ImportRecord.finish(
                importID, result: result, entries: (writer.firstEntryID, writer.lastEntryID), bytes: stage.bytes,
                in: db)
            let fingerprint = try ListStage.suppressionFingerprint(db)
            if fingerprint == suppressed.fingerprint {
                result.suppressed = suppressed.lines.count { writer.madeEntry(line: $0) }
            } else if fingerprint[1] == suppressed.fingerprint[1] {
                // Only suppressions added since the snapshot (objections filed while the rows were written): the
                // import's entries they match are added to the count, without probing every entry under the lock.
                var lines = suppressed.lines
                for line in try ImportRecord.linesMatching(
                    suppressionsAfter: suppressed.fingerprint[0], importID: importID, in: db)
                {
                    lines.insert(line)
                }
                result.suppressed = lines.count { writer.madeEntry(line: $0) }
            } else {
                result.suppressed = try ImportRecord.suppressedCount(importID: importID, in: db)
            }
            try ListRecord.addHeaders(stage.headers, listID: list.id, in: db)
            let draft = AuditDraft(
                kind: "lists.import",
                payload: [
                    "list": .string(request.list), "import_id": .int(importID), "file_name": .string(request.fileName),
                    "file_sha256": .string(result.fileSHA256), "file_bytes": .int(stage.bytes),
                    "basis": .string(basis.rawValue), "rows": .int(result.rows), "imported": .int(result.imported),
                    "duplicates": .int(result.duplicates), "invalid": .int(result.invalid.count),
                    "consents": .int(result.consents), "suppressed": .int(result.suppressed),
                    "rows_sha256": .string(writer.digest.finalizeHex()),
                ])
            return (result, draft)
        }
    }
}

/// The staged tables of one kind, bucket after bucket, read a row at a time across transactions.
struct BucketCursor {
    private let buckets: [RawStatement]
    private var index = 0

    init(_ buckets: [RawStatement]) { self.buckets = buckets }

    /// The statement positioned on the next row, or nil when every bucket is read.
    mutating func next() throws -> RawStatement? {
        while index < buckets.count {
            if try buckets[index].step() { return buckets[index] }
            index += 1
        }
        return nil
    }
}

/// Writes the staged rows of one import through prepared statements on SQLite's C API, each value bound straight
/// from the scratch database's column, a transaction at a time: what it has written so far is kept here between
/// them.
struct ListRowWriter {
    /// How long one of the import's transactions holds the write lock, in nanoseconds.
    static let transactionBudget: UInt64 = 200_000_000

    let listID: Int64
    let importID: Int64
    let source: String?
    let now: Int64
    /// The range of entry ids this import wrote, consecutive because imports are applied one at a time.
    private(set) var firstEntryID: Int64?
    private(set) var lastEntryID: Int64?
    private(set) var imported = 0
    private(set) var duplicates = 0
    private(set) var consents = 0
    /// The SHA-256 of the imported rows' line numbers and key hashes, in the order written.
    private(set) var digest = StreamingDigest()
    /// For each line of the file, 1 + its entry's offset from `firstEntryID`, or 0 when the line made no entry.
    private var entryOffsets: [UInt32]

    /// Whether `line` of the file made an entry (rather than repeating one, or being invalid).
    func madeEntry(line: Int) -> Bool { line < entryOffsets.count && entryOffsets[line] > 0 }

    init(listID: Int64, importID: Int64, source: String?, now: Date, lines: Int) {
        self.listID = listID
        self.importID = importID
        self.source = source
        self.now = Timestamp.milliseconds(now)
        entryOffsets = [UInt32](repeating: 0, count: lines + 1)
    }

    /// Whether a transaction has used its time: checked every 256 rows.
    private static func late(_ count: Int, _ deadline: UInt64) -> Bool {
        count & 0xFF == 0 && DispatchTime.now().uptimeNanoseconds > deadline
    }

    /// The key of the last row written: the rows of one key follow each other (a bucket is in key order), so a row
    /// with the same key as the one before it is a duplicate, known without asking SQLite.
    private var previousKey: HashKey?

    /// The rows bucket by bucket, in file order within each: the first row of a key makes the entry (unless the
    /// list holds it already), the later ones are duplicates of it. The entries are inserted in batches
    /// (`BatchedInsert`); a batch in which some rows repeat an entry the list already held is read back to tell
    /// which. Returns whether every row is written, and how many were in this transaction.
    mutating func writeEntries(_ rows: inout BucketCursor, _ db: Database, until deadline: UInt64) throws -> (
        done: Bool, rows: Int
    ) {
        var insertEntries = try BatchedInsert(
            db, "INSERT INTO entries(list_id, import_id, line, kind, key_hash, normalized, raw, others)",
            row: "(?, ?, ?, ?, ?, ?, ?, ?)", columns: 8, conflict: "ON CONFLICT(key_hash, list_id) DO NOTHING")
        let insertDuplicate = try RawStatement(
            db,
            """
            INSERT OR IGNORE INTO duplicate_rows(import_id, line, entry_id)
            SELECT ?1, ?2, id FROM entries WHERE key_hash = ?3 AND list_id = ?4
            """)
        let madeByThisImport = try RawStatement(
            db, "SELECT id, line FROM entries WHERE id > ?1 AND import_id = ?2 ORDER BY id")
        insertDuplicate.bind(1, importID)
        insertDuplicate.bind(4, listID)
        /// The rows in the batch under way.
        var batch: [(line: Int64, key: HashKey)] = []
        batch.reserveCapacity(BatchedInsert.rows)
        func duplicate(line: Int64, key: HashKey) throws {
            insertDuplicate.bind(2, line)
            insertDuplicate.bind(3, blob: key.bytes)
            try insertDuplicate.run()
            duplicates += 1
        }
        /// The batch's rows that made an entry, with their entry ids; the others repeat an entry of the list.
        func written(changed: Int) throws {
            var ids: [Int64: Int64] = [:]
            let all = changed == batch.count
            if !all && changed > 0 {
                madeByThisImport.bind(1, lastEntryID ?? 0)
                madeByThisImport.bind(2, importID)
                while try madeByThisImport.step() { ids[madeByThisImport.int64(1)] = madeByThisImport.int64(0) }
            }
            var next = all ? insertEntries.statement.lastInsertedRowID - Int64(changed) + 1 : 0
            for (line, key) in batch {
                let entryID: Int64
                if all {
                    entryID = next
                    next += 1
                } else if let id = ids[line] {
                    entryID = id
                } else {
                    try duplicate(line: line, key: key)
                    continue
                }
                if let lastEntryID, entryID != lastEntryID + 1 {
                    // Only imports add entries, one at a time: a gap means the table changed under this one.
                    throw StoreError.refused(
                        "the list's entries changed while the import was applied (an entry was erased); import the "
                            + "file again")
                }
                if firstEntryID == nil { firstEntryID = entryID }
                lastEntryID = entryID
                entryOffsets[Int(line)] = UInt32(entryID - firstEntryID! + 1)
                imported += 1
                var number = UInt64(line)
                withUnsafeBytes(of: &number) { digest.update($0) }
                key.withBytes { digest.update($0) }
            }
            batch.removeAll(keepingCapacity: true)
        }
        var count = 0
        var done = true
        // Columns: line, kind, key_hash, normalized, raw, others.
        while let row = try rows.next() {
            let line = row.int64(0)
            let key = row.withBytes(2) { HashKey(UnsafeRawBufferPointer($0)) } ?? .zero
            if key == previousKey {
                // The entry it repeats is written first.
                try written(changed: try insertEntries.run())
                try duplicate(line: line, key: key)
            } else {
                insertEntries.statement.bind(insertEntries.parameter(1), listID)
                insertEntries.statement.bind(insertEntries.parameter(2), importID)
                for column in Int32(3)...8 {
                    insertEntries.statement.bind(insertEntries.parameter(column), columnOf: row, column - 3)
                }
                batch.append((line, key))
                if let changed = try insertEntries.endRow() { try written(changed: changed) }
            }
            previousKey = key
            count += 1
            if Self.late(count, deadline) {
                done = false
                break
            }
        }
        try written(changed: try insertEntries.run())
        // Where this import's entries are, so that removing it, should it not be published, finds them.
        try db.execute(
            sql: "UPDATE imports SET first_entry_id = ?, last_entry_id = ? WHERE id = ?",
            arguments: [firstEntryID, lastEntryID, importID])
        return (done, count)
    }

    /// How many entries erasures had removed when the import began writing, from `erasedEntries`.
    var erasedBefore: Int64 = 0

    /// How many entries erasures have removed from this installation, ever: an import checks it instead of
    /// probing for each of its entries whether an erasure removed it meanwhile.
    static func erasedEntries(_ db: Database) throws -> Int64 { try MetaCounter.value("entries_erased", db) }

    static func countErasedEntry(_ db: Database) throws { try MetaCounter.add(1, to: "entries_erased", db) }

    /// The rows' other identifiers (an email beside the phone), bucketed by hash, for the entries made and not
    /// erased since. Each entry is probed (a random read: the identifiers are in their own hash order) only once an
    /// erasure has removed an entry while the import was being written.
    func writeIdentifiers(_ identifiers: inout BucketCursor, _ db: Database, until deadline: UInt64) throws -> (
        done: Bool, rows: Int
    ) {
        let erasedSince = try Self.erasedEntries(db) != erasedBefore
        var insertIdentifiers = try BatchedInsert(
            db, "INSERT OR IGNORE INTO entry_identifiers(id_hash, entry_id, kind, normalized)", row: "(?, ?, ?, ?)",
            columns: 4, condition: erasedSince ? "AND EXISTS (SELECT 1 FROM entries WHERE id = column2)" : "")
        let statement = insertIdentifiers.statement
        var count = 0
        var done = true
        // Columns: line, id_hash, kind, normalized.
        while let row = try identifiers.next() {
            count += 1
            let offset = entryOffsets[Int(row.int64(0))]
            if offset > 0, let first = firstEntryID {
                statement.bind(insertIdentifiers.parameter(1), columnOf: row, 1)
                statement.bind(insertIdentifiers.parameter(2), first + Int64(offset) - 1)
                statement.bind(insertIdentifiers.parameter(3), columnOf: row, 2)
                statement.bind(insertIdentifiers.parameter(4), columnOf: row, 3)
                _ = try insertIdentifiers.endRow()
            }
            if Self.late(count, deadline) {
                done = false
                break
            }
        }
        _ = try insertIdentifiers.run()
        return (done, count)
    }

    /// The ids of the distinct consent texts, each stored once.
    func textIDs(_ texts: [String], _ db: Database) throws -> [Int64] {
        let findText = try RawStatement(db, "SELECT id FROM consent_texts WHERE sha256 = ?1")
        let insertText = try RawStatement(db, "INSERT INTO consent_texts(sha256, text) VALUES (?1, ?2)")
        return try texts.map { try textID($0, find: findText, insert: insertText) }
    }

    /// The consents, bucketed by hash; every row's count, a duplicate's included (a second consent is a fact).
    mutating func writeConsents(
        _ staged: inout BucketCursor, textIDs: [Int64], _ db: Database, until deadline: UInt64
    ) throws -> (done: Bool, rows: Int) {
        var insertConsents = try BatchedInsert(
            db,
            """
            INSERT INTO consent_events(id_hash, channel, purpose, kind, at, method, text_id, evidence, source,
                import_id, line, recorded_at)
            """, row: "(?, ?, 'marketing', 'grant', ?, ?, ?, ?, ?, ?, ?, ?)", columns: 10)
        let statement = insertConsents.statement
        var count = 0
        var done = true
        // Columns: line, id_hash, channel, at, method, text_no, evidence.
        while let row = try staged.next() {
            statement.bind(insertConsents.parameter(1), columnOf: row, 1)
            statement.bind(insertConsents.parameter(2), columnOf: row, 2)
            statement.bind(insertConsents.parameter(3), columnOf: row, 3)
            statement.bind(insertConsents.parameter(4), columnOf: row, 4)
            if row.isNull(5) {
                statement.bindNull(insertConsents.parameter(5))
            } else {
                statement.bind(insertConsents.parameter(5), textIDs[Int(row.int64(5))])
            }
            statement.bind(insertConsents.parameter(6), columnOf: row, 6)
            statement.bind(insertConsents.parameter(7), source)
            statement.bind(insertConsents.parameter(8), importID)
            statement.bind(insertConsents.parameter(9), columnOf: row, 0)
            statement.bind(insertConsents.parameter(10), now)
            _ = try insertConsents.endRow()
            consents += 1
            count += 1
            if Self.late(count, deadline) {
                done = false
                break
            }
        }
        _ = try insertConsents.run()
        return (done, count)
    }

    /// Consent texts repeat on every row of a campaign: each is stored once, by its SHA-256.
    private func textID(_ text: String, find: RawStatement, insert: RawStatement) throws -> Int64 {
        let digest = Digest.sha256Hex(text)
        find.bind(1, digest)
        if let existing = try find.firstInt() { return existing }
        insert.bind(1, digest)
        insert.bind(2, text)
        try insert.run()
        return insert.lastInsertedRowID
    }
}
