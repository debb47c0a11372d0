import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsStore

/// `rightsdesk link ID ID [--reason TEXT] [--remove]`: an officer says two identifiers are one person's (CONTRACT.md
/// "One person, several identifiers"), so a refusal on either holds for both; `--remove` undoes an officer's link.
struct Link: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Link two identifiers of one person, so that a refusal on either holds for both.",
        discussion: """
            List rows and requests link identifiers by themselves (the phone, email and Zalo id of one row; the \
            subjects of one request). Use this for what only an officer knows, e.g. the person gave their phone \
            in the Zalo chat. --remove undoes an officer's link; links from rows and requests stay.
            """)

    @Argument(help: "A phone, an email or zalo:OA:USER.") var first: String
    @Argument(help: "Another identifier of the same person.") var second: String
    @Option(help: "Why they are one person (recorded).") var reason: String?
    @Flag(help: "Remove an officer's link between the two.") var remove = false
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let result = try Output.run {
            let (a, b) = (try parseIdentifier(first), try parseIdentifier(second))
            let store = try database.open().store
            return remove
                ? try store.unlink(a, b, actor: actor.resolved, at: Date())
                : try store.link(a, b, reason: reason, actor: actor.resolved, at: Date())
        }
        if output.json {
            try Output.json(result)
        } else {
            Output.line(
                (result.removed ? "Removed link \(result.link)" : "Linked (link \(result.link))")
                    + "; the person has \(result.identifiers) identifier\(result.identifiers == 1 ? "" : "s").")
        }
    }
}
