import Foundation
import GRDBSQLite
import RightsCore

/// A contact list read, validated, normalised and hashed into a scratch database and sorted there by keyed hash:
/// the heavy part of an import, done before the installation's write lock is taken (ARCHITECTURE.md invariant 11).
///
/// Nothing here touches the installation: a file refused here (bad encoding, a broken record, `--strict`) leaves
/// it as it was, and a killed import leaves nothing, because the scratch database's file is gone from the moment
/// it is opened.
final class ListStage {
    private let scratch: ScratchDatabase
    let headers: [String]
    let encoding: CSVEncoding
    let delimiter: UInt8
    private(set) var rows = 0
    private(set) var invalid: [InvalidRow] = []
    private(set) var consentsWithoutChannel = 0
    /// The identifiers of each row are one person's (CONTRACT.md "One person, several identifiers"); linked
    /// set-wise once the rows are in.
    private(set) var links = PersonLinks.Groups()
    /// The last physical line a record started on: the file's line numbers run from 1 to it.
    private(set) var lastLine = 0
    /// The distinct consent texts, numbered by their place here.
    private(set) var texts: [String] = []
    let fileSHA256: String
    let bytes: Int

    init(
        _ request: ListImportRequest, input: InputFile, hasher: KeyedHasher, progress: ((Int) -> Void)?
    ) throws {
        var record = CSVRecord()
        let headerRow = try input.header(into: &record)
        let layout: ListLayout
        do throws(ListLayoutError) {
            layout = try ListLayout(headers: headerRow, map: request.map)
        } catch {
            throw input.badInput(record.line, nil, error.description)
        }
        headers = layout.headers
        scratch = try ScratchDatabase()
        try scratch.execute(
            """
            CREATE TABLE rows(line INTEGER, kind TEXT, key_hash BLOB, normalized TEXT, raw TEXT, others BLOB);
            CREATE TABLE identifiers(line INTEGER, id_hash BLOB, kind TEXT, normalized TEXT);
            CREATE TABLE consents(line INTEGER, id_hash BLOB, channel TEXT, at INTEGER, method TEXT, text_no INTEGER,
                evidence TEXT);
            BEGIN;
            """)
        var writer = try StageWriter(scratch)
        var textNumbers: [String: Int] = [:]
        while try input.next(into: &record) {
            rows += 1
            lastLine = record.line
            if let progress, rows & 0xFFFF == 0 { progress(rows) }
            switch layout.interpret(record, consentChannel: request.consentChannel, zaloOA: request.zaloOA) {
            case .invalid(let reason):
                if request.strict { throw input.badInput(record.line, nil, reason + " (--strict rejects the file)") }
                invalid.append(InvalidRow(line: record.line, reason: reason))
            case .valid(let row):
                var textNumber: Int?
                if let text = row.consent?.text {
                    if let known = textNumbers[text] {
                        textNumber = known
                    } else {
                        textNumber = texts.count
                        textNumbers[text] = texts.count
                        texts.append(text)
                    }
                }
                let members = try writer.stage(row, line: record.line, raw: record.rawUTF8, text: textNumber, hasher)
                if !row.others.isEmpty { links.add(members) }
                if let consent = row.consent, consent.channels.isEmpty { consentsWithoutChannel += 1 }
            }
        }
        encoding = input.encoding
        delimiter = input.delimiter
        fileSHA256 = input.sha256()
        bytes = input.bytes
        // Sorted copies, read back in rowid order by the apply step: SQLite's external sort, in bounded memory.
        try scratch.execute(
            """
            COMMIT;
            CREATE TABLE sorted_rows AS SELECT * FROM rows ORDER BY key_hash, line;
            CREATE TABLE sorted_identifiers AS SELECT * FROM identifiers ORDER BY id_hash, line;
            CREATE TABLE sorted_consents AS SELECT * FROM consents ORDER BY id_hash, channel, at, line;
            """)
    }

    /// line, kind, key_hash, normalized, raw, others: by key hash, then line.
    func sortedRows() throws -> RawStatement {
        try scratch.prepare(
            "SELECT line, kind, key_hash, normalized, raw, others FROM sorted_rows ORDER BY rowid")
    }

    /// line, id_hash, kind, normalized: the rows' identifiers other than their key, by hash.
    func sortedIdentifiers() throws -> RawStatement {
        try scratch.prepare("SELECT line, id_hash, kind, normalized FROM sorted_identifiers ORDER BY rowid")
    }

    /// line, id_hash, channel, at, method, text_no, evidence: by hash, channel and time.
    func sortedConsents() throws -> RawStatement {
        try scratch.prepare(
            "SELECT line, id_hash, channel, at, method, text_no, evidence FROM sorted_consents ORDER BY rowid")
    }
}

/// Writes one row's staged form: its entry, its other identifiers and its consents, hashed.
private struct StageWriter {
    let insertRow: RawStatement
    let insertIdentifier: RawStatement
    let insertConsent: RawStatement

    init(_ scratch: ScratchDatabase) throws {
        insertRow = try scratch.prepare("INSERT INTO rows VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        insertIdentifier = try scratch.prepare("INSERT INTO identifiers VALUES (?1, ?2, ?3, ?4)")
        insertConsent = try scratch.prepare("INSERT INTO consents VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
    }

    /// Stages `row`; returns its identifiers as keyed hashes when it has more than one, for linking.
    mutating func stage(
        _ row: ListRow, line: Int, raw: ArraySlice<UInt8>, text: Int?, _ hasher: KeyedHasher
    ) throws -> [PersonLinks.Member] {
        let keyHash = hasher.hash(row.primary)
        var otherHashes: [[UInt8]] = []
        otherHashes.reserveCapacity(row.others.count)
        for other in row.others { otherHashes.append(other == row.primary ? keyHash : hasher.hash(other)) }
        insertRow.bind(1, line)
        insertRow.bind(2, row.primary.kind.rawValue)
        insertRow.bind(3, blob: keyHash)
        insertRow.bind(4, row.primary.normalized)
        raw.withUnsafeBufferPointer { insertRow.bind(5, text: $0) }
        if otherHashes.isEmpty {
            insertRow.bindNull(6)
        } else {
            var blob: [UInt8] = []
            blob.reserveCapacity(32 * otherHashes.count)
            for hash in otherHashes { blob += hash }
            insertRow.bind(6, blob: blob)
        }
        try insertRow.run()
        for (other, hash) in zip(row.others, otherHashes) where other != row.primary {
            insertIdentifier.bind(1, line)
            insertIdentifier.bind(2, blob: hash)
            insertIdentifier.bind(3, other.kind.rawValue)
            insertIdentifier.bind(4, other.normalized)
            try insertIdentifier.run()
        }
        if let consent = row.consent {
            for channel in consent.channels {
                insertConsent.bind(1, line)
                insertConsent.bind(2, blob: row.identifierIndex(for: channel).map { otherHashes[$0] } ?? keyHash)
                insertConsent.bind(3, channel.rawValue)
                insertConsent.bind(4, Timestamp.milliseconds(consent.at))
                insertConsent.bind(5, consent.method)
                if let text { insertConsent.bind(6, text) } else { insertConsent.bindNull(6) }
                insertConsent.bind(7, consent.evidence)
                try insertConsent.run()
            }
        }
        var members: [PersonLinks.Member] = []
        if !row.others.isEmpty, let key = HashKey(keyHash) {
            members.append(PersonLinks.Member(key: key, kind: row.primary.kind))
            for (other, hash) in zip(row.others, otherHashes) {
                if let key = HashKey(hash) { members.append(PersonLinks.Member(key: key, kind: other.kind)) }
            }
        }
        return members
    }
}

/// A private SQLite database on disk that no other process sees and nothing outlives: opened with an empty file
/// name, its file (in `$SQLITE_TMPDIR` or `$TMPDIR`, else /var/tmp or /tmp) is deleted by SQLite as it is created, so
/// a crash leaves nothing of what was staged. No journal: it is thrown away whole, never rolled back.
final class ScratchDatabase {
    let connection: OpaquePointer

    init(cacheMegabytes: Int = 64) throws {
        var opened: OpaquePointer?
        let code = sqlite3_open_v2("", &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(opened)
            throw StoreError.sqlite(code: code, message: message)
        }
        connection = opened
        try execute(
            """
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE;
            PRAGMA cache_size = -\(cacheMegabytes * 1024);
            """)
    }

    deinit { sqlite3_close_v2(connection) }

    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(connection, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(message)
            throw StoreError.sqlite(code: code, message: text)
        }
    }

    func prepare(_ sql: String) throws -> RawStatement { try RawStatement(connection: connection, sql) }
}
