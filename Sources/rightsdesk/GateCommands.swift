import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsStore

struct Sends: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Providers' send logs (ZNS, SMS brand name, email), for caps, why and violations.",
        subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import a send log CSV.")

        @Argument(help: "The log file.") var file: String
        @Option(help: "The campaign it belongs to.") var campaign: String
        @Option(help: "sms, zalo, email or call.") var channel: Channel
        @Option(help: "marketing or transactional (a ZNS tag column overrides it per row).") var purpose: Purpose
        @Option(help: "The Official Account a bare zalo_id column belongs to.") var zaloOa: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let result = try Output.run {
                let installation = try database.open()
                let chunks = try FileChunks(path: file)
                return try installation.store.importSendLog(
                    fileName: file, chunks: chunks.next, campaign: campaign, channel: channel, purpose: purpose,
                    zaloOA: zaloOa, actor: actor.resolved, at: Date())
            }
            if output.json {
                try Output.json(result)
            } else {
                Output.line(
                    "Recorded \(result.recorded) sends of \(result.rows) rows (\(result.delivered) delivered, "
                        + "\(result.notDelivered) not delivered, \(result.invalid.count) invalid).")
            }
        }
    }
}

struct Gate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pass a send batch through suppressions, Do-Not-Call, consent, frequency caps and allowed hours.")

    @Argument(help: "The batch (CSV).") var file: String
    @Option(help: "sms, zalo, email or call.") var channel: Channel
    @Option(help: "marketing or transactional.") var purpose: Purpose
    @Option(help: "When the batch is sent.") var at: TimeArgument
    @Option(help: "When sending ends, for a batch sent over time.") var until: TimeArgument?
    @Option(help: "The campaign (required without --dry-run).") var campaign: String?
    @Flag(help: "Judge only; record no planned sends.") var dryRun = false
    @Option(help: "The identifier column (default: phone, email, or zalo_id then phone, by channel).") var idColumn:
        String?
    @Option(help: "The Official Account a bare zalo_id column belongs to.") var zaloOa: String?
    @Option(help: "Where to write the allowed rows.") var out: String
    @Option(help: "Where to write the refused rows with their reason.") var excluded: String
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        let paths = [file, out, excluded].map(ProtectedFiles.canonical)
        if Set(paths).count < 3 {
            throw ValidationError(
                "the batch, --out and --excluded must be three different files (one would overwrite another)")
        }
        if let until, until.date < at.date {
            throw ValidationError(
                "--until \(Timestamp.vietnam(until.date)) is before --at \(Timestamp.vietnam(at.date)): "
                    + "a batch ends after it starts")
        }
    }

    func run() throws {
        let result = try Output.run {
            let installation = try database.open()
            let chunks = try FileChunks(path: file)
            let cleanFile = try AtomicFile(path: out)
            let excludedFile = try AtomicFile(path: excluded)
            do {
                var clean = CSVWriter(hashing: false, sink: cleanFile.write)
                var refused = CSVWriter(hashing: false, sink: excludedFile.write)
                let result = try installation.store.runGate(
                    GateRequest(
                        channel: channel, purpose: purpose, at: at.date, until: until?.date, campaign: campaign,
                        dryRun: dryRun, idColumn: idColumn, zaloOA: zaloOa, fileName: file,
                        sizeHint: (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil),
                    chunks: chunks.next, clean: &clean, excluded: &refused, actor: actor.resolved, at: Date())
                try cleanFile.commit()
                try excludedFile.commit()
                return result
            } catch {
                cleanFile.discard()
                excludedFile.discard()
                throw error
            }
        }
        if output.json {
            try Output.json(result)
        } else {
            let reasons = result.excluded.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            Output.line(
                "\(result.allowed) of \(result.rows) allowed → \(out)"
                    + (reasons.isEmpty ? "" : "; excluded: \(reasons.joined(separator: ", ")) → \(excluded)"))
        }
    }
}

struct Why: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Why did this person get a message? Lists, sources, consents, sends, suppressions and requests.")

    @Argument(help: "A phone number in any format, an email or zalo:OA:USER.") var id: String
    @Option(help: "vi or en, for the text answer.") var lang: String = "vi"
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let answer = try Output.run {
            try database.open().store.why(try parseIdentifier(id), now: Date())
        }
        if output.json {
            try Output.json(answer)
        } else {
            Output.line(answer.explanation[lang] ?? answer.explanation["vi"] ?? "")
        }
    }
}

struct Violations: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delivered marketing sends after a matching suppression, or to a Do-Not-Call number.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let found = try Output.run { try database.open().store.violations() }
        if output.json {
            try Output.json(["violations": found])
        } else if found.isEmpty {
            Output.line("No violations found.")
        } else {
            for violation in found {
                Output.line(
                    "\(violation.sentAt)  \(violation.rule)  \(violation.identifier)  \(violation.campaign) "
                        + "(\(violation.channel))\(violation.requestID.map { "  request \($0)" } ?? "")")
            }
        }
    }
}
