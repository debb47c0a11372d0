import Foundation
import GRDB
import RightsCore

/// `why ID`: everything that explains a message to this person, in the contract's shape.
public struct WhyAnswer: Sendable, Codable {
    public var identifier: String
    /// Every identifier of the person, the one asked about first (CONTRACT.md "One person, several identifiers");
    /// an identifier whose plain form is no longer held (erased) shows as null.
    public var identifiers: [PersonIdentifier] = []
    /// Whether marketing may reach the person now, channel by channel, as the gate would decide it.
    public var channels: [ChannelStatus] = []
    public var lists: [ListMembership] = []
    public var suppressions: [SuppressionFact] = []
    public var dnc = false
    /// How the number is registered on the Do-Not-Call list in force (`sms`, `call`, `both`), when it is.
    public var dncKind: String?
    public var sends: [SendFact] = []
    public var requests: [RequestFact] = []
    public var explanation: [String: String] = [:]

    enum CodingKeys: String, CodingKey {
        case identifier, identifiers, channels, lists, suppressions, dnc, sends, requests, explanation
        case dncKind = "dnc_kind"
    }

    public struct PersonIdentifier: Sendable, Codable {
        public var identifier: String?
        public var kind: String
    }

    /// The gate's verdict for a marketing message on one channel to the identifier asked about.
    public struct ChannelStatus: Sendable, Codable {
        public var channel: String
        public var allowed: Bool
        /// The first reason the gate would give (`SUPPRESSED`, `DNC`, `NO_CONSENT`), or nil when allowed.
        public var reason: String?
        /// When the suppression that stops this channel began, for `SUPPRESSED`.
        public var since: String?
        /// Since when the person consented on this channel, when they did.
        public var consentAt: String?

        public init(
            channel: String, allowed: Bool, reason: String? = nil, since: String? = nil, consentAt: String? = nil
        ) {
            self.channel = channel
            self.allowed = allowed
            self.reason = reason
            self.since = since
            self.consentAt = consentAt
        }

        enum CodingKeys: String, CodingKey {
            case channel, allowed, reason, since
            case consentAt = "consent_at"
        }
    }

    public struct ListMembership: Sendable, Codable {
        /// The identifier of the person that this list row carries as its key.
        public var identifier: String
        public var list: String
        public var source: String?
        public var file: String
        public var line: Int
        public var importedAt: String
        public var basis: String
        public var status: String
        public var consent: ConsentFact?

        enum CodingKeys: String, CodingKey {
            case identifier, list, source, file, line, basis, status, consent
            case importedAt = "imported_at"
        }

        /// As synthesised, but `source` and `consent` are null when absent: the contract names both keys.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(identifier, forKey: .identifier)
            try container.encode(list, forKey: .list)
            try container.encode(source, forKey: .source)
            try container.encode(file, forKey: .file)
            try container.encode(line, forKey: .line)
            try container.encode(importedAt, forKey: .importedAt)
            try container.encode(basis, forKey: .basis)
            try container.encode(status, forKey: .status)
            try container.encode(consent, forKey: .consent)
        }
    }

    public struct ConsentFact: Sendable, Codable {
        public var channels: [String]
        public var at: String
        public var method: String?
        public var text: String?
    }

    public struct SuppressionFact: Sendable, Codable {
        /// Which identifier of the person is suppressed (null when its plain form was erased).
        public var identifier: String?
        public var channel: String
        public var purpose: String
        public var reason: String
        public var since: String
        public var requestID: String?
        public var liftedAt: String?

        enum CodingKeys: String, CodingKey {
            case identifier, channel, purpose, reason, since
            case requestID = "request_id"
            case liftedAt = "lifted_at"
        }

        /// As synthesised, but `request_id` is null when absent: the contract names the key.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(identifier, forKey: .identifier)
            try container.encode(channel, forKey: .channel)
            try container.encode(purpose, forKey: .purpose)
            try container.encode(reason, forKey: .reason)
            try container.encode(since, forKey: .since)
            try container.encode(requestID, forKey: .requestID)
            try container.encodeIfPresent(liftedAt, forKey: .liftedAt)
        }
    }

    public struct SendFact: Sendable, Codable {
        public var identifier: String
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
            case identifier, campaign, channel, purpose, delivered, planned, error, signal
            case sentAt = "sent_at"
            case afterSuppression = "after_suppression"
        }
    }

    public struct RequestFact: Sendable, Codable {
        public var id: String
        public var type: String
        public var state: String
        /// The identifier of the person the request names.
        public var identifier: String
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
        object["dnc_kind"] = dncKind.map(JSONValue.string)
        object["identifiers"] = .array(
            identifiers.map { person in
                var member: [String: JSONValue] = ["kind": .string(person.kind)]
                member["identifier"] = person.identifier.map(JSONValue.string)
                return .object(member)
            })
        object["channels"] = .array(
            channels.map { status in
                var member: [String: JSONValue] = [
                    "channel": .string(status.channel), "allowed": .bool(status.allowed),
                ]
                member["reason"] = status.reason.map(JSONValue.string)
                member["since"] = status.since.map(JSONValue.string)
                member["consent_at"] = status.consentAt.map(JSONValue.string)
                return .object(member)
            })
        object["lists"] = .array(
            lists.map { list in
                var member: [String: JSONValue] = [
                    "identifier": .string(list.identifier), "list": .string(list.list), "file": .string(list.file),
                    "line": .int(list.line),
                    "imported_at": .string(list.importedAt), "basis": .string(list.basis),
                    "status": .string(list.status),
                ]
                // The contract's keys are always there, null when the import named no source or no consent.
                member["source"] = .optional(list.source)
                member["consent"] =
                    list.consent.map { consent in
                        var fact: [String: JSONValue] = [
                            "channels": .array(consent.channels.map(JSONValue.string)), "at": .string(consent.at),
                        ]
                        fact["method"] = consent.method.map(JSONValue.string)
                        fact["text"] = consent.text.map(JSONValue.string)
                        return .object(fact)
                    } ?? .null
                return .object(member)
            })
        object["suppressions"] = .array(
            suppressions.map { suppression in
                var member: [String: JSONValue] = [
                    "channel": .string(suppression.channel), "purpose": .string(suppression.purpose),
                    "reason": .string(suppression.reason), "since": .string(suppression.since),
                ]
                member["identifier"] = suppression.identifier.map(JSONValue.string)
                member["request_id"] = .optional(suppression.requestID)
                member["lifted_at"] = suppression.liftedAt.map(JSONValue.string)
                return .object(member)
            })
        object["sends"] = .array(
            sends.map { send in
                var member: [String: JSONValue] = [
                    "identifier": .string(send.identifier), "campaign": .string(send.campaign),
                    "channel": .string(send.channel),
                    "purpose": .string(send.purpose), "sent_at": .string(send.sentAt),
                    "delivered": .bool(send.delivered),
                    "planned": .bool(send.planned), "after_suppression": .bool(send.afterSuppression),
                ]
                member["error"] = send.error.map(JSONValue.string)
                member["signal"] = send.signal.map(JSONValue.string)
                return .object(member)
            })
        object["requests"] = .array(
            requests.map {
                .object([
                    "id": .string($0.id), "type": .string($0.type), "state": .string($0.state),
                    "identifier": .string($0.identifier),
                ])
            })
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
    /// Traces a person — the identifier asked about and every identifier linked to it — through lists, sources,
    /// consents, sends, suppressions and requests, each fact naming the identifier it concerns, and says channel
    /// by channel whether marketing may reach them now, as the gate decides it.
    public func why(_ identifier: Identifier, now: Date) throws -> WhyAnswer {
        try snapshotRead { db in
            let asked = PersonLinks.Member(identifier, hasher)
            let person = try PersonLinks.person(of: [asked], db)
            let hashes = person.map { Data($0.key.bytes) }
            let plain = try plainForms(person, asked: (asked.key, identifier.normalized), db)
            let instant = Timestamp.milliseconds(now)
            var answer = WhyAnswer(identifier: identifier.normalized)
            answer.identifiers = person.map {
                WhyAnswer.PersonIdentifier(identifier: plain[$0.key], kind: $0.kind.rawValue)
            }
            func name(_ hash: Data) -> String? { HashKey([UInt8](hash)).flatMap { plain[$0] } }
            let placeholders = Array(repeating: "?", count: hashes.count).joined(separator: ", ")
            let everyHash = StatementArguments(hashes.map(\.databaseValue))
            let suppressionRows = try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT * FROM suppressions WHERE id_hash IN (\(placeholders)) ORDER BY since, id"),
                arguments: everyHash)
            answer.suppressions = suppressionRows.map { row in
                WhyAnswer.SuppressionFact(
                    identifier: name(row["id_hash"]), channel: row["channel"], purpose: row["purpose"],
                    reason: row["reason"], since: Timestamp.vietnam(Timestamp.date(milliseconds: row["since"])),
                    requestID: row["request_id"],
                    liftedAt: (row["lifted_at"] as Int64?).map { Timestamp.vietnam(Timestamp.date(milliseconds: $0)) })
            }
            // Every list row that carries an identifier of the person, as its key or beside it, in one statement per
            // identifier; then the consents its line gave, found through the row's own identifiers (a consent is
            // recorded on the identifier of its channel), a row per channel. Sorting and grouping happen here rather
            // than in temporary B-trees, which cost more than the lookups at 10M entries.
            var entries: [(first: Row, consents: [Row])] = []
            var seenEntries = Set<Int64>()
            let lineConsents = try db.cachedStatement(
                sql: """
                    SELECT c.channel, c.at, c.method, t.text
                    FROM consent_events c LEFT JOIN consent_texts t ON t.id = c.text_id
                    WHERE c.id_hash = ?1 AND c.import_id = ?2 AND c.line = ?3 AND c.kind = 'grant'
                    """)
            for hash in hashes {
                let rows = try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT e.id, e.key_hash, e.others, e.normalized, e.line, e.import_id, l.name, i.source,
                                i.file_name, i.imported_at, i.basis
                            FROM entries e JOIN lists l ON l.id = e.list_id JOIN imports i ON i.id = e.import_id
                            WHERE e.key_hash = ?1 AND NOT i.pending
                            UNION ALL
                            SELECT e.id, e.key_hash, e.others, e.normalized, e.line, e.import_id, l.name, i.source,
                                i.file_name, i.imported_at, i.basis
                            FROM entry_identifiers x JOIN entries e ON e.id = x.entry_id
                            JOIN lists l ON l.id = e.list_id JOIN imports i ON i.id = e.import_id
                            WHERE x.id_hash = ?1 AND e.key_hash <> ?1 AND NOT i.pending
                            """), arguments: [hash])
                for row in rows where seenEntries.insert(row["id"]).inserted {
                    let rowHashes = Set([row["key_hash"] as Data] + EntryHashes.split(row["others"]).map { Data($0) })
                    var consents: [Row] = []
                    for rowHash in rowHashes {
                        consents += try Row.fetchAll(
                            lineConsents, arguments: [rowHash, row["import_id"] as Int64, row["line"] as Int64])
                    }
                    entries.append((row, consents))
                }
            }
            entries.sort { a, b in
                (a.first["imported_at"] as Int64, a.first["name"] as String, a.first["id"] as Int64)
                    < (b.first["imported_at"] as Int64, b.first["name"] as String, b.first["id"] as Int64)
            }
            // A row is suppressed when a suppression is in force for any identifier of the person: they are one
            // person, and every identifier on the row is linked to them.
            let personSuppressed = suppressionRows.contains { ContactFactsQuery.inForce($0, at: instant) }
            for entry in entries {
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
                        identifier: row["normalized"], list: row["name"], source: row["source"], file: row["file_name"],
                        line: row["line"],
                        importedAt: Timestamp.vietnam(Timestamp.date(milliseconds: row["imported_at"])),
                        basis: row["basis"], status: personSuppressed ? "suppressed" : "active", consent: consent))
            }
            let dncVersion = try doNotCallVersion(at: now, db)
            var askedKind: DoNotCallKind?
            if let dncVersion {
                askedKind = try DoNotCallBlocks.kind(of: asked.key, version: dncVersion, db)
                answer.dnc = askedKind != nil
                answer.dncKind = askedKind?.rawValue
            }
            answer.channels = try channelStatus(
                asked, person: person, suppressions: suppressionRows, askedDNC: askedKind, dncVersion: dncVersion,
                now: now, db)
            let sends = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM sends WHERE id_hash IN (\(placeholders))"), arguments: everyHash
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
                        identifier: row["normalized"], campaign: row["campaign"], channel: channel, purpose: purpose,
                        sentAt: Timestamp.vietnam(Timestamp.date(milliseconds: sentAt)), delivered: row["delivered"],
                        planned: row["planned"], error: error, signal: Self.signal(error), afterSuppression: after))
            }
            var requestIDs = Set<String>()
            answer.requests = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT r.id, r.type, r.state, r.received_at, s.normalized FROM request_subjects s
                        JOIN requests r ON r.id = s.request_id WHERE s.id_hash IN (\(placeholders))
                        """), arguments: everyHash
            )
            .filter { requestIDs.insert($0["id"]).inserted }
            .sorted {
                ($0["received_at"] as Int64, $0["id"] as String) < ($1["received_at"] as Int64, $1["id"] as String)
            }
            .map {
                WhyAnswer.RequestFact(
                    id: $0["id"], type: $0["type"], state: $0["state"],
                    identifier: ($0["normalized"] as String?) ?? identifier.normalized)
            }
            answer.explanation = WhyExplanation.text(answer)
            return answer
        }
    }

    /// The gate's verdict for marketing on each channel to `asked`, from the person's facts.
    private func channelStatus(
        _ asked: PersonLinks.Member, person: [PersonLinks.Member], suppressions: [Row], askedDNC: DoNotCallKind?,
        dncVersion: Int64?, now: Date, _ db: Database
    ) throws -> [WhyAnswer.ChannelStatus] {
        // Each identifier's facts by the same reading as exports use, from the suppressions already read: the
        // desk's busiest route must not read them twice.
        let instant = Timestamp.milliseconds(now)
        let query = ContactFactsQuery(db, at: now, dncVersion: dncVersion)
        let keys = person.map(\.key)
        let ledger = try query.currentConsents(keys)
        let facts = try query.facts(
            of: keys, suppressions: suppressions, consents: ledger, knownDoNotCall: [asked.key: askedDNC])
        let consentAt = (ledger[asked.key] ?? [:]).compactMapValues { $0.granted ? $0.at : nil }
        let recipient = [LinkedFacts(kind: asked.kind, facts: facts[asked.key] ?? ContactFacts())]
        let linked = person.filter { $0.key != asked.key }.map {
            LinkedFacts(kind: $0.kind, facts: facts[$0.key] ?? ContactFacts())
        }
        return Channel.allCases.map { channel in
            let person = ContactFacts.person(recipient: recipient, linked: linked, channel: channel)
            let reason = ContactDecision.exclusion(for: person, channel: channel, purpose: .marketing)
            let since = suppressions.filter { row in
                ContactFactsQuery.inForce(row, at: instant)
                    && ["any", channel.rawValue].contains(row["channel"] as String)
            }.map { $0["since"] as Int64 }.min()
            return WhyAnswer.ChannelStatus(
                channel: channel.rawValue, allowed: reason == nil, reason: reason?.rawValue,
                since: reason == .suppressed ? since.map { Timestamp.vietnam(Timestamp.date(milliseconds: $0)) } : nil,
                consentAt: consentAt[channel].map { Timestamp.vietnam(Timestamp.date(milliseconds: $0)) })
        }
    }

    /// The plain forms still held for the person's identifiers (list rows, requests, sends, suppressions by name,
    /// webhook texts); an identifier erased everywhere has none.
    func plainForms(_ person: [PersonLinks.Member], asked: (HashKey, String), _ db: Database) throws -> [HashKey:
        String]
    {
        var found: [HashKey: String] = [asked.0: asked.1]
        let sources = [
            "SELECT normalized FROM entries WHERE key_hash = ? LIMIT 1",
            "SELECT normalized FROM entry_identifiers WHERE id_hash = ? LIMIT 1",
            "SELECT normalized FROM request_subjects WHERE id_hash = ? LIMIT 1",
            "SELECT normalized FROM suppressed_contacts WHERE id_hash = ?",
            "SELECT normalized FROM sends WHERE id_hash = ? LIMIT 1",
        ]
        for member in person where found[member.key] == nil {
            for sql in sources {
                if let text = try String.fetchOne(db.cachedStatement(sql: sql), arguments: [Data(member.key.bytes)]),
                    !text.isEmpty
                {
                    found[member.key] = text
                    break
                }
            }
        }
        return found
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
                // A suppression of any identifier of the person held for this send too.
                let normalized: String = send["normalized"]
                let kind: Identifier.Kind =
                    normalized.hasPrefix("zalo:") ? .zalo : normalized.hasPrefix("+") ? .phone : .email
                guard let key = HashKey([UInt8](send["id_hash"] as Data)) else { continue }
                let person = try PersonLinks.person(of: [PersonLinks.Member(key: key, kind: kind)], db)
                let placeholders = Array(repeating: "?", count: person.count).joined(separator: ", ")
                if let suppression = try Row.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT request_id FROM suppressions
                            WHERE id_hash IN (\(placeholders)) AND since <= ? AND (lifted_at IS NULL OR lifted_at > ?)
                                AND channel IN ('any', ?) ORDER BY since LIMIT 1
                            """),
                    arguments: StatementArguments(
                        person.map { Data($0.key.bytes).databaseValue } + [
                            sentAt.databaseValue, sentAt.databaseValue, channel.databaseValue,
                        ]))
                {
                    found.append(violation("SUPPRESSED", suppression["request_id"]))
                    continue
                }
                guard channel != "email", (send["normalized"] as String).hasPrefix("+"),
                    let version = try doNotCallVersion(at: Timestamp.date(milliseconds: sentAt), db)
                else { continue }
                let kinds = Channel(rawValue: channel).map(DoNotCallKind.kinds(stopping:)) ?? DoNotCallKind.allCases
                if try DoNotCallBlocks.kind(of: key, version: version, among: kinds, db) != nil {
                    found.append(violation("DNC", nil))
                }
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
