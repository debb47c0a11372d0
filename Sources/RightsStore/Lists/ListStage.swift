import Foundation
import GRDB
import GRDBSQLite
import RightsCore

/// A contact list read, validated, normalised and hashed into a scratch database: the heavy part of an import,
/// done before the installation's write lock is taken (ARCHITECTURE.md invariant 11).
///
/// Each staged row goes to one of 16 buckets by the top four bits of its keyed hash, appended in file order, and the
/// apply step reads the buckets in turn: every index then takes its new keys one sixteenth of its key space at a
/// time, a range whose pages stay in the page cache (a 10M-entry index's sixteenth is about 30 MB), instead of one
/// random descent over the whole index per row. Buckets cost no sort; the rows of one key share a bucket, in file
/// order, so the first row still makes the entry.
///
/// The buckets are split between two scratch databases, so that both cores sort them at once while the links are
/// worked out (the sort and the plan were a fifth of a 1M-row import).
///
/// Nothing here touches the installation: a file refused here (bad encoding, a broken record, `--strict`) leaves
/// it as it was, and a killed import leaves nothing, because the scratch database's file is gone from the moment
/// it is opened.
final class ListStage {
    /// The scratch databases, each holding `StageWriter.buckets(in:)` of the buckets; none once released.
    private var scratches: [ScratchDatabase]
    let headers: [String]
    let encoding: CSVEncoding
    let delimiter: UInt8
    private(set) var rows = 0
    private(set) var invalid: [InvalidRow] = []
    private(set) var consentsWithoutChannel = 0
    /// The identifiers of each row are one person's (CONTRACT.md "One person, several identifiers"): gathered
    /// while reading, then planned (`linkPlan`).
    private var links = PersonLinks.Groups()
    /// The last physical line a record started on: the file's line numbers run from 1 to it.
    private(set) var lastLine = 0
    /// The distinct consent texts, numbered by their place here.
    private(set) var texts: [String] = []
    let fileSHA256: String
    let bytes: Int
    /// The staged rows, identifiers and consents: what the apply step writes before the links.
    let writes: Int
    /// How long reading and staging took, then sorting and planning the links.
    private(set) var clock = StepClock()

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
        scratches = try StageWriter.parts.map { part in
            // Staging appends to rowid tables, which keeps few pages in use; the sorts' own cache is set below.
            let scratch = try ScratchDatabase(cacheMegabytes: 16)
            try scratch.execute(StageWriter.schema(part) + "BEGIN;")
            return scratch
        }
        // This thread reads, checks and hashes; another writes what it made into the scratch databases.
        let pipe = StagePipe()
        let written = DispatchSemaphore(value: 0)
        let scratches = scratches
        DispatchQueue.global(qos: .userInitiated).async {
            defer { written.signal() }
            do {
                var writer = try StageWriter(scratches)
                while let batch = pipe.receive() {
                    for row in batch { try writer.write(row) }
                }
                try writer.finish()
                pipe.finish(writes: writer.writes)
            } catch {
                pipe.fail(error)
            }
        }
        var batch: [HashedRow] = []
        batch.reserveCapacity(StagePipe.batchSize)
        var textNumbers: [String: Int] = [:]
        do {
            while try input.next(into: &record) {
                rows += 1
                lastLine = record.line
                if let progress, rows & 0xFFFF == 0 { progress(rows) }
                switch layout.interpret(record, consentChannel: request.consentChannel, zaloOA: request.zaloOA) {
                case .invalid(let reason):
                    if request.strict {
                        throw input.badInput(record.line, nil, reason + " (--strict rejects the file)")
                    }
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
                    let hashed = HashedRow(row, line: record.line, raw: record.rawUTF8, text: textNumber, hasher)
                    if !row.others.isEmpty { links.add(hashed.members) }
                    if let consent = row.consent, consent.channels.isEmpty { consentsWithoutChannel += 1 }
                    batch.append(hashed)
                    if batch.count == StagePipe.batchSize {
                        try pipe.send(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
            }
            try pipe.send(batch)
        } catch {
            // The writing thread stops before the scratch databases go.
            pipe.close(discarding: true)
            written.wait()
            throw error
        }
        pipe.close(discarding: false)
        written.wait()
        clock.end("read, check, hash and stage")
        writes = try pipe.writes()
        encoding = input.encoding
        delimiter = input.delimiter
        fileSHA256 = input.sha256()
        bytes = input.bytes
        // Each bucket sorted on its own, in memory: the buckets in turn are then the whole file in keyed-hash order,
        // for the cost of sixteen small sorts instead of one large one. Each scratch database sorts its buckets on
        // a core of its own, and the links are planned beside them.
        let sorts = StageWriter.parts.map { part in
            "COMMIT; PRAGMA cache_size = -\(24 * 1024);"
                + StageWriter.buckets(in: part).map { bucket in
                    """
                    CREATE TABLE sorted_rows_\(bucket) AS SELECT * FROM rows_\(bucket) ORDER BY key_hash, line;
                    DROP TABLE rows_\(bucket);
                    CREATE TABLE sorted_identifiers_\(bucket) AS
                        SELECT * FROM identifiers_\(bucket) ORDER BY id_hash, line;
                    DROP TABLE identifiers_\(bucket);
                    CREATE TABLE sorted_consents_\(bucket) AS
                        SELECT * FROM consents_\(bucket) ORDER BY id_hash, channel, at, line;
                    DROP TABLE consents_\(bucket);

                    """
                }.joined()
                // The apply step only reads the sorted tables through, a page after the other: the sort's cache is
                // given back (48 MB of the two, beside a 10M-row file's link plan).
                + "PRAGMA cache_size = -2048;"
        }
        // Handed over, not shared, so that the plan sorts the groups' identifiers where they are.
        let groups = ConcurrentResults<PersonLinks.Groups>(count: 1)
        groups[0] = links
        links = PersonLinks.Groups()
        let outcomes = ConcurrentResults<Result<PersonLinks.Plan?, any Error>>(count: sorts.count + 1)
        DispatchQueue.concurrentPerform(iterations: sorts.count + 1) { task in
            outcomes[task] = Result {
                guard task < sorts.count else { return PersonLinks.Plan(groups.take(task: 0)) }
                try scratches[task].execute(sorts[task])
                return nil
            }
        }
        for outcome in outcomes.values {
            if let plan = try outcome.get() { linkPlan = plan }
        }
        ProcessMemory.returnFreed()
        clock.end("sort the stage and plan the links")
    }

    /// What linking the rows' identifiers needs of the file alone, worked out here so the apply step only reads
    /// which identifiers are someone's already.
    private(set) var linkPlan = PersonLinks.Plan(PersonLinks.Groups())

    /// The lines whose row has an identifier under an active suppression, as one snapshot reads them, and what
    /// that snapshot saw of the suppressions (the highest id and how many were lifted): the apply step counts the
    /// imported ones among them when nothing changed since, instead of probing every entry under the lock.
    struct Suppressed {
        var lines: Set<Int>
        var fingerprint: [Int64]
    }

    static func suppressionFingerprint(_ db: Database) throws -> [Int64] {
        let row = try Row.fetchOne(db, sql: "SELECT ifnull(max(id), 0), count(lifted_at) FROM suppressions")
        return [row?[0] ?? 0, row?[1] ?? 0]
    }

    /// Up to how many active suppressions `suppressedLines` checks in memory (about 10 MB of keys).
    static let suppressionsReadIntoMemory = 200_000

    func suppressedLines(_ db: Database, readIntoMemoryUpTo limit: Int = suppressionsReadIntoMemory) throws
        -> Suppressed
    {
        let fingerprint = try Self.suppressionFingerprint(db)
        var lines = Set<Int>()
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM suppressions WHERE lifted_at IS NULL)") == true
        else { return Suppressed(lines: lines, fingerprint: fingerprint) }
        // A few suppressions (as most installations hold) are read into memory and every row checked against
        // them there; many are probed a batch of identifiers at a time.
        let active = try Int.fetchOne(db, sql: "SELECT count(*) FROM suppressions WHERE lifted_at IS NULL") ?? 0
        var inMemory: Set<HashKey>?
        if active <= limit {
            var keys = Set<HashKey>(minimumCapacity: active)
            let read = try RawStatement(db, "SELECT id_hash FROM suppressions WHERE lifted_at IS NULL")
            while try read.step() {
                if let key = read.withBytes(0, { HashKey(UnsafeRawBufferPointer($0)) }) { keys.insert(key) }
            }
            inMemory = keys
        }
        var probe =
            inMemory != nil
            ? nil
            : try BatchedLookup(
                db,
                """
                SELECT v.column2 FROM %VALUES%
                WHERE EXISTS (SELECT 1 FROM suppressions WHERE id_hash = v.column1 AND lifted_at IS NULL)
                """)
        func found(_ row: RawStatement) { lines.insert(Int(row.int64(0))) }
        func check(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) throws {
            guard let key = HashKey(UnsafeRawBufferPointer(bytes)) else { return }
            if let inMemory {
                if inMemory.contains(key) { lines.insert(line) }
            } else {
                try probe?.add(key, position: line, found: found)
            }
        }
        // Columns: line, kind, key_hash, normalized, raw, others (32 bytes per other identifier).
        for rows in try bucketedRows() {
            while try rows.step() {
                let line = Int(rows.int64(0))
                try rows.withBytes(2) { try check($0, line: line) }
                try rows.withBytes(5) { others in
                    for start in stride(from: 0, to: others.count - 31, by: 32) {
                        try check(UnsafeBufferPointer(rebasing: others[start..<start + 32]), line: line)
                    }
                }
            }
        }
        try probe?.run(found)
        return Suppressed(lines: lines, fingerprint: fingerprint)
    }

    /// Closes the scratch databases once every staged row is written (their page caches are a tenth of a 10M-row
    /// import's memory); the statements read from them are to be let go first.
    func releaseScratch() {
        scratches = []
        ProcessMemory.returnFreed()
    }

    /// line, kind, key_hash, normalized, raw, others: bucket by bucket, in file order within each.
    func bucketedRows() throws -> [RawStatement] {
        try StageWriter.buckets.map {
            try scratches[StageWriter.part(of: $0)].prepare(
                "SELECT line, kind, key_hash, normalized, raw, others FROM sorted_rows_\($0) ORDER BY rowid")
        }
    }

    /// line, id_hash, kind, normalized: the rows' identifiers other than their key, bucketed by their own hash.
    func bucketedIdentifiers() throws -> [RawStatement] {
        try StageWriter.buckets.map {
            try scratches[StageWriter.part(of: $0)].prepare(
                "SELECT line, id_hash, kind, normalized FROM sorted_identifiers_\($0) ORDER BY rowid")
        }
    }

    /// line, id_hash, channel, at, method, text_no, evidence: bucketed by the consenting identifier's hash.
    func bucketedConsents() throws -> [RawStatement] {
        try StageWriter.buckets.map {
            try scratches[StageWriter.part(of: $0)].prepare(
                "SELECT line, id_hash, channel, at, method, text_no, evidence FROM sorted_consents_\($0) ORDER BY rowid"
            )
        }
    }
}

/// Writes one row's staged form: its entry, its other identifiers and its consents, hashed.
private struct StageWriter {
    static let buckets = 0..<16
    /// The scratch databases the buckets are split between.
    static let parts = 0..<2

    /// The scratch database that holds `bucket`.
    static func part(of bucket: Int) -> Int { bucket * parts.count / buckets.count }

    static func buckets(in part: Int) -> [Int] { buckets.filter { self.part(of: $0) == part } }

    /// One table per bucket and kind, rowid tables written only at their end (SQLite's cheapest insert); read back
    /// in rowid order, which is file order.
    static func schema(_ part: Int) -> String {
        buckets(in: part).map { bucket in
            """
            CREATE TABLE rows_\(bucket)(line INTEGER, kind TEXT, key_hash BLOB, normalized TEXT, raw TEXT, others BLOB);
            CREATE TABLE identifiers_\(bucket)(line INTEGER, id_hash BLOB, kind TEXT, normalized TEXT);
            CREATE TABLE consents_\(bucket)(line INTEGER, id_hash BLOB, channel TEXT, at INTEGER, method TEXT,
                text_no INTEGER, evidence TEXT);

            """
        }.joined()
    }

    private var insertRow: [BatchedInsert]
    private var insertIdentifier: [BatchedInsert]
    private var insertConsent: [BatchedInsert]
    /// The rows, identifiers and consents staged so far.
    private(set) var writes = 0

    init(_ scratches: [ScratchDatabase]) throws {
        func inserts(_ table: String, columns: Int) throws -> [BatchedInsert] {
            try Self.buckets.map {
                try BatchedInsert(
                    connection: scratches[Self.part(of: $0)].connection, "INSERT INTO \(table)_\($0)",
                    row: "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")", columns: columns)
            }
        }
        insertRow = try inserts("rows", columns: 6)
        insertIdentifier = try inserts("identifiers", columns: 4)
        insertConsent = try inserts("consents", columns: 7)
    }

    /// Writes the rows still in the batches.
    mutating func finish() throws {
        for bucket in Self.buckets {
            _ = try insertRow[bucket].run()
            _ = try insertIdentifier[bucket].run()
            _ = try insertConsent[bucket].run()
        }
    }

    /// The bucket of a keyed hash: its top four bits.
    private static func bucket(_ hash: [UInt8]) -> Int { Int(hash[0] >> 4) }

    /// Stages a row: its entry, its other identifiers (each in its own hash's bucket) and its consents.
    mutating func write(_ hashed: HashedRow) throws {
        let (row, keyHash, otherHashes, line) = (hashed.row, hashed.keyHash, hashed.otherHashes, hashed.line)
        let bucket = Self.bucket(keyHash)
        let rows = insertRow[bucket].statement
        let at = insertRow[bucket].parameter
        rows.bind(at(1), line)
        rows.bind(at(2), row.primary.kind.rawValue)
        rows.bind(at(3), blob: keyHash)
        rows.bind(at(4), row.primary.normalized)
        hashed.raw.withUnsafeBufferPointer { rows.bind(at(5), text: $0) }
        if otherHashes.isEmpty {
            rows.bindNull(at(6))
        } else {
            var blob: [UInt8] = []
            blob.reserveCapacity(32 * otherHashes.count)
            for hash in otherHashes { blob += hash }
            rows.bind(at(6), blob: blob)
        }
        _ = try insertRow[bucket].endRow()
        writes += 1
        for (other, hash) in zip(row.others, otherHashes) where other != row.primary {
            let bucket = Self.bucket(hash)
            let identifiers = insertIdentifier[bucket].statement
            let at = insertIdentifier[bucket].parameter
            identifiers.bind(at(1), line)
            identifiers.bind(at(2), blob: hash)
            identifiers.bind(at(3), other.kind.rawValue)
            identifiers.bind(at(4), other.normalized)
            _ = try insertIdentifier[bucket].endRow()
            writes += 1
        }
        if let consent = row.consent {
            for channel in consent.channels {
                let hash = row.identifierIndex(for: channel).map { otherHashes[$0] } ?? keyHash
                let bucket = Self.bucket(hash)
                let consents = insertConsent[bucket].statement
                let at = insertConsent[bucket].parameter
                consents.bind(at(1), line)
                consents.bind(at(2), blob: hash)
                consents.bind(at(3), channel.rawValue)
                consents.bind(at(4), Timestamp.milliseconds(consent.at))
                consents.bind(at(5), consent.method)
                if let text = hashed.text { consents.bind(at(6), text) } else { consents.bindNull(at(6)) }
                consents.bind(at(7), consent.evidence)
                _ = try insertConsent[bucket].endRow()
                writes += 1
            }
        }
    }
}

/// A valid row as the reading thread leaves it for the writing one: checked, its identifiers hashed, its raw text
/// copied out of the reader's buffer.
private struct HashedRow: Sendable {
    let row: ListRow
    let line: Int
    let raw: [UInt8]
    /// The number of its consent's text among the file's distinct texts.
    let text: Int?
    let keyHash: [UInt8]
    /// One per other identifier (the key's own hash where an other repeats the key).
    let otherHashes: [[UInt8]]

    init(_ row: ListRow, line: Int, raw: ArraySlice<UInt8>, text: Int?, _ hasher: KeyedHasher) {
        self.row = row
        self.line = line
        // Copied byte for byte: `Array(slice)` of a slice that spans its whole buffer shares that buffer, and the
        // reader then grows a new record buffer for every row while the batches hold the old ones.
        self.raw = raw.withUnsafeBufferPointer { Array($0) }
        self.text = text
        let keyHash = hasher.hash(row.primary)
        self.keyHash = keyHash
        otherHashes = row.others.map { other in other == row.primary ? keyHash : hasher.hash(other) }
    }

    /// Its identifiers as keyed hashes, for linking (when it has more than one).
    var members: [PersonLinks.Member] {
        var members: [PersonLinks.Member] = []
        guard !row.others.isEmpty, let key = HashKey(keyHash) else { return members }
        members.reserveCapacity(1 + otherHashes.count)
        members.append(PersonLinks.Member(key: key, kind: row.primary.kind))
        for (other, hash) in zip(row.others, otherHashes) {
            if let key = HashKey(hash) { members.append(PersonLinks.Member(key: key, kind: other.kind)) }
        }
        return members
    }
}

/// Batches of hashed rows from the reading thread to the writing one, a few batches ahead at most (so memory does
/// not grow with the file when writing is the slower); either side's failure stops the other.
private final class StagePipe: @unchecked Sendable {  // every field under `condition`
    static let batchSize = 2048
    private static let depth = 4
    private let condition = NSCondition()
    private var batches: [[HashedRow]] = []
    private var closed = false
    private var failure: (any Error)?
    private var written: Int?

    /// Waits for room; throws the writing thread's failure, if it failed.
    func send(_ batch: [HashedRow]) throws {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= Self.depth && failure == nil { condition.wait() }
        if let failure { throw failure }
        guard !batch.isEmpty else { return }
        batches.append(batch)
        condition.broadcast()
    }

    /// The next batch, or nil once closed and empty (or failed).
    func receive() -> [HashedRow]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !closed && failure == nil { condition.wait() }
        guard failure == nil, !batches.isEmpty else { return nil }
        condition.broadcast()
        return batches.removeFirst()
    }

    /// No more batches; `discarding`: the ones waiting are not written either (the file was refused).
    func close(discarding: Bool) {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        if discarding { batches = [] }
        condition.broadcast()
    }

    func fail(_ error: any Error) {
        condition.lock()
        defer { condition.unlock() }
        failure = error
        batches = []
        condition.broadcast()
    }

    func finish(writes: Int) {
        condition.lock()
        defer { condition.unlock() }
        written = writes
    }

    /// After the writing thread ended: how many rows, identifiers and consents it staged, or its failure.
    func writes() throws -> Int {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        return written ?? 0
    }
}

/// A private SQLite database on disk that no other process sees and nothing outlives: opened with an empty file
/// name, its file (in `$SQLITE_TMPDIR` or `$TMPDIR`, else /var/tmp or /tmp) is deleted by SQLite as it is created, so
/// a crash leaves nothing of what was staged. No journal: it is thrown away whole, never rolled back.
final class ScratchDatabase: @unchecked Sendable {  // used by one thread at a time
    let connection: OpaquePointer

    init(cacheMegabytes: Int = 64) throws {
        SQLiteLibrary.prepare()
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

/// One result per task of a `DispatchQueue.concurrentPerform`, each slot written by its own task only.
final class ConcurrentResults<Value>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    subscript(task: Int) -> Value? {
        get { lock.withLock { slots[task] } }
        set { lock.withLock { slots[task] = newValue } }
    }

    /// A slot's value, which the slot no longer holds.
    func take(task: Int) -> Value {
        lock.withLock {
            defer { slots[task] = nil }
            return slots[task]!
        }
    }

    /// Every slot's value, in task order (after the tasks are done).
    var values: [Value] { lock.withLock { slots.compactMap { $0 } } }
}
