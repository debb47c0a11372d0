import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsStore

struct Lists: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Contact lists: import, show, export, list and delete.",
        subcommands: [Import.self, Show.self, Export.self, Ls.self, Delete.self])
}

extension Channel: ExpressibleByArgument {}
extension Purpose: ExpressibleByArgument {}
extension LegalBasis: ExpressibleByArgument {}

extension Lists {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a CSV export (UTF-8 or UTF-16 with BOM; `,` `;` or tab) into a list, all or nothing.")

        @Argument(help: "The file to import.") var file: String
        @Option(help: "The list to import into (created when new).") var list: String
        @Option(help: "Where the list came from, kept as provenance.") var source: String?
        @Option(help: "The channel a row's consent_at consents to when it has no channel column.")
        var consentChannel: Channel?
        @Option(help: "The Official Account a bare zalo_id column belongs to.") var zaloOa: String?
        @Option(help: "The legal basis: consent, contract, purchased or other.") var basis: LegalBasis?
        @Option(help: "The delimiter: ',' ';' or 'tab' (default: detected from the header).") var delimiter: String?
        @Option(parsing: .singleValue, help: "Map a header to a field, e.g. --map 'Di động=phone'.") var map: [String] =
            []
        @Flag(help: "Reject the whole file (exit 65) if any row is invalid.") var strict = false
        @Flag(help: "Print how long each step of the import took, on stderr.") var timings = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let delimiter, Self.delimiterByte(delimiter) == nil {
                throw ValidationError("--delimiter takes ',', ';' or 'tab'")
            }
            for entry in map {
                guard let equals = entry.lastIndex(of: "="),
                    ListField(mapTarget: String(entry[entry.index(after: equals)...])) != nil
                else {
                    throw ValidationError(
                        "--map takes HEADER=FIELD with FIELD one of \(ListField.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
            }
        }

        static func delimiterByte(_ text: String) -> UInt8? {
            switch text {
            case ",": UInt8(ascii: ",")
            case ";": UInt8(ascii: ";")
            case "tab", "\t", "\\t", "TAB": 0x09
            default: nil
            }
        }

        func run() throws {
            let result = try Output.run {
                let installation = try database.open()
                let chunks = try FileChunks(path: file)
                var mapping: [String: ListField] = [:]
                for entry in map {
                    let equals = entry.lastIndex(of: "=")!
                    mapping[String(entry[..<equals])] = ListField(
                        mapTarget: String(entry[entry.index(after: equals)...]))
                }
                let request = ListImportRequest(
                    list: list, fileName: file, source: source, consentChannel: consentChannel, zaloOA: zaloOa,
                    basis: basis, delimiter: delimiter.flatMap(Self.delimiterByte), map: mapping, strict: strict)
                let progress = Progress(label: "importing \(file)")
                defer { progress.finish() }
                let timings = timings
                return try installation.store.importList(
                    request, actor: actor.resolved, at: Date(), chunks: chunks.next,
                    progress: { event in
                        if timings, case .step(let name, let seconds) = event {
                            progress.finish()
                            Output.error(name + ": " + String(format: "%.2f s", seconds))
                        }
                        progress.report(event)
                    })
            }
            if output.json {
                try Output.json(result)
                return
            }
            Output.line(
                "Imported \(result.imported) of \(result.rows) rows into \"\(result.list)\" "
                    + "(\(result.duplicates) duplicates kept as provenance, \(result.invalid.count) invalid, "
                    + "\(result.consents) consents, \(result.suppressed) already suppressed).")
            if result.basis == .purchased {
                Output.error(
                    "warning: this list is recorded as purchased; buying personal data is prohibited (Law 91/2025 Art. 7(6))"
                )
            }
            if result.consents == 0 && result.consentsWithoutChannel == 0 {
                Output.line("No consent recorded: the file has no consent_at values.")
            } else if result.consentsWithoutChannel > 0 {
                Output.line(
                    "\(result.consentsWithoutChannel) rows have consent_at but no channel column or --consent-channel; "
                        + "no consent was recorded for them (consent is per channel).")
            }
            for row in result.invalid.prefix(20) { Output.error("\(file):\(row.line): \(row.reason)") }
            if result.invalid.count > 20 {
                Output.error("... and \(result.invalid.count - 20) more invalid rows (see --json)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count a list's entries and suppressed entries.")

        @Argument(help: "The list's name.") var name: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let summary = try Output.run { try database.open().store.listSummary(name: name) }
            if output.json {
                try Output.json(summary)
            } else {
                Output.line(
                    "\(summary.name): \(summary.entries) entries, \(summary.active) active, \(summary.suppressed) suppressed"
                )
                Output.line(
                    "  suppressed for marketing: \(summary.suppressedByPurpose["marketing"] ?? 0), "
                        + "for everything: \(summary.suppressedByPurpose["all"] ?? 0)")
                Output.line(
                    "  legal basis: \(summary.basis.rawValue)\(summary.flagged ? " (flagged: purchased)" : ""); \(summary.imports) imports"
                )
            }
        }
    }

    struct Ls: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the contact lists.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let summaries = try Output.run { try database.open().store.listSummaries() }
            if output.json {
                try Output.json(["lists": summaries])
            } else if summaries.isEmpty {
                Output.line("No lists yet: rightsdesk lists import FILE --list NAME")
            } else {
                for summary in summaries {
                    Output.line(
                        "\(summary.name)\t\(summary.entries) entries\t\(summary.suppressed) suppressed\t\(summary.basis.rawValue)"
                    )
                }
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the entries that may be contacted, deciding as the gate does (suppressions, DNC, consent)."
        )

        @Argument(help: "The list's name.") var name: String
        @Option(help: "The file to write (UTF-8 CSV).") var out: String
        @Option(help: "sms, zalo, email, call or any (default: any: the entry must pass for every channel).")
        var channel: String = "any"
        @Option(help: "marketing or transactional.") var purpose: Purpose = .marketing
        @Flag(
            help:
                "Keep cells as imported; by default one a spreadsheet would run as a formula (=, +, -, @) gets a leading '."
        )
        var raw = false
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard channel == "any" || Channel(rawValue: channel) != nil else {
                throw ValidationError("--channel takes sms, zalo, email, call or any")
            }
        }

        func run() throws {
            let result = try Output.run {
                let installation = try database.open()
                let file = try AtomicFile(path: out)
                do {
                    var writer = CSVWriter(sink: file.write)
                    writer.neutralizesFormulas = !raw
                    let result = try installation.store.exportList(
                        name: name, channel: Channel(rawValue: channel), purpose: purpose, actor: actor.resolved,
                        at: Date(), to: &writer)
                    try file.commit()
                    return result
                } catch {
                    file.discard()
                    throw error
                }
            }
            if output.json {
                try Output.json(result)
            } else {
                let excluded = result.excluded.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                Output.line(
                    "Wrote \(result.exported) of \(result.entries) entries to \(out)"
                        + (excluded.isEmpty ? "." : " (excluded: \(excluded.joined(separator: ", "))).")
                )
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a list and its entries; suppressions and consent proof stay.")

        @Argument(help: "The list's name.") var name: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let entries = try Output.run {
                try database.open().store.deleteList(name: name, actor: actor.resolved, at: Date())
            }
            if output.json {
                try Output.json(["list": name, "deleted_entries": "\(entries)"])
            } else {
                Output.line("Deleted \"\(name)\" and its \(entries) entries; suppressions stay in force.")
            }
        }
    }
}
