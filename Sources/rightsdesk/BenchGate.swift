import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsSamples
import RightsStore

/// `bench gate`: a batch of N against N suppressions, a 5N-number Do-Not-Call list, consents and a send log,
/// gated by the real command in a child process (dry and recording), beside the `sqlite3` shell doing the plain
/// anti-join on indexed plaintext tables. Also times one suppression's propagation to a large list.
struct GateBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate", abstract: "Gate an N-row batch against N suppressions and a 5N Do-Not-Call list.")

    @Option(help: "Rows in the batch (suppressions: the same; Do-Not-Call: five times as many).") var rows: Int =
        1_000_000
    @Option(help: "Where to put generated files and databases.") var dir: String = "bench-data"
    @Flag(help: .hidden) var prepareOnly = false

    func run() throws {
        try Output.run {
            let fileManager = FileManager.default
            try fileManager.createDirectory(atPath: dir, withIntermediateDirectories: true)
            func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }
            let database = path("gate.sqlite")
            let n = rows
            let at = Timestamp.parse("2026-06-02T10:00:00+07:00")!
            let batch = path("batch-\(n).csv")
            let me = CommandLine.arguments[0]
            if !prepareOnly {
                // The data is made in a child process so that this one stays small: a child's peak memory on Linux
                // starts from its parent's at spawn.
                Output.line(
                    "gate benchmark: batch \(n), suppressions \(n + n * 8 / 500), Do-Not-Call \(5 * n), "
                        + "consents \(n * 9 / 10), linked people \(n * 9 / 50)")
                Output.line(String(repeating: "-", count: 78))
                let setup = try measureChild(me, ["bench", "gate", "--prepare-only", "--rows", "\(n)", "--dir", dir])
                guard setup.status == 0 else { throw CLIError(message: "preparing the data failed (\(setup.status))") }
                Output.line(
                    String(format: "setup (imports, suppressions, Do-Not-Call, sends)     %7.2f s", setup.seconds))
                try measure(n: n, at: at, batch: batch, database: database, me: me, path: path)
                return
            }
            Installation.removeFiles(databasePath: database)
            let installation = try Installation.create(
                databasePath: database, organization: "Bench", actor: "bench", now: Date())
            let store = installation.store

            // Linking on: a fifth of the consented rows carry the person's Zalo id too, and a tenth of those people
            // refused by Zalo, which the gate must find from their phone.
            var consentBytes: [[UInt8]] = []
            BenchNumbers.consentCSV(0..<(n * 9 / 10), linkedEvery: 5) { consentBytes.append($0) }
            _ = try store.importList(
                ListImportRequest(list: "consented", fileName: "consented.csv", zaloOA: "1", basis: .consent),
                actor: "bench", at: Date(), chunks: { consentBytes.isEmpty ? nil : consentBytes.removeFirst() })
            let zaloRefusals = try stride(from: 0, to: n * 8 / 10, by: 50).map {
                (1, try Identifier(zaloColumn: BenchNumbers.zaloUser($0), oa: "1"))
            }
            _ = try store.suppress(
                zaloRefusals, invalid: [], channel: nil, purpose: .marketing, reason: "bench", source: "manual",
                actor: "bench", at: at.addingTimeInterval(-86400 * 30))
            let suppressed = try ((n * 8 / 10)..<(n * 18 / 10)).map {
                (1, try Identifier(phone: BenchNumbers.national($0)))
            }
            _ = try store.suppress(
                suppressed, invalid: [], channel: nil, purpose: .marketing, reason: "bench", source: "manual",
                actor: "bench", at: at.addingTimeInterval(-86400 * 30))
            let dnc = try ((n * 95 / 100)..<(n * 595 / 100)).map {
                (1, try Identifier(phone: BenchNumbers.national($0)), DoNotCallKind.both)
            }
            _ = try store.importDoNotCall(
                numbers: dnc, invalid: [], fileName: "dnc.txt", fileSHA256: "",
                asOf: at.addingTimeInterval(-86400 * 60),
                actor: "bench", at: Date())
            // A send log: one earlier campaign to a tenth of the batch, two more to a hundredth (who hit the cap).
            for (campaign, count) in [("earlier-1", n / 10), ("earlier-2", n / 100), ("earlier-3", n / 100)] {
                let sends = try (0..<count).map { index in
                    SendLogRow(
                        line: index + 2, identifier: try Identifier(phone: BenchNumbers.national(index)),
                        sentAt: at.addingTimeInterval(-3600), purpose: .marketing, tag: nil, error: "0", message: nil)
                }
                _ = try store.importSends(
                    sends, invalid: [], rowCount: sends.count, campaign: campaign, channel: .sms, purpose: .marketing,
                    fileName: "\(campaign).csv", fileSHA256: "", actor: "bench", at: Date())
            }
            let batchFile = try AtomicFile(path: batch)
            try BenchNumbers.batchCSV(0..<n, sink: batchFile.write)
            try batchFile.commit()
        }
    }

    private func measure(n: Int, at: Date, batch: String, database: String, me: String, path: (String) -> String) throws
    {
        let fileManager = FileManager.default
        do {
            for dry in [true, false] {
                var arguments = [
                    "gate", batch, "--channel", "sms", "--purpose", "marketing", "--at", Timestamp.vietnam(at),
                    "--out", path("clean.csv"), "--excluded", path("excluded.csv"), "--db", database, "--json",
                ]
                arguments += dry ? ["--dry-run"] : ["--campaign", "bench"]
                // A dry run changes nothing but its run record, so it is timed three times like the baseline; the
                // recording run once (each run plans its sends, so a second would differ).
                let run = try median(runs: dry ? 3 : 1) { try measureChild(me, arguments) }
                guard run.status == 0 else { throw CLIError(message: "the gate exited \(run.status)") }
                report(
                    dry ? "rightsdesk gate --dry-run (median of 3)" : "rightsdesk gate (records planned sends)", n, run)
            }

            if let sqlite = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].first(where: fileManager.isExecutableFile) {
                let baseline = path("baseline.sqlite")
                try? fileManager.removeItem(atPath: baseline)
                func e164(_ index: Int) -> String { "+84" + BenchNumbers.national(index).dropFirst() }
                func write(_ name: String, _ range: Range<Int>, extra: StrideTo<Int> = stride(from: 0, to: 0, by: 1))
                    throws
                {
                    let file = try AtomicFile(path: path(name))
                    var buffer: [UInt8] = Array("phone\n".utf8)
                    for index in Array(extra) + Array(range) {
                        buffer += Array((e164(index) + "\n").utf8)
                        if buffer.count > 1 << 20 {
                            try file.write(buffer)
                            buffer.removeAll(keepingCapacity: true)
                        }
                    }
                    try file.write(buffer)
                    try file.commit()
                }
                try write("b-consented.csv", 0..<(n * 9 / 10))
                // The people who refused by Zalo are suppressed by their phone here: the baseline knows no links.
                try write(
                    "b-suppressed.csv", (n * 8 / 10)..<(n * 18 / 10), extra: stride(from: 0, to: n * 8 / 10, by: 50))
                try write("b-dnc.csv", (n * 95 / 100)..<(n * 595 / 100))
                try write("b-batch.csv", 0..<n)
                let prepare = [
                    baseline, "-cmd", ".mode csv",
                    "CREATE TABLE consented(phone TEXT PRIMARY KEY); CREATE TABLE suppressed(phone TEXT PRIMARY KEY);"
                        + "CREATE TABLE dnc(phone TEXT PRIMARY KEY);",
                    ".import --skip 1 \(path("b-consented.csv")) consented",
                    ".import --skip 1 \(path("b-suppressed.csv")) suppressed",
                    ".import --skip 1 \(path("b-dnc.csv")) dnc",
                ]
                _ = try measureChild(sqlite, prepare)
                let query = [
                    baseline, "-cmd", ".mode csv", "CREATE TEMP TABLE batch(phone TEXT);",
                    ".import --skip 1 \(path("b-batch.csv")) batch", ".output \(path("b-clean.csv"))",
                    "SELECT phone FROM batch WHERE phone IN (SELECT phone FROM consented) AND phone NOT IN "
                        + "(SELECT phone FROM suppressed) AND phone NOT IN (SELECT phone FROM dnc);",
                ]
                let run = try median(runs: 3) { try measureChild(sqlite, query) }
                report("sqlite3 anti-join, plaintext, indexed (median of 3)", n, run)
            } else {
                Output.line("sqlite3 shell not installed: its baseline is skipped")
            }

            // Propagation: one new suppression, then the large list's count that reflects it.
            let store = try Installation.open(databasePath: database).store
            var clock = DispatchTime.now()
            func lap() -> Double {
                let now = DispatchTime.now()
                defer { clock = now }
                return Double(now.uptimeNanoseconds - clock.uptimeNanoseconds) / 1e9
            }
            _ = try store.suppress(
                [(1, try Identifier(phone: BenchNumbers.national(7)))], invalid: [], channel: nil, purpose: .all,
                reason: "bench", source: "manual", actor: "bench", at: Date())
            let suppressTime = lap()
            let summary = try store.listSummary(name: "consented")
            let showTime = lap()
            Output.line(
                String(
                    format:
                        "one suppression reaching a %d-entry list: %.1f ms to record, %.1f ms to count (%d suppressed)",
                    summary.entries, suppressTime * 1000, showTime * 1000, summary.suppressed))
            Output.line(String(repeating: "-", count: 78))
            Output.line(
                "Target: the whole dry-run gate under 2 s for 1,000,000 rows, faster than the sqlite3 anti-join.")
        }
    }

    /// The run with the median time of `runs`.
    private func median(
        runs: Int, _ measure: () throws -> (status: Int32, seconds: Double, maxRSSKB: Int)
    ) rethrows -> (status: Int32, seconds: Double, maxRSSKB: Int) {
        let all = try (0..<runs).map { _ in try measure() }.sorted { $0.seconds < $1.seconds }
        return all.first { $0.status != 0 } ?? all[all.count / 2]
    }

    private func report(_ label: String, _ rows: Int, _ run: (status: Int32, seconds: Double, maxRSSKB: Int)) {
        let padded = label.padding(toLength: 52, withPad: " ", startingAt: 0)
        Output.line(
            "\(padded) \(String(format: "%7.2f s", run.seconds))  \(String(format: "%9d", Int(Double(rows) / run.seconds))) "
                + "rows/s  \(String(format: "%7.1f MB peak", Double(run.maxRSSKB) / 1024))")
    }
}
