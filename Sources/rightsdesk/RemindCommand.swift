import ArgumentParser
import Foundation
import RightsCore
import RightsDelivery
import RightsStore

/// `rightsdesk remind --to EMAIL`: the staff digest by mail now (`serve` sends it at 08:00 on working days to
/// `$RIGHTSDESK_DIGEST_TO`).
struct Remind: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Mail staff a digest in Vietnamese: acknowledgements due today or late, overdue, due within 3 days.")

    @Option(name: .customLong("to"), help: "A staff email address (repeatable).") var recipients: [String]
    @Option(help: "The time to judge against (default: now).") var asOf: TimeArgument?
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions

    func validate() throws {
        guard !recipients.isEmpty else { throw ValidationError("give at least one --to EMAIL") }
    }

    func run() async throws {
        let installation = try Output.run { try database.open() }
        let configuration: DeliveryConfiguration
        do {
            configuration = try DeliveryConfiguration.fromEnvironment()
        } catch {
            throw Output.exitCode(reporting: CLIError(message: error.description))
        }
        let sent = try await Output.runAsync {
            try await Reminders.send(
                installation.store, configuration: configuration, to: recipients, asOf: asOf?.date ?? Date(),
                actor: actor.resolved)
        }
        let reminders = sent.reminders
        Output.line(
            "Sent to \(recipients.count) (\(sent.reply)): \(reminders.acknowledgements.count) to acknowledge, "
                + "\(reminders.overdue.count) overdue, \(reminders.dueSoon.count) due within 3 days.")
    }
}

/// `rightsdesk lookups log`: who looked up whom on the desk.
struct Lookups: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The staff lookup log: who looked up whom on the desk, and when.", subcommands: [Log.self],
        defaultSubcommand: Log.self)

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every lookup, oldest first (identifiers masked).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let entries = try Output.run { try database.open().store.lookups() }
            if output.json {
                try Output.json(["lookups": entries])
                return
            }
            if entries.isEmpty { Output.line("No lookups recorded.") }
            for entry in entries {
                Output.line("\(entry.at)  \(entry.user)  \(entry.kind)  \(entry.identifier ?? "(erased)")")
            }
        }
    }
}
