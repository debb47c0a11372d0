import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import RightsCore
import RightsDelivery
import RightsEvidence
import RightsStore
import RightsTemplates

/// The web desk and JSON API over one installation (CONTRACT.md "The web desk"). Every route calls the same
/// store services as the command line; personal data never goes to the server log.
public struct DeskServer: Sendable {
    public let installation: Installation
    /// The Zalo OA secret the webhook verifies signatures with; without it every webhook call is refused.
    public let zaloSecret: String?
    /// The clock, replaceable in tests.
    public let now: @Sendable () -> Date
    /// Lookups of personal data by staff, written in batches.
    public let lookups: LookupLog

    /// How long a checked token is trusted from memory (0: every request reads the store).
    public let tokenCacheLifetime: TimeInterval
    /// HTTP and desk metrics for `/metrics`.
    public let metrics: ServerMetrics
    /// Letters rendered from the templates and sent through the outbox; a template that does not load shows as the
    /// page's error, not as a server that does not start.
    let letters: Result<LetterSender, WebTemplateError>

    public init(
        installation: Installation, zaloSecret: String?, delivery: DeliveryConfiguration = DeliveryConfiguration(),
        tokenCacheLifetime: TimeInterval = 1, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        letters = Result {
            LetterSender(
                delivery: LetterDelivery(store: installation.store, configuration: delivery),
                renderer: try LetterRenderer())
        }.mapError { WebTemplateError(description: "\($0)") }
        self.tokenCacheLifetime = tokenCacheLifetime
        metrics = ServerMetrics()
        self.installation = installation
        self.zaloSecret = zaloSecret
        self.now = now
        lookups = LookupLog(store: installation.store)
    }

    var store: RightsStore { installation.store }

    /// Runs blocking work (a write transaction that waits for the disk, an evidence export, a count over every list
    /// entry or request) on NIO's thread pool, so the event loops go on answering lookups meanwhile. Lookups stay on
    /// the loops: they take microseconds.
    func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    /// Makes NIO's event loops the executor of Swift concurrency, so a request is read, handled and answered on one
    /// thread instead of hopping between the event loop and the cooperative pool twice per request. Call it once,
    /// from the main thread, before the server starts; it returns whether the hook took.
    @discardableResult
    public static func runConcurrencyOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    public func makeRouter() throws -> Router<DeskContext> {
        let router = Router(context: DeskContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.add(middleware: StaffAuthenticator(store: store, cache: TokenCache(lifetime: tokenCacheLifetime)))
        router.get("/healthz") { _, _ in HTTPResponse.Status.ok }
        let openAPI = try OpenAPIDocument.load()
        router.get("/api/v1/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: openAPI)))
        }
        APIRoutes(server: self).add(to: router.group("/api/v1").add(middleware: APIProblems()))
        WebDesk(server: self).add(to: router)
        WebhookRoutes(server: self).add(to: router)
        PortalController(server: self).add(to: router)
        // Counts only, for Prometheus scraping with an officer's or auditor's token.
        router.get("/metrics") { _, context in
            _ = try context.require(.readRequests)
            let (store, instant) = (store, now())
            let figures = try await offload { try store.metrics(now: instant) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition(figures))))
        }
        return router
    }

    public func makeApplication(host: String, port: Int, logger: Logger? = nil) throws -> some ApplicationProtocol {
        var logger = logger ?? Logger(label: "rightsdesk.serve")
        logger.logLevel = .info
        return Application(
            router: try makeRouter(), server: .http1(configuration: .init(idleTimeout: Self.idleTimeout)),
            configuration: .init(
                address: .hostname(host, port: port),
                availableConnectionsDelegate: MaximumAvailableConnections(Self.maximumConnections)),
            logger: logger)
    }

    /// Delivers what the outbox holds due, every `interval`, until cancelled: letters whose first attempt failed
    /// and those queued by another process, across restarts (the outbox is in the database). Failures of the loop
    /// itself (the database busy with an import) are counted and retried at the next turn; nothing personal is
    /// logged.
    public func runOutbox(every interval: Duration = .seconds(5), logger: Logger) async {
        guard case .success(let sender) = letters, !sender.delivery.configuration.isEmpty else { return }
        while !Task.isCancelled {
            do {
                try store.purgePortalAttempts(now: now())
                let outcomes = try await sender.delivery.deliverDue(actor: "serve", now: now)
                for (delivery, result) in outcomes {
                    // The reason may quote the address: the log says only which delivery and whether it is retried.
                    if case .failed(_, let retryAt) = result {
                        logger.warning(
                            "delivery \(delivery.id) of \(delivery.requestID) failed",
                            metadata: [
                                "channel": "\(delivery.message.channel.rawValue)",
                                "retried": "\(retryAt != nil)",
                            ])
                    }
                }
            } catch {
                logger.warning("outbox turn failed", metadata: ["kind": "\(type(of: error))"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Mails the staff digest at 08:00 Vietnam time on every working day to `recipients` (checked each minute, once
    /// a day, remembered in the database across restarts), until cancelled.
    public func runDigest(to recipients: [String], every interval: Duration = .seconds(60), logger: Logger) async {
        guard case .success(let sender) = letters, sender.delivery.configuration.smtp != nil, !recipients.isEmpty
        else { return }
        while !Task.isCancelled {
            let instant = now()
            do {
                if try Reminders.isDue(store, at: instant) {
                    let sent = try await Reminders.send(
                        store, configuration: sender.delivery.configuration, to: recipients, asOf: instant,
                        actor: "serve")
                    logger.info(
                        "digest sent",
                        metadata: [
                            "acknowledgements": "\(sent.reminders.acknowledgements.count)",
                            "overdue": "\(sent.reminders.overdue.count)", "due_soon": "\(sent.reminders.dueSoon.count)",
                        ])
                }
            } catch {
                logger.warning("digest not sent", metadata: ["kind": "\(type(of: error))"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// A connection that sends nothing for this long between requests, or stops halfway through a request's
    /// headers, is closed: hundreds of half-sent requests cannot hold the desk's connections for minutes.
    public static let idleTimeout = TimeAmount.seconds(30)

    /// Beyond this many open connections, new ones wait in the listen backlog until one closes.
    public static let maximumConnections = 1024
}

/// The OpenAPI 3.1 description of `/api/v1`, kept in the repository at `Templates/api/openapi.json`.
enum OpenAPIDocument {
    static func load() throws -> [UInt8] {
        let bundle = templatesBundle
        guard
            let url = bundle.url(forResource: "openapi", withExtension: "json", subdirectory: "api")
                ?? bundle.resourceURL?.appendingPathComponent("api/openapi.json"),
            let data = FileManager.default.contents(atPath: url.path)
        else { throw Problem(status: .internalServerError, title: "Missing", detail: "Templates/api/openapi.json") }
        return Array(data)
    }
}

/// A JSON response from a value built by hand: canonical (sorted keys, no white space), no encoder.
func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
    Response(
        status: status, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.canonicalBytes)))
}

/// JSON responses: sorted keys, one document.
func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    return Response(
        status: status, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
}
