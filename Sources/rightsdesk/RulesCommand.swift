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
        subcommands: [ListDays.self, Add.self, Reading.self], defaultSubcommand: ListDays.self)

    struct ListDays: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List days off and swapped days.")

        @Option(help: "Only this year.") var year: Int?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let calendar = try Output.run { try database.open().store.holidays() }
            let entries = calendar.entries(year: year).map { entry in
                Listed(entry: entry, counts: calendar.decidingEntry(on: entry.date) == entry)
            }
            if output.json {
                try Output.json(Listing(reading: calendar.reading, holidays: entries))
                return
            }
            Output.line("Reading: \(calendar.reading.rawValue) (holidays reading to change it)")
            for listed in entries {
                let entry = listed.entry
                let kind = entry.kind.rawValue.padding(toLength: 20, withPad: " ", startingAt: 0)
                let confidence = entry.confidence.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                Output.line(
                    "\(entry.date)  \(kind)  \(confidence)  \(listed.counts ? "counts " : "ignored")  \(entry.name)")
            }
            if let year, let covered = calendar.coveredYears, !covered.contains(year) {
                Output.error(
                    "warning: \(year) is outside the shipped calendar (\(covered)); add its days with holidays add")
            }
        }
    }

    /// `holidays list --json`: the reading and every entry, with whether it decides its day under that reading.
    struct Listing: Encodable {
        var reading: CalendarReading
        var holidays: [Listed]
    }

    struct Listed: Encodable {
        var entry: CalendarEntry
        var counts: Bool

        func encode(to encoder: any Encoder) throws {
            try entry.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(counts, forKey: .counts)
        }

        enum Key: String, CodingKey { case counts }
    }

    struct Reading: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or choose which days end a period late: statutory (the default) or announced.",
            discussion: """
                statutory: Civil Code 2015 Art. 148(5) as written; weekends, public holidays and their substitute \
                days off end a period late. announced: also the government's bridging days off (2 January 2026) \
                and swapped Saturdays (10 January 2026, a working day). Deadlines fixed earlier do not move.
                """)

        @Argument(help: "statutory or announced; without it, the current reading.") var reading: CalendarReading?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions

        func run() throws {
            let current = try Output.run {
                let store = try database.open().store
                if let reading { try store.setCalendarReading(reading, actor: actor.resolved, now: Date()) }
                return try store.holidays().reading
            }
            switch current {
            case .statutory:
                Output.line(
                    "statutory: weekends, public holidays and their substitute days off end a period late "
                        + "(Civil Code 2015 Art. 148(5)); bridging days off and swapped Saturdays are ignored.")
            case .announced:
                Output.line(
                    "announced: the government's schedule, bridging days off included and swapped Saturdays "
                        + "worked, as public offices keep it.")
            }
            if reading != nil { Output.line("New requests count with it; deadlines fixed earlier do not move.") }
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
