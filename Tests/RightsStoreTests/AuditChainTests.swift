import Crypto
import Foundation
import RightsCore
import Testing

@testable import RightsStore

/// A store in its own temporary folder, removed when the value goes away.
private final class ScratchStore {
    static let now = Date(timeIntervalSince1970: 1_772_420_400)  // 2026-03-02T10:00:00+07:00

    let folder: String
    let path: String
    let secret: SymmetricKey
    let installationID = UUID().uuidString.lowercased()
    let store: RightsStore

    init() throws {
        folder = NSTemporaryDirectory() + "rightsdesk-audit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        path = folder + "/rightsdesk.sqlite"
        secret = SymmetricKey(size: .bits256)
        store = try RightsStore.create(
            at: path, hasher: KeyedHasher(secret: secret), installationID: installationID, organization: "Cửa hàng Lan",
            actor: "installer", now: Self.now)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// Appends `count` small units of work, each with its own audit event.
    func performSteps(_ count: Int) throws {
        for step in 1...count {
            try store.perform(actor: "officer-\(step)", at: Self.now.addingTimeInterval(Double(step))) { _ in
                ((), AuditDraft(kind: "test.step", payload: ["step": .int(step)]))
            }
        }
    }

    /// Runs SQL as an attacker holding the file would: outside any unit of work.
    func tamper(_ sql: String) throws {
        try store.pool.write { db in try db.execute(sql: sql) }
    }

    func dropAppendOnlyTriggers() throws {
        try tamper(
            """
            DROP TRIGGER audit_events_are_append_only_update;
            DROP TRIGGER audit_events_are_append_only_delete;
            """)
    }

    func count(_ sql: String) throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }
}

@Suite("The audit chain")
struct AuditChainTests {
    private func brokenSeq(_ verification: ChainVerification) -> Int64? {
        if case .broken(let seq, _) = verification { return seq }
        return nil
    }

    // MARK: - An intact chain

    @Test func theChainVerifiesAfterSeveralUnitsOfWork() throws {
        let scratch = try ScratchStore()
        try scratch.performSteps(4)
        _ = try scratch.store.importList(
            ListImportRequest(list: "khach-hang", fileName: "a.csv"), actor: "officer", at: ScratchStore.now,
            chunks: Self.once(Array("phone,name\n0912345678,Lan\n".utf8)))
        // installation.init + 4 steps + lists.import.
        let events = try scratch.store.auditEvents()
        #expect(events.map(\.seq) == [1, 2, 3, 4, 5, 6])
        #expect(
            events.map(\.kind) == [
                "installation.init", "test.step", "test.step", "test.step", "test.step", "lists.import",
            ])
        #expect(try scratch.store.verifyAuditChain() == .intact(events: 6, headHash: Hex.encode(events[5].hash)))
    }

    @Test func eachLinkHashesThePreviousHashAndTheCanonicalEvent() throws {
        let scratch = try ScratchStore()
        try scratch.performSteps(2)
        let events = try scratch.store.auditEvents()
        // The first event links to 32 zero bytes.
        #expect(events[0].prevHash == [UInt8](repeating: 0, count: 32))
        for index in 1..<events.count { #expect(events[index].prevHash == events[index - 1].hash) }
        // Event 2 worked out by hand: RFC 8785 puts the keys in this order, the time is Vietnam time with
        // milliseconds, and absent personal data is null.
        let second = events[1]
        let canonical =
            #"{"actor":"officer-1","at":"2026-03-02T10:00:01.000+07:00","kind":"test.step","payload":{"step":1},"#
            + #""pii":null,"pii_sha256":null,"prev_hash":""# + Hex.encode(events[0].hash)
            + #"","seq":2,"subject":null}"#
        #expect(try second.canonicalBytes() == Array(canonical.utf8))
        let expected = Array(SHA256.hash(data: events[0].hash + Array(canonical.utf8)))
        #expect(second.hash == expected)
    }

    // MARK: - Tampering

    @Test(
        arguments: [
            // A changed payload no longer matches the stored hash of event 3.
            #"UPDATE audit_events SET payload = '{"step":99}' WHERE seq = 3"#,
            // Replaying another event's payload (event 2 had step 1).
            #"UPDATE audit_events SET payload = '{"step":1}' WHERE seq = 3"#,
            // So does a payload that is no longer JSON at all.
            "UPDATE audit_events SET payload = 'not json' WHERE seq = 3",
            // A changed actor or time.
            "UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3",
            "UPDATE audit_events SET at = '2026-03-01T00:00:00.000Z' WHERE seq = 3",
            // A changed kind.
            "UPDATE audit_events SET kind = 'test.other' WHERE seq = 3",
            // A changed stored hash.
            "UPDATE audit_events SET hash = zeroblob(32) WHERE seq = 3",
            // A changed back-link.
            "UPDATE audit_events SET prev_hash = zeroblob(32) WHERE seq = 3",
        ])
    func tamperingWithAnEventBreaksTheChainAtThatEvent(sql: String) throws {
        let scratch = try ScratchStore()
        try scratch.performSteps(4)
        #expect(
            try scratch.store.verifyAuditChain()
                == .intact(events: 5, headHash: Hex.encode(scratch.store.auditEvents()[4].hash)))
        try scratch.dropAppendOnlyTriggers()
        try scratch.tamper(sql)
        #expect(brokenSeq(try scratch.store.verifyAuditChain()) == 3)
    }

    @Test func rewritingAnEventWithItsOwnHashBreaksTheLinkToTheNext() throws {
        let scratch = try ScratchStore()
        try scratch.performSteps(4)
        try scratch.dropAppendOnlyTriggers()
        // The attacker recomputes event 3's hash after changing it; event 4 still names the old hash.
        let third = try scratch.store.auditEvents(from: 3, through: 3)[0]
        let forged = AuditEvent(copying: third, payload: #"{"step":99}"#)
        let hash = Hex.encode(try forged.computedHash())
        try scratch.tamper(
            #"UPDATE audit_events SET payload = '{"step":99}', hash = X'\#(hash)' WHERE seq = 3"#)
        #expect(try scratch.store.auditEvents(from: 3, through: 3)[0].computedHash() == Hex.decode(hash))
        let verification = try scratch.store.verifyAuditChain()
        #expect(brokenSeq(verification) == 4)
    }

    @Test(
        arguments: [
            // A missing middle event is named.
            (3, Int64(3)),
            // So is a missing first event.
            (1, Int64(1)),
        ])
    func deletingAnEventBreaksTheChainAtItsSeq(deleted: Int, broken: Int64) throws {
        let scratch = try ScratchStore()
        try scratch.performSteps(4)
        try scratch.dropAppendOnlyTriggers()
        try scratch.tamper("DELETE FROM audit_events WHERE seq = \(deleted)")
        #expect(brokenSeq(try scratch.store.verifyAuditChain()) == broken)
    }

    @Test func theAppendOnlyTriggersRefuseUpdatesAndDeletes() throws {
        let scratch = try ScratchStore()
        try scratch.performSteps(2)
        let before = try scratch.store.auditEvents()
        for sql in [
            "UPDATE audit_events SET actor = 'someone-else' WHERE seq = 2",
            "DELETE FROM audit_events WHERE seq = 3",
            "DELETE FROM audit_events",
        ] {
            let error = #expect(throws: (any Error).self, "\(sql)") { try scratch.tamper(sql) }
            #expect(String(describing: error).contains("append-only"), "\(sql)")
        }
        #expect(try scratch.store.auditEvents() == before)
        #expect(try scratch.store.verifyAuditChain() == .intact(events: 3, headHash: Hex.encode(before[2].hash)))
    }

    // MARK: - Units of work

    private struct Refusal: Error {}

    @Test func aUnitOfWorkThatThrowsLeavesNeitherItsChangeNorAnEvent() throws {
        let scratch = try ScratchStore()
        let eventsBefore = try scratch.count("SELECT count(*) FROM audit_events")
        #expect(throws: Refusal.self) {
            try scratch.store.perform(actor: "officer", at: ScratchStore.now) { db -> ((), AuditDraft) in
                try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('half_done', 'yes')")
                throw Refusal()
            }
        }
        #expect(try scratch.store.meta()["half_done"] == nil)
        #expect(try scratch.count("SELECT count(*) FROM audit_events") == eventsBefore)
        #expect(
            try scratch.store.verifyAuditChain()
                == .intact(events: 1, headHash: Hex.encode(scratch.store.auditEvents()[0].hash)))
    }

    @Test func aUnitOfWorkWritesItsChangeAndExactlyOneEvent() throws {
        let scratch = try ScratchStore()
        let result = try scratch.store.perform(actor: "officer", at: ScratchStore.now) { db in
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('done', 'yes')")
            return (42, AuditDraft(kind: "test.done", payload: ["rows": 1]))
        }
        #expect(result == 42)
        #expect(try scratch.store.meta()["done"] == "yes")
        let events = try scratch.store.auditEvents()
        #expect(events.count == 2)
        #expect(events[1].kind == "test.done")
        #expect(events[1].actor == "officer")
        #expect(events[1].payload == #"{"rows":1}"#)
    }

    // MARK: - Personal data

    @Test func personalDataIsSealedUnderTheSubjectKey() throws {
        let scratch = try ScratchStore()
        let subject = scratch.store.hasher.hash("+84903000111")
        let pii: JSONValue = ["name": "Nguyễn Thị Hương", "phone": "+84903000111"]
        try scratch.store.perform(actor: "officer", at: ScratchStore.now) { _ in
            ((), AuditDraft(kind: "test.pii", payload: ["request": "R-1"], subject: subject, pii: pii))
        }
        let event = try scratch.store.auditEvents(from: 2, through: 2)[0]
        #expect(event.subject == Hex.encode(subject))
        // The digest is salted: it cannot be matched against a guess of the data (here, the plain SHA-256).
        #expect(event.piiSHA256 != Digest.sha256Hex(pii.canonicalBytes))
        let sealed = try #require(event.pii)
        // Nothing of the plaintext is in the stored event.
        let stored = try scratch.store.read { db in
            try String.fetchOne(
                db,
                sql:
                    "SELECT payload || coalesce(subject, '') || coalesce(pii_sha256, '') FROM audit_events WHERE seq = 2"
            )
        }
        #expect(stored?.contains("Hương") == false)
        #expect(stored?.contains("903000111") == false)
        #expect(!sealed.indices.contains { sealed[$0...].starts(with: Array("903000111".utf8)) })
        // Unreadable without the subject key, readable with it.
        #expect(throws: (any Error).self) { try SubjectSeal.open(sealed, key: SubjectSeal.newKey()) }
        let key = try scratch.store.read { db in
            try Data.fetchOne(
                db, sql: "SELECT key FROM subject_keys WHERE subject = ?", arguments: [Hex.encode(subject)])
        }
        // Opened: sixteen bytes of salt, then the data; the digest is of both.
        let opened = try SubjectSeal.open(sealed, key: Array(try #require(key)))
        #expect(opened.count == 16 + pii.canonicalBytes.count)
        #expect(Array(opened.dropFirst(16)) == pii.canonicalBytes)
        #expect(try JSONValue(parsing: Array(opened.dropFirst(16))) == pii)
        #expect(event.piiSHA256 == Digest.sha256Hex(opened))
    }

    @Test func aSubjectKeepsOneKeyAcrossEvents() throws {
        let scratch = try ScratchStore()
        let subject = scratch.store.hasher.hash("lan@example.vn")
        for name in ["Lan", "Trần Thị Lan"] {
            try scratch.store.perform(actor: "officer", at: ScratchStore.now) { _ in
                ((), AuditDraft(kind: "test.pii", payload: [:], subject: subject, pii: ["name": .string(name)]))
            }
        }
        #expect(try scratch.count("SELECT count(*) FROM subject_keys") == 1)
        let events = try scratch.store.auditEvents(from: 2, through: 3)
        #expect(events[0].subject == events[1].subject)
    }

    @Test func shreddingTheSubjectKeyKeepsTheChainAndMakesTheDataUnreadable() throws {
        let scratch = try ScratchStore()
        let subject = scratch.store.hasher.hash("+84903000111")
        try scratch.store.perform(actor: "officer", at: ScratchStore.now) { _ in
            ((), AuditDraft(kind: "test.pii", payload: [:], subject: subject, pii: ["name": "Hương"]))
        }
        try scratch.performSteps(1)
        try scratch.tamper("DELETE FROM subject_keys")
        #expect(try scratch.count("SELECT count(*) FROM subject_keys") == 0)
        let verification = try scratch.store.verifyAuditChain()
        #expect(brokenSeq(verification) == nil)
        #expect(try scratch.store.auditEvents(from: 2, through: 2)[0].pii != nil)
    }

    @Test func personalDataWithoutASubjectIsNotStored() throws {
        // A draft must name whose key seals its personal data; without a subject nothing personal is written.
        let scratch = try ScratchStore()
        try scratch.store.perform(actor: "officer", at: ScratchStore.now) { _ in
            ((), AuditDraft(kind: "test.pii", payload: [:], subject: nil, pii: ["name": "Hương"]))
        }
        let event = try scratch.store.auditEvents(from: 2, through: 2)[0]
        #expect(event.pii == nil)
        #expect(event.piiSHA256 == nil)
    }

    // MARK: - Opening

    @Test func openingWithTheRightSecretAndInstallationWorks() throws {
        let scratch = try ScratchStore()
        let reopened = try RightsStore.open(
            at: scratch.path, hasher: KeyedHasher(secret: scratch.secret), installationID: scratch.installationID)
        #expect(reopened.organization == "Cửa hàng Lan")
        #expect(try reopened.meta()["installation_id"] == scratch.installationID)
        #expect(try reopened.meta()["key_check"] == KeyedHasher(secret: scratch.secret).keyCheck)
        #expect(try reopened.verifyAuditChain() == scratch.store.verifyAuditChain())
    }

    @Test func openingWithAnotherSecretIsRefused() throws {
        let scratch = try ScratchStore()
        let error = #expect(throws: StoreError.self) {
            try RightsStore.open(
                at: scratch.path, hasher: KeyedHasher(secret: SymmetricKey(size: .bits256)),
                installationID: scratch.installationID)
        }
        guard case .keyFileMismatch? = error else {
            Issue.record("expected keyFileMismatch, got \(String(describing: error))")
            return
        }
    }

    @Test func openingWithAnotherInstallationIdIsRefused() throws {
        let scratch = try ScratchStore()
        let error = #expect(throws: StoreError.self) {
            try RightsStore.open(
                at: scratch.path, hasher: KeyedHasher(secret: scratch.secret), installationID: UUID().uuidString)
        }
        guard case .keyFileMismatch? = error else {
            Issue.record("expected keyFileMismatch, got \(String(describing: error))")
            return
        }
    }

    @Test func openingAMissingDatabaseIsRefusedAndCreatingOverOneIsRefused() throws {
        let scratch = try ScratchStore()
        let missing = #expect(throws: StoreError.self) {
            try RightsStore.open(
                at: scratch.folder + "/none.sqlite", hasher: KeyedHasher(secret: scratch.secret),
                installationID: scratch.installationID)
        }
        guard case .missingDatabase? = missing else {
            Issue.record("expected missingDatabase, got \(String(describing: missing))")
            return
        }
        let existing = #expect(throws: StoreError.self) {
            try RightsStore.create(
                at: scratch.path, hasher: KeyedHasher(secret: scratch.secret), installationID: "other",
                organization: "x", actor: "x", now: ScratchStore.now)
        }
        guard case .alreadyExists? = existing else {
            Issue.record("expected alreadyExists, got \(String(describing: existing))")
            return
        }
    }

    // MARK: - Helpers

    /// Hands out `bytes` once, as a file's single chunk.
    static func once(_ bytes: [UInt8]) -> () throws -> [UInt8]? {
        var handed = false
        return {
            defer { handed = true }
            return handed ? nil : bytes
        }
    }
}

extension AuditEvent {
    /// The event with another payload and everything else unchanged, as a forger would write it.
    fileprivate init(copying event: AuditEvent, payload: String) {
        try! self.init(
            seq: event.seq, at: event.at, actor: event.actor, kind: event.kind, payload: payload,
            subject: event.subject, pii: event.pii, piiSHA256: event.piiSHA256, prevHash: event.prevHash)
    }
}
