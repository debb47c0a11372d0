import Foundation
import Hummingbird
import NIOCore
import RightsCore
import RightsStore
import Synchronization

/// The request context of the desk: who is signed in, once `StaffAuthenticator` has run.
public struct DeskContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var user: StaffUser?
    /// A desk page's visit (who, in which language), set by `WebVisitMiddleware`; nil on the API. Kept behind a
    /// reference so that the context every API request copies through its middleware stays as small as before.
    var visit: WebVisit? {
        get { visitBox?.visit }
        set { visitBox = newValue.map(WebVisitBox.init) }
    }
    private var visitBox: WebVisitBox?
    /// The client's address, for the portal's hourly limit per address (nil when the transport has none).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The signed-in user if their role may do `action`: 401 when no one is signed in, 403 when the role may not.
    public func require(_ action: StaffAction) throws -> StaffUser {
        guard let user else { throw Problem.unauthorized }
        guard user.role.may(action) else {
            throw Problem(
                status: .forbidden, title: "Forbidden",
                detail: "the \(user.role.rawValue) role may not \(action.phrase)")
        }
        return user
    }
}

extension StaffAction {
    /// For error messages: "the support role may not export evidence".
    var phrase: String {
        switch self {
        case .lookUp: "look up a person"
        case .fileObjection: "file an objection"
        case .readRequests: "read requests"
        case .manageRequests: "change requests, suppressions or consents"
        case .exportEvidence: "export evidence"
        case .readAudit: "read the audit log"
        case .readAccessReports: "see access reports"
        }
    }
}

/// The visit of `DeskContext`, immutable once set.
private final class WebVisitBox: Sendable {
    let visit: WebVisit
    init(_ visit: WebVisit) { self.visit = visit }
}

/// An RFC 9457 problem: every error of the API is `application/problem+json` with a `detail` a person can act on.
public struct Problem: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String

    public init(status: HTTPResponse.Status, title: String, detail: String) {
        self.status = status
        self.title = title
        self.detail = detail
    }

    static let unauthorized = Problem(
        status: .unauthorized, title: "Unauthorized",
        detail: "send Authorization: Bearer TOKEN with a token from `rightsdesk users add`")

    static func badRequest(_ detail: String) -> Problem {
        Problem(status: .badRequest, title: "Bad Request", detail: detail)
    }

    static func notFound(_ detail: String) -> Problem { Problem(status: .notFound, title: "Not Found", detail: detail) }

    /// The database stayed busy with another write (an import) past the busy timeout; nothing was recorded.
    static let busy = Problem(
        status: .serviceUnavailable, title: "Service Unavailable",
        detail: "the database is busy with a long write (an import); nothing was recorded: send the same request "
            + "again in a few seconds")

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body: JSONValue = [
            "type": "about:blank", "title": .string(title), "status": .int(Int64(status.code)),
            "detail": .string(detail),
        ]
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if status == .serviceUnavailable { headers[.retryAfter] = "5" }
        return Response(
            status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.canonicalBytes)))
    }
}

/// Turns what the store refuses into RFC 9457 problems for the API: a refusal is 409 with the store's own words, bad
/// input 400 with its line, anything else 500 with no detail (the log gets the kind, never the data).
struct APIProblems: RouterMiddleware {
    typealias Context = DeskContext

    func handle(
        _ request: Request, context: DeskContext, next: (Request, DeskContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error where StoreError.isBusy(error) {
            // A write the desk could not make while a long one (an import) holds the database: said as such, with
            // when to try again, and logged by its kind only.
            context.logger.warning("api write refused: the database stayed busy past the timeout")
            throw Problem.busy
        } catch let error as HTTPError where error.status == .badRequest {
            // A body that is not the JSON a call takes (Hummingbird's decoder says where): a problem like every other.
            throw Problem.badRequest("the body is not the JSON this call takes: " + (error.body ?? "unreadable"))
        } catch let error as StoreError {
            switch error.kind {
            case .conflict: throw Problem(status: .conflict, title: "Conflict", detail: error.description)
            case .badInput: throw Problem.badRequest(error.description)
            case .notFound: throw Problem.notFound(error.description)
            case .failure:
                context.logger.error("api request failed", metadata: ["error": "StoreError"])
                throw Problem(
                    status: .internalServerError, title: "Internal Server Error",
                    detail: "the desk could not complete this; the server log has the kind of failure")
            }
        }
    }
}

/// Reads `Authorization: Bearer TOKEN` and signs the user in for the rest of the request. A missing or unknown token
/// leaves no one signed in; the route decides whether that is a 401.
struct StaffAuthenticator: RouterMiddleware {
    typealias Context = DeskContext
    let store: RightsStore
    let cache: TokenCache

    func handle(
        _ request: Request, context: DeskContext, next: (Request, DeskContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            let token = String(header.dropFirst("Bearer ".count)).trimmingWhitespace()
            context.user = try cache.user(for: token) { try store.authenticate(token: $0) }
        }
        return try await next(request, context)
    }
}

/// Recently checked tokens, for a second: a busy client is authenticated from memory instead of a read transaction
/// per request. Disabling or rotating a user therefore takes effect within a second.
final class TokenCache: Sendable {
    static let capacity = 10_000
    let lifetime: TimeInterval

    init(lifetime: TimeInterval = 1) { self.lifetime = lifetime }

    private let entries = Mutex<[String: (user: StaffUser?, until: Date)]>([:])

    func user(for token: String, lookUp: (String) throws -> StaffUser?) throws -> StaffUser? {
        let now = Date()
        if lifetime > 0, let hit = entries.withLock({ $0[token] }), hit.until > now { return hit.user }
        let user = try lookUp(token)
        entries.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll(keepingCapacity: true) }
            cache[token] = (user, now.addingTimeInterval(lifetime))
        }
        return user
    }
}
