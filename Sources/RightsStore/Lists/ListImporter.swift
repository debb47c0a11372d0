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
    /// Imports a contact list in one transaction: the whole file or nothing (ARCHITECTURE.md invariant 9).
    ///
    /// `chunks` hands out the file's bytes; `progress` is told the rows read so far every 64k rows.
    public func importList(
        _ request: ListImportRequest, actor: String, at now: Date, chunks: @escaping () throws -> [UInt8]?,
        progress: ((Int) -> Void)? = nil
    ) throws -> ListImportResult {
        let input = InputFile(name: request.fileName, delimiter: request.delimiter, chunks: chunks)
        let badInput = input.badInput
        return try perform(actor: actor, at: now) { db in
            // A fixed page cache large enough for the keyed-hash indexes of a few million entries: without it a
            // large import spills half-written index pages to the WAL and rewrites them again and again. It is a
            // constant, so memory still does not grow with the file.
            try db.execute(sql: "PRAGMA cache_size = -98304")
            var record = CSVRecord()
            let headers = try input.header(into: &record)
            let layout: ListLayout
            do throws(ListLayoutError) {
                layout = try ListLayout(headers: headers, map: request.map)
            } catch {
                throw badInput(record.line, nil, error.description)
            }
            let list = try ListRecord.findOrCreate(
                name: request.list, basis: request.basis ?? .other, actor: actor, now: now, in: db)
            let basis = request.basis ?? list.basis
            let importID = try ImportRecord.insert(
                listID: list.id, request: request, basis: basis, encoding: input.encoding, delimiter: input.delimiter,
                headers: layout.headers, actor: actor, now: now, in: db)

            var writer = try ListRowWriter(
                db: db, listID: list.id, importID: importID, source: request.source, now: now)
            var result = ListImportResult(list: request.list)
            result.basis = basis
            var rowsDigest = StreamingDigest()
            // The identifiers of each row are one person's (CONTRACT.md "One person, several identifiers"); linked
            // set-wise once the rows are in.
            var links = PersonLinks.Groups()
            while try input.next(into: &record) {
                result.rows += 1
                if let progress, result.rows & 0xFFFF == 0 { progress(result.rows) }
                switch layout.interpret(record, consentChannel: request.consentChannel, zaloOA: request.zaloOA) {
                case .invalid(let reason):
                    if request.strict { throw badInput(record.line, nil, reason + " (--strict rejects the file)") }
                    result.invalid.append(InvalidRow(line: record.line, reason: reason))
                case .valid(let row):
                    let outcome = try writer.write(row, line: record.line, raw: record.rawUTF8, hasher: hasher)
                    if !row.others.isEmpty { links.add(outcome.members) }
                    if outcome.imported {
                        result.imported += 1
                        var line = UInt64(record.line)
                        withUnsafeBytes(of: &line) { rowsDigest.update($0) }
                        rowsDigest.update(outcome.keyHash)
                    } else {
                        result.duplicates += 1
                    }
                    result.consents += outcome.consents
                    if row.consent != nil && outcome.consents == 0 { result.consentsWithoutChannel += 1 }
                }
            }
            result.fileSHA256 = input.sha256()
            try PersonLinks.link(links, db)
            try db.execute(
                sql: "UPDATE lists SET entry_count = entry_count + ? WHERE id = ?",
                arguments: [result.imported, list.id])
            try ImportRecord.finish(
                importID, result: result, entries: (writer.firstEntryID, writer.lastEntryID), bytes: input.bytes, in: db
            )
            result.suppressed = try ImportRecord.suppressedCount(importID: importID, in: db)
            try ListRecord.addHeaders(layout.headers, listID: list.id, in: db)
            let draft = AuditDraft(
                kind: "lists.import",
                payload: [
                    "list": .string(request.list), "import_id": .int(importID), "file_name": .string(request.fileName),
                    "file_sha256": .string(result.fileSHA256), "file_bytes": .int(input.bytes),
                    "basis": .string(basis.rawValue), "rows": .int(result.rows), "imported": .int(result.imported),
                    "duplicates": .int(result.duplicates), "invalid": .int(result.invalid.count),
                    "consents": .int(result.consents), "suppressed": .int(result.suppressed),
                    "rows_sha256": .string(rowsDigest.finalizeHex()),
                ])
            return (result, draft)
        }
    }
}

/// Inserts the rows of one import through prepared statements on SQLite's C API.
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
    var textIDs: [String: Int64] = [:]
    /// The range of entry ids this import wrote, consecutive because the import is one transaction.
    var firstEntryID: Int64?
    var lastEntryID: Int64?

    struct Outcome {
        var imported: Bool
        var keyHash: [UInt8]
        var consents: Int
        /// The row's identifiers as keyed hashes, when it has more than one.
        var members: [PersonLinks.Member] = []
    }

    init(db: Database, listID: Int64, importID: Int64, source: String?, now: Date) throws {
        self.listID = listID
        self.importID = importID
        self.source = source
        self.now = Timestamp.milliseconds(now)
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

    mutating func write(_ row: ListRow, line: Int, raw: ArraySlice<UInt8>, hasher: KeyedHasher) throws -> Outcome {
        let keyHash = hasher.hash(row.primary)
        var otherHashes: [[UInt8]] = []
        otherHashes.reserveCapacity(row.others.count)
        for other in row.others { otherHashes.append(other == row.primary ? keyHash : hasher.hash(other)) }
        insertEntry.bind(1, listID)
        insertEntry.bind(2, importID)
        insertEntry.bind(3, line)
        insertEntry.bind(4, row.primary.kind.rawValue)
        insertEntry.bind(5, blob: keyHash)
        insertEntry.bind(6, row.primary.normalized)
        raw.withUnsafeBufferPointer { insertEntry.bind(7, text: $0) }
        if otherHashes.isEmpty {
            insertEntry.bindNull(8)
        } else {
            var blob: [UInt8] = []
            blob.reserveCapacity(32 * otherHashes.count)
            for hash in otherHashes { blob += hash }
            insertEntry.bind(8, blob: blob)
        }
        let imported = try insertEntry.run() == 1
        if imported {
            let entryID = insertEntry.lastInsertedRowID
            if firstEntryID == nil { firstEntryID = entryID }
            lastEntryID = entryID
            for (other, hash) in zip(row.others, otherHashes) where other != row.primary {
                insertIdentifier.bind(1, blob: hash)
                insertIdentifier.bind(2, entryID)
                insertIdentifier.bind(3, other.kind.rawValue)
                insertIdentifier.bind(4, other.normalized)
                try insertIdentifier.run()
            }
        } else {
            insertDuplicate.bind(1, importID)
            insertDuplicate.bind(2, line)
            insertDuplicate.bind(3, blob: keyHash)
            insertDuplicate.bind(4, listID)
            try insertDuplicate.run()
        }
        var consents = 0
        if let consent = row.consent {
            let textID = try consent.text.map { try self.textID($0) }
            for channel in consent.channels {
                insertConsent.bind(1, blob: row.identifierIndex(for: channel).map { otherHashes[$0] } ?? keyHash)
                insertConsent.bind(2, channel.rawValue)
                insertConsent.bind(3, Timestamp.milliseconds(consent.at))
                insertConsent.bind(4, consent.method)
                if let textID { insertConsent.bind(5, textID) } else { insertConsent.bindNull(5) }
                insertConsent.bind(6, consent.evidence)
                insertConsent.bind(7, source)
                insertConsent.bind(8, importID)
                insertConsent.bind(9, line)
                insertConsent.bind(10, now)
                try insertConsent.run()
                consents += 1
            }
        }
        var members: [PersonLinks.Member] = []
        if !row.others.isEmpty, let key = HashKey(keyHash) {
            members.append(PersonLinks.Member(key: key, kind: row.primary.kind))
            for (other, hash) in zip(row.others, otherHashes) {
                if let key = HashKey(hash) { members.append(PersonLinks.Member(key: key, kind: other.kind)) }
            }
        }
        return Outcome(imported: imported, keyHash: keyHash, consents: consents, members: members)
    }

    /// Consent texts repeat on every row of a campaign: each is stored once, by its SHA-256.
    private mutating func textID(_ text: String) throws -> Int64 {
        if let id = textIDs[text] { return id }
        let digest = Digest.sha256Hex(text)
        findText.bind(1, digest)
        let id: Int64
        if let existing = try findText.firstInt() {
            id = existing
        } else {
            insertText.bind(1, digest)
            insertText.bind(2, text)
            try insertText.run()
            id = insertText.lastInsertedRowID
        }
        if textIDs.count > 10_000 { textIDs.removeAll(keepingCapacity: true) }
        textIDs[text] = id
        return id
    }
}
