import ArgumentParser
import Foundation
import RightsCore
import RightsStore

struct Rules: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The rule sets in force: periods, extensions and refusal grounds, each with its citation.",
        subcommands: [Show.self, Policy.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the rule sets (with the company policy applied).")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let ruleSets = try Output.run { try database.open().store.ruleSets() }
            if output.json {
                try Output.json(["rule_sets": ruleSets])
                return
            }
            for ruleSet in ruleSets {
                Output.line("\(ruleSet.id): \(ruleSet.title)")
                Output.line(
                    "  from \(VietnamTime.iso8601(ruleSet.effectiveFrom))\(ruleSet.policy.map { "; policy \($0)" } ?? "")"
                )
                if let acknowledgement = ruleSet.acknowledgement {
                    Output.line("  acknowledge within \(acknowledgement.period) (\(acknowledgement.citation))")
                }
                for rule in ruleSet.requests {
                    let extensionText = rule.extensionPeriod.map { ", one extension of \($0)" } ?? ", no extension"
                    Output.line(
                        "  \(rule.type.rawValue): \(rule.period), \(rule.periodWithProcessors) with processors"
                            + "\(extensionText) (\(rule.citation))")
                }
            }
        }
    }

    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a company policy (JSON) that shortens legal periods; one that lengthens any is refused.")

        @Argument(help: "The policy file.") var file: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions

        func run() throws {
            try Output.run {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw CLIError(message: "cannot read \(file)")
                }
                let policy: CompanyPolicy
                do {
                    policy = try JSONDecoder().decode(CompanyPolicy.self, from: data)
                } catch {
                    throw CLIError.badInput("\(file): not a company policy: \(error)")
                }
                try database.open().store.setPolicy(
                    policy, json: String(decoding: data, as: UTF8.self), actor: actor.resolved, now: Date())
                Output.line("Policy \"\(policy.name)\" loaded; new requests use it from now on.")
            }
        }
    }
}

struct Holidays: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The holiday calendar deadlines count with: shipped 2025-2030, plus days an officer adds.",
        subcommands: [ListDays.self, Add.self], defaultSubcommand: ListDays.self)

    struct ListDays: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List days off and swapped days.")

        @Option(help: "Only this year.") var year: Int?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let calendar = try Output.run { try database.open().store.holidays() }
            let entries = calendar.entries(year: year)
            if output.json {
                try Output.json(["holidays": entries])
                return
            }
            for entry in entries {
                Output.line(
                    "\(entry.date)  \(entry.kind.rawValue.padding(toLength: 20, withPad: " ", startingAt: 0))  \(entry.name)"
                )
            }
            if let year, let covered = calendar.coveredYears, !covered.contains(year) {
                Output.error(
                    "warning: \(year) is outside the shipped calendar (\(covered)); add its days with holidays add")
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a day off the government announced, or a swapped working day (--working).")

        @Argument(help: "The date, yyyy-mm-dd.") var date: String
        @Option(help: "Its name, e.g. \"Nghỉ bù Quốc khánh\".") var name: String
        @Flag(help: "A Saturday or Sunday made a working day.") var working = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions

        func validate() throws {
            guard LocalDate(date) != nil else { throw ValidationError("\(date) is not a date (yyyy-mm-dd)") }
        }

        func run() throws {
            try Output.run {
                try database.open().store.addHoliday(
                    LocalDate(date)!, name: name, working: working, actor: actor.resolved, now: Date())
            }
            Output.line("\(date): \(name)\(working ? " (working day)" : ""). Deadlines fixed earlier do not move.")
        }
    }
}
