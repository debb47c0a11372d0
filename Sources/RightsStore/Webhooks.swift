import Foundation
import GRDB
import RightsCore

/// What the desk did with one Zalo webhook event.
public struct WebhookOutcome: Sendable, Codable, Equatable {
    /// `suppressed`, `followed`, `objection`, `queued`, `ignored`, or `replay` for an event already recorded.
    public var outcome: String
    /// The objection request filed, if any.
    public var requestID: String?

    enum CodingKeys: String, CodingKey {
        case outcome
        case requestID = "request_id"
    }
}

/// A message an officer must judge: it names a refusal word but may not be a refusal ("hủy đơn hàng").
public struct QueuedMessage: Sendable, Codable, Equatable {
    public var eventKey: String
    public var identifier: String
    public var text: String
    public var receivedAt: String

    enum CodingKeys: String, CodingKey {
        case identifier, text
        case eventKey = "event_key"
        case receivedAt = "received_at"
    }
}

extension RightsStore {
    /// Records a verified Zalo OA event and does what it asks, in one unit of work (CONTRACT.md "The web desk"):
    /// `unfollow` suppresses Zalo marketing for the person, `follow` is recorded (never as consent), a refusal text
    /// files an objection, a text that might be one is queued for an officer. An event already recorded (Zalo retries)
    /// changes nothing.
    public func recordZaloEvent(_ event: ZaloEvent, at now: Date) throws -> WebhookOutcome {
        if let known = try read({ db in
            try String.fetchOne(
                db, sql: "SELECT outcome FROM webhook_events WHERE event_key = ?", arguments: [event.eventKey])
        }) {
            _ = known
            return WebhookOutcome(outcome: "replay", requestID: nil)
        }
        let actor = "zalo-webhook"
        let hash = hasher.hash(event.person)
        let sentAt = Timestamp.date(milliseconds: event.timestamp)
        do {
            return try perform(actor: actor, at: now) { db in
                var outcome = WebhookOutcome(outcome: "ignored", requestID: nil)
                var draft = AuditDraft(kind: "webhook.zalo", payload: [:])
                var keptText: String?
                switch event.action {
                case .suppressMarketing:
                    _ = try insertSuppression(
                        hash, channel: Channel.zalo.rawValue, purpose: .marketing, reason: "unfollowed the Zalo OA",
                        since: sentAt, requestID: nil, source: "zalo-webhook", actor: actor, now: now, db)
                    outcome.outcome = "suppressed"
                case .recordFollow:
                    outcome.outcome = "followed"
                case .objection:
                    let (view, requestDraft) = try createRequest(
                        NewRequest(type: .objection, subjects: [event.person], channel: .zalo, receivedAt: sentAt),
                        actor: actor, at: now, db)
                    outcome = WebhookOutcome(outcome: "objection", requestID: view.id)
                    draft = requestDraft
                case .possibleRefusal:
                    outcome.outcome = "queued"
                    keptText = event.text
                case .none:
                    break
                }
                try db.execute(
                    sql: """
                        INSERT INTO webhook_events(
                            event_key, source, event, id_hash, identifier, outcome, request_id, text, received_at)
                        VALUES (?, 'zalo', ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        event.eventKey, event.eventName, Data(hash), keptText == nil ? nil : event.person.normalized,
                        outcome.outcome, outcome.requestID, keptText,
                        ms(now),
                    ])
                draft.payload["webhook_event"] = .string(event.eventName)
                draft.payload["webhook_outcome"] = .string(outcome.outcome)
                draft.subject = hash
                return (outcome, draft)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            // Recorded by a concurrent delivery of the same event between the check and the write.
            return WebhookOutcome(outcome: "replay", requestID: nil)
        }
    }

    /// Messages waiting for an officer's judgement, oldest first.
    public func queuedMessages() throws -> [QueuedMessage] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT w.event_key, w.text, w.received_at, w.identifier FROM webhook_events w
                    WHERE w.outcome = 'queued' AND w.reviewed_at IS NULL ORDER BY w.received_at
                    """
            ).map { row in
                QueuedMessage(
                    eventKey: row["event_key"],
                    identifier: row["identifier"] ?? "",
                    text: row["text"] ?? "",
                    receivedAt: Timestamp.vietnam(Timestamp.date(milliseconds: row["received_at"])))
            }
        }
    }
}
