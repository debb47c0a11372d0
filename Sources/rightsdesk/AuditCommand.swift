import ArgumentParser
import Foundation
import RightsStore

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the audit chain.", subcommands: [Verify.self])

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
