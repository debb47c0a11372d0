import Foundation
import RightsCore
import RightsEvidence
import RightsStore

/// Renders a request's letters and sends them: one path for `request letter`, `ack --send`, the desk's buttons,
/// the portal's acknowledgement and the Zalo webhook's confirmation.
public struct LetterSender: Sendable {
    public let delivery: LetterDelivery
    let renderer: LetterRenderer

    public init(delivery: LetterDelivery, renderer: LetterRenderer) {
        self.delivery = delivery
        self.renderer = renderer
    }

    public var store: RightsStore { delivery.store }

    /// The letter's text now, full or short (`--short`, for an SMS or a Zalo reply).
    public func render(_ id: String, kind: LetterKind, language: LetterLanguage, short: Bool = false, now: Date)
        throws -> String
    {
        let (detail, context) = try facts(id, kind: kind, now: now)
        _ = detail
        return short
            ? try renderer.renderShort(kind, language: language, context: context)
            : try renderer.render(kind, language: language, context: context)
    }

    /// What became of a letter sent.
    public struct Sent: Sendable {
        public var text: String
        /// Each message queued for it and the first attempt's result; empty when the person cannot be reached
        /// with what is configured (the letter is then only recorded).
        public var attempts: [(delivery: PendingDelivery, result: DeliveryResult)]
        /// Messages queued but not attempted now (another process holds them).
        public var queued: Int
    }

    /// Records the letter as sent with its text, queues its deliveries in the same transaction, and attempts them
    /// once; what fails is retried by `serve`.
    public func send(_ id: String, kind: LetterKind, language: LetterLanguage, actor: String, now: Date) async throws
        -> Sent
    {
        let (detail, context) = try facts(id, kind: kind, now: now)
        let text = try renderer.render(kind, language: language, context: context)
        let short = kind.hasShortForm ? try renderer.renderShort(kind, language: language, context: context) : nil
        let deliveries = delivery.plan(
            detail: detail, text: text, shortText: short, language: language, organization: context.organization)
        let ids = try store.recordLetter(
            id, kind: kind.rawValue, language: language.rawValue, text: text, deliveries: deliveries, actor: actor,
            now: now)
        let attempts = try await delivery.deliverDue(ids, actor: actor)
        return Sent(text: text, attempts: attempts, queued: ids.count - attempts.count)
    }

    private func facts(_ id: String, kind: LetterKind, now: Date) throws -> (RequestDetail, LetterContext) {
        let detail = try store.request(id)
        let organization = try store.organizationRecord()
        try RequestLetters.check(kind, for: detail)
        return (detail, try RequestLetters.context(detail, organization: organization, letterDate: now))
    }
}

extension DeliveryResult {
    /// One line for an officer: where it went (the address masked) and what the server said.
    public func summary(for delivery: PendingDelivery) -> String {
        let means = delivery.message.channel == .email ? "by mail" : "by Zalo OA message"
        let to = MaskedIdentifier.mask(
            delivery.message.channel == .email ? delivery.message.recipient : "zalo:OA:" + delivery.message.recipient)
        switch self {
        case .delivered(let reply): return "delivered \(means) to \(to): \(reply)"
        case .failed(let reason, let retryAt):
            let next = retryAt.map { "; serve retries it from \(Timestamp.vietnam($0))" } ?? "; not retried"
            return "not delivered \(means) to \(to): \(reason)\(next)"
        }
    }
}
