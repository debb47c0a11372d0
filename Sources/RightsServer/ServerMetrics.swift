import CoreMetrics
import Foundation
import Hummingbird
import Prometheus
import RightsCore
import RightsStore
import Synchronization

/// The desk's `/metrics`, through swift-metrics and swift-prometheus, in one registry per server:
/// - each HTTP request, counted and timed by route pattern, method and status (never the path itself, which may
///   carry a request id or a phone number);
/// - the desk's figures (open requests by state, overdue, due within 2 days, gate runs and exclusions by reason,
///   webhook events by outcome), read from the database at each scrape so they are exact after a restart.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    /// The database totals already added to each Prometheus counter, so a scrape adds only what is new.
    private let published = Mutex<[String: Int]>([:])
    private let http = Mutex<[HTTPKey: (CoreMetrics.Counter, CoreMetrics.Timer)]>([:])

    struct HTTPKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    static let requestDuration = "rightsdesk_http_request_duration_seconds"

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Self.requestDuration] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1), .seconds(5),
        ]
        self.factory = factory
    }

    /// Counts and times one answered request.
    func record(route: String, method: String, status: Int, nanoseconds: Int64) {
        let key = HTTPKey(route: route, method: method, status: status)
        let (counter, timer) = http.withLock { cache in
            if let found = cache[key] { return found }
            let dimensions = [("route", route), ("method", method), ("status", String(status))]
            let made = (
                CoreMetrics.Counter(label: "rightsdesk_http_requests_total", dimensions: dimensions, factory: factory),
                CoreMetrics.Timer(label: Self.requestDuration, dimensions: dimensions, factory: factory)
            )
            cache[key] = made
            return made
        }
        counter.increment()
        timer.recordNanoseconds(nanoseconds)
    }

    /// The Prometheus text format: the desk's figures as of `figures`, then the HTTP metrics.
    func exposition(_ figures: DeskMetrics) -> [UInt8] {
        published.withLock { published in
            // The whole name as the metric's name: an empty unit adds nothing to it.
            func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
                MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
            }
            func gauge(_ name: String, _ labels: [(String, String)], _ value: Int, _ help: String) {
                registry.makeGauge(descriptor: descriptor(name, help), labels: labels).set(Int64(value))
            }
            // A counter only grows: a scrape adds what the database gained since the last one. (An erasure that
            // removes webhook rows lowers the database's count; the counter then waits until it is passed again.)
            func counter(_ name: String, _ labels: [(String, String)], _ value: Int, _ help: String) {
                let counter = registry.makeCounter(descriptor: descriptor(name, help), labels: labels)
                let key = name + labels.map { "\u{1F}\($0.0)=\($0.1)" }.joined()
                let added = value - published[key, default: 0]
                if added > 0 {
                    counter.increment(by: Int64(added))
                    published[key] = value
                }
            }
            for state in [RequestState.received, .acknowledged, .verified] {
                gauge(
                    "rightsdesk_requests_open", [("state", state.rawValue)],
                    figures.openRequestsByState[state.rawValue] ?? 0, "Open rights requests by state.")
            }
            gauge("rightsdesk_requests_overdue", [], figures.overdue, "Open requests past their due time.")
            gauge(
                "rightsdesk_requests_due_within_2_days", [], figures.dueWithinTwoDays,
                "Open requests due in the next 48 hours.")
            gauge(
                "rightsdesk_acknowledgements_late", [], figures.acknowledgementsLate,
                "Requests acknowledged after the 2 working days, or still unacknowledged past them.")
            counter("rightsdesk_gate_runs_total", [], figures.gateRuns, "Send batches judged by the gate.")
            for reason in ExclusionReason.allCases {
                counter(
                    "rightsdesk_gate_exclusions_total", [("reason", reason.rawValue)],
                    figures.gateExclusionsByReason[reason.rawValue] ?? 0, "Recipients the gate excluded, by reason.")
            }
            for (outcome, count) in figures.webhookEventsByOutcome.sorted(by: { $0.key < $1.key }) {
                counter(
                    "rightsdesk_webhook_events_total", [("outcome", outcome)], count,
                    "Zalo webhook events recorded, by outcome.")
            }
        }
        return registry.emitToBuffer()
    }
}

/// Counts and times every request by its route pattern (`/requests/{id}`), not its path.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = DeskContext
    let metrics: ServerMetrics

    func handle(
        _ request: Request, context: DeskContext, next: (Request, DeskContext) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        func record(_ status: HTTPResponse.Status) {
            let elapsed = ContinuousClock.now - start
            let nanoseconds =
                elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
            metrics.record(
                route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: status.code,
                nanoseconds: nanoseconds)
        }
        do {
            let response = try await next(request, context)
            record(response.status)
            return response
        } catch {
            record((error as? any HTTPResponseError)?.status ?? .internalServerError)
            throw error
        }
    }
}
