import Foundation
import Hummingbird
import Logging
import RightsCore
import RightsStore

/// `POST /webhooks/zalo` (CONTRACT.md "The web desk"): a signed, fresh call is recorded and acted on; anything
/// else is 401 and records nothing. A replay answers 200 and changes nothing, since Zalo retries. The log names the
/// outcome, never the person or the text.
struct WebhookRoutes {
    let server: DeskServer

    /// Zalo's calls are small; anything larger is not a Zalo event.
    static let maxBody = 64 * 1024

    func add(to router: Router<DeskContext>) {
        router.post("/webhooks/zalo") { request, context in
            var request = request
            let buffer = try await request.collectBody(upTo: Self.maxBody)
            let body = Array(buffer.readableBytesView)
            guard let secret = server.zaloSecret else {
                context.logger.warning("zalo webhook refused: no OA secret configured")
                throw Problem(
                    status: .unauthorized, title: "Unauthorized",
                    detail: "this desk has no Zalo OA secret (RIGHTSDESK_ZALO_OA_SECRET)")
            }
            let event: ZaloEvent
            do throws(ZaloWebhookError) {
                event = try ZaloEvent.verified(
                    body: body, header: request.headers.first { $0.name.canonicalName == "x-zevent-signature" }?.value,
                    secret: secret,
                    now: server.now())
            } catch {
                context.logger.notice("zalo webhook refused: \(error.description)")
                throw Problem(status: .unauthorized, title: "Unauthorized", detail: error.description)
            }
            let (store, now) = (server.store, server.now())
            let outcome = try await server.offload { try store.recordZaloEvent(event, at: now) }
            context.logger.info("zalo webhook \(event.eventName): \(outcome.outcome)")
            if outcome.outcome == "objection", let requestID = outcome.requestID { confirm(requestID, context.logger) }
            return try json(outcome)
        }
    }

    /// Answers an objection filed from a Zalo message with the one short confirmation of the refusal, no advertising
    /// in it (Decree 91/2020 Art. 16(3)-(4)), when Zalo delivery is configured. It runs after the webhook has been
    /// answered (Zalo waits 2 seconds at most); a failed delivery stays in the outbox for `serve` to retry.
    private func confirm(_ requestID: String, _ logger: Logger) {
        guard case .success(let sender) = server.letters, sender.delivery.configuration.zalo != nil else { return }
        let now = server.now()
        Task {
            do {
                _ = try await sender.send(
                    requestID, kind: .refusalConfirmation, language: .vi, actor: "zalo-webhook", now: now)
            } catch {
                logger.warning(
                    "refusal confirmation for \(requestID) not sent", metadata: ["kind": "\(type(of: error))"])
            }
        }
    }
}
