import ArgumentParser
import Foundation
import RightsCore
import RightsStore

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the audit chain back, or check it.", subcommands: [Log.self, Verify.self])

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The chain's events: what happened, when, by whom, to which request (sealed data stays sealed).")

        @Option(help: "Only this request's events.") var request: String?
        @Option(help: "From this Vietnam date (yyyy-mm-dd).") var from: String?
        @Option(help: "To this Vietnam date, inclusive.") var to: String?
        @Option(help: "An event kind (request.new) or its family (request).") var kind: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            for (name, value) in [("--from", from), ("--to", to)] where value != nil && LocalDate(value!) == nil {
                throw ValidationError("\(name) \(value!) is not a date (yyyy-mm-dd)")
            }
        }

        func run() throws {
            let entries = try Output.run {
                try database.open().store.auditLog(
                    AuditLogFilter(
                        requestID: request, from: from.flatMap(LocalDate.init), through: to.flatMap(LocalDate.init),
                        kind: kind))
            }
            if output.json {
                try Output.json(["events": entries])
                return
            }
            for entry in entries {
                Output.line(
                    "\(entry.seq)  \(entry.at)  \(entry.kind)  \(entry.actor)\(entry.requestID.map { "  \($0)" } ?? "")  "
                        + entry.summary)
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the hash chain; exit 1 naming the first event that does not match.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let result = try Output.run { try database.open().store.verifyAuditChain() }
            switch result {
            case .intact(let events, let head):
                if output.json {
                    try Output.json(
                        VerifyReport(ok: true, events: events, headHash: head, firstBadSeq: nil, reason: nil))
                } else {
                    Output.line("OK: \(events) events, head \(head)")
                }
            case .broken(let seq, let reason):
                if output.json {
                    try Output.json(
                        VerifyReport(ok: false, events: nil, headHash: nil, firstBadSeq: seq, reason: reason))
                }
                Output.error("rightsdesk: the audit chain is broken at event \(seq): \(reason)")
                throw ExitCode(1)
            }
        }
    }
}

struct VerifyReport: Encodable {
    var ok: Bool
    var events: Int64?
    var headHash: String?
    var firstBadSeq: Int64?
    var reason: String?

    enum CodingKeys: String, CodingKey {
        case ok, events, reason
        case headHash = "head_hash"
        case firstBadSeq = "first_bad_seq"
    }
}
