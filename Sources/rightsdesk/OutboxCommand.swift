import ArgumentParser
import Foundation
import RightsCore
import RightsDelivery
import RightsStore

/// `rightsdesk outbox list|retry`: the letters still to deliver, and a retry now once the mail server or the Zalo
/// token is fixed (`serve` retries on its own, with backoff).
struct Outbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Letters waiting to be delivered, and retrying them now.", subcommands: [List.self, Retry.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliveries not yet delivered.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let waiting = try Output.run { try database.open().store.undeliveredDeliveries() }
            if output.json {
                try Output.json(["deliveries": waiting.map { DeliveryRow(requestID: $0.requestID, status: $0.status) }])
                return
            }
            if waiting.isEmpty { Output.line("Nothing waiting: every letter sent was delivered.") }
            for (requestID, status) in waiting {
                let next = status.nextAttemptAt.map { "next attempt \($0)" } ?? "given up"
                Output.line(
                    "\(status.id)  \(requestID)  \(status.channel)  \(status.state)  \(status.attempts) attempts, "
                        + "\(next): \(status.lastError ?? "not attempted yet")")
            }
        }
    }

    struct DeliveryRow: Encodable {
        var requestID: String
        var status: DeliveryStatus

        func encode(to encoder: any Encoder) throws {
            try status.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(requestID, forKey: .requestID)
        }

        enum Key: String, CodingKey { case requestID = "request_id" }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Attempt now the deliveries not yet delivered (these ids, or every one), failed ones included.")
        @Argument(help: "Delivery ids (outbox list); none means every one.") var ids: [Int64] = []
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions

        func run() async throws {
            let installation = try Output.run { try database.open() }
            let sender = try Output.run { try LetterCommands.sender(installation) }
            guard !sender.delivery.configuration.isEmpty else {
                throw Output.exitCode(
                    reporting: CLIError(
                        message: "delivery is not configured (RIGHTSDESK_SMTP_URL, RIGHTSDESK_ZALO_OA_ACCESS_TOKEN)"))
            }
            let chosen = ids.isEmpty ? nil : ids
            let now = Date()
            let count = try Output.run {
                try installation.store.retryDeliveries(chosen, actor: actor.resolved, now: now)
            }
            let outcomes = try await Output.runAsync {
                try await sender.delivery.deliverDue(chosen, actor: actor.resolved)
            }
            Output.line("\(count) waiting, \(outcomes.count) attempted")
            for (delivery, result) in outcomes { Output.line(result.summary(for: delivery)) }
            if outcomes.contains(where: { if case .failed = $0.result { true } else { false } }) { throw ExitCode(1) }
        }
    }
}
