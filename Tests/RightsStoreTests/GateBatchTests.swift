import Crypto
import Foundation
import GRDB
import RightsCore
import Testing

@testable import RightsStore

// The set-wise gate internals: `DistinctKeys`, `DoNotCallBlocks`, `BatchFacts` (scan, probe, parts) against the
// per-person `ContactFactsQuery`, `runGate` end to end, and the migration to Do-Not-Call blocks.

private let gateTime = Date(timeIntervalSince1970: 1_772_420_400)  // 2026-03-02T10:00:00+07:00
private let hour: TimeInterval = 3600
private let day: TimeInterval = 86400

/// A reproducible generator (SplitMix64), so that a failure names inputs that can be made again.
/// A deterministic generator, so that a failing random fixture can be run again (shared by the target's tests).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}

/// A store in its own temporary folder, removed when the value goes away.
private final class GateScratch {
    let folder: String
    let store: RightsStore

    init() throws {
        folder = NSTemporaryDirectory() + "rightsdesk-gatebatch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        store = try RightsStore.create(
            at: folder + "/rightsdesk.sqlite", hasher: KeyedHasher(secret: SymmetricKey(size: .bits256)),
            installationID: UUID().uuidString.lowercased(), organization: "Cửa hàng Lan", actor: "installer",
            now: gateTime - 30 * day)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    var hasher: KeyedHasher { store.hasher }

    func key(_ identifier: Identifier) -> HashKey { hasher.key(identifier.normalized) }
}

private final class GateSink {
    var bytes: [UInt8] = []

    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// The `n`th test number, `091` and seven digits: a valid Vietnamese mobile number.
private func phone(_ n: Int) -> Identifier {
    try! Identifier(phone: "091" + String(String(10_000_000 + n).dropFirst()))
}

/// Hands `text` out in chunks of `size` bytes, so that records straddle chunks.
private func chunks(_ text: String, size: Int) -> () throws -> [UInt8]? {
    let bytes = Array(text.utf8)
    var offset = 0
    return {
        guard offset < bytes.count else { return nil }
        let end = min(offset + size, bytes.count)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}

/// RFC 4180 records of a CSV the gate wrote (`\n` line ends, `"` quoting).
private func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var quoted = false
    var characters = Array(text)[...]
    while let character = characters.popFirst() {
        if quoted {
            if character == "\"" {
                if characters.first == "\"" {
                    field.append("\"")
                    characters.removeFirst()
                } else {
                    quoted = false
                }
            } else {
                field.append(character)
            }
        } else if character == "\"" {
            quoted = true
        } else if character == "," {
            record.append(field)
            field = ""
        } else if character == "\n" {
            record.append(field)
            records.append(record)
            record = []
            field = ""
        } else {
            field.append(character)
        }
    }
    if !field.isEmpty || !record.isEmpty {
        record.append(field)
        records.append(record)
    }
    return records
}

// MARK: - Building a store with every kind of fact

private enum SendOutcome {
    case delivered, failed, planned
}

private struct FixtureSend {
    var identifier: Identifier
    var channel: Channel
    var campaign: String
    var at: Date
    var purpose: Purpose = .marketing
    var outcome: SendOutcome = .delivered
}

private struct FixtureSuppression {
    var identifier: Identifier
    var channel: Channel?
    var purpose: SuppressionPurpose
    var since: Date
    var liftedAt: Date?
}

/// Writes suppressions through `suppress` (one unit of work per scope and time) and lifts through `liftSuppression`.
private func record(_ suppressions: [FixtureSuppression], in store: RightsStore) throws {
    let groups = Dictionary(grouping: suppressions) {
        "\($0.channel?.rawValue ?? "any")|\($0.purpose.rawValue)|\($0.since.timeIntervalSince1970)"
    }
    for (_, group) in groups.sorted(by: { $0.key < $1.key }) {
        _ = try store.suppress(
            group.enumerated().map { (line: $0.offset + 2, identifier: $0.element.identifier) }, invalid: [],
            channel: group[0].channel, purpose: group[0].purpose, reason: "objection", source: nil, actor: "officer",
            at: group[0].since)
    }
    for suppression in suppressions {
        guard let liftedAt = suppression.liftedAt else { continue }
        _ = try store.liftSuppression(
            suppression.identifier, channel: suppression.channel, purpose: suppression.purpose, consentRef: nil,
            reason: "entered by mistake", actor: "officer", at: liftedAt)
    }
}

/// Writes consent events in one unit of work, in the order given (the tie rule must not depend on it).
private func record(_ consents: [ConsentRecord], in store: RightsStore) throws {
    let recorded = gateTime - 10 * day
    try store.perform(actor: "officer", at: recorded) { db in
        for consent in consents {
            try db.execute(
                sql: """
                    INSERT INTO consent_events(id_hash, channel, purpose, kind, at, source, recorded_at)
                    VALUES (?, ?, ?, ?, ?, 'officer', ?)
                    """,
                arguments: [
                    Data(store.hasher.hash(consent.identifier)), consent.channel.rawValue, consent.purpose.rawValue,
                    consent.withdraw ? "withdraw" : "grant", Timestamp.milliseconds(consent.at),
                    Timestamp.milliseconds(recorded),
                ])
        }
        return ((), AuditDraft(kind: "test.consents", payload: ["events": .int(Int64(consents.count))]))
    }
}

/// Writes delivered and failed sends through `importSends` (one log per campaign and channel) and planned ones as a
/// non-dry gate run would.
private func record(_ sends: [FixtureSend], in store: RightsStore) throws {
    let logs = Dictionary(grouping: sends.filter { $0.outcome != .planned }) { "\($0.campaign)|\($0.channel.rawValue)" }
    for (_, log) in logs.sorted(by: { $0.key < $1.key }) {
        let rows = log.enumerated().map { index, send in
            SendLogRow(
                line: index + 2, identifier: send.identifier, sentAt: send.at, purpose: send.purpose, tag: nil,
                error: send.outcome == .failed ? "-118" : nil, message: nil)
        }
        _ = try store.importSends(
            rows, invalid: [], rowCount: rows.count, campaign: log[0].campaign, channel: log[0].channel,
            purpose: .marketing, fileName: "sends.csv", fileSHA256: "", actor: "officer", at: gateTime - 3 * day)
    }
    let planned = sends.filter { $0.outcome == .planned }
    try store.perform(actor: "officer", at: gateTime - 3 * day) { db in
        for send in planned {
            try db.execute(
                sql: """
                    INSERT INTO sends(id_hash, normalized, campaign, channel, purpose, sent_at, delivered, planned)
                    VALUES (?, ?, ?, ?, ?, ?, 0, 1)
                    """,
                arguments: [
                    Data(store.hasher.hash(send.identifier)), send.identifier.normalized, send.campaign,
                    send.channel.rawValue, send.purpose.rawValue, Timestamp.milliseconds(send.at),
                ])
        }
        return ((), AuditDraft(kind: "test.planned", payload: ["sends": .int(Int64(planned.count))]))
    }
}

private func importDoNotCall(_ numbers: [Identifier], asOf: Date, in store: RightsStore) throws -> Int64 {
    try store.importDoNotCall(
        numbers: numbers.enumerated().map { (line: $0.offset + 2, number: $0.element, kind: DoNotCallKind.both) },
        invalid: [],
        fileName: "dnc.csv", fileSHA256: "", asOf: asOf, actor: "officer", at: gateTime - 20 * day
    ).version
}

/// Numbers 0..<290 get random facts; 290..<300 and 305 hand-made cases; the rest of 300..<340 nothing but (some) the Do-Not-Call list.
private struct FactsFixture {
    static let randomNumbers = 290
    static let batchNumbers = 340

    var numberOf: [HashKey: String] = [:]
    /// Every batch number's key, sorted.
    var keys: [HashKey] = []
    /// In force before the gate time, and from a day after it.
    var dncBefore: Int64 = 0
    var dncAfter: Int64 = 0

    init(_ scratch: GateScratch) throws {
        let store = scratch.store
        var random = SeededGenerator(seed: 0x6A7E_BA7C)
        let at = gateTime
        var suppressions: [FixtureSuppression] = []
        var consents: [ConsentRecord] = []
        var sends: [FixtureSend] = []
        var listedBefore: [Identifier] = []
        var listedAfter: [Identifier] = []
        let scopes: [(Channel?, SuppressionPurpose)] = [
            (.sms, .marketing), (nil, .marketing), (nil, .all), (.zalo, .all), (.call, .marketing),
            (.email, .marketing), (.zalo, .marketing), (.sms, .all),
        ]
        for n in 0..<Self.randomNumbers {
            let number = phone(n)
            func suppression(_ scope: (Channel?, SuppressionPurpose), since: Date, lifted: Date? = nil) {
                suppressions.append(
                    FixtureSuppression(
                        identifier: number, channel: scope.0, purpose: scope.1, since: since, liftedAt: lifted))
            }
            switch random.below(10) {
            case 4: suppression(scopes.randomElement(using: &random)!, since: at - 2 * day)
            case 5:
                let first = random.below(scopes.count)
                let second = (first + 1 + random.below(scopes.count - 1)) % scopes.count
                suppression(scopes[first], since: at - 2 * day)
                suppression(scopes[second], since: at - 2 * day)
            case 6: suppression((.sms, .marketing), since: at - 2 * day, lifted: at - day)
            case 7: suppression((nil, .marketing), since: at - 2 * day, lifted: at + hour)
            case 8: suppression(scopes.randomElement(using: &random)!, since: at + hour)
            case 9: suppression((nil, .all), since: at - 2 * day)
            default: break
            }
            for channel in Channel.allCases {
                func event(_ time: Date, withdraw: Bool = false, purpose: Purpose = .marketing) -> ConsentRecord {
                    ConsentRecord(identifier: number, channel: channel, purpose: purpose, at: time, withdraw: withdraw)
                }
                switch random.below(10) {
                case 2: consents += [event(at - 5 * day)]
                case 3: consents += [event(at - 5 * day), event(at - 2 * day, withdraw: true)]
                case 4: consents += [event(at - 5 * day, withdraw: true), event(at - 2 * day)]
                // A grant and a withdrawal at the same instant: the withdrawal wins.
                case 5: consents += [event(at - 3 * day), event(at - 3 * day, withdraw: true)]
                case 6: consents += [event(at - 5 * day), event(at - day, withdraw: true), event(at - day)]
                // Only from an hour after the gate time.
                case 7: consents += [event(at - 3 * day, withdraw: true), event(at + hour)]
                // At exactly the gate time, and withdrawn at exactly the later one.
                case 8: consents += [event(at), event(at + 2 * hour, withdraw: true)]
                // Consent to transactional messages is no marketing consent.
                case 9: consents += [event(at - 5 * day, purpose: .transactional)]
                default: break
                }
            }
            for _ in 0..<random.below(6) {
                let channels: [Channel] = [.sms, .sms, .zalo, .zalo, .call, .email]
                let offsets: [TimeInterval] = [
                    -hour, -12 * hour, -22 * hour, -23 * hour, -24 * hour, -25 * hour, 0, hour, -2 * day,
                ]
                let roll = random.below(20)
                sends.append(
                    FixtureSend(
                        identifier: number, channel: channels.randomElement(using: &random)!,
                        campaign: ["c1", "c2", "c3", "c4", "spring"].randomElement(using: &random)!,
                        at: at + offsets.randomElement(using: &random)!,
                        purpose: random.below(7) == 0 ? .transactional : .marketing,
                        outcome: roll < 14 ? .delivered : roll < 17 ? .failed : .planned))
            }
            if random.below(4) == 0 { listedBefore.append(number) }
            if random.below(4) == 0 { listedAfter.append(number) }
        }
        consents.shuffle(using: &random)

        // The hand-made cases, checked by name below: SMS marketing for campaign "spring" at the gate time.
        let grant = { (n: Int) in ConsentRecord(identifier: phone(n), channel: .sms, at: at - 3 * day) }
        // 290 and 291: a grant and a withdrawal at the same instant, recorded in either order.
        _ = try store.recordConsent(
            ConsentRecord(identifier: phone(290), channel: .sms, at: at - day), actor: "officer", at: at - day)
        _ = try store.recordConsent(
            ConsentRecord(identifier: phone(290), channel: .sms, at: at - day, withdraw: true), actor: "officer",
            at: at - day)
        _ = try store.recordConsent(
            ConsentRecord(identifier: phone(291), channel: .sms, at: at - day, withdraw: true), actor: "officer",
            at: at - day)
        _ = try store.recordConsent(
            ConsentRecord(identifier: phone(291), channel: .sms, at: at - day), actor: "officer", at: at - day)
        // 292: granted, withdrawn, and granted again at the very instant of the withdrawal.
        _ = try store.recordConsent(
            ConsentRecord(identifier: phone(292), channel: .sms, at: at - 2 * day), actor: "officer", at: at - day)
        _ = try store.recordConsent(
            ConsentRecord(identifier: phone(292), channel: .sms, at: at - day, withdraw: true), actor: "officer",
            at: at - day)
        _ = try store.recordConsent(
            ConsentRecord(identifier: phone(292), channel: .sms, at: at - day), actor: "officer", at: at - day)
        for n in 293..<300 { _ = try store.recordConsent(grant(n), actor: "officer", at: at - 3 * day) }
        func send(_ n: Int, _ campaign: String, _ offset: TimeInterval, _ outcome: SendOutcome = .delivered) {
            sends.append(
                FixtureSend(identifier: phone(n), channel: .sms, campaign: campaign, at: at + offset, outcome: outcome))
        }
        // 293: three other campaigns in the 24 hours: capped.
        send(293, "c1", -hour)
        send(293, "c2", -3 * hour)
        send(293, "c3", -5 * hour)
        // 294: two others and an earlier wave of this campaign: three messages (Decree 91 Art. 13(5) counts
        // messages, not campaigns).
        send(294, "c1", -hour)
        send(294, "c2", -2 * hour)
        send(294, "spring", -3 * hour)
        // 305: one campaign planned by a gate run and then delivered (one message), and one other: two, allowed.
        _ = try store.recordConsent(grant(305), actor: "officer", at: at - 3 * day)
        send(305, "c1", -2 * hour, .planned)
        send(305, "c1", -2 * hour)
        send(305, "c2", -hour)
        // 295: two others and one that failed.
        send(295, "c1", -hour)
        send(295, "c2", -2 * hour)
        send(295, "c3", -3 * hour, .failed)
        // 296: two others and one planned by an earlier gate run.
        send(296, "c1", -hour)
        send(296, "c2", -2 * hour)
        send(296, "c3", -3 * hour, .planned)
        // 297: two others in the window, one at its excluded start, one before it.
        send(297, "c1", -hour)
        send(297, "c2", -2 * hour)
        send(297, "c3", -24 * hour)
        send(297, "c4", -25 * hour)
        // 298: on the list in force.
        listedBefore.append(phone(298))
        // 299: a suppression lifted before the gate time.
        suppressions.append(
            FixtureSuppression(
                identifier: phone(299), channel: .sms, purpose: .marketing, since: at - 2 * day, liftedAt: at - day))

        try record(suppressions, in: store)
        try record(consents, in: store)
        try record(sends, in: store)
        // The version in force spans two blocks; a later one is not yet in force at the gate time.
        listedBefore += (310..<315).map(phone) + (10_000..<13_000).map(phone)
        listedAfter += (320..<325).map(phone)
        dncBefore = try importDoNotCall(listedBefore, asOf: at - 10 * day, in: store)
        dncAfter = try importDoNotCall(listedAfter, asOf: at + day, in: store)

        for n in 0..<Self.batchNumbers {
            let number = phone(n)
            numberOf[scratch.key(number)] = number.normalized
        }
        keys = numberOf.keys.sorted()
    }
}

/// Facts read every way the gate can: one instance per strategy, the two parts on separate read transactions (with
/// each strategy) combined either way round, and from preloaded sources.
private func batchFactsEveryWay(
    _ keys: [HashKey], _ query: BatchFacts.Query, _ store: RightsStore
) throws -> [(way: String, facts: BatchFacts)] {
    var ways: [(way: String, facts: BatchFacts)] = []
    for strategy in [BatchFacts.Strategy.automatic, .scan, .probe] {
        var facts = BatchFacts(keys: keys)
        facts.strategy = strategy
        try store.read { db in
            for part in BatchFacts.Part.allCases { try facts.read(part, query, db) }
        }
        ways.append(("\(strategy)", facts))
    }
    let mixes: [(BatchFacts.Strategy, BatchFacts.Strategy)] = [(.scan, .probe), (.probe, .scan)]
    for (refusalsStrategy, permissionsStrategy) in mixes {
        var refusals = BatchFacts(keys: keys)
        refusals.strategy = refusalsStrategy
        var permissions = BatchFacts(keys: keys)
        permissions.strategy = permissionsStrategy
        try store.read { db in try refusals.read(.refusals, query, db) }
        try store.read { db in try permissions.read(.permissions, query, db) }
        var combined = refusals
        combined.absorb(permissions)
        let parts = "parts (refusals \(refusalsStrategy), permissions \(permissionsStrategy))"
        ways.append((parts, combined))
        permissions.absorb(refusals)
        ways.append((parts + " absorbed into permissions", permissions))
    }
    // The sources preloaded whole (as while a batch is parsed), the rest probed.
    var preloaded = BatchFacts(keys: keys)
    preloaded.strategy = .probe
    preloaded.preload = try store.read { db in
        try BatchFacts.Preload(db, at: query.at, channel: query.channel, purpose: query.purpose, limit: .max)
    }
    try store.read { db in
        for part in BatchFacts.Part.allCases { try preloaded.read(part, query, db) }
    }
    ways.append(("preloaded", preloaded))
    return ways
}

private func describe(_ reason: ExclusionReason?) -> String { reason?.rawValue ?? "allowed" }

private func describe(_ scopes: [SuppressionScope]) -> [String] {
    scopes.map { "\($0.channel?.rawValue ?? "any")/\($0.purpose.rawValue)" }.sorted()
}

@Suite("GateBatch: set-wise gate internals")
struct GateBatchTests {
    // MARK: - DistinctKeys

    @Test(arguments: [0, 1, 7, 1000, 200_000])
    func distinctKeysSortsDeduplicatesAndMapsEveryRow(size: Int) throws {
        let hasher = KeyedHasher(secret: SymmetricKey(size: .bits256))
        var random = SeededGenerator(seed: UInt64(size) &+ 17)
        let pool = (0..<max(1, size / 10)).map { hasher.key("+8491\(1_000_000 + $0)") }
        let input = (0..<size).map { _ in pool[random.below(pool.count)] }
        try checkDistinctKeys(input)
    }

    @Test func distinctKeysOrdersKeysThatShareTheirLeadingWordAndExtremes() throws {
        // Keys that fall in one bucket (equal first word) differ only in later words; the extremes sit at the ends.
        var random = SeededGenerator(seed: 99)
        var pool: [HashKey] = [HashKey.zero, HashKey([UInt8](repeating: 0xFF, count: 32))!]
        for leading in [[UInt8](repeating: 0, count: 8), [UInt8](repeating: 0xFF, count: 8), random.bytes(8)] {
            for _ in 0..<150 {
                var bytes = leading + random.bytes(24)
                // Some differ only in the last word.
                if random.below(3) == 0 { bytes.replaceSubrange(8..<24, with: [UInt8](repeating: 7, count: 16)) }
                pool.append(HashKey(bytes)!)
            }
        }
        let input = (0..<3000).map { _ in pool[random.below(pool.count)] }
        try checkDistinctKeys(input)
        try checkDistinctKeys(Array(input.reversed()))
        try checkDistinctKeys(input.sorted())
        try checkDistinctKeys([HashKey.zero, HashKey.zero, HashKey.zero])
    }

    private func checkDistinctKeys(_ input: [HashKey]) throws {
        let distinct = DistinctKeys(input)
        let expected = Set(input).sorted()
        #expect(distinct.keys == expected)
        #expect(zip(distinct.keys, distinct.keys.dropFirst()).allSatisfy { $0 < $1 }, "strictly ascending")
        try #require(distinct.position.count == input.count)
        try #require(distinct.first.count == distinct.keys.count)
        let misplaced = input.indices.first { distinct.keys[Int(distinct.position[$0])] != input[$0] }
        #expect(misplaced == nil, "keys[position[\(misplaced ?? -1)]] is not that row's key")
        var firstIndex: [HashKey: Int] = [:]
        for (index, key) in input.enumerated() where firstIndex[key] == nil { firstIndex[key] = index }
        let wrongFirst = distinct.keys.indices.first { Int(distinct.first[$0]) != firstIndex[distinct.keys[$0]] }
        let expectedFirst = wrongFirst.map { firstIndex[distinct.keys[$0]] ?? -1 } ?? -1
        let gotFirst = wrongFirst.map { Int(distinct.first[$0]) } ?? -1
        #expect(wrongFirst == nil, "first[\(wrongFirst ?? -1)] = \(gotFirst), expected \(expectedFirst)")
    }

    // MARK: - DoNotCallBlocks

    @Test func doNotCallBlocksFindEveryWrittenKeyAndNoOther() throws {
        let scratch = try GateScratch()
        var random = SeededGenerator(seed: 5000)
        let pool = (0..<4500).map { scratch.hasher.key("+8491\(2_000_000 + $0)") }
        var written = pool + (0..<500).map { _ in pool[random.below(pool.count)] }
        written.shuffle(using: &random)
        #expect(written.count == 5000)
        let others = (0..<1000).map { scratch.hasher.key("+8498\(3_000_000 + $0)") }
        let expected = Set(pool).sorted()
        let (version, otherVersion, emptyVersion) = try scratch.store.perform(actor: "officer", at: gateTime) { db in
            func add(_ keys: [HashKey]) throws -> (Int64, Int) {
                try db.execute(
                    sql: """
                        INSERT INTO dnc_versions(as_of, file_name, file_sha256, numbers, imported_at, actor)
                        VALUES (0, 'dnc.csv', '', 0, 0, 'officer')
                        """)
                let id = db.lastInsertedRowID
                return (id, try DoNotCallBlocks.write(keys.map { ($0, .both) }, version: id, db))
            }
            let main = try add(written)
            let other = try add(others)
            let empty = try add([])
            return ((main, other, empty), AuditDraft(kind: "test.dnc", payload: [:]))
        }
        #expect(version.1 == 4500, "write returns the distinct count")
        #expect(otherVersion.1 == 1000)
        #expect(emptyVersion.1 == 0)
        try scratch.store.read { db in
            let missing = written.filter {
                !((try? DoNotCallBlocks.contains($0, version: version.0, kind: .both, db)) ?? false)
            }
            #expect(missing.isEmpty, "\(missing.count) written keys not found")
            // Keys of another version, and the extremes below and above every block, are not in this one.
            let extremes = [HashKey.zero, HashKey([UInt8](repeating: 0xFF, count: 32))!]
            let found = try (others + extremes).filter {
                try DoNotCallBlocks.contains($0, version: version.0, kind: .both, db)
            }
            #expect(found.isEmpty, "\(found.count) keys never written were found")
            #expect(
                try others.allSatisfy { try DoNotCallBlocks.contains($0, version: otherVersion.0, kind: .both, db) })
            #expect(try !pool.contains { try DoNotCallBlocks.contains($0, version: otherVersion.0, kind: .both, db) })
            // The first and last key of every block.
            for index in stride(from: 0, to: expected.count, by: DoNotCallBlocks.perBlock) {
                #expect(try DoNotCallBlocks.contains(expected[index], version: version.0, kind: .both, db))
                #expect(
                    try DoNotCallBlocks.contains(
                        expected[index - 1 < 0 ? 0 : index - 1], version: version.0, kind: .both, db))
            }
            #expect(try DoNotCallBlocks.contains(expected.last!, version: version.0, kind: .both, db))

            var streamed: [HashKey] = []
            try DoNotCallBlocks.forEach(version: version.0, kind: .both, db) { streamed.append($0) }
            #expect(streamed == expected, "forEach yields the sorted distinct keys")

            // Blocks hold at most `perBlock` hashes, start with their first hash and do not overlap.
            let blocks = try Row.fetchAll(
                db, sql: "SELECT first_hash, hashes FROM dnc_blocks WHERE version_id = ? ORDER BY first_hash",
                arguments: [version.0])
            #expect(blocks.count == (4500 + DoNotCallBlocks.perBlock - 1) / DoNotCallBlocks.perBlock)
            #expect(blocks.count > 2)
            var offset = 0
            for block in blocks {
                let hashes: Data = block["hashes"]
                let first: Data = block["first_hash"]
                #expect(hashes.count % 32 == 0)
                #expect(hashes.count / 32 <= DoNotCallBlocks.perBlock)
                #expect(Array(first) == Array(hashes.prefix(32)))
                #expect(Array(first) == expected[offset].bytes)
                offset += hashes.count / 32
            }
            #expect(offset == expected.count)

            // An empty version holds nothing.
            #expect(
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM dnc_blocks WHERE version_id = ?",
                    arguments: [
                        emptyVersion.0
                    ]) == 0)
            #expect(
                try !(pool + others).contains {
                    try DoNotCallBlocks.contains($0, version: emptyVersion.0, kind: .both, db)
                })
            var none = 0
            try DoNotCallBlocks.forEach(version: emptyVersion.0, kind: .both, db) { _ in none += 1 }
            #expect(none == 0)
            // A version that does not exist holds nothing either.
            #expect(try !DoNotCallBlocks.contains(pool[0], version: 9999, kind: .both, db))
        }
    }

    @Test func doNotCallBlocksAtExactBlockBoundaries() throws {
        let scratch = try GateScratch()
        let per = DoNotCallBlocks.perBlock
        for count in [1, per - 1, per, per + 1, 2 * per] {
            let keys = (0..<count).map { scratch.hasher.key("boundary \(count) \($0)") }
            let (version, written) = try scratch.store.perform(actor: "officer", at: gateTime) { db in
                try db.execute(
                    sql: """
                        INSERT INTO dnc_versions(as_of, file_name, file_sha256, numbers, imported_at, actor)
                        VALUES (0, 'dnc.csv', '', 0, 0, 'officer')
                        """)
                let id = db.lastInsertedRowID
                let distinct = try DoNotCallBlocks.write((keys + keys.prefix(3)).map { ($0, .both) }, version: id, db)
                return ((id, distinct), AuditDraft(kind: "test.dnc", payload: [:]))
            }
            #expect(written == count)
            try scratch.store.read { db in
                let blocks = try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM dnc_blocks WHERE version_id = ?", arguments: [version])
                #expect(blocks == (count + per - 1) / per, "\(count) keys")
                #expect(
                    try keys.allSatisfy { try DoNotCallBlocks.contains($0, version: version, kind: .both, db) },
                    "\(count) keys")
                var streamed: [HashKey] = []
                try DoNotCallBlocks.forEach(version: version, kind: .both, db) { streamed.append($0) }
                #expect(streamed == keys.sorted(), "\(count) keys")
            }
        }
    }

    // MARK: - BatchFacts against the per-person query

    @Test func batchFactsEveryWayAgreeWithThePerPersonQuery() throws {
        let scratch = try GateScratch()
        let fixture = try FactsFixture(scratch)
        let store = scratch.store
        var random = SeededGenerator(seed: 7)
        let special = (293..<299).map { scratch.key(phone($0)) }
        let few = Array(Set([special[0], special[5]] + (0..<4).map { _ in fixture.keys[random.below(340)] })).sorted()
        let batches = [fixture.keys, few, [fixture.keys[random.below(340)]], []]
        // `doNotCallVersion(at:)` is the one in force at the gate time.
        #expect(try store.read { try store.doNotCallVersion(at: gateTime, $0) } == fixture.dncBefore)

        var mismatches: [String] = []
        var outcomes: Set<String> = []
        // The version in force and none, at the gate time; a later version two hours on, when the suppressions,
        // consents and sends around the gate time have changed. The gate gives no version for email, but a version
        // must not change an email decision either.
        let situations: [(at: Date, version: Int64?)] = [
            (gateTime, fixture.dncBefore), (gateTime, nil), (gateTime + 2 * hour, fixture.dncAfter),
        ]
        for (at, version) in situations {
            for channel in Channel.allCases {
                for campaign in ["spring", nil] as [String?] {
                    let reference = try store.read { db in
                        let query = ContactFactsQuery(db, at: at, dncVersion: version, caps: channel)
                        return try Dictionary(
                            uniqueKeysWithValues: fixture.keys.map { ($0, try query.facts(hashes: [$0.bytes])) })
                    }
                    for purpose in Purpose.allCases {
                        let query = BatchFacts.Query(
                            at: at, channel: channel, purpose: purpose, campaign: campaign,
                            doNotCallVersion: version)
                        let situation =
                            "at \(Timestamp.vietnam(at)) \(channel.rawValue) \(purpose.rawValue) campaign "
                            + "\(campaign ?? "nil") dnc \(version.map(String.init) ?? "nil")"
                        for batch in batches {
                            for (way, read) in try batchFactsEveryWay(batch, query, store) {
                                try #require(read.facts.count == batch.count)
                                for (slot, key) in batch.enumerated() {
                                    let expected = ContactDecision.exclusion(
                                        for: reference[key]!, channel: channel, purpose: purpose)
                                    let got = ContactDecision.exclusion(
                                        for: read.facts[slot], channel: channel, purpose: purpose)
                                    outcomes.insert(describe(expected))
                                    if got != expected {
                                        mismatches.append(
                                            "\(way), \(situation), \(fixture.numberOf[key]!) in a batch of "
                                                + "\(batch.count): expected \(describe(expected)), got \(describe(got))"
                                        )
                                    }
                                }
                                // A forced scan reads every source for every recipient: the facts themselves
                                // match, not only the first reason.
                                guard way == "scan" else { continue }
                                for (slot, key) in batch.enumerated() {
                                    let expected = reference[key]!
                                    let got = read.facts[slot]
                                    let number = fixture.numberOf[key]!
                                    if describe(got.suppressions) != describe(expected.suppressions) {
                                        mismatches.append(
                                            "scan facts, \(situation), \(number): suppressions "
                                                + "\(describe(expected.suppressions)) vs \(describe(got.suppressions))")
                                    }
                                    guard purpose == .marketing else { continue }
                                    // The batch reads only the kinds of listing that stop its channel.
                                    if version != nil
                                        && got.doNotCall.contains(channel) != expected.doNotCall.contains(channel)
                                    {
                                        mismatches.append(
                                            "scan facts, \(situation), \(number): on the list for \(channel) "
                                                + "\(expected.doNotCall.contains(channel)) vs \(got.doNotCall.contains(channel))"
                                        )
                                    }
                                    if got.consentedChannels.contains(channel)
                                        != expected.consentedChannels.contains(channel)
                                    {
                                        mismatches.append(
                                            "scan facts, \(situation), \(number): consent "
                                                + "\(expected.consentedChannels.contains(channel)) vs "
                                                + "\(got.consentedChannels.contains(channel))")
                                    }
                                    if got.recentSends != expected.recentSends {
                                        mismatches.append(
                                            "scan facts, \(situation), \(number): recent sends "
                                                + "\(expected.recentSends.map(String.init) ?? "nil") vs "
                                                + "\(got.recentSends.map(String.init) ?? "nil")")
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(20))")
        // The fixture is worth comparing on: every outcome occurs.
        #expect(outcomes == ["allowed", "SUPPRESSED", "DNC", "NO_CONSENT", "FREQUENCY_CAP"])

        // The hand-made cases, by name: SMS marketing for "spring" at the gate time, the version then in force.
        let expectations: [(Int, ExclusionReason?, ExclusionReason?)] = [
            // number, campaign "spring", no campaign
            (290, .noConsent, .noConsent), (291, .noConsent, .noConsent), (292, .noConsent, .noConsent),
            (293, .frequencyCap, .frequencyCap), (294, .frequencyCap, .frequencyCap), (295, nil, nil),
            (296, .frequencyCap, .frequencyCap), (297, nil, nil), (298, .dnc, .dnc), (299, nil, nil),
            (300, .noConsent, .noConsent), (312, .dnc, .dnc), (305, nil, nil),
        ]
        for campaign in ["spring", nil] as [String?] {
            let query = BatchFacts.Query(
                at: gateTime, channel: .sms, purpose: .marketing, campaign: campaign,
                doNotCallVersion: fixture.dncBefore)
            for (way, read) in try batchFactsEveryWay(fixture.keys, query, store) {
                for (n, spring, none) in expectations {
                    let slot = try #require(fixture.keys.firstIndex(of: scratch.key(phone(n))))
                    let got = ContactDecision.exclusion(for: read.facts[slot], channel: .sms, purpose: .marketing)
                    #expect(
                        got == (campaign == nil ? none : spring),
                        "\(way), number \(n), campaign \(campaign ?? "nil"): got \(describe(got))")
                }
            }
        }
    }

    /// The gate judges email without the Do-Not-Call list, so it never gives `BatchFacts` a version for email. Given
    /// one anyway, a listed number's email consent must still count: the list does not apply to email.
    @Test func aDoNotCallVersionDoesNotHideEmailConsent() throws {
        let scratch = try GateScratch()
        let store = scratch.store
        let number = phone(1)
        _ = try store.recordConsent(
            ConsentRecord(identifier: number, channel: .email, at: gateTime - day), actor: "officer",
            at: gateTime - day)
        let version = try importDoNotCall([number, phone(2)], asOf: gateTime - 10 * day, in: store)
        let key = scratch.key(number)
        let reference = try store.read { db in
            try ContactFactsQuery(db, at: gateTime, dncVersion: version, caps: .email)
                .facts(hashes: [key.bytes])
        }
        #expect(reference.onDoNotCallList)
        #expect(ContactDecision.exclusion(for: reference, channel: .email, purpose: .marketing) == nil)
        let query = BatchFacts.Query(
            at: gateTime, channel: .email, purpose: .marketing, campaign: nil, doNotCallVersion: version)
        for (way, read) in try batchFactsEveryWay([key], query, store) {
            let got = ContactDecision.exclusion(for: read.facts[0], channel: .email, purpose: .marketing)
            // Reading both parts on one instance, a probe skips the consents of recipients already refused: a
            // listing must not count as a refusal on email.
            #expect(got == nil, "\(way): got \(describe(got))")
        }
    }

    // MARK: - runGate end to end

    private static let batch = """
        name,phone,note
        An,0912345678,first
        Bình,0903000111,suppressed
        An again,+84912345678,dup plus
        Chi,0987654321,dnc
        Dũng,0977000222,"no consent, none"
        An third,84912345678,dup bare
        Em,0966000333,capped
        Bad,12345,invalid
        Bình again,+84 903 000 111,dup of suppressed
        Phương,0355000444,"two lines
        of ""note""\"
        Hà,0388000555,tie

        """

    private func gate(
        _ store: RightsStore, _ csv: String, at: Date, campaign: String?, dryRun: Bool, sizeHint: Int? = nil
    ) throws -> (result: GateResult, clean: String, excluded: [[String]]) {
        let clean = GateSink()
        let excluded = GateSink()
        var cleanWriter = CSVWriter { clean.bytes += $0 }
        var excludedWriter = CSVWriter { excluded.bytes += $0 }
        let result = try store.runGate(
            GateRequest(
                channel: .sms, purpose: .marketing, at: at, campaign: campaign, dryRun: dryRun, fileName: "batch.csv",
                sizeHint: sizeHint),
            chunks: chunks(csv, size: 3), clean: &cleanWriter, excluded: &excludedWriter, actor: "officer", at: at)
        return (result, clean.text, parseCSV(excluded.text))
    }

    private func gateFixture() throws -> GateScratch {
        let scratch = try GateScratch()
        let store = scratch.store
        let at = gateTime
        func number(_ text: String) -> Identifier { try! Identifier(phone: text) }
        for text in ["0912345678", "0903000111", "0987654321", "0966000333", "0355000444", "0388000555"] {
            _ = try store.recordConsent(
                ConsentRecord(identifier: number(text), channel: .sms, at: at - 3 * day), actor: "officer",
                at: at - 3 * day)
        }
        // Hà's consent is withdrawn at the instant it is given again.
        _ = try store.recordConsent(
            ConsentRecord(identifier: number("0388000555"), channel: .sms, at: at - day), actor: "officer",
            at: at - day)
        _ = try store.recordConsent(
            ConsentRecord(identifier: number("0388000555"), channel: .sms, at: at - day, withdraw: true),
            actor: "officer", at: at - day)
        _ = try store.suppress(
            [(line: 1, identifier: number("0903000111"))], invalid: [], channel: .sms, purpose: .marketing,
            reason: "asked to stop", source: nil, actor: "officer", at: at - 2 * day)
        // Chi is on the version in force; An only on one from tomorrow.
        _ = try importDoNotCall([number("0987654321"), phone(1), phone(2)], asOf: at - 10 * day, in: store)
        _ = try importDoNotCall([number("0912345678")], asOf: at + day, in: store)
        try record(
            [
                FixtureSend(identifier: number("0966000333"), channel: .sms, campaign: "c1", at: at - hour),
                FixtureSend(identifier: number("0966000333"), channel: .sms, campaign: "c2", at: at - 2 * hour),
                FixtureSend(identifier: number("0966000333"), channel: .sms, campaign: "c3", at: at - 3 * hour),
                FixtureSend(identifier: number("0355000444"), channel: .sms, campaign: "c1", at: at - hour),
                FixtureSend(identifier: number("0355000444"), channel: .sms, campaign: "c2", at: at - 2 * hour),
                // Two messages and a failed one: under the cap of three, until a planned wave adds one.
                FixtureSend(
                    identifier: number("0355000444"), channel: .sms, campaign: "c3", at: at - hour, outcome: .failed),
                // Another channel does not count toward SMS.
                FixtureSend(identifier: number("0355000444"), channel: .zalo, campaign: "c4", at: at - hour),
            ], in: store)
        return scratch
    }

    @Test func runGateWritesCleanAndExcludedRowsInInputOrder() throws {
        let scratch = try gateFixture()
        let store = scratch.store
        let (result, clean, excluded) = try gate(
            store, Self.batch, at: gateTime, campaign: "spring", dryRun: true)

        #expect(
            clean == """
                name,phone,note,normalized
                An,0912345678,first,+84912345678
                Phương,0355000444,"two lines
                of ""note""\",+84355000444

                """)
        try #require(excluded.count == 10)
        #expect(excluded[0] == ["line", "identifier", "reason", "detail"])
        let rows = excluded.dropFirst()
        #expect(rows.allSatisfy { $0.count == 4 })
        #expect(
            rows.map { [$0[0], $0[1], $0[2]] } == [
                ["3", "+84903000111", "SUPPRESSED"],
                ["4", "+84912345678", "DUPLICATE"],
                ["5", "+84987654321", "DNC"],
                ["6", "+84977000222", "NO_CONSENT"],
                ["7", "+84912345678", "DUPLICATE"],
                ["8", "+84966000333", "FREQUENCY_CAP"],
                ["9", "12345", "INVALID_IDENTIFIER"],
                ["10", "+84903000111", "DUPLICATE"],
                ["13", "+84388000555", "NO_CONSENT"],
            ])
        let details = Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0[3]) })
        #expect(details["4"] == "same recipient as line 2")
        #expect(details["7"] == "same recipient as line 2")
        #expect(details["10"] == "same recipient as line 3")
        #expect(details["3"] == "a suppression in force stops marketing by sms")
        #expect(details["5"]?.hasPrefix("on the Do-Not-Call list in force") == true)
        #expect(details["8"]?.hasPrefix("3 advertising sms in the 24 hours before") == true)
        #expect(details["9"]?.isEmpty == false)

        #expect(result.rows == 11)
        #expect(result.allowed == 2)
        #expect(
            result.excluded == [
                "SUPPRESSED": 1, "DUPLICATE": 3, "DNC": 1, "NO_CONSENT": 2, "FREQUENCY_CAP": 1,
                "INVALID_IDENTIFIER": 1,
            ])
        #expect(result.rows == result.allowed + result.excluded.values.reduce(0, +))
        #expect(result.inputSHA256 == Digest.sha256Hex(Self.batch))
        // A dry run is recorded on the chain but plans no sends.
        let runs = try store.read { try Int64.fetchAll($0, sql: "SELECT id FROM gate_runs") }
        #expect(runs == [result.run])
        let planned = try store.read { try String.fetchAll($0, sql: "SELECT normalized FROM sends WHERE planned = 1") }
        #expect(planned == [], "a dry run planned sends")
        #expect(try store.auditEvents().last?.kind == "gate.run")
    }

    @Test func runGateDecidesTheSameWithSourcesPreloadedAndKeepsInputOrder() throws {
        let scratch = try gateFixture()
        var random = SeededGenerator(seed: 2026)
        // The fixture's numbers in every written form, others, and invalid rows, in a random order.
        let fixtureNumbers = [
            "912345678", "903000111", "987654321", "977000222", "966000333", "355000444", "388000555",
        ]
        var lines = ["phone,note"]
        for row in 0..<400 {
            let national = random.below(3) == 0 ? fixtureNumbers[random.below(7)] : "91\(1_000_000 + random.below(300))"
            let forms = ["0\(national)", "+84\(national)", "84\(national)", "+84 \(national)", "12345"]
            lines.append("\(forms[random.below(random.below(10) == 0 ? 5 : 4)]),row \(row)")
        }
        let csv = lines.joined(separator: "\n") + "\n"
        let plain = try gate(scratch.store, csv, at: gateTime, campaign: "spring", dryRun: true)
        // A size of a megabyte makes the gate read suppressions and consents while it parses the batch.
        let preloaded = try gate(
            scratch.store, csv, at: gateTime, campaign: "spring", dryRun: true, sizeHint: 1 << 20)
        #expect(preloaded.clean == plain.clean)
        #expect(preloaded.excluded == plain.excluded)
        #expect(preloaded.result.allowed == plain.result.allowed)
        #expect(preloaded.result.excluded == plain.result.excluded)
        #expect(plain.result.rows == 400)
        #expect(plain.result.allowed == plain.clean.split(separator: "\n").count - 1)
        #expect(plain.result.excluded.values.reduce(0, +) == plain.excluded.count - 1)
        #expect(plain.result.allowed + plain.result.excluded.values.reduce(0, +) == 400)
        let excludedLines = plain.excluded.dropFirst().map { Int($0[0]) ?? 0 }
        #expect(zip(excludedLines, excludedLines.dropFirst()).allSatisfy { $0 < $1 }, "excluded in input order")
        let cleanRows = parseCSV(plain.clean).dropFirst()
        #expect(cleanRows.allSatisfy { $0.count == 3 })
        let cleanNotes = cleanRows.map { Int($0[1].dropFirst(4)) ?? -1 }
        #expect(zip(cleanNotes, cleanNotes.dropFirst()).allSatisfy { $0 < $1 }, "clean in input order")
        // Each recipient is allowed at most once, and every allowed one had consent and no other refusal.
        let allowed = cleanRows.map { $0[2] }
        #expect(Set(allowed).count == allowed.count)
        #expect(Set(allowed).isSubset(of: ["+84912345678", "+84355000444"]))
        #expect(plain.result.excluded["DUPLICATE"] ?? 0 > 0)
        #expect(plain.result.excluded["INVALID_IDENTIFIER"] ?? 0 > 0)
    }

    @Test func runGatePlansSendsThatLaterRunsCount() throws {
        let scratch = try gateFixture()
        let store = scratch.store
        let first = try gate(store, Self.batch, at: gateTime, campaign: "spring", dryRun: false)
        #expect(first.result.allowed == 2)
        let planned = try store.read { db in
            try Row.fetchAll(
                db, sql: "SELECT normalized, campaign, sent_at, gate_run_id FROM sends WHERE planned = 1 ORDER BY 1")
        }
        #expect(planned.map { $0["normalized"] as String } == ["+84355000444", "+84912345678"])
        #expect(planned.allSatisfy { ($0["campaign"] as String) == "spring" })
        #expect(planned.allSatisfy { ($0["sent_at"] as Int64) == Timestamp.milliseconds(gateTime) })
        #expect(planned.allSatisfy { ($0["gate_run_id"] as Int64) == first.result.run })

        // An hour later, another campaign: Phương now has c1, c2 and the planned "spring" in the 24 hours.
        let batch = "phone\n0355000444\n0912345678\n"
        let summer = try gate(store, batch, at: gateTime + hour, campaign: "summer", dryRun: true)
        #expect(summer.excluded.dropFirst().map { [$0[0], $0[1], $0[2]] } == [["2", "+84355000444", "FREQUENCY_CAP"]])
        #expect(summer.clean == "phone,normalized\n0912345678,+84912345678\n")
        // A second wave of the same campaign counts its first: Phương has three messages for it too.
        let spring = try gate(store, batch, at: gateTime + hour, campaign: "spring", dryRun: true)
        #expect(spring.result.allowed == 1)
        #expect(spring.excluded.dropFirst().map { $0[2] } == ["FREQUENCY_CAP"])
        // Every run, dry or not, is recorded.
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM gate_runs") } == 3)
    }

    @Test func runGateRefusesOutsideHoursAndARealRunWithoutCampaign() throws {
        let scratch = try gateFixture()
        let late = gateTime + 13 * hour  // 23:00 Vietnam time
        #expect(throws: StoreError.self) {
            _ = try gate(scratch.store, Self.batch, at: late, campaign: "spring", dryRun: true)
        }
        #expect(throws: StoreError.self) {
            _ = try gate(scratch.store, Self.batch, at: gateTime, campaign: nil, dryRun: false)
        }
        #expect(try scratch.store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM gate_runs") } == 0)
    }

    // MARK: - The migration to blocks

    @Test func theMigrationMovesEveryOldNumberIntoBlocks() throws {
        let folder = NSTemporaryDirectory() + "rightsdesk-gatebatch-migration-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pool = try DatabasePool(path: folder + "/old.sqlite")
        try Migrations.migrator.migrate(pool, upTo: "Create Do-Not-Call versions, send logs and gate runs")
        #expect(try pool.read { try !$0.tableExists("dnc_blocks") })

        let hasher = KeyedHasher(secret: SymmetricKey(size: .bits256))
        let first = (0..<3000).map { hasher.key("+8491\(4_000_000 + $0)") }
        // The second version shares some numbers with the first; the third has none.
        let second = Array(first.prefix(5)) + (0..<10).map { hasher.key("+8498\(5_000_000 + $0)") }
        let versions: [(Int64, [HashKey])] = [(1, first), (2, second), (3, [])]
        try pool.write { db in
            for (id, keys) in versions {
                try db.execute(
                    sql: """
                        INSERT INTO dnc_versions(id, as_of, file_name, file_sha256, numbers, imported_at, actor)
                        VALUES (?, ?, 'dnc.csv', '', ?, 0, 'officer')
                        """, arguments: [id, id * 1000, keys.count])
                for key in keys {
                    try db.execute(
                        sql: "INSERT INTO dnc_numbers(id_hash, version_id) VALUES (?, ?)",
                        arguments: [Data(key.bytes), id])
                }
            }
        }
        try Migrations.migrator.migrate(pool)

        try pool.read { db in
            #expect(try !db.tableExists("dnc_numbers"))
            #expect(try db.tableExists("dnc_blocks"))
            for (id, keys) in versions {
                #expect(
                    try keys.allSatisfy { try DoNotCallBlocks.contains($0, version: id, kind: .both, db) },
                    "version \(id)")
                var streamed: [HashKey] = []
                try DoNotCallBlocks.forEach(version: id, kind: .both, db) { streamed.append($0) }
                #expect(streamed == keys.sorted(), "version \(id)")
                let blocks = try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM dnc_blocks WHERE version_id = ?", arguments: [id])
                #expect(
                    blocks == (keys.count + DoNotCallBlocks.perBlock - 1) / DoNotCallBlocks.perBlock, "version \(id)")
            }
            // A number is only in the versions that listed it.
            #expect(try !DoNotCallBlocks.contains(first[10], version: 2, kind: .both, db))
            #expect(try !DoNotCallBlocks.contains(second[7], version: 1, kind: .both, db))
            #expect(try !DoNotCallBlocks.contains(first[0], version: 3, kind: .both, db))
            // The versions themselves are untouched.
            #expect(try Int.fetchAll(db, sql: "SELECT numbers FROM dnc_versions ORDER BY id") == [3000, 15, 0])
            // The indexes the set-wise gate reads by.
            let sends = try db.indexes(on: "sends").map(\.name)
            #expect(sends.contains("sends_by_time"))
            let suppressions = try db.indexes(on: "suppressions").first { $0.name == "suppressions_by_identifier" }
            #expect(suppressions?.columns == ["id_hash", "since", "lifted_at", "channel", "purpose"])
            let consents = try db.indexes(on: "consent_events").first { $0.name == "consent_events_by_identifier" }
            #expect(consents?.columns == ["id_hash", "channel", "purpose", "at", "kind"])
        }
    }
}
