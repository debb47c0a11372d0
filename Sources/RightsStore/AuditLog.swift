import Foundation
import GRDB
import RightsCore

/// One event of the chain as `audit log` reads it back: what happened, when, by whom, to which request.
public struct AuditLogEntry: Sendable, Codable, Equatable {
    public var seq: Int64
    public var at: String
    public var kind: String
    public var actor: String
    public var requestID: String?
    /// The event's plain fields in one line (`type=access, channel=phone`): never the sealed personal data.
    public var summary: String

    enum CodingKeys: String, CodingKey {
        case seq, at, kind, actor, summary
        case requestID = "request_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(seq, forKey: .seq)
        try container.encode(at, forKey: .at)
        try container.encode(kind, forKey: .kind)
        try container.encode(actor, forKey: .actor)
        try container.encode(requestID, forKey: .requestID)
        try container.encode(summary, forKey: .summary)
    }
}

/// `audit log` filters, combined with AND.
public struct AuditLogFilter: Sendable {
    public var requestID: String?
    /// Vietnam dates, inclusive.
    public var from: LocalDate?
    public var through: LocalDate?
    /// An event kind (`request.new`) or its family (`request`).
    public var kind: String?
    public var limit: Int
    /// The `limit` newest events instead of the oldest (still returned oldest first).
    public var newestFirst: Bool

    public init(
        requestID: String? = nil, from: LocalDate? = nil, through: LocalDate? = nil, kind: String? = nil,
        limit: Int = 10_000, newestFirst: Bool = false
    ) {
        self.requestID = requestID
        self.from = from
        self.through = through
        self.kind = kind
        self.limit = limit
        self.newestFirst = newestFirst
    }
}

/// One lookup of a person by staff on the desk.
public struct LookupEntry: Sendable, Codable, Equatable {
    public var at: String
    public var user: String
    public var kind: String
    /// The identifier looked up, masked (`+8491****678`) while a plain form is held; nil once the person is erased.
    public var identifier: String?

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(at, forKey: .at)
        try container.encode(user, forKey: .user)
        try container.encode(kind, forKey: .kind)
        try container.encode(identifier, forKey: .identifier)
    }

    enum CodingKeys: String, CodingKey { case at, user, kind, identifier }
}

extension RightsStore {
    /// The chain read back, newest last. Only plain payload fields are shown: what was sealed stays sealed (and is
    /// gone for a person erased).
    public func auditLog(_ filter: AuditLogFilter) throws -> [AuditLogEntry] {
        let events = try read { db -> [AuditEvent] in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let requestID = filter.requestID {
                // The payload is canonical JSON, so the request's id appears exactly in this form.
                conditions.append("instr(payload, ?) > 0")
                arguments.append("\"request_id\":\"\(requestID)\"")
            }
            if let kind = filter.kind {
                conditions.append("(kind = ? OR kind LIKE ?)")
                arguments += [kind, kind + ".%"]
            }
            // Times are written in Vietnam time with one offset, so a day's events sort between its date and the
            // next's as text; the exact day is checked again below.
            if let from = filter.from {
                conditions.append("at >= ?")
                arguments.append(from.description)
            }
            if let through = filter.through {
                conditions.append("at < ?")
                arguments.append(through.adding(days: 1).description)
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let order = filter.newestFirst ? "ORDER BY seq DESC LIMIT \(max(filter.limit, 0))" : "ORDER BY seq"
            let events = try Row.fetchAll(
                db, sql: "SELECT * FROM audit_events \(whereClause) \(order)",
                arguments: StatementArguments(arguments.map { $0.databaseValue })
            ).map(AuditEvent.init(row:))
            return filter.newestFirst ? events.reversed() : events
        }
        var entries: [AuditLogEntry] = []
        for event in events {
            if filter.from != nil || filter.through != nil {
                guard let instant = Timestamp.parse(event.at) else { continue }
                let day = VietnamTime.date(of: instant)
                if let from = filter.from, day < from { continue }
                if let through = filter.through, day > through { continue }
            }
            var fields: [String: JSONValue] = [:]
            if case .object(let object)? = try? JSONValue(parsing: Array(event.payload.utf8)) { fields = object }
            var requestID: String?
            if case .string(let id)? = fields["request_id"] { requestID = id }
            let summary = fields.keys.sorted().filter { $0 != "request_id" }.compactMap { key -> String? in
                switch fields[key] {
                case .string(let text)?: return "\(key)=\(text.count > 80 ? String(text.prefix(77)) + "…" : text)"
                case .int(let number)?: return "\(key)=\(number)"
                case .bool(let flag)?: return "\(key)=\(flag)"
                case .array(let items)?: return "\(key)=[\(items.count)]"
                default: return nil
                }
            }.joined(separator: ", ")
            entries.append(
                AuditLogEntry(
                    seq: event.seq, at: event.at, kind: event.kind, actor: event.actor, requestID: requestID,
                    summary: summary))
            if entries.count >= filter.limit { break }
        }
        return entries
    }

    /// Who looked up whom on the desk (the `limit` newest), oldest first.
    public func lookups(limit: Int = 10_000) throws -> [LookupEntry] {
        try read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT user, kind, id_hash, at FROM lookups ORDER BY at DESC, id DESC LIMIT ?",
                arguments: [limit])
            return try rows.reversed().map { row in
                var identifier: String?
                if let hash = row["id_hash"] as Data?, let key = HashKey([UInt8](hash)) {
                    let member = PersonLinks.Member(key: key, kind: .phone)
                    identifier = try plainForms([member], asked: (HashKey.zero, ""), db)[key].flatMap {
                        $0.isEmpty || $0 == "erased" ? nil : MaskedIdentifier.mask($0)
                    }
                }
                return LookupEntry(
                    at: Timestamp.vietnam(Timestamp.date(milliseconds: row["at"])), user: row["user"],
                    kind: row["kind"], identifier: identifier)
            }
        }
    }
}

extension RightsStore {
    /// Records that the staff digest went out (counts only, no names), and on which Vietnam day.
    public func recordDigest(
        recipients: Int, acknowledgements: Int, overdue: Int, dueSoon: Int, actor: String, now: Date
    ) throws {
        try perform(actor: actor, at: now) { db in
            try db.execute(
                sql: """
                    INSERT INTO meta(key, value) VALUES ('digest_last_day', ?)
                    ON CONFLICT(key) DO UPDATE SET value = excluded.value
                    """, arguments: [VietnamTime.date(of: now).description])
            return (
                (),
                AuditDraft(
                    kind: "digest.sent",
                    payload: [
                        "recipients": .int(Int64(recipients)), "acknowledgements": .int(Int64(acknowledgements)),
                        "overdue": .int(Int64(overdue)), "due_soon": .int(Int64(dueSoon)),
                    ])
            )
        }
    }

    /// The Vietnam day the digest last went out, if ever.
    public func lastDigestDay() throws -> LocalDate? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'digest_last_day'").flatMap(LocalDate.init)
        }
    }
}
