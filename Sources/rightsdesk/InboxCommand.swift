import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsStore

/// `rightsdesk inbox`: Zalo messages that may be refusals ("hủy đơn hàng" may cancel an order, not the ads), for an
/// officer to file as an objection or dismiss.
struct Inbox: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Zalo messages that may be refusals: list them, file one as an objection or dismiss it.",
        subcommands: [List.self, Resolve.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The messages waiting for an officer, oldest first.")

        @Flag(help: "Include the messages already resolved.") var all = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let messages = try Output.run { try database.open().store.inbox(includeResolved: all) }
            if output.json {
                try Output.json(["messages": messages])
                return
            }
            if messages.isEmpty { Output.line(all ? "The inbox is empty." : "No message is waiting.") }
            for message in messages {
                let state = message.resolution.map { " [\($0) by \(message.resolvedBy ?? "?")]" } ?? ""
                Output.line("\(message.id)  \(message.receivedAt)  \(message.identifier)\(state)\n    \(message.text)")
            }
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "File a message as an objection to marketing (from when it arrived), or dismiss it.")

        @Argument(help: "The message id (inbox list).") var id: Int64
        @Flag(help: "It is a refusal: file an objection for the sender.") var objection = false
        @Flag(help: "It is not a refusal.") var dismiss = false
        @Option(help: "Why (recorded, sealed with the person's data).") var note: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard objection != dismiss else { throw ValidationError("give exactly one of --objection or --dismiss") }
        }

        func run() throws {
            let message = try Output.run {
                try database.open().store.resolveInbox(
                    id, objection: objection, note: note, actor: actor.resolved, at: Date())
            }
            if output.json {
                try Output.json(message)
            } else if let request = message.requestID {
                Output.line("Filed objection \(request) for \(message.identifier), effective \(message.receivedAt).")
            } else {
                Output.line("Dismissed message \(message.id).")
            }
        }
    }
}
