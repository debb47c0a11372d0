import Foundation
import RightsCore
import RightsEvidence
import RightsStore

/// What delivery may use, from the environment (CONTRACT.md "Mail"): `RIGHTSDESK_SMTP_URL` and
/// `RIGHTSDESK_MAIL_FROM` for mail (`RIGHTSDESK_SMTP_CA_FILE` to trust a company's own certificate authority),
/// `RIGHTSDESK_ZALO_OA_ACCESS_TOKEN` and `RIGHTSDESK_ZALO_API_BASE` for Zalo OA messages.
public struct DeliveryConfiguration: Sendable {
    public var smtp: SMTPServer?
    public var mailFrom: String?
    public var zalo: ZaloOAClient?

    public init(smtp: SMTPServer? = nil, mailFrom: String? = nil, zalo: ZaloOAClient? = nil) {
        self.smtp = smtp
        self.mailFrom = mailFrom
        self.zalo = zalo
    }

    /// Nothing configured: letters are recorded, not delivered.
    public var isEmpty: Bool { smtp == nil && zalo == nil }

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(DeliveryConfigurationError) -> DeliveryConfiguration
    {
        var configuration = DeliveryConfiguration()
        if let url = environment["RIGHTSDESK_SMTP_URL"], !url.isEmpty {
            var server = try SMTPServer.parse(url)
            server.caFile = environment["RIGHTSDESK_SMTP_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            guard let from = environment["RIGHTSDESK_MAIL_FROM"], SMTPClient.isPlausible(from) else {
                throw .invalid(
                    "RIGHTSDESK_SMTP_URL is set: RIGHTSDESK_MAIL_FROM must give the sender, e.g. dpo@company.vn")
            }
            configuration.smtp = server
            configuration.mailFrom = from
        }
        if let token = environment["RIGHTSDESK_ZALO_OA_ACCESS_TOKEN"], !token.isEmpty {
            let base = environment["RIGHTSDESK_ZALO_API_BASE"].flatMap { $0.isEmpty ? nil : $0 }
            guard
                base.map({
                    $0.hasPrefix("https://") || $0.hasPrefix("http://127.0.0.1") || $0.hasPrefix("http://localhost")
                }) ?? true
            else {
                throw .invalid("RIGHTSDESK_ZALO_API_BASE must be https:// (http:// only on this machine)")
            }
            configuration.zalo = ZaloOAClient(accessToken: token, baseURL: base ?? "https://openapi.zalo.me")
        }
        return configuration
    }
}

/// Sends letters: works out where a request's person can be reached, queues the messages with the letter, and
/// delivers what is due — at once for `--send`, and again from `serve` with backoff for what failed.
public struct LetterDelivery: Sendable {
    public let store: RightsStore
    public let configuration: DeliveryConfiguration
    /// The SMTP client's EHLO name.
    public var clientName = "rightsdesk.localdomain"

    public init(store: RightsStore, configuration: DeliveryConfiguration) {
        self.store = store
        self.configuration = configuration
    }

    /// Attempts after which a delivery is given up (about two days of backoff).
    public static let maximumAttempts = 10

    /// When to try again after `attempts` failed attempts: 15 seconds (a mail server restarting), then 1, 5, 15
    /// and 30 minutes, 1, 2, 4 and 6 hours.
    public static func retryDelay(afterAttempts attempts: Int) -> TimeInterval {
        let seconds = [15, 60, 300, 900, 1800, 3600, 7200, 14400, 21600]
        return TimeInterval(seconds[min(max(attempts - 1, 0), seconds.count - 1)])
    }

    /// The messages that take a letter to the request's person with what is configured: a mail to each email of
    /// the request, a Zalo OA message to each Zalo id (the short form where the letter has one, else the letter in
    /// parts of at most 2,000 characters). Empty when nothing is configured or no one can be reached.
    public func plan(
        detail: RequestDetail, text: String, shortText: String?, language: LetterLanguage, organization: Organization
    ) -> [NewDelivery] {
        var deliveries: [NewDelivery] = []
        for subject in detail.subjects where !subject.isErased {
            let identifier = subject.identifier
            if identifier.contains("@") && !identifier.hasPrefix("zalo:"), configuration.smtp != nil {
                deliveries.append(
                    NewDelivery(
                        channel: .email, recipient: identifier, subject: Self.subject(of: text, organization),
                        body: text, html: MailMessage.html(for: text, language: language.rawValue)))
            } else if identifier.hasPrefix("zalo:"), configuration.zalo != nil,
                let user = identifier.split(separator: ":").last.map(String.init), !user.isEmpty
            {
                for part in shortText.map({ [$0] }) ?? Self.parts(of: text, limit: ZaloOAClient.maximumText) {
                    deliveries.append(NewDelivery(channel: .zalo, recipient: user, body: part))
                }
            }
        }
        return deliveries
    }

    /// A mail's subject: the letter's own subject line ("V/v …", "Re: …"), after the company's name.
    static func subject(of text: String, _ organization: Organization) -> String {
        let line = text.split(separator: "\n").first { $0.hasPrefix("V/v ") || $0.hasPrefix("Re: ") }
        guard let line else { return organization.name }
        let rest = line.dropFirst(4)
        return organization.name + ": " + rest.prefix(1).uppercased() + rest.dropFirst()
    }

    /// The text in parts of at most `limit` characters, cut between paragraphs where it can be.
    static func parts(of text: String, limit: Int) -> [String] {
        var parts: [String] = []
        var current = ""
        for paragraph in text.components(separatedBy: "\n\n") {
            var piece = paragraph
            while piece.count > limit {
                if !current.isEmpty {
                    parts.append(current)
                    current = ""
                }
                parts.append(String(piece.prefix(limit)))
                piece = String(piece.dropFirst(limit))
            }
            let joined = current.isEmpty ? piece : current + "\n\n" + piece
            if joined.count > limit {
                parts.append(current)
                current = piece
            } else {
                current = joined
            }
        }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { parts.append(current) }
        return parts
    }

    /// One attempt at each delivery due now (or only `ids`), each outcome recorded on the request and the chain.
    @discardableResult
    public func deliverDue(_ ids: [Int64]? = nil, actor: String, now: @Sendable () -> Date = Date.init) async throws
        -> [(delivery: PendingDelivery, result: DeliveryResult)]
    {
        var outcomes: [(PendingDelivery, DeliveryResult)] = []
        for delivery in try store.claimDeliveries(ids, now: now()) {
            let result = await attempt(delivery, now: now)
            try store.recordDelivery(delivery.id, result, actor: actor, now: now())
            outcomes.append((delivery, result))
        }
        return outcomes
    }

    /// Sends one message and says what came of it; never throws, a failure is a result.
    func attempt(_ delivery: PendingDelivery, now: @Sendable () -> Date) async -> DeliveryResult {
        let attempts = delivery.attempts + 1
        func failed(_ reason: String, transient: Bool) -> DeliveryResult {
            let retry = transient && attempts < Self.maximumAttempts
            return .failed(
                reason: reason,
                retryAt: retry ? now().addingTimeInterval(Self.retryDelay(afterAttempts: attempts)) : nil)
        }
        switch delivery.message.channel {
        case .email:
            guard let server = configuration.smtp, let from = configuration.mailFrom else {
                return failed("mail delivery is not configured (RIGHTSDESK_SMTP_URL)", transient: true)
            }
            let name = (try? store.organizationRecord().name).flatMap { $0.isEmpty ? nil : $0 }
            let message = MailMessage(
                from: from, fromName: name, to: delivery.message.recipient, subject: delivery.message.subject ?? "",
                text: delivery.message.body, html: delivery.message.html, messageID: delivery.messageID, date: now())
            do {
                let reply = try await SMTPClient(server: server, clientName: clientName).send(
                    message.rendered(), from: from, to: [delivery.message.recipient])
                return .delivered(reply: reply.description)
            } catch {
                return failed(error.description, transient: error.isTransient)
            }
        case .zalo:
            guard let client = configuration.zalo else {
                return failed("Zalo delivery is not configured (RIGHTSDESK_ZALO_OA_ACCESS_TOKEN)", transient: true)
            }
            do {
                switch try await client.send(text: delivery.message.body, toUser: delivery.message.recipient) {
                case .sent(let messageID):
                    return .delivered(reply: "Zalo message_id \(messageID)")
                case .refused(let code, let message):
                    // Zalo's own codes: an expired token (-216) or a rate limit may pass; the rest are about the
                    // person (not a follower, no interaction within the window) and will not.
                    let transient = [-216, -32, -224].contains(code)
                    return failed("Zalo error \(code): \(message)", transient: transient)
                }
            } catch {
                return failed(error.description, transient: true)
            }
        }
    }
}
