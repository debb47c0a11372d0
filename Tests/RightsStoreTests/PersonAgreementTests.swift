import Crypto
import Foundation
import RightsCore
import Testing

@testable import RightsStore

/// ARCHITECTURE.md invariant 6, as a property: on random people — each with a phone, an email and a Zalo id, spread
/// over lists in partial rows, linked by rows, requests and officers — with random consents and suppressions, the
/// gate (set-wise, every identifier of a kind in one batch), `lists export`, `lists show` and `why` give the same
/// answer about every person.
@Suite("one person, one answer")
struct PersonAgreementTests {
    private struct Person {
        var phone: Identifier
        var email: Identifier
        var zalo: Identifier
        var all: [Identifier] { [phone, email, zalo] }
    }

    /// 2026-06-02 10:00 Vietnam time: inside every channel's hours.
    static let at = Date(timeIntervalSince1970: 1_780_369_200)
    static let day: TimeInterval = 86400

    private static func bytes(_ text: String) -> () throws -> [UInt8]? {
        var pending: [[UInt8]] = [Array(text.utf8)]
        return { pending.isEmpty ? nil : pending.removeFirst() }
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func theGateTheExportAndWhyAgreeAboutEveryPerson(seed: UInt64) throws {
        let folder = NSTemporaryDirectory() + "rightsdesk-agreement-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try RightsStore.create(
            at: folder + "/desk.sqlite", hasher: KeyedHasher(secret: SymmetricKey(size: .bits256)),
            installationID: "agreement", organization: "Ví Dụ",
            actor: "test", now: Self.at - 30 * Self.day)
        var random = SeededGenerator(seed: seed)
        let people = try (0..<40).map { n in
            Person(
                phone: try Identifier(phone: "09\(String(format: "%08d", 12_000_000 + n * 7919))"),
                email: try Identifier(email: "khach\(n)@example.vn"), zalo: .zalo(oa: "77", user: "5821\(n)"))
        }
        let consentAt = "2025-09-01T08:00:00+07:00"

        // Lists: each person appears in partial rows (a phone alone, an email with a Zalo id, the full row ...).
        let layouts: [[Identifier.Kind]] = [
            [.phone], [.email], [.zalo], [.phone, .zalo], [.email, .zalo],
            [
                .phone, .email, .zalo,
            ],
        ]
        for list in ["crm", "oa", "news"] {
            var csv = "phone,email,zalo_id,consent_at,channel\n"
            for person in people where random.chance(60) {
                let kinds = layouts[random.below(layouts.count)]
                let channels = Channel.allCases.filter { _ in random.chance(60) }.map(\.rawValue)
                csv +=
                    [
                        kinds.contains(.phone) ? person.phone.normalized : "",
                        kinds.contains(.email) ? person.email.normalized : "",
                        kinds.contains(.zalo) ? person.zalo.normalized : "",
                        channels.isEmpty ? "" : consentAt, channels.joined(separator: ";"),
                    ].joined(separator: ",") + "\n"
            }
            _ = try store.importList(
                ListImportRequest(list: list, fileName: "\(list).csv", zaloOA: "77"), actor: "test",
                at: Self.at - 20 * Self.day, chunks: Self.bytes(csv))
        }
        // Links beyond rows: requests naming two identifiers, an officer's word.
        for person in people where random.chance(15) {
            _ = try store.createRequest(
                NewRequest(
                    type: .access, subjects: [person.phone, person.email], channel: .email,
                    receivedAt: Self.at - 10 * Self.day), actor: "test", at: Self.at - 10 * Self.day)
        }
        for person in people where random.chance(15) {
            _ = try store.link(
                person.email, person.zalo, reason: "đã xác nhận", actor: "test", at: Self.at - 9 * Self.day)
        }
        // Refusals on one identifier each, of every scope; and consents recorded on single identifiers.
        for person in people {
            if random.chance(30) {
                let target = person.all[random.below(3)]
                let channel: Channel? = random.chance(50) ? nil : Channel.allCases[random.below(4)]
                let purpose: SuppressionPurpose = random.chance(30) ? .all : .marketing
                _ = try store.suppress(
                    [(1, target)], invalid: [], channel: channel, purpose: purpose,
                    reason: "thử", source: nil, actor: "test", at: Self.at - 5 * Self.day)
            }
            if random.chance(20) {
                let target = random.chance(50) ? person.phone : person.zalo
                _ = try store.recordConsent(
                    ConsentRecord(
                        identifier: target, channel: .zalo, at: Self.at - 8 * Self.day, withdraw: random.chance(30)),
                    actor: "test", at: Self.at - 8 * Self.day)
            }
        }

        // The gate: one batch per channel and kind of identifier, every person in it.
        var gated: [String: [String: Bool]] = [:]  // channel -> normalized -> allowed
        var suppressedByGate: [String: Set<String>] = [:]
        for channel in Channel.allCases {
            for kind in Identifier.Kind.allCases {
                let column = kind.column
                let csv =
                    column + "\n"
                    + people.map { person in person.all.first { $0.kind == kind }!.normalized }
                    .joined(separator: "\n") + "\n"
                var clean = CSVWriter { _ in }
                var excludedBytes: [UInt8] = []
                var excluded = CSVWriter { excludedBytes += $0 }
                let result = try store.runGate(
                    GateRequest(
                        channel: channel, purpose: .marketing, at: Self.at, dryRun: true, idColumn: column,
                        zaloOA: "77", fileName: "batch.csv"),
                    chunks: Self.bytes(csv), clean: &clean, excluded: &excluded, actor: "test", at: Self.at)
                #expect(result.rows == people.count)
                var refused: [String: String] = [:]
                for line in String(decoding: excludedBytes, as: UTF8.self).split(separator: "\n").dropFirst() {
                    let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                    refused[fields[1]] = fields[2]
                }
                for person in people {
                    let id = person.all.first { $0.kind == kind }!.normalized
                    gated[channel.rawValue, default: [:]][id] = refused[id] == nil
                    if refused[id] == "SUPPRESSED" { suppressedByGate[channel.rawValue, default: []].insert(id) }
                }
            }
        }

        var checked = (allowed: 0, refused: 0, suppressed: 0)
        for person in people {
            let answers = try person.all.map { try store.why($0, now: Self.at) }
            for (identifier, answer) in zip(person.all, answers) {
                for status in answer.channels {
                    // The per-person answer is the set-wise gate's, reason for reason.
                    #expect(
                        gated[status.channel]?[identifier.normalized] == status.allowed,
                        "seed \(seed): \(identifier.normalized) on \(status.channel): why says \(status.reason ?? "-")")
                    if status.allowed { checked.allowed += 1 } else { checked.refused += 1 }
                    // A refusal holds for the whole person: suppressed on one identifier, suppressed on all.
                    let suppressed = status.reason == ExclusionReason.suppressed.rawValue
                    #expect(
                        suppressed == (suppressedByGate[status.channel]?.contains(identifier.normalized) == true))
                    let siblings = person.all.filter { $0 != identifier }
                    if suppressed, answer.identifiers.count > 1 {
                        checked.suppressed += 1
                        for sibling in siblings
                        where answer.identifiers.contains(where: { $0.identifier == sibling.normalized }) {
                            #expect(
                                suppressedByGate[status.channel]?.contains(sibling.normalized) == true,
                                "seed \(seed): \(identifier.normalized) suppressed on \(status.channel), not \(sibling.normalized)"
                            )
                        }
                    }
                }
                // Every list row of the person has one status, the person's.
                let anyInForce = answer.suppressions.contains { $0.liftedAt == nil }
                #expect(answer.lists.allSatisfy { ($0.status == "suppressed") == anyInForce })
            }
        }
        // The fixture is worth checking: each kind of answer occurs.
        #expect(checked.allowed > 0 && checked.refused > 0 && checked.suppressed > 0, "\(checked)")

        // The export writes no row of a person the gate refuses for suppression, and `lists show` counts as `why`.
        for list in ["crm", "oa", "news"] {
            for channel in Channel.allCases {
                var bytes: [UInt8] = []
                var writer = CSVWriter { bytes += $0 }
                _ = try store.exportList(
                    name: list, channel: channel, purpose: .marketing, actor: "test", at: Self.at, to: &writer)
                let rows = String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst()
                for row in rows {
                    let fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                    let identifiers = fields.prefix(3).filter { !$0.isEmpty }
                    for id in identifiers {
                        #expect(
                            suppressedByGate[channel.rawValue]?.contains(id) != true,
                            "seed \(seed): \(list) exported \(id) for \(channel.rawValue), which the gate suppresses")
                    }
                }
            }
            let summary = try store.listSummary(name: list)
            var suppressedRows = Set<Int>()
            for identifier in people.flatMap(\.all) {
                for row in try store.why(identifier, now: Self.at).lists where row.list == list {
                    if row.status == "suppressed" { suppressedRows.insert(row.line) }
                }
            }
            #expect(summary.suppressed == suppressedRows.count, "seed \(seed): lists show \(list)")
        }
    }
}
