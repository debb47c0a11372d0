import Foundation
import GRDB
import RightsCore

/// Reads what the contact decision needs about one person at one instant: suppressions in force, current
/// consents, the Do-Not-Call version then in force, and (for a send) the recent sends that count toward caps.
struct ContactFactsQuery {
    let db: Database
    let at: Int64
    let dncVersion: Int64?
    /// For caps: the channel and campaign of the send being judged; nil for an export, which has no send time.
    let caps: (channel: Channel, campaign: String?)?

    init(_ db: Database, at instant: Date, dncVersion: Int64?, caps: (channel: Channel, campaign: String?)? = nil) {
        self.db = db
        self.at = Timestamp.milliseconds(instant)
        self.dncVersion = dncVersion
        self.caps = caps
    }

    /// The facts for a person known by the keyed hashes of their identifiers.
    func facts(hashes: [[UInt8]]) throws -> ContactFacts {
        let placeholders = Array(repeating: "?", count: hashes.count).joined(separator: ", ")
        let blobs = hashes.map { Data($0).databaseValue }
        var facts = ContactFacts()
        let suppressions = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT channel, purpose FROM suppressions
                    WHERE id_hash IN (\(placeholders)) AND since <= ? AND (lifted_at IS NULL OR lifted_at > ?)
                    """), arguments: StatementArguments(blobs + [at.databaseValue, at.databaseValue]))
        for row in suppressions {
            facts.suppressions.append(
                SuppressionScope(
                    channel: Channel(rawValue: row["channel"]),
                    purpose: SuppressionPurpose(rawValue: row["purpose"]) ?? .all))
        }
        // Current consent is the latest event by its time; a withdrawal wins a tie (CONTRACT.md).
        let consents = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT channel, kind FROM (
                        SELECT channel, kind, row_number() OVER (
                            PARTITION BY channel ORDER BY at DESC, kind = 'withdraw' DESC) AS rank
                        FROM consent_events
                        WHERE id_hash IN (\(placeholders)) AND purpose = 'marketing' AND at <= ?
                    ) WHERE rank = 1
                    """), arguments: StatementArguments(blobs + [at.databaseValue]))
        for row in consents where (row["kind"] as String) == "grant" {
            if let channel = Channel(rawValue: row["channel"]) { facts.consentedChannels.insert(channel) }
        }
        if let dncVersion {
            facts.onDoNotCallList = try hashes.contains {
                try HashKey($0).map { try DoNotCallBlocks.contains($0, version: dncVersion, db) } ?? false
            }
        }
        if let caps {
            // Rolling 24 hours ending at the send, exclusive start; a campaign counts once per recipient.
            facts.recentSends =
                try Int.fetchOne(
                    db.cachedStatement(
                        sql: """
                            SELECT count(DISTINCT campaign) FROM sends
                            WHERE id_hash IN (\(placeholders)) AND channel = ? AND purpose = 'marketing'
                                AND (delivered = 1 OR planned = 1) AND sent_at > ? AND sent_at <= ? AND campaign IS NOT ?
                            """),
                    arguments: StatementArguments(
                        blobs + [
                            caps.channel.rawValue.databaseValue, (at - Int64(SendRules.capWindow * 1000)).databaseValue,
                            at.databaseValue, caps.campaign.databaseValue,
                        ])) ?? 0
        }
        return facts
    }
}
