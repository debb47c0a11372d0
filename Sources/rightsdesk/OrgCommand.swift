import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsStore

/// `rightsdesk org set|show`: the company as letters, the portal, reports and evidence bundles name it.
struct Org: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The organisation's name, contact, address, tax code and DPO, as letters and bundles name it.",
        subcommands: [Show.self, Set.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The organisation as recorded.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let organization = try Output.run { try database.open().store.organizationRecord() }
            if output.json {
                try Output.json(organization)
                return
            }
            Org.print(organization)
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change the organisation's identity (recorded on the audit chain); an empty text clears a field.")

        @Option(help: "The company's registered name.") var name: String?
        @Option(help: "How people reach the company about their data (email, phone, hotline).") var contact: String?
        @Option(help: "The registered address.") var address: String?
        @Option(name: .customLong("tax-code"), help: "The tax code (mã số thuế): 10 digits, or 0123456789-001.")
        var taxCode: String?
        @Option(help: "The data protection officer or the department in charge.") var dpo: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let organization = try Output.run {
                try database.open().store.setOrganization(
                    OrganizationChange(name: name, contact: contact, address: address, taxCode: taxCode, dpo: dpo),
                    actor: actor.resolved, at: Date())
            }
            if output.json {
                try Output.json(organization)
                return
            }
            Org.print(organization)
        }
    }

    static func print(_ organization: Organization) {
        Output.line("name:     \(organization.name)")
        Output.line("contact:  \(organization.contact ?? "(not set)")")
        Output.line("address:  \(organization.address ?? "(not set)")")
        Output.line("tax code: \(organization.taxCode ?? "(not set)")")
        Output.line("DPO:      \(organization.dpo ?? "(not set)")")
    }
}
