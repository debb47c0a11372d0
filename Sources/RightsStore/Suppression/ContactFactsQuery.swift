import Foundation
import GRDB
import RightsCore

/// Reads what the contact decision needs about one person at one instant: suppressions in force, current
/// consents and the Do-Not-Call version then in force, identifier by identifier, composed into the person's facts
/// by `ContactFacts.person` (the same rule the gate applies set-wise); for a send on a channel, also the messages
/// that count toward its cap. The tests hold the gate's set-wise reads to this one-person-at-a-time reading.
struct ContactFactsQuery {
    let db: Database
    let at: Int64
    let dncVersion: Int64?
    /// The channel of the send being judged, for caps; nil for an export, which has no send time.
    let caps: Channel?

    init(_ db: Database, at instant: Date, dncVersion: Int64?, caps: Channel? = nil) {
        self.db = db
        self.at = Timestamp.milliseconds(instant)
        self.dncVersion = dncVersion
        self.caps = caps
    }

    /// The facts of the identifiers with these keyed hashes, taken as one recipient.
    func facts(hashes: [[UInt8]]) throws -> ContactFacts {
        try facts(
            recipient: hashes.compactMap { HashKey($0).map { PersonLinks.Member(key: $0, kind: .phone) } },
            channel: caps)
    }

    /// The facts of a recipient made of `recipient` (a list row's identifiers, or one identifier) and the person's
    /// other identifiers, read through the person links.
    func facts(recipient: [PersonLinks.Member], channel: Channel?) throws -> ContactFacts {
        let (recipients, linked) = try memberFacts(
            recipient: recipient, person: try PersonLinks.person(of: recipient, db))
        return ContactFacts.person(recipient: recipients, linked: linked, channel: channel)
    }

    /// The facts of each identifier of `person`, split into the recipient's own and the linked ones.
    func memberFacts(recipient: [PersonLinks.Member], person: [PersonLinks.Member]) throws -> (
        recipient: [LinkedFacts], linked: [LinkedFacts]
    ) {
        let own = Set(recipient.map(\.key))
        let perKey = try facts(of: person.map(\.key))
        let split = { (mine: Bool) in
            person.filter { own.contains($0.key) == mine }.map {
                LinkedFacts(kind: $0.kind, facts: perKey[$0.key] ?? ContactFacts())
            }
        }
        return (split(true), split(false))
    }

    /// The facts of each key on its own.
    private func facts(of keys: [HashKey]) throws -> [HashKey: ContactFacts] {
        var found: [HashKey: ContactFacts] = [:]
        for key in keys { found[key] = ContactFacts() }
        let placeholders = Array(repeating: "?", count: keys.count).joined(separator: ", ")
        let blobs = keys.map { Data($0.bytes).databaseValue }
        let suppressions = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id_hash, channel, purpose FROM suppressions
                    WHERE id_hash IN (\(placeholders)) AND since <= ? AND (lifted_at IS NULL OR lifted_at > ?)
                    """), arguments: StatementArguments(blobs + [at.databaseValue, at.databaseValue]))
        for row in suppressions {
            guard let key = HashKey([UInt8](row["id_hash"] as Data)) else { continue }
            found[key, default: ContactFacts()].suppressions.append(
                SuppressionScope(
                    channel: Channel(rawValue: row["channel"]),
                    purpose: SuppressionPurpose(rawValue: row["purpose"]) ?? .all))
        }
        // Current consent is the latest event by its time; a withdrawal wins a tie (CONTRACT.md).
        let consents = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id_hash, channel, kind FROM (
                        SELECT id_hash, channel, kind, row_number() OVER (
                            PARTITION BY id_hash, channel ORDER BY at DESC, kind = 'withdraw' DESC) AS rank
                        FROM consent_events
                        WHERE id_hash IN (\(placeholders)) AND purpose = 'marketing' AND at <= ?
                    ) WHERE rank = 1
                    """), arguments: StatementArguments(blobs + [at.databaseValue]))
        for row in consents where (row["kind"] as String) == "grant" {
            guard let key = HashKey([UInt8](row["id_hash"] as Data)), let channel = Channel(rawValue: row["channel"])
            else { continue }
            found[key, default: ContactFacts()].consentedChannels.insert(channel)
        }
        if let channel = caps {
            // Decree 91/2020 Art. 13(5) counts messages: per campaign, the larger of planned and delivered.
            for key in keys { found[key, default: ContactFacts()].recentSends = 0 }
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id_hash, max(sum(planned), sum(delivered)) AS messages FROM sends
                        WHERE id_hash IN (\(placeholders)) AND channel = ? AND purpose = 'marketing'
                            AND (delivered = 1 OR planned = 1) AND sent_at > ? AND sent_at <= ?
                        GROUP BY id_hash, campaign
                        """),
                arguments: StatementArguments(
                    blobs + [
                        channel.rawValue.databaseValue, (at - Int64(SendRules.capWindow * 1000)).databaseValue,
                        at.databaseValue,
                    ]))
            for row in rows {
                guard let key = HashKey([UInt8](row["id_hash"] as Data)) else { continue }
                let earlier = found[key]?.recentSends ?? 0
                found[key]?.recentSends = earlier + (row["messages"] as Int)
            }
        }
        if let dncVersion {
            for key in keys {
                found[key, default: ContactFacts()].onDoNotCallList = try DoNotCallBlocks.contains(
                    key, version: dncVersion, db)
            }
        }
        return found
    }
}
