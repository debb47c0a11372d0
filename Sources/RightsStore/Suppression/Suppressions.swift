import Foundation
import GRDB
import RightsCore

/// The counts `suppress --json` prints.
public struct SuppressResult: Sendable, Codable {
    public var suppressed = 0
    public var already = 0
    public var invalid: [InvalidRow] = []
}

/// A consent or withdrawal an officer records (`consent add|withdraw`).
public struct ConsentRecord: Sendable {
    public var identifier: Identifier
    public var channel: Channel
    public var purpose: Purpose
    public var at: Date
    public var withdraw: Bool
    public var method: String?
    public var text: String?
    public var evidence: String?

    public init(
        identifier: Identifier, channel: Channel, purpose: Purpose = .marketing, at: Date, withdraw: Bool = false,
        method: String? = nil, text: String? = nil, evidence: String? = nil
    ) {
        self.identifier = identifier
        self.channel = channel
        self.purpose = purpose
        self.at = at
        self.withdraw = withdraw
        self.method = method
        self.text = text
        self.evidence = evidence
    }
}

extension RightsStore {
    // MARK: Suppressions

    /// Suppresses identifiers (one, or a provider's opt-out export) in one transaction. `channel` nil means any.
    ///
    /// `since` is when the person opted out (`suppress --at`, or per line from an opt-out file's `opted_out_at`,
    /// keyed by line), so `why` and `violations` know when the duty to stop began; by default, now. A time more
    /// than five minutes ahead is refused: a suppression that starts in the future lets sends through until then.
    public func suppress(
        _ identifiers: [(line: Int, identifier: Identifier)], invalid: [InvalidRow], channel: Channel?,
        purpose: SuppressionPurpose, reason: String, source: String?, since: Date? = nil,
        optedOutAt: [Int: Date] = [:], actor: String, at now: Date
    ) throws -> SuppressResult {
        for (line, time) in optedOutAt.sorted(by: { $0.key < $1.key }) + (since.map { [(0, $0)] } ?? []) {
            try Self.refuseFuture(
                time, now: now, (line > 0 ? "line \(line): " : "") + "the opt-out time",
                "a refusal is recorded from when it was made")
        }
        return try perform(actor: actor, at: now) { db in
            var result = SuppressResult(invalid: invalid)
            for (line, identifier) in identifiers {
                let hash = hasher.hash(identifier)
                let added = try insertSuppression(
                    hash, channel: channel?.rawValue ?? "any", purpose: purpose, reason: reason,
                    since: optedOutAt[line] ?? since ?? now, requestID: nil, source: source ?? "manual", actor: actor,
                    now: now, db)
                if added == 1 { result.suppressed += 1 } else { result.already += 1 }
                try db.execute(
                    sql: "INSERT OR IGNORE INTO suppressed_contacts(id_hash, normalized) VALUES (?, ?)",
                    arguments: [Data(hash), identifier.normalized])
            }
            let subject = identifiers.count == 1 ? hasher.hash(identifiers[0].identifier) : nil
            var payload: [String: JSONValue] = [
                "channel": .string(channel?.rawValue ?? "any"), "purpose": .string(purpose.rawValue),
                "suppressed": .int(result.suppressed), "already": .int(result.already), "invalid": .int(invalid.count),
                "source": .optional(source),
            ]
            // One person's reason may name them ("chị Lan gọi điện phàn nàn"): sealed with their data. A file's
            // reason is about the file (a provider's export) and stays in the payload.
            if subject == nil { payload["reason"] = .string(reason) }
            let draft = AuditDraft(
                kind: "suppress", payload: payload, subject: subject,
                pii: subject.map { _ in
                    ["identifier": .string(identifiers[0].identifier.normalized), "reason": .string(reason)]
                })
            return (result, draft)
        }
    }

    /// Lifts an active suppression. One the person caused (a request) lifts only on a consent they recorded after
    /// it (`consentRef`: the consent's id); a manual one may be lifted by an officer with a reason.
    public func liftSuppression(
        _ identifier: Identifier, channel: Channel?, purpose: SuppressionPurpose, consentRef: String?, reason: String?,
        actor: String, at now: Date
    ) throws -> Int {
        try perform(actor: actor, at: now) { db in
            let hash = hasher.hash(identifier)
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, since, request_id, source FROM suppressions
                    WHERE id_hash = ? AND channel = ? AND purpose = ? AND lifted_at IS NULL
                    """, arguments: [Data(hash), channel?.rawValue ?? "any", purpose.rawValue])
            guard !rows.isEmpty else {
                throw StoreError.refused(
                    "\(identifier.normalized) has no active suppression for channel \(channel?.rawValue ?? "any"), "
                        + "purpose \(purpose.rawValue)")
            }
            // `suppress` (one identifier or a file) makes manual suppressions; a request or the person's own
            // channel (a Zalo unfollow) makes ones only the person's new consent can lift.
            let causedByPerson = rows.contains { row in
                let source = (row["source"] as String?) ?? ""
                return (row["request_id"] as String?) != nil || !(source == "manual" || source.hasPrefix("file:"))
            }
            var liftNote: String
            if causedByPerson {
                guard let consentRef else {
                    throw StoreError.refused(
                        "this suppression was caused by the person (a request or an opt-out); it lifts only on their own "
                            + "new consent: give --consent-ref with its evidence reference (consent add --evidence)")
                }
                let latestSince = rows.map { $0["since"] as Int64 }.max() ?? 0
                // The reference is the consent's evidence reference (`consent add --evidence REF`) or its id.
                let candidates = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id_hash, kind, at, channel FROM consent_events
                        WHERE id_hash = ? AND (evidence = ? OR id = ?) AND \(PendingImports.published("import_id"))
                        """, arguments: [Data(hash), consentRef, Int64(consentRef) ?? -1])
                guard
                    candidates.contains(where: { consent in
                        (consent["kind"] as String) == "grant" && (consent["at"] as Int64) > latestSince
                            && (channel == nil || (consent["channel"] as String) == channel?.rawValue)
                    })
                else {
                    throw StoreError.refused(
                        "consent \(consentRef) is not a consent of \(identifier.normalized) recorded after the suppression"
                    )
                }
                liftNote = "lifted on consent \(consentRef)"
            } else {
                guard let reason, !reason.isEmpty else {
                    throw StoreError.refused("lifting a manual suppression needs --reason")
                }
                liftNote = reason
            }
            for row in rows {
                try db.execute(
                    sql: "UPDATE suppressions SET lifted_at = ?, lift_reason = ? WHERE id = ?",
                    arguments: [ms(now), liftNote, row["id"] as Int64])
            }
            let draft = AuditDraft(
                kind: "suppress.lift",
                payload: [
                    "channel": .string(channel?.rawValue ?? "any"), "purpose": .string(purpose.rawValue),
                    "lifted": .int(rows.count),
                ],
                // The reason and the consent's evidence reference are typed text: sealed with the person's data.
                subject: hash,
                pii: [
                    "identifier": .string(identifier.normalized), "consent_ref": .optional(consentRef),
                    "reason": .optional(reason),
                ])
            return (rows.count, draft)
        }
    }

    /// The suppressed identifiers still known in plain form (list entries, requests, sends), for upload to a
    /// provider's own block list: a keyed hash alone cannot be uploaded.
    public func suppressedIdentifiers(channel: Channel?) throws -> [String] {
        try read { db in
            let channels = channel.map { ["any", $0.rawValue] } ?? ["any", "sms", "zalo", "email", "call"]
            let placeholders = channels.map { _ in "?" }.joined(separator: ", ")
            let sql = """
                WITH active(id_hash) AS (
                    SELECT DISTINCT id_hash FROM suppressions WHERE lifted_at IS NULL AND channel IN (\(placeholders)))
                SELECT e.normalized FROM active a JOIN entries e ON e.key_hash = a.id_hash
                UNION SELECT i.normalized FROM active a JOIN entry_identifiers i ON i.id_hash = a.id_hash
                UNION SELECT s.normalized FROM active a JOIN request_subjects s ON s.id_hash = a.id_hash
                UNION SELECT d.normalized FROM active a JOIN sends d ON d.id_hash = a.id_hash
                UNION SELECT c.normalized FROM active a JOIN suppressed_contacts c ON c.id_hash = a.id_hash
                ORDER BY 1
                """
            let all = try String.fetchAll(db, sql: sql, arguments: StatementArguments(channels))
            // A provider's block list takes the identifiers its channel reaches: numbers for SMS and calls,
            // addresses for email, Zalo ids and numbers (ZNS) for Zalo.
            return all.filter { value in
                switch channel {
                case .sms?, .call?: value.hasPrefix("+")
                case .email?: value.contains("@")
                case .zalo?: value.hasPrefix("+") || value.hasPrefix("zalo:")
                case nil: true
                }
            }
        }
    }

    // MARK: Consent ledger

    /// Records a consent or a withdrawal; returns the event's id (the `--consent-ref` that can lift a suppression).
    /// Recording a consent never lifts a suppression by itself.
    public func recordConsent(_ consent: ConsentRecord, actor: String, at now: Date) throws -> Int64 {
        // A grant dated ahead would read as consent the person has not given yet; a withdrawal dated ahead would let
        // sends through until then.
        try Self.refuseFuture(
            consent.at, now: now, consent.withdraw ? "the withdrawal's time" : "the consent's time",
            "it is recorded when or after it was given")
        return try perform(actor: actor, at: now) { db in
            let hash = hasher.hash(consent.identifier)
            var textID: Int64?
            if let text = consent.text {
                let digest = Digest.sha256Hex(text)
                try db.execute(
                    sql: "INSERT OR IGNORE INTO consent_texts(sha256, text) VALUES (?, ?)", arguments: [digest, text])
                textID = try Int64.fetchOne(
                    db, sql: "SELECT id FROM consent_texts WHERE sha256 = ?", arguments: [digest])
            }
            try db.execute(
                sql: """
                    INSERT INTO consent_events(id_hash, channel, purpose, kind, at, method, text_id, evidence, source,
                        recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'officer', ?)
                    """,
                arguments: [
                    Data(hash), consent.channel.rawValue, consent.purpose.rawValue,
                    consent.withdraw ? "withdraw" : "grant", ms(consent.at), consent.method, textID, consent.evidence,
                    ms(now),
                ])
            let id = db.lastInsertedRowID
            let draft = AuditDraft(
                kind: consent.withdraw ? "consent.withdraw" : "consent.add",
                payload: [
                    "consent_id": .int(id), "channel": .string(consent.channel.rawValue),
                    "purpose": .string(consent.purpose.rawValue), "at": .string(Timestamp.vietnam(consent.at)),
                ],
                // How it was given and its evidence reference are typed text: sealed with the person's data.
                subject: hash,
                pii: [
                    "identifier": .string(consent.identifier.normalized), "method": .optional(consent.method),
                    "evidence": .optional(consent.evidence),
                ])
            return (id, draft)
        }
    }
}
