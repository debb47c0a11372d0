import Foundation
import GRDB
import RightsCore

/// What a unit of work says about itself on the audit chain: a kind, a payload free of personal data, and
/// optionally personal data sealed under the subject's own key.
public struct AuditDraft: Sendable {
    public var kind: String
    public var payload: [String: JSONValue]
    /// The keyed hash of the person's identifier: whose key seals `pii`.
    public var subject: [UInt8]?
    public var pii: JSONValue?

    public init(kind: String, payload: [String: JSONValue], subject: [UInt8]? = nil, pii: JSONValue? = nil) {
        self.kind = kind
        self.payload = payload
        self.subject = subject
        self.pii = pii
    }
}

/// One link of the chain as stored.
public struct AuditEvent: Sendable, Equatable {
    public let seq: Int64
    public let at: String
    public let actor: String
    public let kind: String
    public let payload: String
    public let subject: String?
    public let pii: [UInt8]?
    public let piiSHA256: String?
    public let prevHash: [UInt8]
    public let hash: [UInt8]

    /// The event as RFC 8785 canonical JSON without its `hash`: what the chain hashes.
    public func canonicalBytes() throws -> [UInt8] {
        let payloadValue = try JSONValue(parsing: Array(payload.utf8))
        // The stored text must be the canonical form itself, so that the bytes a bundle shows are the bytes hashed.
        guard payloadValue.canonicalString == payload else {
            throw JSONParseError(offset: 0, message: "the payload is not in canonical form")
        }
        let value: JSONValue = [
            "seq": .int(seq), "at": .string(at), "actor": .string(actor), "kind": .string(kind),
            "payload": payloadValue, "subject": .optional(subject),
            "pii": .optional(pii.map { Data($0).base64EncodedString() }), "pii_sha256": .optional(piiSHA256),
            "prev_hash": .string(Hex.encode(prevHash)),
        ]
        return value.canonicalBytes
    }

    /// `hash = SHA-256(prev_hash || canonical bytes)`, prev_hash as 32 raw bytes (ARCHITECTURE.md invariant 2).
    public func computedHash() throws -> [UInt8] { Digest.sha256(prevHash + (try canonicalBytes())) }

    init(row: Row) {
        seq = row["seq"]
        at = row["at"]
        actor = row["actor"]
        kind = row["kind"]
        payload = row["payload"]
        subject = row["subject"]
        pii = (row["pii"] as Data?).map { Array($0) }
        piiSHA256 = row["pii_sha256"]
        prevHash = Array(row["prev_hash"] as Data)
        hash = Array(row["hash"] as Data)
    }

    init(
        seq: Int64, at: String, actor: String, kind: String, payload: String, subject: String?, pii: [UInt8]?,
        piiSHA256: String?, prevHash: [UInt8]
    ) throws {
        self.seq = seq
        self.at = at
        self.actor = actor
        self.kind = kind
        self.payload = payload
        self.subject = subject
        self.pii = pii
        self.piiSHA256 = piiSHA256
        self.prevHash = prevHash
        self.hash = []
    }

    func withHash(_ hash: [UInt8]) -> AuditEvent {
        AuditEvent(copying: self, hash: hash)
    }

    private init(copying other: AuditEvent, hash: [UInt8]) {
        seq = other.seq
        at = other.at
        actor = other.actor
        kind = other.kind
        payload = other.payload
        subject = other.subject
        pii = other.pii
        piiSHA256 = other.piiSHA256
        prevHash = other.prevHash
        self.hash = hash
    }
}

/// The result of recomputing the chain.
public enum ChainVerification: Sendable, Equatable {
    case intact(events: Int64, headHash: String)
    case broken(seq: Int64, reason: String)
}

/// Appends and verifies the hash chain of audit events.
enum AuditChain {
    static let genesis = [UInt8](repeating: 0, count: 32)

    static func append(_ draft: AuditDraft, actor: String, at now: Date, in db: Database, hasher: KeyedHasher) throws {
        let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        let seq: Int64 = (last?["seq"] ?? 0) + 1
        let prevHash = (last?["hash"] as Data?).map { Array($0) } ?? genesis
        var subject: String?
        var sealed: [UInt8]?
        var piiDigest: String?
        if let pii = draft.pii, let subjectHash = draft.subject {
            let id = Hex.encode(subjectHash)
            let key = try subjectKey(id, in: db, now: now)
            // Salted inside the seal: once the key is shredded the digest confirms no guess of the data (a phone
            // number alone is few enough guesses to try them all against a plain SHA-256).
            let salted = SubjectSeal.salt() + pii.canonicalBytes
            subject = id
            sealed = try SubjectSeal.seal(salted, key: key)
            piiDigest = Digest.sha256Hex(salted)
        }
        let event = try AuditEvent(
            seq: seq, at: Timestamp.vietnamPrecise(now), actor: actor, kind: draft.kind,
            payload: JSONValue.object(draft.payload).canonicalString, subject: subject, pii: sealed,
            piiSHA256: piiDigest, prevHash: prevHash)
        let hash = try event.computedHash()
        try db.execute(
            sql: """
                INSERT INTO audit_events(seq, at, actor, kind, payload, subject, pii, pii_sha256, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                seq, event.at, actor, draft.kind, event.payload, subject, sealed.map { Data($0) }, piiDigest,
                Data(prevHash), Data(hash),
            ])
    }

    static func subjectKey(_ subject: String, in db: Database, now: Date) throws -> [UInt8] {
        if let key = try Data.fetchOne(db, sql: "SELECT key FROM subject_keys WHERE subject = ?", arguments: [subject])
        {
            return Array(key)
        }
        let key = SubjectSeal.newKey()
        try db.execute(
            sql: "INSERT INTO subject_keys(subject, key, created_at) VALUES (?, ?, ?)",
            arguments: [subject, Data(key), Timestamp.milliseconds(now)])
        return key
    }

    /// The sequence number of the newest event (0 for none): since every change appends exactly one event, two
    /// transactions that see the same head see the same database.
    static func headSeq(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT max(seq) FROM audit_events") ?? 0
    }

    /// Streams the chain in order and names the first event whose link or hash does not match.
    static func verify(_ db: Database) throws -> ChainVerification {
        var expectedPrev = genesis
        var expectedSeq: Int64 = 1
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_events ORDER BY seq")
        while let row = try cursor.next() {
            let event = AuditEvent(row: row)
            guard event.seq == expectedSeq else {
                return .broken(seq: expectedSeq, reason: "event \(expectedSeq) is missing (next is \(event.seq))")
            }
            guard event.prevHash == expectedPrev else {
                return .broken(
                    seq: event.seq, reason: "its prev_hash does not match the hash of event \(event.seq - 1)")
            }
            let computed: [UInt8]
            do {
                computed = try event.computedHash()
            } catch {
                return .broken(seq: event.seq, reason: "its payload is not canonical JSON")
            }
            guard computed == event.hash else {
                return .broken(seq: event.seq, reason: "its content does not match its hash")
            }
            expectedPrev = event.hash
            expectedSeq += 1
        }
        return .intact(events: expectedSeq - 1, headHash: Hex.encode(expectedPrev))
    }
}

extension RightsStore {
    /// Recomputes the whole chain (ARCHITECTURE.md invariant 2).
    public func verifyAuditChain() throws -> ChainVerification { try read { try AuditChain.verify($0) } }

    /// Events in order, for reports and bundles.
    public func auditEvents(from first: Int64 = 1, through last: Int64 = .max) throws -> [AuditEvent] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM audit_events WHERE seq BETWEEN ? AND ? ORDER BY seq", arguments: [first, last]
            ).map(AuditEvent.init(row:))
        }
    }
}
