import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RightsCore
import RightsDelivery
import RightsEvidence
import RightsServer
import RightsStore

/// `rightsdesk serve`: the web desk and JSON API until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the web desk and the JSON API (Zalo OA secret from $RIGHTSDESK_ZALO_OA_SECRET).")

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on.") var port = 8080
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let installation = try Output.run { try database.open() }
        let secret = ProcessInfo.processInfo.environment["RIGHTSDESK_ZALO_OA_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        if secret == nil {
            Output.error("rightsdesk: RIGHTSDESK_ZALO_OA_SECRET is not set: every Zalo webhook call will be refused")
        }
        let delivery: DeliveryConfiguration
        do {
            delivery = try DeliveryConfiguration.fromEnvironment()
        } catch {
            throw Output.exitCode(reporting: CLIError(message: error.description))
        }
        if delivery.isEmpty {
            Output.error(
                "rightsdesk: letters are recorded, not delivered: set RIGHTSDESK_SMTP_URL and RIGHTSDESK_MAIL_FROM "
                    + "(mail) or RIGHTSDESK_ZALO_OA_ACCESS_TOKEN (Zalo)")
        }
        let server = DeskServer(installation: installation, zaloSecret: secret, delivery: delivery)
        let app = try server.makeApplication(host: host, port: port)
        let outbox = Task { await server.runOutbox(logger: Logger(label: "rightsdesk.outbox")) }
        defer { outbox.cancel() }
        let digestTo = (ProcessInfo.processInfo.environment["RIGHTSDESK_DIGEST_TO"] ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        if !digestTo.isEmpty && delivery.smtp == nil {
            Output.error("rightsdesk: RIGHTSDESK_DIGEST_TO is set but mail is not: no digest will be sent")
        }
        let digest = Task { await server.runDigest(to: digestTo, logger: Logger(label: "rightsdesk.digest")) }
        defer { digest.cancel() }
        // An import killed before it was published left rows that no answer reads: removed in the background, a
        // slice per transaction, so the desk takes requests meanwhile.
        let cleanup = Task.detached {
            do {
                let removed = try installation.store.removeAbandonedImports()
                if removed > 0 {
                    Output.error("rightsdesk: removed \(removed) import(s) cut short before they were published")
                }
            } catch {
                Output.error("rightsdesk: could not remove an import cut short: \(error)")
            }
        }
        defer { cleanup.cancel() }
        try await app.runService()
        server.lookups.flush()
    }
}

/// `rightsdesk users add|list|disable|rotate` (CONTRACT.md "The web desk").
struct Users: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Staff of the web desk and their API tokens.",
        subcommands: [Add.self, List.self, Disable.self, Rotate.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user; prints their token once.")
        @Argument(help: "The user's name.") var name: String
        @Option(help: "officer, support or auditor.") var role: StaffRole
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let issued = try Output.run {
                try database.open().store.addUser(name, role: role, actor: actor.resolved, now: Date())
            }
            try Users.print(issued, json: output.json)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users and roles.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let users = try Output.run { try database.open().store.users() }
            if output.json {
                try Output.json(users)
            } else {
                for user in users {
                    Output.line("\(user.name)\t\(user.role.rawValue)\t\(user.disabled ? "disabled" : "active")")
                }
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a user's token from working.")
        @Argument(help: "The user's name.") var name: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions

        func run() throws {
            try Output.run { try database.open().store.disableUser(name, actor: actor.resolved, now: Date()) }
            Output.line("\(name) disabled")
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a user a new token (the old one stops working).")
        @Argument(help: "The user's name.") var name: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let issued = try Output.run {
                try database.open().store.rotateUser(name, actor: actor.resolved, now: Date())
            }
            try Users.print(issued, json: output.json)
        }
    }

    static func print(_ issued: IssuedToken, json: Bool) throws {
        if json {
            try Output.json(issued)
        } else {
            Output.line("\(issued.name) (\(issued.role.rawValue)): token \(issued.token)")
            Output.line("It is shown once; use it as Authorization: Bearer TOKEN or to sign in on the desk.")
        }
    }
}

extension StaffRole: ExpressibleByArgument {}
