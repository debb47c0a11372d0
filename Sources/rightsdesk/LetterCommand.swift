import ArgumentParser
import Foundation
import RightsCore
import RightsDelivery
import RightsEvidence
import RightsStore

extension Request {
    struct Letter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a letter to the person (Vietnamese or English); --send records and delivers it.",
            discussion: """
                --send delivers by mail to the request's email (RIGHTSDESK_SMTP_URL, RIGHTSDESK_MAIL_FROM) and by \\
                Zalo OA message to its Zalo id (RIGHTSDESK_ZALO_OA_ACCESS_TOKEN); a failed delivery is retried by serve.
                """)

        @Argument(help: "The request's id.") var id: String
        @Option(help: "ack, extension, completion, rejection or refusal-confirmation.") var kind: LetterKind
        @Option(help: "vi or en.") var lang: LetterLanguage = .vi
        @Flag(help: "The short form for an SMS or a Zalo reply (ack and refusal-confirmation; at most 160 characters).")
        var short = false
        @Flag(help: "Record the letter as sent, with its text, and deliver it where delivery is configured.")
        var send = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions

        func validate() throws {
            if short && send { throw ValidationError("--short prints the short form; --send sends the letter itself") }
        }

        func run() async throws {
            let installation = try Output.run { try database.open() }
            let sender = try Output.run { try LetterCommands.sender(installation) }
            let text: String
            if send {
                text = try await LetterCommands.send(sender, id: id, kind: kind, language: lang, actor: actor.resolved)
            } else {
                text = try Output.run {
                    try sender.render(id, kind: kind, language: lang, short: short, now: Date())
                }
            }
            Output.write(Array((text.hasSuffix("\n") ? text : text + "\n").utf8))
        }
    }
}

/// The letters of the command line: rendered from `Templates/letters`, sent through the outbox.
enum LetterCommands {
    /// A sender with the delivery configured in the environment.
    static func sender(_ installation: Installation) throws -> LetterSender {
        let configuration: DeliveryConfiguration
        do {
            configuration = try DeliveryConfiguration.fromEnvironment()
        } catch {
            throw CLIError(message: error.description)
        }
        return LetterSender(
            delivery: LetterDelivery(store: installation.store, configuration: configuration),
            renderer: try LetterRenderer())
    }

    /// Records the letter as sent, delivers it once and says on stderr what came of each message.
    static func send(_ sender: LetterSender, id: String, kind: LetterKind, language: LetterLanguage, actor: String)
        async throws -> String
    {
        let sent = try await Output.runAsync {
            try await sender.send(id, kind: kind, language: language, actor: actor, now: Date())
        }
        if sent.attempts.isEmpty && sent.queued == 0 {
            Output.error(
                sender.delivery.configuration.isEmpty
                    ? "recorded as sent; delivery is not configured (RIGHTSDESK_SMTP_URL, RIGHTSDESK_ZALO_OA_ACCESS_TOKEN)"
                    : "recorded as sent; the request has no email or Zalo id to deliver it to")
        }
        for attempt in sent.attempts { Output.error(attempt.result.summary(for: attempt.delivery)) }
        return sent.text
    }
}
