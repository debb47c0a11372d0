import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsSamples
import RightsStore

/// `bench evidence`: N requests over a year (a third completed, some late, some objections that suppress), then the
/// real `evidence export` of the whole period and `evidence verify` of it, each in a child process, beside the
/// baseline of `sha256sum -c` and `openssl` checking the same bundle by hand.
struct EvidenceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence", abstract: "Export and verify an evidence bundle of N requests.")

    @Option(help: "Requests received in the period.") var requests: Int = 10_000
    @Option(help: "Where to put the database and the bundle.") var dir: String = "bench-data"

    func run() throws {
        try Output.run {
            let fileManager = FileManager.default
            try fileManager.createDirectory(atPath: dir, withIntermediateDirectories: true)
            func path(_ name: String) -> String { (dir as NSString).appendingPathComponent(name) }
            let database = path("evidence.sqlite")
            Installation.removeFiles(databasePath: database)
            Output.line("evidence benchmark: \(requests) requests received in 2026")
            Output.line(String(repeating: "-", count: 78))
            let setupStart = Date()
            let store = try Installation.create(
                databasePath: database, organization: "Công ty Bench", actor: "bench", now: Date()
            ).store
            let types: [RequestType] = [.objection, .access, .deletion, .correction, .withdrawConsent, .restriction]
            let start = Timestamp.parse("2026-01-05T09:00:00+07:00")!
            for index in 0..<requests {
                let received = start.addingTimeInterval(Double(index) * 350 * 86400 / Double(max(requests, 1)))
                let view = try store.createRequest(
                    NewRequest(
                        type: types[index % types.count],
                        subjects: [try Identifier(phone: BenchNumbers.national(index))], channel: .zalo,
                        receivedAt: received, name: "Khách \(index)"),
                    actor: "bench", at: received.addingTimeInterval(60))
                if index % 3 == 0 {
                    _ = try store.acknowledgeRequest(
                        view.id, at: received.addingTimeInterval(3600), actor: "bench", now: received)
                }
            }
            Output.line(
                String(
                    format: "setup: %d requests recorded                            %7.2f s", requests,
                    Date().timeIntervalSince(setupStart)))
            let me = CommandLine.arguments[0]
            let bundle = path("evidence-2026.zip")
            try? fileManager.removeItem(atPath: bundle)
            let export = try measureChild(
                me,
                ["evidence", "export", "--from", "2026-01-01", "--to", "2026-12-31", "--out", bundle, "--db", database])
            guard export.status == 0 else { throw CLIError(message: "evidence export exited \(export.status)") }
            report("rightsdesk evidence export (the whole year)", export)
            let verify = try measureChild(me, ["evidence", "verify", bundle, "--db", database])
            guard verify.status == 0 else { throw CLIError(message: "evidence verify exited \(verify.status)") }
            report("rightsdesk evidence verify", verify)
            let unpacked = path("evidence-2026")
            try? fileManager.removeItem(atPath: unpacked)
            if fileManager.isExecutableFile(atPath: "/usr/bin/unzip") {
                _ = try measureChild("/usr/bin/unzip", ["-q", bundle, "-d", unpacked])
                let check = try measureChild(
                    "/bin/sh",
                    [
                        "-c",
                        "cd '\(unpacked)' && openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin "
                            + "-in SHA256SUMS -sigfile SHA256SUMS.sig >/dev/null && sha256sum --strict --quiet -c "
                            + "SHA256SUMS && test \"$(find . -type f ! -name SHA256SUMS ! -name SHA256SUMS.sig "
                            + "| sed 's|^\\./||' | sort)\" = \"$(cut -c67- SHA256SUMS | sort)\"",
                    ])
                guard check.status == 0 else { throw CLIError(message: "the by-hand check failed (\(check.status))") }
                report("by hand: openssl + sha256sum -c + find (baseline)", check)
                Output.line(
                    String(format: "evidence verify / by hand: %.1fx", verify.seconds / max(check.seconds, 0.001)))
            }
            let size = (try? fileManager.attributesOfItem(atPath: bundle)[.size] as? Int) ?? 0
            Output.line(String(format: "bundle: %.1f MB", Double(size) / 1_048_576))
            Output.line(String(repeating: "-", count: 78))
            Output.line("Target: 10,000 requests export in under 5 s; verify takes at most 2x the by-hand check.")
        }
    }

    private func report(_ label: String, _ run: (status: Int32, seconds: Double, maxRSSKB: Int)) {
        let padded = label.padding(toLength: 52, withPad: " ", startingAt: 0)
        Output.line(
            "\(padded) \(String(format: "%7.2f s", run.seconds))  \(String(format: "%7.1f MB peak", Double(run.maxRSSKB) / 1024))"
        )
    }
}
