import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsStore

/// Reads an identifier given on the command line; an invalid one is bad input (exit 65).
func parseIdentifier(_ text: String, option: String = "identifier") throws -> Identifier {
    do {
        return try Identifier(parsing: text)
    } catch {
        throw CLIError.badInput("\(option) \(text): \(error)")
    }
}

/// `--channel C|any`.
struct ChannelOrAny: ExpressibleByArgument {
    let channel: Channel?

    init?(argument: String) {
        if argument == "any" {
            channel = nil
        } else if let channel = Channel(rawValue: argument) {
            self.channel = channel
        } else {
            return nil
        }
    }
}

struct Consent: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The consent ledger: record a consent or its withdrawal, per identifier, channel and purpose.",
        subcommands: [Add.self, Withdraw.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a consent; prints its id (a --consent-ref).")

        @Argument(help: "Phone, email or zalo:OA:USER.") var id: String
        @Option(help: "sms, zalo, email or call.") var channel: Channel
        @Option(help: "marketing or transactional.") var purpose: Purpose = .marketing
        @Option(help: "When the person consented.") var at: TimeArgument
        @Option(help: "How: web form, paper, SMS syntax, recorded call, Zalo follow...") var method: String
        @Option(help: "The exact consent text shown, or its version.") var text: String?
        @Option(help: "Where the proof is kept.") var evidence: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let id = try Output.run {
                try database.open().store.recordConsent(
                    ConsentRecord(
                        identifier: try parseIdentifier(self.id), channel: channel, purpose: purpose, at: at.date,
                        method: method, text: text, evidence: evidence), actor: actor.resolved, at: Date())
            }
            if output.json { try Output.json(["consent_id": id]) } else { Output.line("Recorded consent \(id).") }
        }
    }

    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a withdrawal of consent.")

        @Argument(help: "Phone, email or zalo:OA:USER.") var id: String
        @Option(help: "sms, zalo, email or call.") var channel: Channel
        @Option(help: "marketing or transactional.") var purpose: Purpose = .marketing
        @Option(help: "When the person withdrew.") var at: TimeArgument
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let id = try Output.run {
                try database.open().store.recordConsent(
                    ConsentRecord(
                        identifier: try parseIdentifier(self.id), channel: channel, purpose: purpose, at: at.date,
                        withdraw: true), actor: actor.resolved, at: Date())
            }
            if output.json { try Output.json(["consent_id": id]) } else { Output.line("Recorded withdrawal \(id).") }
        }
    }
}

struct Suppress: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Suppress an identifier, or every one in an opt-out file; lift or export suppressions.",
        subcommands: [Add.self, Lift.self, Export.self], defaultSubcommand: Add.self)

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Suppress ID, or the identifiers of --file (one per line), in one transaction.")

        @Argument(help: "Phone, email or zalo:OA:USER.") var id: String?
        @Option(help: "An opt-out export: one identifier per line, header optional, # comments.") var file: String?
        @Option(help: "Why.") var reason: String
        @Option(help: "sms, zalo, email, call or any.") var channel: ChannelOrAny = ChannelOrAny(argument: "any")!
        @Option(help: "marketing or all.") var purpose: SuppressionPurpose = .marketing
        @Option(
            help: "When the person opted out (default now; a file's opted_out_at column gives it per line).")
        var at: TimeArgument?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard (id == nil) != (file == nil) else { throw ValidationError("give an identifier or --file, not both") }
        }

        func run() throws {
            let result = try Output.run {
                let installation = try database.open()
                var identifiers: [(line: Int, identifier: Identifier)] = []
                var invalid: [InvalidRow] = []
                var source: String?
                var optedOutAt: [Int: Date] = [:]
                if let id {
                    identifiers = [(1, try parseIdentifier(id))]
                } else if let file {
                    guard let data = FileManager.default.contents(atPath: file) else {
                        throw CLIError(message: "cannot read \(file)")
                    }
                    let lines: [IdentifierLines.OptOut]
                    do throws(IdentifierLinesError) {
                        lines = try IdentifierLines.readOptOuts(Array(data))
                    } catch {
                        throw CLIError.badInput("\(file):\(error.line): \(error)")
                    }
                    for line in lines {
                        do {
                            identifiers.append((line.line, try Identifier(parsing: line.value)))
                        } catch {
                            invalid.append(InvalidRow(line: line.line, reason: "\(error)"))
                            continue
                        }
                        guard let written = line.optedOutAt else { continue }
                        // A time the file gives but that cannot be read would move the start of the duty: the
                        // whole file is refused rather than guessed at.
                        guard let time = Timestamp.parse(written) else {
                            throw CLIError.badInput(
                                "\(file):\(line.line): opted_out_at \"\(written)\" is not a time (write "
                                    + "2026-03-02T10:00:00+07:00 or 02/03/2026 10:00)")
                        }
                        optedOutAt[line.line] = time
                    }
                    // An opt-out export records the people's own refusals: lifting them needs their new consent.
                    source = "file:\((file as NSString).lastPathComponent)"
                }
                return try installation.store.suppress(
                    identifiers, invalid: invalid, channel: channel.channel, purpose: purpose, reason: reason,
                    source: source, since: at?.date, optedOutAt: optedOutAt, actor: actor.resolved, at: Date())
            }
            if output.json {
                try Output.json(result)
            } else {
                Output.line(
                    "Suppressed \(result.suppressed), already suppressed \(result.already), invalid \(result.invalid.count)."
                )
                for row in result.invalid.prefix(20) { Output.error("\(file ?? id ?? ""):\(row.line): \(row.reason)") }
            }
        }
    }

    struct Lift: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lift a suppression: on the person's new consent (--consent-ref), or a manual one with --reason.")

        @Argument(help: "Phone, email or zalo:OA:USER.") var id: String
        @Option(help: "sms, zalo, email, call or any.") var channel: ChannelOrAny
        @Option(help: "marketing or all.") var purpose: SuppressionPurpose
        @Option(help: "The id of a consent recorded after the suppression.") var consentRef: String?
        @Option(help: "Why an officer lifts a manual suppression.") var reason: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions

        func validate() throws {
            guard (consentRef == nil) != (reason == nil) else {
                throw ValidationError("give --consent-ref or --reason")
            }
        }

        func run() throws {
            let lifted = try Output.run {
                try database.open().store.liftSuppression(
                    try parseIdentifier(id), channel: channel.channel, purpose: purpose, consentRef: consentRef,
                    reason: reason, actor: actor.resolved, at: Date())
            }
            Output.line("Lifted \(lifted) suppression\(lifted == 1 ? "" : "s").")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the suppressed identifiers still known in plain form, for a provider's block list.")

        @Option(help: "sms, zalo, email, call or any.") var channel: ChannelOrAny
        @Option(help: "The file to write, one identifier per line.") var out: String
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let count = try Output.run {
                let identifiers = try database.open().store.suppressedIdentifiers(channel: channel.channel)
                let file = try AtomicFile(path: out)
                do {
                    try file.write(Array(identifiers.map { $0 + "\n" }.joined().utf8))
                    try file.commit()
                } catch {
                    file.discard()
                    throw error
                }
                return identifiers.count
            }
            Output.line("Wrote \(count) identifiers to \(out).")
        }
    }
}

struct DoNotCall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dnc", abstract: "The national Do-Not-Call list, versioned by the time it is in force.",
        subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a version of the list (one number per line), in force from --as-of.")

        @Argument(help: "The file.") var file: String
        @Option(help: "When this version is in force (default now).") var asOf: TimeArgument?
        @Option(help: "Every number's registration: sms (DNC S), call (DNC V) or both; a kind column sets each row's.")
        var kind: DoNotCallKind = .both
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let result = try Output.run {
                let installation = try database.open()
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw CLIError(message: "cannot read \(file)")
                }
                let lines: [IdentifierLines.OptOut]
                do throws(IdentifierLinesError) {
                    lines = try IdentifierLines.readOptOuts(Array(data))
                } catch {
                    throw CLIError.badInput("\(file):\(error.line): \(error)")
                }
                var numbers: [(line: Int, number: Identifier, kind: DoNotCallKind)] = []
                var invalid: [InvalidRow] = []
                for row in lines {
                    var rowKind = kind
                    if let written = row.kind, !written.trimmingWhitespace().isEmpty {
                        guard let parsed = DoNotCallKind(parsing: written) else {
                            invalid.append(
                                InvalidRow(line: row.line, reason: "kind \"\(written)\": write sms, call or both"))
                            continue
                        }
                        rowKind = parsed
                    }
                    do {
                        numbers.append((row.line, try Identifier(phone: row.value), rowKind))
                    } catch {
                        invalid.append(InvalidRow(line: row.line, reason: "\(error)"))
                    }
                }
                let now = Date()
                return try installation.store.importDoNotCall(
                    numbers: numbers, invalid: invalid, fileName: file, fileSHA256: Digest.sha256Hex(Array(data)),
                    asOf: asOf?.date ?? now, actor: actor.resolved, at: now)
            }
            if output.json {
                try Output.json(result)
            } else {
                Output.line(
                    "Do-Not-Call version \(result.version): \(result.numbers) numbers in force from \(result.asOf); \(result.invalid.count) invalid."
                )
            }
        }
    }
}
