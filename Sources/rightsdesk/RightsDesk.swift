import ArgumentParser
import Foundation
import RightsServer

/// The `rightsdesk` command: parses arguments, opens the installation and calls the library's services.
@main
struct RightsDesk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rightsdesk",
        abstract:
            "A data-protection rights desk for Vietnamese businesses (Law 91/2025/QH15, Decree 356/2025, Decree 91/2020).",
        subcommands: [
            Init.self, Lists.self, Request.self, Consent.self, Suppress.self, DoNotCall.self, Sends.self, Gate.self,
            Why.self, Violations.self, Rules.self, Holidays.self, Audit.self, Evidence.self, Keys.self, Demo.self,
            Bench.self, Backup.self, Restore.self, Serve.self, Users.self, Link.self, Inbox.self, Org.self, Outbox.self,
            Remind.self, Lookups.self,
        ]
    )

    static func main() async {
        // Every file this process makes (the database, its WAL, exports, reports) holds personal data: owner only.
        umask(0o077)
        // A closed pipe (`rightsdesk … | head`) is an error to report, not a signal to die of.
        signal(SIGPIPE, SIG_IGN)
        // Before any task runs: the server's handlers then run on the event loops that carry their connections.
        if CommandLine.arguments.dropFirst().first == "serve" { DeskServer.runConcurrencyOnEventLoops() }
        await main(nil)
    }
}
