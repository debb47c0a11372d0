import Foundation
import GRDB
import RightsCore

/// `why ID`: everything that explains a message to this person, in the contract's shape.
public struct WhyAnswer: Sendable, Codable {
    public var identifier: String
    public var lists: [ListMembership] = []
    public var suppressions: [SuppressionFact] = []
    public var dnc = false
    public var sends: [SendFact] = []
    public var requests: [RequestFact] = []
    public var explanation: [String: String] = [:]

    public struct ListMembership: Sendable, Codable {
        public var list: String
        public var source: String?
        public var file: String
        public var line: Int
        public var importedAt: String
        public var basis: String
        public var status: String
        public var consent: ConsentFact?

        enum CodingKeys: String, CodingKey {
            case list, source, file, line, basis, status, consent
            case importedAt = "imported_at"
        }
    }

    public struct ConsentFact: Sendable, Codable {
        public var channels: [String]
        public var at: String
        public var method: String?
        public var text: String?
    }

    public struct SuppressionFact: Sendable, Codable {
        public var channel: String
        public var purpose: String
        public var reason: String
        public var since: String
        public var requestID: String?
        public var liftedAt: String?

        enum CodingKeys: String, CodingKey {
            case channel, purpose, reason, since
            case requestID = "request_id"
            case liftedAt = "lifted_at"
        }
    }

    public struct SendFact: Sendable, Codable {
        public var campaign: String
        public var channel: String
        public var purpose: String
        public var sentAt: String
        public var delivered: Bool
        public var planned: Bool
        public var error: String?
        public var signal: String?
        public var afterSuppression: Bool

        enum CodingKeys: String, CodingKey {
            case campaign, channel, purpose, delivered, planned, error, signal
            case sentAt = "sent_at"
            case afterSuppression = "after_suppression"
        }
    }

    public struct RequestFact: Sendable, Codable {
        public var id: String
        public var type: String
        public var state: String
    }
}

/// `violations`: delivered marketing sends made after a matching suppression, or to a Do-Not-Call number.
public struct Violation: Sendable, Codable {
    public var identifier: String
    public var campaign: String
    public var channel: String
    public var purpose: String
    public var sentAt: String
    public var rule: String
    public var requestID: String?

    enum CodingKeys: String, CodingKey {
        case identifier, campaign, channel, purpose, rule
        case sentAt = "sent_at"
        case requestID = "request_id"
    }
}

extension RightsStore {
    /// Traces an identifier through lists, sources, consents, sends, suppressions and requests.
    public func why(_ identifier: Identifier, now: Date) throws -> WhyAnswer {
        try read { db in
            let hash = Data(hasher.hash(identifier))
            var answer = WhyAnswer(identifier: identifier.normalized)
            let suppressionRows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM suppressions WHERE id_hash = ? ORDER BY since"),
                arguments: [hash])
            answer.suppressions = suppressionRows.map { row in
                WhyAnswer.SuppressionFact(
                    channel: row["channel"], purpose: row["purpose"], reason: row["reason"],
                    since: Timestamp.vietnam(Timestamp.date(milliseconds: row["since"])), requestID: row["request_id"],
                    liftedAt: (row["lifted_at"] as Int64?).map { Timestamp.vietnam(Timestamp.date(milliseconds: $0)) })
            }
            let entries = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT e.id, e.key_hash, e.others, e.line, l.name, i.source, i.file_name, i.imported_at, i.basis,
                            i.id AS import_id
                        FROM entries e JOIN lists l ON l.id = e.list_id JOIN imports i ON i.id = e.import_id
                        WHERE e.id IN (SELECT id FROM entries WHERE key_hash = ?1
                                       UNION SELECT entry_id FROM entry_identifiers WHERE id_hash = ?1)
                        ORDER BY i.imported_at, l.name
                        """), arguments: [hash])
            let facts = ContactFactsQuery(db, at: now, dncVersion: nil)
            for row in entries {
                let hashes = [Array(row["key_hash"] as Data)] + EntryHashes.split(row["others"])
                let active = try facts.facts(hashes: hashes).suppressions
                let consentRows = try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT c.channel, c.at, c.method, t.text FROM consent_events c
                            LEFT JOIN consent_texts t ON t.id = c.text_id
                            WHERE c.import_id = ? AND c.line = ? AND c.kind = 'grant' ORDER BY c.channel
                            """), arguments: [row["import_id"] as Int64, row["line"] as Int])
                let consent = consentRows.first.map { first in
                    WhyAnswer.ConsentFact(
                        channels: consentRows.map { $0["channel"] },
                        at: Timestamp.vietnam(Timestamp.date(milliseconds: first["at"])), method: first["method"],
                        text: first["text"])
                }
                answer.lists.append(
                    WhyAnswer.ListMembership(
                        list: row["name"], source: row["source"], file: row["file_name"], line: row["line"],
                        importedAt: Timestamp.vietnam(Timestamp.date(milliseconds: row["imported_at"])),
                        basis: row["basis"], status: active.isEmpty ? "active" : "suppressed", consent: consent))
            }
            if let version = try doNotCallVersion(at: now, db) {
                answer.dnc = try DoNotCallBlocks.contains(hasher.key(identifier.normalized), version: version, db)
            }
            let sends = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM sends WHERE id_hash = ? ORDER BY sent_at, id"), arguments: [hash]
            )
            for row in sends {
                let sentAt: Int64 = row["sent_at"]
                let channel: String = row["channel"]
                let purpose: String = row["purpose"]
                let after = suppressionRows.contains { suppression in
                    (suppression["since"] as Int64) <= sentAt
                        && ((suppression["lifted_at"] as Int64?).map { $0 > sentAt } ?? true)
                        && ["any", channel].contains(suppression["channel"] as String)
                        && (purpose == "marketing" || (suppression["purpose"] as String) == "all")
                }
                let error: String? = row["error"]
                answer.sends.append(
                    WhyAnswer.SendFact(
                        campaign: row["campaign"], channel: channel, purpose: purpose,
                        sentAt: Timestamp.vietnam(Timestamp.date(milliseconds: sentAt)), delivered: row["delivered"],
                        planned: row["planned"], error: error, signal: Self.signal(error), afterSuppression: after))
            }
            answer.requests = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT DISTINCT r.id, r.type, r.state FROM request_subjects s JOIN requests r ON r.id = s.request_id
                        WHERE s.id_hash = ? ORDER BY r.received_at
                        """), arguments: [hash]
            ).map { WhyAnswer.RequestFact(id: $0["id"], type: $0["type"], state: $0["state"]) }
            answer.explanation = WhyExplanation.text(answer)
            return answer
        }
    }

    /// Every delivered marketing send that broke a suppression in force at its time, or went to a number on the
    /// Do-Not-Call version then in force.
    public func violations() throws -> [Violation] {
        try read { db in
            var found: [Violation] = []
            let sends = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, id_hash, normalized, campaign, channel, purpose, sent_at FROM sends
                        WHERE delivered = 1 AND purpose = 'marketing' ORDER BY sent_at, id
                        """))
            for send in sends {
                let sentAt: Int64 = send["sent_at"]
                let channel: String = send["channel"]
                func violation(_ rule: String, _ request: String?) -> Violation {
                    Violation(
                        identifier: send["normalized"], campaign: send["campaign"], channel: channel,
                        purpose: send["purpose"], sentAt: Timestamp.vietnam(Timestamp.date(milliseconds: sentAt)),
                        rule: rule, requestID: request)
                }
                if let suppression = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT request_id FROM suppressions
                            WHERE id_hash = ? AND since <= ? AND (lifted_at IS NULL OR lifted_at > ?)
                                AND channel IN ('any', ?) ORDER BY since LIMIT 1
                            """), arguments: [send["id_hash"] as Data, sentAt, sentAt, channel])
                {
                    found.append(violation("SUPPRESSED", suppression["request_id"]))
                    continue
                }
                guard channel != "email", (send["normalized"] as String).hasPrefix("+"),
                    let version = try doNotCallVersion(at: Timestamp.date(milliseconds: sentAt), db)
                else { continue }
                guard let key = HashKey([UInt8](send["id_hash"] as Data)) else { continue }
                if try DoNotCallBlocks.contains(key, version: version, db) { found.append(violation("DNC", nil)) }
            }
            return found
        }
    }

    /// How a provider error reads: ZNS -114 is a soft refusal signal, -118 an unreachable channel; neither is an
    /// opt-out, and neither may be reported to a regulator as one (RULES-VN.md §5).
    static func signal(_ error: String?) -> String? {
        switch error?.trimmingWhitespace() {
        case nil, "", "0": nil
        case "-114": "soft-refusal-or-inactive"
        case "-118": "unreachable"
        default: "not-delivered"
        }
    }
}
