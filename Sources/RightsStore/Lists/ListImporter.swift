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
    /// Imports a contact list: the whole file or nothing (ARCHITECTURE.md invariant 9), holding the write lock only
    /// for the apply step (invariant 11).
    ///
    /// The file is first read, validated, normalised and hashed into a scratch database in buckets of keyed hash
    /// (`ListStage`), with no lock on the installation; then one transaction writes the rows bucket by bucket, so
    /// that every index takes its keys a narrow range at a time instead of one random descent per row. `chunks` hands out the file's
    /// bytes; `progress` is told the rows read so far every 64k rows.
    public func importList(
        _ request: ListImportRequest, actor: String, at now: Date, chunks: @escaping () throws -> [UInt8]?,
        progress: ((Int) -> Void)? = nil
    ) throws -> ListImportResult {
        let input = InputFile(name: request.fileName, delimiter: request.delimiter, chunks: chunks)
        let stage = try ListStage(request, input: input, hasher: hasher, progress: progress)
        // Who the file's identifiers already are, read in a snapshot: the apply step reads it again only if a link
        // changed in between.
        let (probed, suppressed) = try read { db in
            (try PersonLinks.probe(stage.linkPlan, db), try stage.suppressedLines(db))
        }
        return try perform(actor: actor, at: now) { db in
            // A fixed page cache large enough for the keyed-hash indexes of a few million entries: without it a
            // large import spills half-written index pages to the WAL and rewrites them again and again. It is a
            // constant, so memory still does not grow with the file.
            try db.execute(sql: "PRAGMA cache_size = -98304")
            let list = try ListRecord.findOrCreate(
                name: request.list, basis: request.basis ?? .other, actor: actor, now: now, in: db)
            let basis = request.basis ?? list.basis
            let importID = try ImportRecord.insert(
                listID: list.id, request: request, basis: basis, encoding: stage.encoding,
                delimiter: stage.delimiter, headers: stage.headers, actor: actor, now: now, in: db)

            var writer = try ListRowWriter(
                db: db, listID: list.id, importID: importID, source: request.source, now: now, lines: stage.lastLine)
            var result = ListImportResult(list: request.list)
            result.basis = basis
            result.rows = stage.rows
            result.invalid = stage.invalid
            result.consentsWithoutChannel = stage.consentsWithoutChannel
            let entries = try writer.writeEntries(stage.bucketedRows())
            result.imported = entries.imported
            result.duplicates = entries.duplicates
            try writer.writeIdentifiers(stage.bucketedIdentifiers())
            result.consents = try writer.writeConsents(stage.bucketedConsents(), texts: stage.texts)
            result.fileSHA256 = stage.fileSHA256
            try PersonLinks.link(stage.linkPlan, db, probed: probed)
            try db.execute(
                sql: "UPDATE lists SET entry_count = entry_count + ? WHERE id = ?",
                arguments: [result.imported, list.id])
            try ImportRecord.finish(
                importID, result: result, entries: (writer.firstEntryID, writer.lastEntryID), bytes: stage.bytes,
                in: db)
            if try ListStage.suppressionFingerprint(db) == suppressed.fingerprint {
                result.suppressed = suppressed.lines.count { writer.madeEntry(line: $0) }
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
                    "rows_sha256": .string(entries.digest),
                ])
            return (result, draft)
        }
    }
}

/// Writes the staged rows of one import through prepared statements on SQLite's C API, each value bound straight
/// from the scratch database's column.
struct ListRowWriter {
    let listID: Int64
    let importID: Int64
    let source: String?
    let now: Int64
    let insertEntry: RawStatement
    let insertIdentifier: RawStatement
    let insertDuplicate: RawStatement
    let insertConsent: RawStatement
    let findText: RawStatement
    let insertText: RawStatement
    /// The range of entry ids this import wrote, consecutive because the import is one transaction.
    var firstEntryID: Int64?
    var lastEntryID: Int64?
    /// For each line of the file, 1 + its entry's offset from `firstEntryID`, or 0 when the line made no entry.
    private var entryOffsets: [UInt32]

    /// Whether `line` of the file made an entry (rather than repeating one, or being invalid).
    func madeEntry(line: Int) -> Bool { line < entryOffsets.count && entryOffsets[line] > 0 }

    init(db: Database, listID: Int64, importID: Int64, source: String?, now: Date, lines: Int) throws {
        self.listID = listID
        self.importID = importID
        self.source = source
        self.now = Timestamp.milliseconds(now)
        entryOffsets = [UInt32](repeating: 0, count: lines + 1)
        insertEntry = try RawStatement(
            db,
            """
            INSERT INTO entries(list_id, import_id, line, kind, key_hash, normalized, raw, others)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
            ON CONFLICT(key_hash, list_id) DO NOTHING
            """)
        insertIdentifier = try RawStatement(
            db, "INSERT OR IGNORE INTO entry_identifiers(id_hash, entry_id, kind, normalized) VALUES (?1, ?2, ?3, ?4)")
        insertDuplicate = try RawStatement(
            db,
            """
            INSERT OR IGNORE INTO duplicate_rows(import_id, line, entry_id)
            SELECT ?1, ?2, id FROM entries WHERE key_hash = ?3 AND list_id = ?4
            """)
        insertConsent = try RawStatement(
            db,
            """
            INSERT INTO consent_events(id_hash, channel, purpose, kind, at, method, text_id, evidence, source,
                import_id, line, recorded_at)
            VALUES (?1, ?2, 'marketing', 'grant', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            """)
        findText = try RawStatement(db, "SELECT id FROM consent_texts WHERE sha256 = ?1")
        insertText = try RawStatement(db, "INSERT INTO consent_texts(sha256, text) VALUES (?1, ?2)")
    }

    /// The rows bucket by bucket, in file order within each: the first row of a key makes the entry (unless the
    /// list holds it already), the later ones are duplicates of it. Returns the counts and the SHA-256 of the
    /// imported rows' line numbers and key hashes, in the order written.
    mutating func writeEntries(_ buckets: [RawStatement]) throws -> (imported: Int, duplicates: Int, digest: String) {
        var imported = 0
        var duplicates = 0
        var digest = StreamingDigest()
        insertEntry.bind(1, listID)
        insertEntry.bind(2, importID)
        insertDuplicate.bind(1, importID)
        insertDuplicate.bind(4, listID)
        // Columns: line, kind, key_hash, normalized, raw, others.
        for rows in buckets {
            while try rows.step() {
                for (parameter, column) in zip(Int32(3)...8, Int32(0)...5) {
                    insertEntry.bind(parameter, columnOf: rows, column)
                }
                if try insertEntry.run() == 1 {
                    let entryID = insertEntry.lastInsertedRowID
                    if firstEntryID == nil { firstEntryID = entryID }
                    lastEntryID = entryID
                    let line = rows.int64(0)
                    entryOffsets[Int(line)] = UInt32(entryID - firstEntryID! + 1)
                    imported += 1
                    var number = UInt64(line)
                    withUnsafeBytes(of: &number) { digest.update($0) }
                    rows.withBytes(2) { digest.update(UnsafeRawBufferPointer($0)) }
                } else {
                    insertDuplicate.bind(2, columnOf: rows, 0)
                    insertDuplicate.bind(3, columnOf: rows, 2)
                    try insertDuplicate.run()
                    duplicates += 1
                }
            }
        }
        return (imported, duplicates, digest.finalizeHex())
    }

    /// The rows' other identifiers (an email beside the phone), bucketed by hash, for the entries made.
    func writeIdentifiers(_ buckets: [RawStatement]) throws {
        // Columns: line, id_hash, kind, normalized.
        for identifiers in buckets {
            while try identifiers.step() {
                let offset = entryOffsets[Int(identifiers.int64(0))]
                guard offset > 0, let first = firstEntryID else { continue }
                insertIdentifier.bind(1, columnOf: identifiers, 1)
                insertIdentifier.bind(2, first + Int64(offset) - 1)
                insertIdentifier.bind(3, columnOf: identifiers, 2)
                insertIdentifier.bind(4, columnOf: identifiers, 3)
                try insertIdentifier.run()
            }
        }
    }

    /// The consents, bucketed by hash; every row's count, a duplicate's included (a second consent is a fact).
    mutating func writeConsents(_ buckets: [RawStatement], texts: [String]) throws -> Int {
        var textIDs: [Int64] = []
        textIDs.reserveCapacity(texts.count)
        for text in texts { textIDs.append(try textID(text)) }
        insertConsent.bind(7, source)
        insertConsent.bind(8, importID)
        insertConsent.bind(10, now)
        var count = 0
        // Columns: line, id_hash, channel, at, method, text_no, evidence.
        for consents in buckets {
            while try consents.step() {
                insertConsent.bind(1, columnOf: consents, 1)
                insertConsent.bind(2, columnOf: consents, 2)
                insertConsent.bind(3, columnOf: consents, 3)
                insertConsent.bind(4, columnOf: consents, 4)
                if consents.isNull(5) {
                    insertConsent.bindNull(5)
                } else {
                    insertConsent.bind(5, textIDs[Int(consents.int64(5))])
                }
                insertConsent.bind(6, columnOf: consents, 6)
                insertConsent.bind(9, columnOf: consents, 0)
                try insertConsent.run()
                count += 1
            }
        }
        return count
    }

    /// Consent texts repeat on every row of a campaign: each is stored once, by its SHA-256.
    private func textID(_ text: String) throws -> Int64 {
        let digest = Digest.sha256Hex(text)
        findText.bind(1, digest)
        if let existing = try findText.firstInt() { return existing }
        insertText.bind(1, digest)
        insertText.bind(2, text)
        try insertText.run()
        return insertText.lastInsertedRowID
    }
}
