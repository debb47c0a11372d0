import ArgumentParser
import Foundation
import RightsEvidence

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the database and its key file (PATH.keys, mode 0600).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "The organization's name, as it appears on letters and evidence.")
    var org: String = "Tổ chức chưa đặt tên"

    @Option(help: "How people reach the privacy desk (email, phone), printed on letters.")
    var contact: String?

    func run() throws {
        try Output.run {
            let installation = try Installation.create(
                databasePath: database.resolvedPath, organization: org, contact: contact, actor: actor.resolved,
                now: Date())
            let key = installation.keys.activeSigningKey
            if output.json {
                try Output.json([
                    "database": database.resolvedPath, "key_file": KeyFile.path(forDatabase: database.resolvedPath),
                    "fingerprint": key.fingerprint, "organization": org,
                ])
            } else {
                Output.line("Created \(database.resolvedPath) for \(org).")
                Output.line(
                    "Key file: \(KeyFile.path(forDatabase: database.resolvedPath)) (keep it with the database; back it up)"
                )
                Output.line("Signing key fingerprint: \(key.fingerprint)")
            }
        }
    }
}
