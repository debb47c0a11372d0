import Foundation
import GRDB
import RightsCore

/// How a letter reaches the person: by mail to the request's email, or by Zalo OA message to its Zalo id.
public enum DeliveryChannel: String, Sendable, Codable, CaseIterable {
    case email
    case zalo
}

/// One message to deliver for a letter (a long letter over Zalo is several).
public struct NewDelivery: Sendable, Equatable {
    public var channel: DeliveryChannel
    /// The email address, or the Zalo user id.
    public var recipient: String
    public var subject: String?
    public var body: String
    public var html: String?

    public init(channel: DeliveryChannel, recipient: String, subject: String? = nil, body: String, html: String? = nil)
    {
        self.channel = channel
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.html = html
    }
}

/// A delivery claimed for one attempt: no other process attempts it until the lease ends.
public struct PendingDelivery: Sendable, Equatable {
    public var id: Int64
    public var requestID: String
    public var message: NewDelivery
    /// The same Message-ID for every attempt, so a receiving system can tell a retry from a second letter.
    public var messageID: String
    /// Attempts made before this one.
    public var attempts: Int
}

/// What one attempt came to.
public enum DeliveryResult: Sendable, Equatable {
    /// The server took it; its reply ("250 2.0.0 Ok: queued as …", Zalo's message id).
    case delivered(reply: String)
    /// It did not; tried again at `retryAt`, or never when nil (a permanent refusal, or too many attempts).
    case failed(reason: String, retryAt: Date?)
}

extension RightsStore {
    /// How long one attempt holds its delivery before another process may try it (a crash mid-attempt).
    public static let deliveryLease: TimeInterval = 5 * 60

    /// Records a letter as sent, with its exact text, and queues its deliveries in the same transaction: a letter
    /// recorded is queued, and a queued delivery has its letter. Returns the deliveries' ids.
    @discardableResult
    public func recordLetter(
        _ id: String, kind: String, language: String, text: String, deliveries: [NewDelivery], actor: String,
        now: Date
    ) throws -> [Int64] {
        try perform(actor: actor, at: now) { db in
            _ = try snapshot(id, db)
            try db.execute(
                sql: "INSERT INTO letters(request_id, kind, lang, text, sent_at, actor) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, kind, language, text, ms(now), actor])
            let letterID = db.lastInsertedRowID
            try addEvent(id, at: now, kind: "letter-sent", actor: actor, note: "\(kind) (\(language))", now: now, db)
            var queued: [Int64] = []
            for delivery in deliveries {
                let messageID = "<\(UUID().uuidString.lowercased())@rightsdesk>"
                try db.execute(
                    sql: """
                        INSERT INTO deliveries(request_id, letter_id, channel, recipient, subject, body, html,
                            message_id, state, attempts, next_attempt_at, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)
                        """,
                    arguments: [
                        id, letterID, delivery.channel.rawValue, delivery.recipient, delivery.subject, delivery.body,
                        delivery.html, messageID, ms(now), ms(now),
                    ])
                queued.append(db.lastInsertedRowID)
            }
            let subject = try Data.fetchOne(
                db, sql: "SELECT id_hash FROM request_subjects WHERE request_id = ? ORDER BY position", arguments: [id])
            let draft = AuditDraft(
                kind: "request.letter",
                payload: [
                    "request_id": .string(id), "kind": .string(kind), "lang": .string(language),
                    "text_sha256": .string(Digest.sha256Hex(text)),
                    "deliveries": .array(deliveries.map { .string($0.channel.rawValue) }),
                ],
                subject: subject.map { Array($0) }, pii: ["text": .string(text)])
            return (queued, draft)
        }
    }

    /// Claims the deliveries due at `now` (all of them, or only `ids`) for one attempt each.
    public func claimDeliveries(_ ids: [Int64]? = nil, now: Date, limit: Int = 50) throws -> [PendingDelivery] {
        try write { db in
            var sql = """
                SELECT id, request_id, channel, recipient, subject, body, html, message_id, attempts FROM deliveries
                WHERE state = 'pending' AND next_attempt_at <= ? AND (leased_until IS NULL OR leased_until <= ?)
                """
            var arguments: [DatabaseValueConvertible] = [ms(now), ms(now)]
            if let ids {
                guard !ids.isEmpty else { return [] }
                sql += " AND id IN (\(ids.map { _ in "?" }.joined(separator: ", ")))"
                arguments += ids.map { $0 as DatabaseValueConvertible }
            }
            sql += " ORDER BY next_attempt_at, id LIMIT \(limit)"
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
            var claimed: [PendingDelivery] = []
            for row in rows {
                try db.execute(
                    sql: "UPDATE deliveries SET leased_until = ? WHERE id = ?",
                    arguments: [ms(now.addingTimeInterval(Self.deliveryLease)), row["id"] as Int64])
                claimed.append(
                    PendingDelivery(
                        id: row["id"], requestID: row["request_id"],
                        message: NewDelivery(
                            channel: DeliveryChannel(rawValue: row["channel"]) ?? .email, recipient: row["recipient"],
                            subject: row["subject"], body: row["body"], html: row["html"]),
                        messageID: row["message_id"], attempts: row["attempts"]))
            }
            return claimed
        }
    }

    /// Records what an attempt came to: an event on the request (`letter-delivered` with the server's reply, or
    /// `letter-delivery-failed` with the reason) and on the chain. The address is not written into either.
    public func recordDelivery(_ id: Int64, _ result: DeliveryResult, actor: String, now: Date) throws {
        try perform(actor: actor, at: now) { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT request_id, channel, attempts, state FROM deliveries WHERE id = ?", arguments: [id]
                )
            else { throw StoreError.notFound(.delivery, "\(id)") }
            let requestID: String = row["request_id"]
            let channel: String = row["channel"]
            let attempt = (row["attempts"] as Int) + 1
            guard (row["state"] as String) == "pending" else {
                throw StoreError.refused("delivery \(id) is already \(row["state"] as String)")
            }
            let means = channel == "email" ? "by mail" : "by Zalo OA message"
            // A server's words may carry the address ("550 <lan@…>: no such user"): sealed with the person's data.
            let subject = try Data.fetchOne(
                db, sql: "SELECT id_hash FROM request_subjects WHERE request_id = ? ORDER BY position",
                arguments: [requestID]
            ).map { Array($0) }
            var payload: [String: JSONValue] = [
                "request_id": .string(requestID), "delivery": .int(id), "channel": .string(channel),
                "attempt": .int(attempt),
            ]
            switch result {
            case .delivered(let reply):
                try db.execute(
                    sql: """
                        UPDATE deliveries SET state = 'delivered', attempts = ?, reply = ?, delivered_at = ?,
                            leased_until = NULL, last_error = NULL
                        WHERE id = ?
                        """, arguments: [attempt, reply, ms(now), id])
                try addEvent(
                    requestID, at: now, kind: "letter-delivered", actor: actor, note: "\(means): \(reply)", now: now,
                    db)
                return (
                    (),
                    AuditDraft(
                        kind: "letter.delivered", payload: payload, subject: subject,
                        pii: .object(["reply": .string(reply)]))
                )
            case .failed(let reason, let retryAt):
                try db.execute(
                    sql: """
                        UPDATE deliveries SET state = ?, attempts = ?, last_error = ?, next_attempt_at = ?,
                            leased_until = NULL
                        WHERE id = ?
                        """,
                    arguments: [retryAt == nil ? "failed" : "pending", attempt, reason, ms(retryAt ?? now), id])
                let next = retryAt.map { "; next attempt \(Timestamp.vietnam($0))" } ?? "; not retried"
                try addEvent(
                    requestID, at: now, kind: "letter-delivery-failed", actor: actor,
                    note: "\(means): \(reason)\(next)",
                    now: now, db)
                payload["retry_at"] = .optional(retryAt.map { Timestamp.vietnam($0) })
                return (
                    (),
                    AuditDraft(
                        kind: "letter.delivery_failed", payload: payload, subject: subject,
                        pii: .object(["reason": .string(reason)]))
                )
            }
        }
    }

    /// Makes deliveries not yet delivered due now, failed ones included (`outbox retry`: the mail server or the
    /// token was fixed); returns how many.
    @discardableResult
    public func retryDeliveries(_ ids: [Int64]?, actor: String, now: Date) throws -> Int {
        try perform(actor: actor, at: now) { db in
            var sql = """
                UPDATE deliveries SET state = 'pending', next_attempt_at = ?, leased_until = NULL
                WHERE state <> 'delivered'
                """
            var arguments: [DatabaseValueConvertible] = [ms(now)]
            if let ids {
                sql += " AND id IN (\(ids.map { _ in "?" }.joined(separator: ", ")))"
                arguments += ids.map { $0 as DatabaseValueConvertible }
            }
            try db.execute(sql: sql, arguments: StatementArguments(arguments))
            let count = db.changesCount
            return (count, AuditDraft(kind: "outbox.retry", payload: ["deliveries": .int(count)]))
        }
    }

    /// Every delivery not yet delivered, oldest first, for `outbox list`.
    public func undeliveredDeliveries() throws -> [(requestID: String, status: DeliveryStatus)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, request_id FROM deliveries WHERE state <> 'delivered' ORDER BY id")
                .map { ($0["request_id"] as String, $0["id"] as Int64) }
        }.compactMap { requestID, id in
            try deliveries(of: requestID).first { $0.id == id }.map { (requestID, $0) }
        }
    }

    /// The deliveries of a request, oldest first: state, attempts and the last word from the server.
    public func deliveries(of requestID: String) throws -> [DeliveryStatus] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, channel, state, attempts, reply, last_error, next_attempt_at, delivered_at
                    FROM deliveries WHERE request_id = ? ORDER BY id
                    """, arguments: [requestID]
            ).map { row in
                DeliveryStatus(
                    id: row["id"], channel: row["channel"], state: row["state"], attempts: row["attempts"],
                    reply: row["reply"], lastError: row["last_error"],
                    nextAttemptAt: (row["state"] as String) == "pending"
                        ? Timestamp.vietnam(Timestamp.date(milliseconds: row["next_attempt_at"])) : nil,
                    deliveredAt: (row["delivered_at"] as Int64?).map {
                        Timestamp.vietnam(Timestamp.date(milliseconds: $0))
                    })
            }
        }
    }
}

/// `request show --json` → `"deliveries"`: how each message of the letters fared.
public struct DeliveryStatus: Sendable, Codable, Equatable {
    public var id: Int64
    public var channel: String
    public var state: String
    public var attempts: Int
    public var reply: String?
    public var lastError: String?
    public var nextAttemptAt: String?
    public var deliveredAt: String?

    enum CodingKeys: String, CodingKey {
        case id, channel, state, attempts, reply
        case lastError = "last_error"
        case nextAttemptAt = "next_attempt_at"
        case deliveredAt = "delivered_at"
    }
}
