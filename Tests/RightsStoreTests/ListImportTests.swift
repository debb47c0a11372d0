import Crypto
import Foundation
import GRDB
import RightsCore
import Testing

@testable import RightsStore

/// A store in its own temporary folder, removed when the value goes away.
private final class ImportScratch {
    static let now = Date(timeIntervalSince1970: 1_772_420_400)  // 2026-03-02T10:00:00+07:00

    let folder: String
    let store: RightsStore

    init() throws {
        folder = NSTemporaryDirectory() + "rightsdesk-import-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        store = try RightsStore.create(
            at: folder + "/rightsdesk.sqlite", hasher: KeyedHasher(secret: SymmetricKey(size: .bits256)),
            installationID: UUID().uuidString.lowercased(), organization: "Cửa hàng Lan", actor: "installer",
            now: Self.now)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// Imports `csv` handed out in chunks of `chunkSize` bytes, so that records and characters straddle chunks.
    @discardableResult
    func importCSV(
        _ csv: String, list: String = "khach-hang", fileName: String = "list.csv", consentChannel: Channel? = nil,
        strict: Bool = false, chunkSize: Int = 7, applied: ((Int) throws -> Void)? = nil
    ) throws -> ListImportResult {
        try importBytes(
            Array(csv.utf8),
            request: ListImportRequest(
                list: list, fileName: fileName, consentChannel: consentChannel, strict: strict),
            chunkSize: chunkSize, applied: applied)
    }

    func importBytes(
        _ bytes: [UInt8], request: ListImportRequest, chunkSize: Int = 7, applied: ((Int) throws -> Void)? = nil
    ) throws -> ListImportResult {
        var offset = 0
        return try store.importList(
            request, actor: "officer", at: Self.now,
            chunks: {
                guard offset < bytes.count else { return nil }
                let end = min(offset + chunkSize, bytes.count)
                defer { offset = end }
                return Array(bytes[offset..<end])
            }, applied: applied)
    }

    /// The bytes `lists export` writes.
    func export(
        _ list: String = "khach-hang", channel: Channel?, purpose: Purpose
    ) throws -> (result: ListExportResult, bytes: [UInt8]) {
        let sink = ByteSink()
        var writer = CSVWriter { sink.bytes += $0 }
        let result = try store.exportList(
            name: list, channel: channel, purpose: purpose, actor: "officer", at: Self.now, to: &writer)
        return (result, sink.bytes)
    }

    func integers(_ sql: String) throws -> [Int] {
        try store.read { db in try Int.fetchAll(db, sql: sql) }
    }

    func strings(_ sql: String) throws -> [String] {
        try store.read { db in try String.fetchAll(db, sql: sql) }
    }

    func count(_ table: String) throws -> Int {
        try integers("SELECT count(*) FROM \(table)")[0]
    }

    /// The rows of `person_links` that `person_members` does not hold the same, and the other way round.
    func linksUnlikeMembers() throws -> Int {
        try integers(
            """
            SELECT count(*) FROM (
                SELECT id_hash, person, kind, import_id FROM person_links
                EXCEPT SELECT id_hash, person, kind, import_id FROM person_members
                UNION ALL
                SELECT id_hash, person, kind, import_id FROM person_members
                EXCEPT SELECT id_hash, person, kind, import_id FROM person_links)
            """)[0]
    }

    /// Everything an import could have written, to compare before and after a refused one.
    func snapshot() throws -> [String] {
        let tables = [
            "lists", "imports", "entries", "entry_identifiers", "duplicate_rows", "consent_texts", "consent_events",
            "audit_events", "subject_keys",
        ]
        return try tables.map { "\($0)=\(try count($0))" }
            + strings("SELECT name || ':' || headers FROM lists ORDER BY id")
    }

    /// Inserts an active suppression the way a unit of work would store one (keyed hash only).
    func suppress(_ normalized: String, channel: String = "any", purpose: String = "marketing") throws {
        let hash = Hex.encode(store.hasher.hash(normalized))
        try store.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO suppressions(id_hash, channel, purpose, reason, since, created_at, actor)
                    VALUES (X'\(hash)', '\(channel)', '\(purpose)', 'objection', 0, 0, 'officer')
                    """)
        }
    }
}

private final class ByteSink {
    var bytes: [UInt8] = []
}

@Suite("Importing and exporting contact lists")
struct ListImportTests {
    // MARK: - Counts and provenance

    private static let mixed = """
        phone,email,name
        0912 345 678,lan@example.vn,Lan
        0912345678,,Lan again
        +84 912 345 678,,Lan third
        12345,,Bad phone
        ,huong@example.vn,Hương
        , HUONG@Example.vn ,Hương again
        ,,No identifier
        0903000111,,Nam

        """

    @Test func countsRowsImportedDuplicatesAndInvalidLines() throws {
        let scratch = try ImportScratch()
        let result = try scratch.importCSV(Self.mixed)
        // Lines 2-9 are 8 rows: lines 2, 6 and 9 are new; 3 and 4 repeat line 2's phone in other written forms and
        // 7 repeats line 6's email in another case; 5 has a 5-digit phone and 8 no identifier at all.
        #expect(result.list == "khach-hang")
        #expect(result.rows == 8)
        #expect(result.imported == 3)
        #expect(result.duplicates == 3)
        #expect(result.invalid.map(\.line) == [5, 8])
        #expect(result.invalid[0].reason.hasPrefix("phone:"))
        #expect(result.invalid[1].reason == "no phone, email or Zalo id in this row")
        #expect(result.consents == 0)
        #expect(result.suppressed == 0)
        #expect(result.fileSHA256 == Hex.encode(SHA256.hash(data: Array(Self.mixed.utf8))))
        // The import's own row keeps the same counts and the file's size.
        #expect(
            try scratch.strings("SELECT rows || ' ' || imported || ' ' || duplicates || ' ' || invalid FROM imports")
                == ["8 3 3 2"])
        #expect(try scratch.integers("SELECT file_bytes FROM imports") == [Self.mixed.utf8.count])
    }

    @Test func entriesKeepTheirImportAndLineAndDuplicateRowsAreRecorded() throws {
        let scratch = try ImportScratch()
        try scratch.importCSV(Self.mixed)
        let importID = try scratch.integers("SELECT id FROM imports")[0]
        #expect(try scratch.integers("SELECT import_id FROM entries") == [importID, importID, importID])
        #expect(try scratch.integers("SELECT line FROM entries ORDER BY line") == [2, 6, 9])
        #expect(
            try scratch.strings("SELECT normalized FROM entries ORDER BY line") == [
                "+84912345678", "huong@example.vn", "+84903000111",
            ])
        #expect(try scratch.strings("SELECT kind FROM entries ORDER BY line") == ["phone", "email", "phone"])
        // The record is stored exactly as written.
        #expect(
            try scratch.strings("SELECT raw FROM entries ORDER BY line") == [
                "0912 345 678,lan@example.vn,Lan", ",huong@example.vn,Hương", "0903000111,,Nam",
            ])
        // Each duplicate row points at the entry whose identifier it repeated.
        #expect(
            try scratch.integers(
                """
                SELECT e.line FROM duplicate_rows d JOIN entries e ON e.id = d.entry_id
                WHERE d.import_id = \(importID) ORDER BY d.line
                """) == [2, 2, 6])
        #expect(try scratch.integers("SELECT line FROM duplicate_rows ORDER BY line") == [3, 4, 7])
        // The email beside line 2's phone is kept for matching.
        #expect(try scratch.strings("SELECT normalized FROM entry_identifiers") == ["lan@example.vn"])
    }

    @Test func rowsAreWrittenInKeyedHashOrderAndExportedInFileOrder() throws {
        let scratch = try ImportScratch()
        // 400 numbers, each written twice: first at its own line, again near the end of the file.
        let numbers = (0..<400).map { "09\(String(10_000_000 + $0 * 7919))" }
        let csv =
            "phone,name\n" + numbers.map { "\($0),Khách \($0.suffix(3))\n" }.joined()
            + numbers.reversed().map { "\($0),Lặp lại\n" }.joined()
        let result = try scratch.importCSV(csv, chunkSize: 4096)
        #expect(result.imported == 400)
        #expect(result.duplicates == 400)
        // The staged rows reach the table sorted by keyed hash, so its index took them in order.
        let hashes = try scratch.store.read { db in
            try Data.fetchAll(db, sql: "SELECT key_hash FROM entries ORDER BY id")
        }
        #expect(hashes.count == 400)
        #expect(hashes == hashes.sorted { $0.lexicographicallyPrecedes($1) })
        // The first row of each number made its entry, whatever the order it was written in.
        #expect(try scratch.integers("SELECT line FROM entries ORDER BY line") == Array(2...401))
        #expect(
            try scratch.integers(
                "SELECT count(*) FROM duplicate_rows d JOIN entries e ON e.id = d.entry_id WHERE d.line > e.line")
                == [400])
        // An export gives the rows back in the order of the file.
        let (_, bytes) = try scratch.export(channel: nil, purpose: .transactional)
        let exported = String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst()
            .map { String($0.split(separator: ",")[0]) }
        #expect(exported == numbers)
    }

    /// An import tells how far it is: the rows read, then after each transaction how much of what they make is
    /// written, ending at all of it (rows, duplicates included, other identifiers, consents and identifiers to link).
    @Test func progressRunsFromRowsReadToEverythingWritten() throws {
        let scratch = try ImportScratch()
        var rows = (0..<70_000).map { index in
            "09\(String(format: "%08d", 12_000_000 + index)),k\(index)@example.vn,2025-08-12,sms"
        }
        rows.append("0912000000,khac@example.vn,2025-08-12,sms")  // a duplicate of the first row's phone
        let csv = "phone,email,consent_at,channel\n" + rows.joined(separator: "\n") + "\n"
        var events: [ImportProgress] = []
        let bytes = Array(csv.utf8)
        var offset = 0
        let result = try scratch.store.importList(
            ListImportRequest(list: "khach-hang", fileName: "list.csv"), actor: "officer", at: ImportScratch.now,
            chunks: {
                guard offset < bytes.count else { return nil }
                defer { offset = min(offset + 65_536, bytes.count) }
                return Array(bytes[offset..<min(offset + 65_536, bytes.count)])
            }, progress: { events.append($0) })
        #expect(result.imported == 70_000 && result.duplicates == 1 && result.consents == 70_001)
        #expect(events.first == .read(rows: 65_536))
        let written = events.compactMap { event -> (Int, Int)? in
            if case .written(let done, let total) = event { return (done, total) }
            return nil
        }
        // 70,001 rows, 70,001 emails, 70,001 consents; 140,001 distinct identifiers to link, each written as a link
        // and as its person's member.
        #expect(written.last.map { [$0.0, $0.1] } == [490_005, 490_005])
        #expect(zip(written, written.dropFirst()).allSatisfy { $0.0 <= $1.0 && $0.1 == $1.1 })
        // Each step's time, as it ended, in the order they run (`lists import --timings`).
        let steps = events.compactMap { event -> String? in
            if case .step(let name, let seconds) = event, seconds >= 0 { return name }
            return nil
        }
        #expect(
            steps == [
                "read, check, hash and stage", "sort the stage and plan the links", "probe the installation",
                "write entries", "write other identifiers", "write consents", "write links", "write persons' members",
                "publish",
            ])
    }

    /// Rows go in batches of `BatchedInsert.rows`: full batches, a part-filled one, and the rows an upsert skips are
    /// each counted, and only the rows bound are inserted.
    @Test func batchedInsertsWriteEveryRowBoundAndCountWhatChanged() throws {
        let queue = try DatabaseQueue()
        let counts = try queue.write { db -> [Int] in
            try db.execute(
                sql: "CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT NOT NULL); INSERT INTO t VALUES (5, 'old')")
            var insert = try BatchedInsert(
                db, "INSERT INTO t(k, v)", row: "(?, 'new')", columns: 1, conflict: "ON CONFLICT(k) DO NOTHING")
            var counts: [Int] = []
            for key in 1...150 {
                insert.statement.bind(insert.parameter(1), Int64(key))
                if let changed = try insert.endRow() { counts.append(changed) }
            }
            counts.append(try insert.run())
            counts.append(try insert.run())
            return counts
        }
        // 64 rows of which key 5 was there already, 64 more, then the 22 left; an empty batch runs nothing.
        #expect(counts == [63, 64, 22, 0])
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT count(*), min(k), max(k), sum(v = 'old') FROM t")[0]
        }
        #expect(rows[0] as Int == 150 && rows[1] as Int == 1 && rows[2] as Int == 150 && rows[3] as Int == 1)
    }

    /// An erasure completed while an import is applied (after its entries, before the identifiers beside them)
    /// removes the person's row, and the identifiers written after it do not come back beside an entry that is gone.
    @Test func anErasureWhileAnImportIsAppliedLeavesNothingOfTheErasedRow() throws {
        let scratch = try ImportScratch()
        let now = ImportScratch.now
        var transactions = 0
        let result = try scratch.importCSV("phone,email\n0912345678,lan@example.vn\n0903000111,nam@example.vn\n") {
            _ in
            transactions += 1
            guard transactions == 1 else { return }
            let request = try scratch.store.createRequest(
                NewRequest(
                    type: .deletion, subjects: [try Identifier(parsing: "0912345678")], channel: .phone,
                    receivedAt: now), actor: "officer", at: now)
            _ = try scratch.store.acknowledgeRequest(request.id, at: now, actor: "officer", now: now)
            _ = try scratch.store.verifyRequest(
                request.id, subject: nil, method: "CCCD", at: now, actor: "officer", now: now)
            _ = try scratch.store.completeRequest(
                request.id, completion: Completion(), at: now, actor: "officer", now: now)
        }
        #expect(result.imported == 2)
        #expect(try scratch.strings("SELECT normalized FROM entries") == ["+84903000111"])
        #expect(try scratch.strings("SELECT normalized FROM entry_identifiers") == ["nam@example.vn"])
        #expect(try scratch.integers("SELECT entry_count FROM lists") == [1])
    }

    /// Links the desk makes while an import is applied (after its first transaction, before its links are written;
    /// after its links, before their persons' members; after its last, before it is published) join the import's
    /// persons rather than start others. Made and removed between its links and their members (the removal forgets
    /// and links again the import's own identifier), the link leaves the row's person whole and the Zalo id apart.
    /// Every link keeps its member either way.
    @Test(arguments: [(1, false), (4, false), (5, false), (4, true)])
    func aLinkTheDeskMakesWhileAnImportIsAppliedJoinsItsPerson(after transaction: Int, thenRemoved: Bool) throws {
        let scratch = try ImportScratch()
        let phone = try Identifier(parsing: "0912345678")
        let email = try Identifier(parsing: "lan@example.vn")
        let zalo = try Identifier(parsing: "zalo:4318:1234567890123456789")
        let member = { (identifier: Identifier) in PersonLinks.Member(identifier, scratch.store.hasher) }
        var transactions = 0
        try scratch.importCSV("phone,email\n0912345678,lan@example.vn\n") { _ in
            transactions += 1
            // An officer links the email to a Zalo id between two of the import's transactions.
            if transactions == transaction {
                if transaction == 4 { #expect(try scratch.count("person_members") == 0) }
                _ = try scratch.store.link(email, zalo, reason: nil, actor: "officer", at: ImportScratch.now)
                if thenRemoved { _ = try scratch.store.unlink(email, zalo, actor: "officer", at: ImportScratch.now) }
            }
        }
        // Entries, identifiers, consents, links and members: one transaction each for a file this small.
        #expect(transactions == 5)
        func person(_ identifier: Identifier) throws -> Set<HashKey> {
            Set(try scratch.store.read { db in try PersonLinks.person(of: [member(identifier)], db).map(\.key) })
        }
        if thenRemoved {
            #expect(try person(zalo) == [member(zalo).key])
            #expect(try person(phone) == Set([phone, email].map { member($0).key }))
        } else {
            #expect(try person(phone) == Set([phone, email, zalo].map { member($0).key }))
            #expect(try scratch.integers("SELECT count(DISTINCT person) FROM person_links") == [1])
            #expect(try scratch.integers("SELECT count(*) FROM person_links") == [3])
        }
        #expect(try scratch.linksUnlikeMembers() == 0)
    }

    /// Groups linked at once join wherever they share an identifier, however far apart in the list: a chain of
    /// groups is one person, a group apart is another, a group of one identifier (twice) links nothing.
    @Test func groupsThatShareAnIdentifierAreOnePerson() throws {
        let scratch = try ImportScratch()
        let members = try (0..<9).map { index in
            PersonLinks.Member(try Identifier(parsing: "nguoi\(index)@example.vn"), scratch.store.hasher)
        }
        let (a, b, c, d, e, f, g, h, i) = (
            members[0], members[1], members[2], members[3], members[4], members[5], members[6], members[7], members[8]
        )
        let added = try scratch.store.pool.write { db in
            try PersonLinks.link([[a, b], [c, d], [e, f], [i, i], [d, e], [g, h], [b, c], [f, a, b]], db)
        }
        #expect(added == 8)
        func person(_ member: PersonLinks.Member) throws -> Set<HashKey> {
            Set(try scratch.store.read { db in try PersonLinks.person(of: [member], db).map(\.key) })
        }
        #expect(try person(d) == Set([a, b, c, d, e, f].map(\.key)))
        #expect(try person(h) == Set([g, h].map(\.key)))
        #expect(try person(i) == [i.key])
        #expect(try scratch.integers("SELECT count(DISTINCT person) FROM person_links") == [2])
        #expect(try scratch.linksUnlikeMembers() == 0)
    }

    /// A row, or an officer's link, that joins two persons makes them one: every identifier of both moves to the
    /// lower person number, in the links and in the persons' members alike.
    @Test func aRowOrALinkJoiningTwoPersonsMergesThem() throws {
        let scratch = try ImportScratch()
        try scratch.importCSV("phone,email\n0912000001,lan@example.vn\n0912000002,nam@example.vn\n", list: "a")
        try scratch.importCSV("phone,email\n0912000003,hoa@example.vn\n", list: "b")
        #expect(try scratch.integers("SELECT count(DISTINCT person) FROM person_links") == [3])
        let member = { (text: String) in PersonLinks.Member(try Identifier(parsing: text), scratch.store.hasher) }
        func person(_ text: String) throws -> Set<HashKey> {
            let asked = try member(text)
            return Set(try scratch.store.read { db in try PersonLinks.person(of: [asked], db).map(\.key) })
        }
        // A later row carries the first person's phone and the second's email.
        try scratch.importCSV("phone,email\n0912000001,nam@example.vn\n", list: "c")
        let joined = Set(
            try ["0912000001", "lan@example.vn", "0912000002", "nam@example.vn"].map { try member($0).key })
        #expect(try person("0912000002") == joined)
        #expect(try scratch.integers("SELECT count(DISTINCT person) FROM person_links") == [2])
        #expect(try scratch.linksUnlikeMembers() == 0)
        // An officer joins the third.
        _ = try scratch.store.link(
            try Identifier(parsing: "hoa@example.vn"), try Identifier(parsing: "lan@example.vn"), reason: nil,
            actor: "officer", at: ImportScratch.now)
        #expect(
            try person("0912000003") == joined.union(try ["0912000003", "hoa@example.vn"].map { try member($0).key }))
        #expect(try scratch.integers("SELECT DISTINCT person FROM person_links") == [1])
        #expect(try scratch.linksUnlikeMembers() == 0)
    }

    /// Between an import's transactions its rows are in the tables but in no answer, and the desk's writes go
    /// through (ARCHITECTURE.md invariants 9 and 11); published, the rows answer, and what the desk recorded
    /// meanwhile counts.
    @Test func rowsBeingAppliedAreInNoAnswerAndTheDeskWritesBetweenTransactions() throws {
        let scratch = try ImportScratch()
        try scratch.importCSV("phone\n0903000111\n", list: "kept")
        let phone = try Identifier(parsing: "0912000002")
        let email = try Identifier(parsing: "lan@example.vn")
        var checks = 0
        let result = try scratch.importCSV(
            """
            phone,email,consent_at,channel
            0912000001,lan@example.vn,2026-01-05,zalo
            0912000002,,2026-01-05,sms

            """, list: "moi"
        ) { _ in
            checks += 1
            #expect(try scratch.count("imports") == 2)
            #expect(try scratch.store.listSummaries().map(\.name) == ["kept"])
            #expect(throws: StoreError.self) { try scratch.store.listSummary(name: "moi") }
            #expect(try scratch.store.why(phone, now: ImportScratch.now).lists.isEmpty)
            #expect(try scratch.store.why(email, now: ImportScratch.now).lists.isEmpty)
            #expect(try scratch.store.why(email, now: ImportScratch.now).identifiers.count == 1)
            if checks == 1 {
                // The entries are written: physically there, in no answer; a refusal is recorded now.
                #expect(try scratch.count("entries") == 3)
                _ = try scratch.store.suppress(
                    [(1, phone), (2, email)], invalid: [], channel: nil, purpose: .marketing, reason: "objection",
                    source: "manual", actor: "officer", at: ImportScratch.now)
            }
        }
        #expect(checks == 5)
        #expect(result.imported == 2)
        #expect(result.consents == 2)
        // Counted against the refusals recorded while the rows were written: one by a row's key, one by the
        // email beside another row's key.
        #expect(result.suppressed == 2)
        let summary = try scratch.store.listSummary(name: "moi")
        #expect(summary.entries == 2)
        #expect(summary.suppressed == 2)
        #expect(try scratch.store.why(email, now: ImportScratch.now).lists.map(\.list) == ["moi"])
        #expect(try scratch.store.why(email, now: ImportScratch.now).identifiers.count == 2)
        #expect(try scratch.export("moi", channel: .zalo, purpose: .marketing).result.exported == 0)
        #expect(try scratch.integers("SELECT count(*) FROM imports WHERE pending") == [0])
    }

    /// An import stopped while it is applied (here by its own `applied` callback) leaves nothing of its file: not
    /// its list, rows, consents, consent texts, links or duplicates, and says so on the chain.
    @Test(arguments: [1, 2, 3, 4, 5])
    func anImportStoppedWhileAppliedLeavesNothing(after transaction: Int) throws {
        struct Stop: Error {}
        let scratch = try ImportScratch()
        try scratch.importCSV("phone,email\n0903000111,nam@example.vn\n", list: "kept")
        let before = try scratch.snapshot()
        let links = try scratch.integers("SELECT count(*) FROM person_links")
        var transactions = 0
        #expect(throws: Stop.self) {
            try scratch.importCSV(
                """
                phone,email,consent_at,channel,consent_text
                0912000001,lan@example.vn,2026-01-05,zalo,Tôi đồng ý nhận tin khuyến mãi
                0912000001,,2026-01-06,sms,Tôi đồng ý nhận tin khuyến mãi
                0903000111,,2026-01-05,sms,Tôi đồng ý nhận tin khuyến mãi

                """, list: "moi"
            ) { _ in
                transactions += 1
                if transactions == transaction { throw Stop() }
            }
        }
        let after = try scratch.snapshot()
        #expect(after.filter { !$0.hasPrefix("audit_events=") } == before.filter { !$0.hasPrefix("audit_events=") })
        #expect(try scratch.integers("SELECT count(*) FROM person_links") == links)
        #expect(try scratch.linksUnlikeMembers() == 0)
        #expect(try scratch.store.auditEvents().last?.kind == "lists.import_removed")
        if case .intact = try scratch.store.verifyAuditChain() {} else { Issue.record("the chain is broken") }
        // The next import of the same file is whole.
        let again = try scratch.importCSV("phone,email\n0912000001,lan@example.vn\n", list: "moi")
        #expect(again.imported == 1)
    }

    @Test func anImportIsOneUnitOfWorkWithOneAuditEvent() throws {
        let scratch = try ImportScratch()
        let before = try scratch.count("audit_events")
        let result = try scratch.importCSV(Self.mixed)
        #expect(try scratch.count("audit_events") == before + 1)
        let event = try #require(try scratch.store.auditEvents().last)
        #expect(event.kind == "lists.import")
        let payload = try JSONValue(parsing: event.payload)
        #expect(payload["rows"] == 8)
        #expect(payload["imported"] == 3)
        #expect(payload["duplicates"] == 3)
        #expect(payload["invalid"] == 2)
        #expect(payload["file_sha256"]?.stringValue == result.fileSHA256)
        // No personal data in the payload.
        #expect(!event.payload.contains("912345678"))
        #expect(!event.payload.contains("Hương"))
        #expect(try scratch.store.verifyAuditChain() == .intact(events: 2, headHash: Hex.encode(event.hash)))
    }

    @Test func theChunkSizeDoesNotChangeTheResult() throws {
        for chunkSize in [1, 3, 64, 1 << 16] {
            let scratch = try ImportScratch()
            let result = try scratch.importCSV(Self.mixed, chunkSize: chunkSize)
            #expect(result.rows == 8, "chunk size \(chunkSize)")
            #expect(result.imported == 3, "chunk size \(chunkSize)")
            #expect(try scratch.strings("SELECT raw FROM entries ORDER BY line")[1] == ",huong@example.vn,Hương")
        }
    }

    @Test func linesAreCountedPhysicallyAcrossRecordsThatSpanLines() throws {
        let scratch = try ImportScratch()
        // The record on line 2 runs to line 3, so the bad phone is on line 5 after a blank line 4.
        let result = try scratch.importCSV("phone,note\n0912345678,\"dòng 1\r\ndòng 2\"\n\n12345,x\n")
        #expect(result.rows == 2)
        #expect(result.invalid.map(\.line) == [5])
        #expect(try scratch.strings("SELECT raw FROM entries") == ["0912345678,\"dòng 1\r\ndòng 2\""])
    }

    @Test func utf16AndByteOrderMarkedFilesImportAsUTF8() throws {
        let scratch = try ImportScratch()
        let text = "SĐT;Họ và tên\r\n0912345678;Nguyễn Thị Lan\r\n"
        // UTF-16 little-endian with its BOM, FF FE.
        let units: [UInt8] = text.utf16.flatMap { (unit: UInt16) -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let utf16: [UInt8] = [0xFF, 0xFE] + units
        let result = try scratch.importBytes(utf16, request: ListImportRequest(list: "a", fileName: "utf16.csv"))
        #expect(result.imported == 1)
        // UTF-8 with its BOM, EF BB BF: the BOM is not part of the first header.
        let utf8: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("phone,name\n0903000111,Hương\n".utf8)
        #expect(try scratch.importBytes(utf8, request: ListImportRequest(list: "b", fileName: "bom.csv")).imported == 1)
        #expect(
            try scratch.strings("SELECT raw FROM entries ORDER BY id") == [
                "0912345678;Nguyễn Thị Lan", "0903000111,Hương",
            ])
        #expect(
            try scratch.strings("SELECT headers FROM lists ORDER BY id") == [
                #"["SĐT","Họ và tên"]"#, #"["phone","name"]"#,
            ])
        #expect(
            try scratch.strings("SELECT encoding || delimiter FROM imports ORDER BY id") == [
                "utf16LE;", "utf8WithBOM,",
            ])
    }

    @Test func aMappedHeaderIdentifiesAndAPurchasedListIsFlagged() throws {
        let scratch = try ImportScratch()
        let request = ListImportRequest(
            list: "mua-ngoai", fileName: "bought.csv", basis: .purchased, map: ["Liên lạc": .phone])
        let result = try scratch.importBytes(Array("Liên lạc,Tên\n0903000111,Nam\n".utf8), request: request)
        #expect(result.imported == 1)
        #expect(result.basis == .purchased)
        let summary = try scratch.store.listSummary(name: "mua-ngoai")
        #expect(summary.flagged)
        #expect(summary.basis == .purchased)
        #expect(try scratch.strings("SELECT normalized FROM entries") == ["+84903000111"])
    }

    // MARK: - Consents

    @Test func consentsAreRecordedPerChannelForTheIdentifierEachChannelReaches() throws {
        let scratch = try ImportScratch()
        let result = try scratch.importCSV(
            """
            phone,email,consent_at,channel,consent_text
            0912345678,lan@example.vn,12/08/2025 09:15,sms;email,Tôi đồng ý
            0912 345 678,,2025-09-01,zalo,Tôi đồng ý
            0903000111,,2025-08-12,,
            0903000112,,,sms,

            """)
        // Line 2: sms and email; line 3 (a duplicate row) still records its Zalo consent; line 4 has a time but no
        // channel, so nothing; line 5 has a channel but no time, so nothing.
        #expect(result.rows == 4)
        #expect(result.imported == 3)
        #expect(result.duplicates == 1)
        #expect(result.consents == 3)
        #expect(result.consentsWithoutChannel == 1)
        let hasher = scratch.store.hasher
        let phone = Hex.encode(hasher.hash("+84912345678"))
        let email = Hex.encode(hasher.hash("lan@example.vn"))
        let rows = try scratch.strings(
            """
            SELECT hex(id_hash) || ' ' || channel || ' ' || purpose || ' ' || kind || ' ' || at || ' ' || line
                || ' ' || import_id
            FROM consent_events ORDER BY line, channel
            """)
        // 12/08/2025 09:15 Vietnam time = 2025-08-12T02:15Z = 1754964900000 ms;
        // 2025-09-01 = 2025-08-31T17:00Z = 1756659600000 ms.
        #expect(
            rows == [
                "\(email.uppercased()) email marketing grant 1754964900000 2 1",
                "\(phone.uppercased()) sms marketing grant 1754964900000 2 1",
                "\(phone.uppercased()) zalo marketing grant 1756659600000 3 1",
            ])
        // The consent text repeats but is stored once.
        #expect(try scratch.strings("SELECT text FROM consent_texts") == ["Tôi đồng ý"])
    }

    @Test func theDefaultConsentChannelAppliesToRowsWithoutOne() throws {
        let scratch = try ImportScratch()
        let result = try scratch.importCSV(
            """
            SĐT,Ngày đồng ý,Kênh
            0912345678,2025-08-12,
            0903000111,2025-08-12,zalo

            """, consentChannel: .call)
        #expect(result.consents == 2)
        #expect(result.consentsWithoutChannel == 0)
        #expect(try scratch.strings("SELECT channel FROM consent_events ORDER BY line") == ["call", "zalo"])
    }

    // MARK: - All or nothing

    @Test(
        arguments: [
            // Line 4 has three fields where the header has two.
            ("phone,name\n0912345678,Lan\n0903000111,Nam\n0903000112,Hà,extra\n", 4),
            // An unterminated quote on line 3.
            ("phone,name\n0912345678,Lan\n0903000111,\"Nam\n", 3),
            // A stray quote inside an unquoted field on line 2.
            ("phone,name\n0912345678,La\"n\n", 2),
            // No identifier column: refused at the header.
            ("Họ và tên,Địa chỉ\nLan,Hà Nội\n", 1),
            // Invalid UTF-8 on line 3.
            ("phone,name\n0912345678,Lan\n0903000111,\u{FFFD}\n", 3),
        ])
    func aStructuralErrorLeavesTheDatabaseAsItWas(csv: String, line: Int) throws {
        let scratch = try ImportScratch()
        let before = try scratch.snapshot()
        var bytes = Array(csv.utf8)
        // Replace the U+FFFD placeholder (EF BF BD) by a lone continuation byte.
        if let index = bytes.firstIndex(of: 0xEF) { bytes.replaceSubrange(index..<index + 3, with: [0x80]) }
        let error = #expect(throws: StoreError.self) {
            try scratch.importBytes(bytes, request: ListImportRequest(list: "khach-hang", fileName: "bad.csv"))
        }
        guard case .badInput(let file, let errorLine, _, _)? = error else {
            Issue.record("expected badInput, got \(String(describing: error))")
            return
        }
        #expect(file == "bad.csv")
        #expect(errorLine == line)
        #expect(try scratch.snapshot() == before)
    }

    /// Refused with a row or two read, and with many batches of rows already handed to the thread that stages them.
    @Test(arguments: [1, 30_000])
    func aStrictImportWithAnInvalidRowLeavesTheDatabaseAsItWas(goodRows: Int) throws {
        let scratch = try ImportScratch()
        let before = try scratch.snapshot()
        let good = (0..<goodRows).map { String(format: "09120%05d,2025-08-12,sms\n", $0) }.joined()
        let error = #expect(throws: StoreError.self) {
            try scratch.importCSV(
                "phone,consent_at,channel\n" + good + "0903000111,31/02/2026,sms\n0903000112,2025-08-12,sms\n",
                strict: true)
        }
        guard case .badInput(_, let line, _, let message)? = error else {
            Issue.record("expected badInput, got \(String(describing: error))")
            return
        }
        #expect(line == goodRows + 2)
        #expect(message.contains("--strict"))
        #expect(try scratch.snapshot() == before)
    }

    @Test func withoutStrictTheSameFileImportsItsGoodRows() throws {
        let scratch = try ImportScratch()
        let result = try scratch.importCSV(
            "phone,consent_at,channel\n0912345678,2025-08-12,sms\n0903000111,31/02/2026,sms\n")
        #expect(result.imported == 1)
        #expect(result.consents == 1)
        #expect(result.invalid.map(\.line) == [3])
        #expect(result.invalid[0].reason.hasPrefix("consent_at:"))
    }

    @Test func aRefusedImportIntoAnExistingListLeavesItAsItWas() throws {
        let scratch = try ImportScratch()
        try scratch.importCSV("phone,name\n0912345678,Lan\n")
        let before = try scratch.snapshot()
        #expect(throws: StoreError.self) {
            try scratch.importCSV("phone,name,note\n0903000111,Nam,a\n0903000112,Hà\n")
        }
        #expect(try scratch.snapshot() == before)
        #expect(try scratch.store.listSummary(name: "khach-hang").entries == 1)
    }

    // MARK: - Existing lists

    @Test func importingIntoAnExistingListAddsToIt() throws {
        let scratch = try ImportScratch()
        let first = try scratch.importCSV("phone,name\n0912345678,Lan\n0903000111,Nam\n")
        // The second file names the phone column in Vietnamese and repeats Nam's number in another written form.
        let second = try scratch.importCSV("SĐT,Email,name\n0903 000 111,,Nam\n0987654321,ha@example.vn,Hà\n")
        #expect(first.imported == 2)
        #expect(second.rows == 2)
        #expect(second.imported == 1)
        #expect(second.duplicates == 1)
        let summary = try scratch.store.listSummary(name: "khach-hang")
        #expect(summary.entries == 3)
        #expect(summary.imports == 2)
        #expect(summary.active == 3)
        // The list's columns are the union of both headers in first-seen order.
        #expect(try scratch.strings("SELECT headers FROM lists") == [#"["phone","name","SĐT","Email"]"#])
    }

    @Test func theSameNumberInTwoListsIsAnEntryInEach() throws {
        let scratch = try ImportScratch()
        try scratch.importCSV("phone\n0912345678\n", list: "a")
        let result = try scratch.importCSV("phone\n0912345678\n", list: "b")
        #expect(result.imported == 1)
        #expect(result.duplicates == 0)
        #expect(try scratch.count("entries") == 2)
    }

    // MARK: - Export

    @Test func anExportKeepsVietnameseTextByteExactAndAddsNormalized() throws {
        let scratch = try ImportScratch()
        // "Nguyễn" written decomposed (NFD), a name with spaces around it, and a quoted comma: all kept as written.
        let decomposed = "Nguye\u{0302}\u{0303}n Thi\u{0323} Hương"
        let csv =
            "Số điện thoại,Họ và tên,Địa chỉ,Ngày đồng ý,Kênh\n"
            + "0903 000 111,\(decomposed),\"12 Lê Lợi, Quận 1\",12/08/2025,sms\n"
            + "0912345678,  Trần Văn Nam ,\"Số \"\"5\"\"\",12/08/2025,sms\n"
        try scratch.importCSV(csv)
        let (result, bytes) = try scratch.export(channel: .sms, purpose: .marketing)
        let expected =
            "Số điện thoại,Họ và tên,Địa chỉ,Ngày đồng ý,Kênh,normalized\n"
            + "0903 000 111,\(decomposed),\"12 Lê Lợi, Quận 1\",12/08/2025,sms,+84903000111\n"
            + "0912345678,  Trần Văn Nam ,\"Số \"\"5\"\"\",12/08/2025,sms,+84912345678\n"
        #expect(bytes == Array(expected.utf8))
        #expect(result.entries == 2)
        #expect(result.exported == 2)
        #expect(result.fileSHA256 == Hex.encode(SHA256.hash(data: bytes)))
    }

    @Test func anExportFillsEachImportsColumnsUnderTheUnionHeader() throws {
        let scratch = try ImportScratch()
        try scratch.importCSV("phone,name\n0912345678,Lan\n")
        try scratch.importCSV("name;SĐT\nHà;0987654321\n")
        let (_, bytes) = try scratch.export(channel: nil, purpose: .transactional)
        // Union header: phone, name, SĐT; the second file's name lands under "name" and its phone under "SĐT".
        let expected = "phone,name,SĐT,normalized\n0912345678,Lan,,+84912345678\n,Hà,0987654321,+84987654321\n"
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
    }

    @Test func aMarketingExportNeedsConsentOnTheChannel() throws {
        let scratch = try ImportScratch()
        try scratch.importCSV("phone,consent_at,channel\n0912345678,2025-08-12,sms\n0903000111,,\n")
        let (sms, _) = try scratch.export(channel: .sms, purpose: .marketing)
        #expect(sms.exported == 1)
        #expect(sms.excluded == ["NO_CONSENT": 1])
        // Channel `any` needs consent on every channel; an SMS consent alone is not enough.
        let (everyChannel, _) = try scratch.export(channel: nil, purpose: .marketing)
        #expect(everyChannel.exported == 0)
        #expect(everyChannel.excluded == ["NO_CONSENT": 2])
    }

    @Test func anExportIsRecordedOnTheChainWithItsCounts() throws {
        let scratch = try ImportScratch()
        try scratch.importCSV("phone\n0912345678\n")
        let before = try scratch.count("audit_events")
        let (result, _) = try scratch.export(channel: .email, purpose: .marketing)
        #expect(try scratch.count("audit_events") == before + 1)
        let event = try #require(try scratch.store.auditEvents().last)
        #expect(event.kind == "lists.export")
        let payload = try JSONValue(parsing: event.payload)
        #expect(payload["channel"] == "email")
        #expect(payload["purpose"] == "marketing")
        #expect(payload["entries"] == 1)
        #expect(payload["exported"] == 0)
        #expect(payload["excluded"] == ["NO_CONSENT": 1])
        #expect(payload["file_sha256"]?.stringValue == result.fileSHA256)
    }

    @Test func anExportHoldsNoWriteLockAndNamesTheSnapshotItWrote() throws {
        let scratch = try ImportScratch()
        try scratch.importCSV("phone\n0912345678\n0903000111\n")
        // Another process (here, another connection) objects while the export is writing its file.
        let other = try RightsStore.open(
            at: scratch.store.path, hasher: scratch.store.hasher,
            installationID: try #require(try scratch.store.meta()["installation_id"]), busyTimeout: 1)
        var objected = false
        var writer = CSVWriter { _ in
            guard !objected else { return }
            objected = true
            _ = try other.suppress(
                [(line: 0, identifier: try Identifier(parsing: "0912345678"))], invalid: [], channel: nil,
                purpose: .marketing, reason: "objection", source: nil, actor: "officer", at: ImportScratch.now)
        }
        let result = try scratch.store.exportList(
            name: "khach-hang", channel: nil, purpose: .transactional, actor: "officer", at: ImportScratch.now,
            to: &writer)
        #expect(objected)
        #expect(result.exported == 2)
        // The export's event comes after the objection's, and says it wrote the list as it stood before it.
        let events = try scratch.store.auditEvents()
        let export = try #require(events.last)
        #expect(export.kind == "lists.export")
        let objection = try #require(events.last { $0.kind != "lists.export" })
        #expect(try JSONValue(parsing: export.payload)["as_of_seq"] == .int(objection.seq - 1))
    }

    // MARK: - Suppressions

    private static let suppressible = """
        phone,name,consent_at,channel
        0903 000 111,Hương,2025-08-12,sms
        0912345678,Lan,2025-08-12,sms

        """

    @Test func aSuppressedEntryIsCountedAndLeftOutOfAMarketingExportOnly() throws {
        let scratch = try ImportScratch()
        try scratch.importCSV(Self.suppressible)
        try scratch.suppress("+84903000111")
        let summary = try scratch.store.listSummary(name: "khach-hang")
        #expect(summary.entries == 2)
        #expect(summary.suppressed == 1)
        #expect(summary.active == 1)
        #expect(summary.suppressedByPurpose == ["marketing": 1, "all": 0])
        let (marketing, marketingBytes) = try scratch.export(channel: .sms, purpose: .marketing)
        #expect(marketing.exported == 1)
        #expect(marketing.excluded == ["SUPPRESSED": 1])
        #expect(!String(decoding: marketingBytes, as: UTF8.self).contains("+84903000111"))
        // A marketing objection does not stop transactional messages.
        let (transactional, transactionalBytes) = try scratch.export(channel: .sms, purpose: .transactional)
        #expect(transactional.exported == 2)
        #expect(transactional.excluded == [:])
        #expect(String(decoding: transactionalBytes, as: UTF8.self).contains("0903 000 111,Hương"))
    }

    @Test func aSuppressionForAllPurposesStopsTransactionalExportsToo() throws {
        let scratch = try ImportScratch()
        try scratch.importCSV(Self.suppressible)
        try scratch.suppress("+84903000111", purpose: "all")
        let summary = try scratch.store.listSummary(name: "khach-hang")
        #expect(summary.suppressedByPurpose == ["marketing": 0, "all": 1])
        let (transactional, _) = try scratch.export(channel: .sms, purpose: .transactional)
        #expect(transactional.exported == 1)
        #expect(transactional.excluded == ["SUPPRESSED": 1])
    }

    @Test func aSuppressionOfASecondaryIdentifierMatchesTheEntry() throws {
        let scratch = try ImportScratch()
        try scratch.importCSV("phone,email\n0912345678,lan@example.vn\n")
        try scratch.suppress("lan@example.vn")
        #expect(try scratch.store.listSummary(name: "khach-hang").suppressed == 1)
        let (result, _) = try scratch.export(channel: .sms, purpose: .marketing)
        #expect(result.excluded == ["SUPPRESSED": 1])
    }

    @Test func aChannelScopedSuppressionLeavesOtherChannelsOpen() throws {
        let scratch = try ImportScratch()
        try scratch.importCSV("phone,consent_at,channel\n0903000111,2025-08-12,sms;zalo\n")
        try scratch.suppress("+84903000111", channel: "sms")
        // Suppressed in the summary whatever its scope.
        #expect(try scratch.store.listSummary(name: "khach-hang").suppressed == 1)
        #expect(try scratch.export(channel: .sms, purpose: .marketing).result.exported == 0)
        #expect(try scratch.export(channel: .zalo, purpose: .marketing).result.exported == 1)
    }

    @Test func anImportCountsEntriesAlreadySuppressed() throws {
        let scratch = try ImportScratch()
        try scratch.suppress("+84903000111")
        let result = try scratch.importCSV(Self.suppressible)
        #expect(result.imported == 2)
        #expect(result.suppressed == 1)
        // Counted from the staged rows before the write lock; the count made under it, from the entries written,
        // when a suppression changes in between, agrees.
        let importID = Int64(try scratch.integers("SELECT max(id) FROM imports")[0])
        #expect(try scratch.store.read { db in try ImportRecord.suppressedCount(importID: importID, in: db) } == 1)
        // A suppression of a row's other identifier counts too, and a duplicate row adds nothing.
        try scratch.suppress("lan@example.vn")
        let second = try scratch.importCSV(
            "phone,email\n0912000222,lan@example.vn\n0912000222,\n0912000333,\n", list: "khac")
        #expect(second.imported == 2)
        #expect(second.suppressed == 1)
    }

    /// The rows already suppressed are found with the suppressions read into memory (most installations) and with
    /// the identifiers probed in batches (many suppressions) alike.
    @Test func rowsAlreadySuppressedAreFoundInMemoryAndByProbeAlike() throws {
        let scratch = try ImportScratch()
        try scratch.suppress("+84903000111")
        try scratch.suppress("lan@example.vn")
        let rows = (0..<150).map { "09120\(String(format: "%05d", $0))," }.joined(separator: "\n")
        let csv = "phone,email\n0903000111,\n0912000222,lan@example.vn\n" + rows + "\n"
        var sent = false
        let input = InputFile(
            name: "x.csv", delimiter: nil,
            chunks: {
                defer { sent = true }
                return sent ? nil : Array(csv.utf8)
            })
        let stage = try ListStage(
            ListImportRequest(list: "x", fileName: "x.csv"), input: input, hasher: scratch.store.hasher, progress: nil)
        let (inMemory, probed) = try scratch.store.read { db in
            (try stage.suppressedLines(db).lines, try stage.suppressedLines(db, readIntoMemoryUpTo: 0).lines)
        }
        #expect(inMemory == [2, 3])
        #expect(probed == inMemory)
    }

    @Test func aLiftedSuppressionNoLongerCounts() throws {
        let scratch = try ImportScratch()
        try scratch.importCSV(Self.suppressible)
        try scratch.suppress("+84903000111")
        try scratch.store.pool.write { db in
            try db.execute(sql: "UPDATE suppressions SET lifted_at = 1, lift_reason = 'consent'")
        }
        #expect(try scratch.store.listSummary(name: "khach-hang").suppressed == 0)
        #expect(try scratch.export(channel: .sms, purpose: .marketing).result.exported == 2)
    }

    @Test func anUnknownListIsRefused() throws {
        let scratch = try ImportScratch()
        #expect(throws: StoreError.self) { try scratch.store.listSummary(name: "none") }
        #expect(throws: StoreError.self) { try scratch.export("none", channel: nil, purpose: .marketing) }
    }
}
