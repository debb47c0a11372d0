import Foundation
import GRDB
import GRDBSQLite
import RightsCore

/// The facts `ContactDecision` needs for every distinct recipient of a batch, read set-wise rather than person by
/// person. The recipients are sorted by keyed hash once; each large source is then read in hash order from an
/// index that covers what the decision needs and merged with them (one sequential pass over both, no lookups).
/// A source much larger than the batch is instead probed per recipient through the same index: a probe costs about
/// ten scanned rows. Sends are read by time, for the 24 hours the caps look at.
struct BatchFacts {
    /// A scan reads every row of a source; prefer it while the source has at most this many rows per recipient.
    static let scanRowsPerRecipient = 8

    /// How each source is read: chosen by size, or forced (the tests check both ways agree).
    enum Strategy: Sendable {
        case automatic, scan, probe
    }

    var strategy = Strategy.automatic

    /// Sources read whole, in hash order, while the batch was still being parsed; merged instead of scanned.
    var preload: Preload?

    /// Keys that are another recipient's linked identifiers: their facts are read whatever their own verdict, since
    /// they count for the person (a phone's Zalo consent for its Zalo id, their sends toward the person's cap).
    var linked: [Bool] = []

    private func mustRead(_ slot: Int) -> Bool { !linked.isEmpty && linked[slot] }

    /// Suppressions in force and marketing consents on the batch's channel, read whole in hash order before the
    /// batch is known (on another core, while the batch is parsed). Worth it when a source is not much larger
    /// than the batch; nil fields were judged too large and are read the usual way.
    struct Preload: Sendable {
        var suppressions: [(key: HashKey, scope: SuppressionScope)]?
        var consents: [(key: HashKey, at: Int64, withdraw: Bool)]?
        /// Every person link: it does not depend on the batch either.
        var links: PersonLinks.LinkTable?

        /// Reads the sources of at most `limit` rows each.
        init(_ db: Database, at instant: Date, channel: Channel, purpose: Purpose, limit: Int) throws {
            let at = Timestamp.milliseconds(instant)
            links = try PersonLinks.LinkTable.whole(db, limit: limit)
            if try BatchFacts.rowEstimate("suppressions", db) <= limit {
                var found: [(key: HashKey, scope: SuppressionScope)] = []
                let scan = try db.makeStatement(sql: BatchFacts.suppressionScan)
                sqlite3_bind_int64(scan.sqliteStatement, 1, at)
                try BatchFacts.rows(scan, db) { row in
                    if let key = BatchFacts.key(row, 0) { found.append((key, BatchFacts.scope(row, from: 1))) }
                }
                suppressions = found
            }
            if purpose == .marketing, try BatchFacts.rowEstimate("consent_events", db) <= limit {
                var found: [(key: HashKey, at: Int64, withdraw: Bool)] = []
                let scan = try db.makeStatement(sql: try BatchFacts.consentScan(db))
                sqlite3_bind_text(scan.sqliteStatement, 1, channel.rawValue, -1, sqliteTransient)
                sqlite3_bind_int64(scan.sqliteStatement, 2, at)
                try BatchFacts.rows(scan, db) { row in
                    if let key = BatchFacts.key(row, 0) {
                        found.append(
                            (
                                key, sqlite3_column_int64(row, 2),
                                sqlite3_column_text(row, 1)?.pointee == UInt8(ascii: "w")
                            ))
                    }
                }
                consents = found
            }
        }
    }

    static let suppressionScan = """
        SELECT id_hash, channel, purpose FROM suppressions INDEXED BY suppressions_by_identifier
        WHERE since <= ?1 AND (lifted_at IS NULL OR lifted_at > ?1) ORDER BY id_hash
        """

    /// Marketing consents on a channel in hash order; while an import is pending, without its rows (which the
    /// covering index then cannot tell apart: each is read from the table).
    static func consentScan(_ db: Database) throws -> String {
        """
        SELECT id_hash, kind, at FROM consent_events INDEXED BY consent_events_by_identifier
        WHERE channel = ?1 AND purpose = 'marketing' AND at <= ?2\(try PendingImports.condition("import_id", db))
        ORDER BY id_hash
        """
    }

    /// The scope of a suppression row, read from the column bytes without making strings (a million-row scan).
    static func scope(_ statement: OpaquePointer, from column: Int32) -> SuppressionScope {
        func matches(_ column: Int32, _ word: StaticString) -> Bool {
            guard let text = sqlite3_column_text(statement, column),
                Int(sqlite3_column_bytes(statement, column)) == word.utf8CodeUnitCount
            else { return false }
            return memcmp(text, word.utf8Start, word.utf8CodeUnitCount) == 0
        }
        let channel: Channel? =
            if matches(column, "sms") { .sms } else if matches(column, "zalo") {
                .zalo
            } else if matches(
                column, "email")
            { .email } else if matches(column, "call") { .call } else { nil }
        return SuppressionScope(channel: channel, purpose: matches(column + 1, "marketing") ? .marketing : .all)
    }

    /// Walks `source` (ascending keys) alongside the batch and calls `body` with each element of a recipient.
    private func merge<Element>(_ source: [Element], key: (Element) -> HashKey, _ body: (Int, Element) -> Void) {
        var position = 0
        for element in source {
            let current = key(element)
            while position < keys.count && keys[position] < current { position += 1 }
            if position < keys.count && keys[position] == current { body(position, element) }
        }
    }

    /// Whether to scan a source of about `rows` rows rather than probe it once per recipient.
    private func scans(
        _ rows: Int, perRecipient: Int = BatchFacts.scanRowsPerRecipient, recipients: Int? = nil
    ) -> Bool {
        switch strategy {
        case .automatic: rows <= perRecipient * (recipients ?? keys.count)
        case .scan: true
        case .probe: false
        }
    }

    private(set) var facts: [ContactFacts]
    /// The recipients, distinct and in ascending order.
    private let keys: [HashKey]

    /// The sources in two parts of about equal cost, which two connections can read at once.
    enum Part: CaseIterable {
        /// Suppressions and the Do-Not-Call version.
        case refusals
        /// Consents and the sends that count toward caps.
        case permissions
    }

    /// What the batch is judged for.
    struct Query: Sendable {
        var at: Date
        var channel: Channel
        var purpose: Purpose
        var campaign: String?
        /// The version in force, when the Do-Not-Call list applies (phone numbers, not email).
        var doNotCallVersion: Int64?
    }

    /// Facts for `keys`, the keyed hashes of the distinct recipients in ascending order (`facts[i]` describes
    /// `keys[i]`), with nothing read yet.
    init(keys: [HashKey]) {
        precondition(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 }, "the keys must be distinct and sorted")
        self.keys = keys
        facts = Array(repeating: ContactFacts(), count: keys.count)
    }

    /// Facts for a batch's recipients, of which those at `linked` are also another recipient's linked identifier
    /// (their facts are then always read).
    init(keys: [HashKey], linked slots: [Int32]) {
        self.init(keys: keys)
        if !slots.isEmpty {
            linked = Array(repeating: false, count: keys.count)
            for slot in slots { linked[Int(slot)] = true }
        }
    }

    /// Facts for the linked identifiers of a batch's recipients, which are always read whole.
    init(linkedOnly keys: [HashKey]) {
        self.init(keys: keys)
        linked = Array(repeating: true, count: keys.count)
    }

    /// Reads one part of the sources. Read in order on one instance, `.permissions` skips the probes that
    /// `.refusals` made moot.
    mutating func read(_ part: Part, _ query: Query, _ db: Database) throws {
        let at = Timestamp.milliseconds(query.at)
        let (channel, purpose) = (query.channel, query.purpose)
        let open = BatchFacts.unrefused(query)
        switch part {
        case .refusals:
            try readSuppressions(db, keys, at: at)
            if purpose == .marketing, let version = query.doNotCallVersion {
                try readDoNotCall(db, keys, version: version, channel: channel, open: open)
            }
        case .permissions:
            guard purpose == .marketing else { return }
            try readConsents(db, keys, at: at, channel: channel, open: open)
            var none = BatchFacts(keys: [])
            try BatchFacts.readRecentSends(&self, alongside: &none, query, db)
        }
    }

    /// Reads one part for a batch's recipients (`own`) and for their linked identifiers outside the batch
    /// (`linked`, whose facts are all read): as `read` on each, except that the sends window is read once for both
    /// and that the linked identifiers' consents are read only where they count (the Zalo pair, for Zalo).
    static func read(
        _ part: Part, own: inout BatchFacts, _ ownQuery: Query, linked: inout BatchFacts, _ linkedQuery: Query,
        _ db: Database
    ) throws {
        guard !linked.keys.isEmpty else { return try own.read(part, ownQuery, db) }
        switch part {
        case .refusals:
            try own.read(.refusals, ownQuery, db)
            try linked.read(.refusals, linkedQuery, db)
        case .permissions:
            guard ownQuery.purpose == .marketing else { return }
            let at = Timestamp.milliseconds(ownQuery.at)
            try own.readConsents(db, own.keys, at: at, channel: ownQuery.channel, open: unrefused(ownQuery))
            if linkedQuery.channel == .zalo {
                try linked.readConsents(db, linked.keys, at: at, channel: .zalo) { _ in true }
            }
            try readRecentSends(&own, alongside: &linked, ownQuery, db)
        }
    }

    /// Later sources matter only for recipients not already refused by an earlier reason, as the decision itself
    /// judges it (a Do-Not-Call listing does not refuse an email, for one).
    static func unrefused(_ query: Query) -> (ContactFacts) -> Bool {
        { facts in
            let reason = ContactDecision.exclusion(for: facts, channel: query.channel, purpose: query.purpose)
            return reason != .suppressed && reason != .dnc
        }
    }

    /// Adds what `other`, read for the same keys, found.
    mutating func absorb(_ other: BatchFacts) {
        precondition(other.keys.count == keys.count, "facts of another batch")
        for slot in facts.indices {
            let found = other.facts[slot]
            if !found.suppressions.isEmpty { facts[slot].suppressions += found.suppressions }
            facts[slot].doNotCall.formUnion(found.doNotCall)
            facts[slot].consentedChannels.formUnion(found.consentedChannels)
            if let recent = found.recentSends { facts[slot].recentSends = recent }
        }
    }

    static func rowEstimate(_ table: String, _ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT max(rowid) FROM \(table)") ?? 0
    }

    private mutating func readSuppressions(
        _ db: Database, _ keys: [HashKey], at: Int64
    ) throws {
        if let preloaded = preload?.suppressions {
            merge(preloaded, key: \.key) { slot, found in facts[slot].suppressions.append(found.scope) }
        } else if scans(try BatchFacts.rowEstimate("suppressions", db)) {
            let scan = try db.makeStatement(sql: BatchFacts.suppressionScan)
            sqlite3_bind_int64(scan.sqliteStatement, 1, at)
            try merge(scan, db) { slot, row in facts[slot].suppressions.append(BatchFacts.scope(row, from: 1)) }
        } else {
            let probe = try db.makeStatement(
                sql: """
                    SELECT channel, purpose FROM suppressions INDEXED BY suppressions_by_identifier
                    WHERE id_hash = ?2 AND since <= ?1 AND (lifted_at IS NULL OR lifted_at > ?1)
                    """)
            sqlite3_bind_int64(probe.sqliteStatement, 1, at)
            for slot in keys.indices {
                BatchFacts.bind(keys[slot], probe, 2)
                try BatchFacts.rows(probe, db) { facts[slot].suppressions.append(BatchFacts.scope($0, from: 0)) }
            }
        }
    }

    /// Merges the sorted version with the sorted batch: a pass over both, no lookups. Only the kinds of listing
    /// that stop advertising on the batch's channel are read (a calls-only number may still get an SMS).
    private mutating func readDoNotCall(
        _ db: Database, _ keys: [HashKey], version: Int64, channel: Channel, open: (ContactFacts) -> Bool
    ) throws {
        let numbers = try Int.fetchOne(db, sql: "SELECT numbers FROM dnc_versions WHERE id = ?", arguments: [version])
        let kinds = try DoNotCallBlocks.kinds(version: version, stopping: channel, db)
        if !scans(numbers ?? 0, perRecipient: 64) {
            for slot in keys.indices where mustRead(slot) || open(facts[slot]) {
                if let kind = try DoNotCallBlocks.kind(of: keys[slot], version: version, among: kinds, db) {
                    facts[slot].doNotCall.formUnion(kind.channels)
                }
            }
            return
        }
        for kind in kinds {
            var position = 0
            try DoNotCallBlocks.forEach(version: version, kind: kind, db) { listed in
                while position < keys.count && keys[position] < listed { position += 1 }
                if position < keys.count && keys[position] == listed {
                    facts[position].doNotCall.formUnion(kind.channels)
                }
            }
        }
    }

    /// Current consent per recipient on `channel`: the latest event by its time, a withdrawal winning a tie.
    private mutating func readConsents(
        _ db: Database, _ keys: [HashKey], at: Int64, channel: Channel,
        open: (ContactFacts) -> Bool
    ) throws {
        var latest: [Int64] = []
        func consider(_ slot: Int, _ statement: OpaquePointer, from column: Int32) {
            consider(
                slot, at: sqlite3_column_int64(statement, column + 1),
                withdraw: sqlite3_column_text(statement, column)?.pointee == UInt8(ascii: "w"))
        }
        func consider(_ slot: Int, at time: Int64, withdraw: Bool) {
            if latest.isEmpty { latest = Array(repeating: .min, count: keys.count) }
            guard time > latest[slot] || (time == latest[slot] && withdraw) else { return }
            latest[slot] = time
            if withdraw {
                facts[slot].consentedChannels.subtract(ChannelSet([channel]))
            } else {
                facts[slot].consentedChannels.insert(channel)
            }
        }
        let filter =
            "channel = ?1 AND purpose = 'marketing' AND at <= ?2" + (try PendingImports.condition("import_id", db))
        if let preloaded = preload?.consents {
            merge(preloaded, key: \.key) { slot, event in consider(slot, at: event.at, withdraw: event.withdraw) }
        } else if scans(try BatchFacts.rowEstimate("consent_events", db)) {
            let scan = try db.makeStatement(sql: try BatchFacts.consentScan(db))
            sqlite3_bind_text(scan.sqliteStatement, 1, channel.rawValue, -1, sqliteTransient)
            sqlite3_bind_int64(scan.sqliteStatement, 2, at)
            try merge(scan, db) { slot, row in consider(slot, row, from: 1) }
        } else {
            let probe = try db.makeStatement(
                sql: """
                    SELECT kind, at FROM consent_events INDEXED BY consent_events_by_identifier
                    WHERE id_hash = ?3 AND \(filter)
                    """)
            sqlite3_bind_text(probe.sqliteStatement, 1, channel.rawValue, -1, sqliteTransient)
            sqlite3_bind_int64(probe.sqliteStatement, 2, at)
            for slot in keys.indices where mustRead(slot) || open(facts[slot]) {
                BatchFacts.bind(keys[slot], probe, 3)
                try BatchFacts.rows(probe, db) { consider(slot, $0, from: 0) }
            }
        }
    }

    /// Advertising messages on `channel` in the rolling 24 hours before the send (exclusive start), counted as
    /// Decree 91/2020 Art. 13(5) counts them: every planned row of an earlier non-dry gate run and every delivered
    /// row of a send log is a message; for one campaign and recipient the larger of the two counts (a planned
    /// message that was then delivered is one message). Waves of this same campaign count too. Read for `own`'s
    /// open recipients and all of `other`'s (identifiers outside the batch, none of them in `own`), in one pass over
    /// the window when it is scanned.
    private static func readRecentSends(
        _ own: inout BatchFacts, alongside other: inout BatchFacts, _ query: Query, _ db: Database
    ) throws {
        let at = Timestamp.milliseconds(query.at)
        let since = at - Int64(SendRules.capWindow * 1000)
        let channel = query.channel
        // One packed word per send row and set: recipient, campaign (interned), planned and delivered bits;
        // sorted, the rows of one campaign to one recipient are adjacent. A million rows cost a sort, not a
        // million hashes.
        var messages: ([UInt64], [UInt64]) = ([], [])
        var campaigns = CampaignNames()
        let filter = """
            channel = ?1 AND sent_at > ?2 AND sent_at <= ?3 AND purpose = 'marketing' AND (delivered = 1 OR planned = 1)
            """
        func bindWindow(_ statement: Statement) {
            let handle = statement.sqliteStatement
            sqlite3_bind_text(handle, 1, channel.rawValue, -1, sqliteTransient)
            sqlite3_bind_int64(handle, 2, since)
            sqlite3_bind_int64(handle, 3, at)
        }
        func word(_ slot: Int, _ row: OpaquePointer, from column: Int32) -> UInt64? {
            guard let name = sqlite3_column_text(row, column) else { return nil }
            let campaign = campaigns.id(name, Int(sqlite3_column_bytes(row, column)))
            let planned: UInt64 = sqlite3_column_int64(row, column + 1) != 0 ? 2 : 0
            let delivered: UInt64 = sqlite3_column_int64(row, column + 2) != 0 ? 1 : 0
            return UInt64(slot) << 32 | UInt64(campaign) << 2 | planned | delivered
        }
        let window =
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM sends WHERE channel = ? AND sent_at > ? AND sent_at <= ?",
                arguments: [channel.rawValue, since, at]) ?? 0
        let open = { (facts: ContactFacts) in
            ContactDecision.exclusion(for: facts, channel: channel, purpose: query.purpose) == nil
        }
        if own.scans(window, perRecipient: scanRowsPerRecipient, recipients: own.keys.count + other.keys.count) {
            let scan = try db.makeStatement(
                sql: "SELECT id_hash, campaign, planned, delivered FROM sends INDEXED BY sends_by_time WHERE \(filter)")
            bindWindow(scan)
            let (mine, theirs) = (KeyIndex(own.keys), KeyIndex(other.keys))
            try rows(scan, db) { row in
                guard let key = key(row, 0) else { return }
                if let slot = mine.position(of: key) {
                    if let packed = word(slot, row, from: 1) { messages.0.append(packed) }
                } else if let slot = theirs.position(of: key), let packed = word(slot, row, from: 1) {
                    messages.1.append(packed)
                }
            }
        } else {
            let probe = try db.makeStatement(
                sql: """
                    SELECT campaign, planned, delivered FROM sends INDEXED BY sends_by_identifier
                    WHERE id_hash = ?4 AND \(filter)
                    """)
            bindWindow(probe)
            for slot in own.keys.indices where own.mustRead(slot) || open(own.facts[slot]) {
                bind(own.keys[slot], probe, 4)
                try rows(probe, db) { row in if let packed = word(slot, row, from: 0) { messages.0.append(packed) } }
            }
            for slot in other.keys.indices {
                bind(other.keys[slot], probe, 4)
                try rows(probe, db) { row in if let packed = word(slot, row, from: 0) { messages.1.append(packed) } }
            }
        }
        own.count(&messages.0)
        other.count(&messages.1)
    }

    /// Sets each recipient's `recentSends` from the packed send words read for them.
    private mutating func count(_ messages: inout [UInt64]) {
        for slot in keys.indices { facts[slot].recentSends = 0 }
        messages.sort()
        var index = 0
        while index < messages.count {
            let group = messages[index] >> 2
            var tally = MessageTally()
            while index < messages.count && messages[index] >> 2 == group {
                tally.add(planned: messages[index] & 2 != 0, delivered: messages[index] & 1 != 0)
                index += 1
            }
            facts[Int(group >> 30)].recentSends! += tally.messages
        }
    }

    /// Steps `statement`, whose rows come in ascending keyed hash (column 0), alongside the sorted recipients and
    /// calls `body` for each row that belongs to one of them.
    private func merge(_ statement: Statement, _ db: Database, _ body: (Int, OpaquePointer) -> Void) throws {
        var position = 0
        try BatchFacts.rows(statement, db) { row in
            guard let key = BatchFacts.key(row, 0) else { return }
            while position < keys.count && keys[position] < key { position += 1 }
            if position < keys.count && keys[position] == key { body(position, row) }
        }
    }

    // MARK: The C API, for loops over millions of rows

    static func rows(_ statement: Statement, _ db: Database, _ body: (OpaquePointer) -> Void) throws {
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw StoreError.sqlite(code: code, message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            body(handle)
        }
    }

    static func key(_ statement: OpaquePointer, _ column: Int32) -> HashKey? {
        guard let base = sqlite3_column_blob(statement, column) else { return nil }
        return HashKey(UnsafeRawBufferPointer(start: base, count: Int(sqlite3_column_bytes(statement, column))))
    }

    static func text(_ statement: OpaquePointer, _ column: Int32) -> String? {
        guard let base = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: base)
    }

    private static func bind(_ key: HashKey, _ statement: Statement, _ index: Int32) {
        key.withBytes { _ = sqlite3_bind_blob(statement.sqliteStatement, index, $0.baseAddress, 32, sqliteTransient) }
    }
}

/// The messages of one campaign to one recipient: planned by gate runs, delivered by send logs.
struct MessageTally {
    var planned = 0
    var delivered = 0

    mutating func add(planned isPlanned: Bool, delivered isDelivered: Bool) {
        if isPlanned { planned += 1 }
        if isDelivered { delivered += 1 }
    }

    /// A planned message that was then delivered is one message, not two.
    var messages: Int { max(planned, delivered) }
}

/// Campaign names interned to small numbers while sends are read, compared as the bytes SQLite hands out: a batch
/// window holds a handful of campaigns and a million rows.
private struct CampaignNames {
    private var names: [[UInt8]] = []
    private var lookup: [[UInt8]: UInt32] = [:]

    mutating func id(_ text: UnsafePointer<UInt8>, _ count: Int) -> UInt32 {
        for (index, name) in names.enumerated() where name.count == count && memcmp(name, text, count) == 0 {
            return UInt32(index)
        }
        let bytes = Array(UnsafeBufferPointer(start: text, count: count))
        if let known = lookup[bytes] { return known }
        let id = UInt32(names.count + lookup.count)
        // A few names are compared in order; past that, looked up by hash.
        if names.count < 16 { names.append(bytes) } else { lookup[bytes] = id }
        return id
    }
}

/// Finds a keyed hash among sorted keys: keyed hashes are uniform, so their first 16 bits place a key within a few
/// neighbours, and a short search there replaces twenty comparisons of a binary search over a million keys.
struct KeyIndex {
    private let keys: [HashKey]
    /// `starts[b]` is the first position whose key begins with the 16 bits `b`; `starts[65536]` is the count.
    private let starts: [Int32]

    init(_ keys: [HashKey]) {
        self.keys = keys
        var starts = [Int32](repeating: 0, count: 65537)
        for key in keys { starts[Int(key.w0 >> 48) + 1] += 1 }
        for bucket in 0..<65536 { starts[bucket + 1] += starts[bucket] }
        self.starts = starts
    }

    func position(of key: HashKey) -> Int? {
        guard !keys.isEmpty else { return nil }
        let bucket = Int(key.w0 >> 48)
        var low = Int(starts[bucket])
        var high = Int(starts[bucket + 1])
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low < Int(starts[bucket + 1]) && keys[low] == key ? low : nil
    }
}
