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
                // A text kept for the inbox is sealed under the person's key: erased with them.
                let sealed = try keptText.map { try seal($0, for: hash, now: now, db) }
                try db.execute(
                    sql: """
                        INSERT INTO webhook_events(
                            event_key, source, event, id_hash, identifier, outcome, request_id, sealed_text, received_at)
                        VALUES (?, 'zalo', ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        event.eventKey, event.eventName, Data(hash), keptText == nil ? nil : event.person.normalized,
                        outcome.outcome, outcome.requestID, sealed.map { Data($0) }, ms(sentAt),
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

    /// The inbox: Zalo messages that may be refusals, oldest first; with `includeResolved`, those an officer
    /// already judged too.
    public func inbox(includeResolved: Bool = false) throws -> [InboxMessage] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT rowid, event_key, id_hash, identifier, sealed_text, received_at, resolution, resolved_by,
                        reviewed_at, resolution_note, request_id
                    FROM webhook_events WHERE outcome = 'queued' \(includeResolved ? "" : "AND resolution IS NULL")
                    ORDER BY received_at, rowid
                    """
            ).map { row in
                let hash = (row["id_hash"] as Data?).map { [UInt8]($0) }
                return InboxMessage(
                    id: row["rowid"], eventKey: row["event_key"], identifier: row["identifier"] ?? "",
                    text: try unseal(row["sealed_text"], for: hash, db) ?? "",
                    receivedAt: Timestamp.vietnam(Timestamp.date(milliseconds: row["received_at"])),
                    resolution: row["resolution"], resolvedBy: row["resolved_by"],
                    resolvedAt: (row["reviewed_at"] as Int64?).map {
                        Timestamp.vietnam(Timestamp.date(milliseconds: $0))
                    },
                    note: try unseal(row["resolution_note"], for: hash, db), requestID: row["request_id"])
            }
        }
    }

    /// An officer's judgement of an inbox message: an objection filed for the sender, effective from when the
    /// message arrived (the duty to stop ran from then), or a dismissal; either way recorded on the chain.
    public func resolveInbox(_ id: Int64, objection: Bool, note: String?, actor: String, at now: Date) throws
        -> InboxMessage
    {
        try perform(actor: actor, at: now) { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT id_hash, identifier, received_at, resolution FROM webhook_events
                        WHERE rowid = ? AND outcome = 'queued'
                        """, arguments: [id])
            else { throw StoreError.notFound(.inboxMessage, "\(id)") }
            if let done: String = row["resolution"] {
                throw StoreError.refused("inbox message \(id) was already resolved (\(done))")
            }
            let hash = [UInt8](row["id_hash"] as Data)
            var requestID: String?
            var draft = AuditDraft(kind: "inbox.resolve", payload: [:], subject: hash)
            if objection {
                let person = try Identifier(parsing: row["identifier"] as String)
                let (view, requestDraft) = try createRequest(
                    NewRequest(
                        type: .objection, subjects: [person], channel: .zalo,
                        receivedAt: Timestamp.date(milliseconds: row["received_at"]), note: note),
                    actor: actor, at: now, db)
                requestID = view.id
                draft = requestDraft
            }
            let sealedNote = try note.map { try seal($0, for: hash, now: now, db) }
            try db.execute(
                sql: """
                    UPDATE webhook_events SET resolution = ?, resolved_by = ?, reviewed_at = ?, resolution_note = ?,
                        request_id = coalesce(?, request_id)
                    WHERE rowid = ?
                    """,
                arguments: [
                    objection ? "objection" : "dismissed", actor, ms(now), sealedNote.map { Data($0) }, requestID, id,
                ])
            draft.payload["inbox_message"] = .int(Int(id))
            draft.payload["inbox_resolution"] = .string(objection ? "objection" : "dismissed")
            let message = InboxMessage(
                id: id, eventKey: "", identifier: row["identifier"] ?? "", text: "",
                receivedAt: Timestamp.vietnam(Timestamp.date(milliseconds: row["received_at"])),
                resolution: objection ? "objection" : "dismissed", resolvedBy: actor,
                resolvedAt: Timestamp.vietnam(now),
                note: note, requestID: requestID)
            return (message, draft)
        }
    }

    private func seal(_ text: String, for hash: [UInt8], now: Date, _ db: Database) throws -> [UInt8] {
        try SubjectSeal.seal(Array(text.utf8), key: AuditChain.subjectKey(Hex.encode(hash), in: db, now: now))
    }

    /// The plaintext of a sealed text, or nil when there is none or its key was shredded.
    private func unseal(_ sealed: Data?, for hash: [UInt8]?, _ db: Database) throws -> String? {
        guard let sealed, let hash,
            let key = try Data.fetchOne(
                db, sql: "SELECT key FROM subject_keys WHERE subject = ?", arguments: [Hex.encode(hash)]),
            let plain = try? SubjectSeal.open([UInt8](sealed), key: [UInt8](key))
        else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }
}

/// A Zalo message in the officer's inbox (`rightsdesk inbox list`): it may be a refusal; an officer files it as
/// an objection or dismisses it.
public struct InboxMessage: Sendable, Codable, Equatable {
    public var id: Int64
    public var eventKey: String
    public var identifier: String
    public var text: String
    public var receivedAt: String
    /// `objection` or `dismissed` once an officer judged it; nil while it waits.
    public var resolution: String?
    public var resolvedBy: String?
    public var resolvedAt: String?
    public var note: String?
    public var requestID: String?

    enum CodingKeys: String, CodingKey {
        case id, identifier, text, resolution, note
        case eventKey = "event_key"
        case receivedAt = "received_at"
        case resolvedBy = "resolved_by"
        case resolvedAt = "resolved_at"
        case requestID = "request_id"
    }
}
