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
        let person = try PersonLinks.person(of: recipient, db)
        let own = Set(recipient.map(\.key))
        let perKey = try facts(of: person.map(\.key))
        let split = { (mine: Bool) in
            person.filter { own.contains($0.key) == mine }.map {
                LinkedFacts(kind: $0.kind, facts: perKey[$0.key] ?? ContactFacts())
            }
        }
        return ContactFacts.person(recipient: split(true), linked: split(false), channel: channel)
    }

    /// A suppression row as `why` and this query read it: whose, of what scope, since when, lifted when.
    static let suppressionColumns = "id_hash, channel, purpose, since, lifted_at"

    /// The facts of each key on its own. `suppressions` (rows of `suppressionColumns` for these keys, in force or
    /// not), `consents` (`currentConsents` of these keys) and `knownDoNotCall` are what the caller already read:
    /// none is read again.
    func facts(
        of keys: [HashKey], suppressions: [Row]? = nil,
        consents: [HashKey: [Channel: (granted: Bool, at: Int64)]]? = nil,
        knownDoNotCall: [HashKey: DoNotCallKind?] = [:]
    ) throws -> [HashKey: ContactFacts] {
        var found: [HashKey: ContactFacts] = [:]
        for key in keys { found[key] = ContactFacts() }
        let placeholders = Array(repeating: "?", count: keys.count).joined(separator: ", ")
        let blobs = keys.map { Data($0.bytes).databaseValue }
        let rows =
            try suppressions
            ?? Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT \(Self.suppressionColumns) FROM suppressions WHERE id_hash IN (\(placeholders))"),
                arguments: StatementArguments(blobs))
        for row in rows where Self.inForce(row, at: at) {
            guard let key = HashKey([UInt8](row["id_hash"] as Data)) else { continue }
            found[key]?.suppressions.append(
                SuppressionScope(
                    channel: Channel(rawValue: row["channel"]),
                    purpose: SuppressionPurpose(rawValue: row["purpose"]) ?? .all))
        }
        for (key, channels) in try consents ?? currentConsents(keys) {
            for (channel, consent) in channels where consent.granted { found[key]?.consentedChannels.insert(channel) }
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
                let kind = try knownDoNotCall[key] ?? DoNotCallBlocks.kind(of: key, version: dncVersion, db)
                found[key, default: ContactFacts()].doNotCall = kind?.channels ?? []
            }
        }
        return found
    }

    /// The current marketing consent of each key per channel: the latest event by its time, a withdrawal winning a
    /// tie (CONTRACT.md), with that event's time.
    func currentConsents(_ keys: [HashKey]) throws -> [HashKey: [Channel: (granted: Bool, at: Int64)]] {
        let placeholders = Array(repeating: "?", count: keys.count).joined(separator: ", ")
        let published = try PendingImports.condition("import_id", db)
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id_hash, channel, kind, at FROM consent_events
                    WHERE id_hash IN (\(placeholders)) AND purpose = 'marketing' AND at <= ?\(published)
                    ORDER BY at DESC, kind = 'withdraw' DESC
                    """),
            arguments: StatementArguments(keys.map { Data($0.bytes).databaseValue } + [at.databaseValue]))
        var current: [HashKey: [Channel: (granted: Bool, at: Int64)]] = [:]
        for row in rows {
            guard let key = HashKey([UInt8](row["id_hash"] as Data)), let channel = Channel(rawValue: row["channel"]),
                current[key]?[channel] == nil
            else { continue }
            current[key, default: [:]][channel] = ((row["kind"] as String) == "grant", row["at"])
        }
        return current
    }

    /// Whether a suppression row is in force at an instant: begun, and not (yet) lifted.
    static func inForce(_ row: Row, at instant: Int64) -> Bool {
        (row["since"] as Int64) <= instant && ((row["lifted_at"] as Int64?).map { $0 > instant } ?? true)
    }
}
