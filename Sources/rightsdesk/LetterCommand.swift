import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsStore

extension Request {
    struct Letter: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a letter to the person (Vietnamese or English); --send records it as sent.")

        @Argument(help: "The request's id.") var id: String
        @Option(help: "ack, extension, completion, rejection or refusal-confirmation.") var kind: LetterKind
        @Option(help: "vi or en.") var lang: LetterLanguage = .vi
        @Flag(help: "Record the letter as sent, with its text.") var send = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions

        func run() throws {
            let text = try Output.run {
                let installation = try database.open()
                if send {
                    return try LetterCommands.send(
                        installation, id: id, kind: kind, language: lang, actor: actor.resolved)
                }
                return try LetterCommands.render(installation, id: id, kind: kind, language: lang, now: Date())
            }
            Output.write(Array((text.hasSuffix("\n") ? text : text + "\n").utf8))
        }
    }
}

/// Builds a letter's view model from a request and renders it from `Templates/letters`.
enum LetterCommands {
    static func render(_ installation: Installation, id: String, kind: LetterKind, language: LetterLanguage, now: Date)
        throws -> String
    {
        let detail = try installation.store.request(id)
        let organization = try installation.store.organizationRecord()
        let context: LetterContext
        do throws(LetterError) {
            try RequestLetters.check(kind, for: detail)
            context = try RequestLetters.context(detail, organization: organization, letterDate: now)
        } catch {
            throw CLIError(message: error.description)
        }
        return try LetterRenderer().render(kind, language: language, context: context)
    }

    /// Renders and records the letter as sent (its text is kept for the access report and the evidence).
    static func send(
        _ installation: Installation, id: String, kind: LetterKind, language: LetterLanguage, actor: String
    )
        throws -> String
    {
        let now = Date()
        let text = try render(installation, id: id, kind: kind, language: language, now: now)
        try installation.store.recordLetter(
            id, kind: kind.rawValue, language: language.rawValue, text: text, actor: actor, now: now)
        return text
    }
}
