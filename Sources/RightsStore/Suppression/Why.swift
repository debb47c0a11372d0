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

extension WhyAnswer {
    /// The answer as JSON, the same members as its `Codable` form (absent optionals left out), built without an
    /// encoder: the desk's busiest route writes it thousands of times a second.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "identifier": .string(identifier), "dnc": .bool(dnc),
            "explanation": .object(explanation.mapValues(JSONValue.string)),
        ]
        object["lists"] = .array(
            lists.map { list in
                var member: [String: JSONValue] = [
                    "list": .string(list.list), "file": .string(list.file), "line": .int(list.line),
                    "imported_at": .string(list.importedAt), "basis": .string(list.basis),
                    "status": .string(list.status),
                ]
                member["source"] = list.source.map(JSONValue.string)
                member["consent"] = list.consent.map { consent in
                    var fact: [String: JSONValue] = [
                        "channels": .array(consent.channels.map(JSONValue.string)), "at": .string(consent.at),
                    ]
                    fact["method"] = consent.method.map(JSONValue.string)
                    fact["text"] = consent.text.map(JSONValue.string)
                    return .object(fact)
                }
                return .object(member)
            })
        object["suppressions"] = .array(
            suppressions.map { suppression in
                var member: [String: JSONValue] = [
                    "channel": .string(suppression.channel), "purpose": .string(suppression.purpose),
                    "reason": .string(suppression.reason), "since": .string(suppression.since),
                ]
                member["request_id"] = suppression.requestID.map(JSONValue.string)
                member["lifted_at"] = suppression.liftedAt.map(JSONValue.string)
                return .object(member)
            })
        object["sends"] = .array(
            sends.map { send in
                var member: [String: JSONValue] = [
                    "campaign": .string(send.campaign), "channel": .string(send.channel),
                    "purpose": .string(send.purpose), "sent_at": .string(send.sentAt),
                    "delivered": .bool(send.delivered),
                    "planned": .bool(send.planned), "after_suppression": .bool(send.afterSuppression),
                ]
                member["error"] = send.error.map(JSONValue.string)
                member["signal"] = send.signal.map(JSONValue.string)
                return .object(member)
            })
        object["requests"] = .array(
            requests.map { .object(["id": .string($0.id), "type": .string($0.type), "state": .string($0.state)]) })
        return .object(object)
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
        try snapshotRead { db in
            let hash = Data(hasher.hash(identifier))
            let instant = Timestamp.milliseconds(now)
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
            // Every list row that carries the identifier, as its key or beside it, with the consents its line gave,
            // in one statement: a row per consent channel. Sorting and grouping happen here rather than in temporary
            // B-trees, which cost more than the lookups themselves at 10M entries.
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT e.id, e.key_hash, e.others, e.line, l.name, i.source, i.file_name, i.imported_at, i.basis,
                            c.channel, c.at, c.method, t.text
                        FROM entries e JOIN lists l ON l.id = e.list_id JOIN imports i ON i.id = e.import_id
                        LEFT JOIN consent_events c ON c.import_id = e.import_id AND c.line = e.line AND c.kind = 'grant'
                        LEFT JOIN consent_texts t ON t.id = c.text_id
                        WHERE e.key_hash = ?1
                        UNION ALL
                        SELECT e.id, e.key_hash, e.others, e.line, l.name, i.source, i.file_name, i.imported_at, i.basis,
                            c.channel, c.at, c.method, t.text
                        FROM entry_identifiers x JOIN entries e ON e.id = x.entry_id
                        JOIN lists l ON l.id = e.list_id JOIN imports i ON i.id = e.import_id
                        LEFT JOIN consent_events c ON c.import_id = e.import_id AND c.line = e.line AND c.kind = 'grant'
                        LEFT JOIN consent_texts t ON t.id = c.text_id
                        WHERE x.id_hash = ?1 AND e.key_hash <> ?1
                        """), arguments: [hash])
            var entries: [(first: Row, consents: [Row])] = []
            var position: [Int64: Int] = [:]
            for row in rows {
                let id: Int64 = row["id"]
                if let index = position[id] {
                    if (row["channel"] as String?) != nil { entries[index].consents.append(row) }
                } else {
                    position[id] = entries.count
                    entries.append((row, (row["channel"] as String?) == nil ? [] : [row]))
                }
            }
            entries.sort { a, b in
                (a.first["imported_at"] as Int64, a.first["name"] as String, a.first["id"] as Int64)
                    < (b.first["imported_at"] as Int64, b.first["name"] as String, b.first["id"] as Int64)
            }
            // An entry is suppressed when a suppression is in force for any identifier on its row. The looked-up
            // identifier's suppressions are read above; the row's other identifiers (an email beside the number) are
            // read together, once.
            let entryHashes = entries.map { entry in
                [entry.first["key_hash"] as Data] + EntryHashes.split(entry.first["others"]).map { Data($0) }
            }
            var suppressed = Set<Data>()
            if suppressionRows.contains(where: { Self.inForce($0, at: instant) }) { suppressed.insert(hash) }
            let others = Set(entryHashes.joined()).subtracting([hash])
            if !others.isEmpty {
                let placeholders = Array(repeating: "?", count: others.count).joined(separator: ", ")
                let rows = try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT DISTINCT id_hash FROM suppressions
                            WHERE id_hash IN (\(placeholders)) AND since <= ? AND (lifted_at IS NULL OR lifted_at > ?)
                            """),
                    arguments: StatementArguments(others.map(\.databaseValue) + [instant, instant]))
                for row in rows { suppressed.insert(row["id_hash"]) }
            }
            for (entry, hashes) in zip(entries, entryHashes) {
                let row = entry.first
                let consentRows = entry.consents.sorted { ($0["channel"] as String) < ($1["channel"] as String) }
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
                        basis: row["basis"],
                        status: hashes.contains(where: suppressed.contains) ? "suppressed" : "active",
                        consent: consent))
            }
            if let version = try doNotCallVersion(at: now, db) {
                answer.dnc = try DoNotCallBlocks.contains(hasher.key(identifier.normalized), version: version, db)
            }
            let sends = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM sends WHERE id_hash = ?"), arguments: [hash]
            ).sorted { a, b in
                let (x, y) = ((a["sent_at"] as Int64), (b["sent_at"] as Int64))
                return x != y ? x < y : (a["id"] as Int64) < (b["id"] as Int64)
            }
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
            var requestIDs = Set<String>()
            answer.requests = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT r.id, r.type, r.state, r.received_at FROM request_subjects s
                        JOIN requests r ON r.id = s.request_id WHERE s.id_hash = ?
                        """), arguments: [hash]
            )
            .filter { requestIDs.insert($0["id"]).inserted }
            .sorted {
                ($0["received_at"] as Int64, $0["id"] as String) < ($1["received_at"] as Int64, $1["id"] as String)
            }
            .map { WhyAnswer.RequestFact(id: $0["id"], type: $0["type"], state: $0["state"]) }
            answer.explanation = WhyExplanation.text(answer)
            return answer
        }
    }

    /// Whether a suppression row is in force at an instant: begun, and not (yet) lifted.
    private static func inForce(_ row: Row, at instant: Int64) -> Bool {
        (row["since"] as Int64) <= instant && ((row["lifted_at"] as Int64?).map { $0 > instant } ?? true)
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
