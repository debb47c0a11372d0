import Foundation
import Hummingbird
import Logging
import RightsCore
import RightsEvidence
import RightsStore

/// Reads who is visiting before any page runs: the session from the `rd_session` cookie (never a bearer token),
/// the user it belongs to, and the language. The role and the account's state come from the store at every
/// request: a disabled user, or one whose token was rotated since they signed in, is out now. A failed read leaves
/// the session for the next click rather than signing the user out.
struct WebVisitMiddleware: RouterMiddleware {
    typealias Context = DeskContext
    let server: DeskServer
    let sessions: SessionStore

    func handle(
        _ request: Request, context: DeskContext, next: (Request, DeskContext) async throws -> Response
    ) async throws -> Response {
        let (language, chosen) = WebLanguage.of(request)
        var session = request.cookies[SessionStore.cookieName].flatMap {
            sessions.session(id: $0.value, now: server.now())
        }
        var user: StaffUser?
        if let current = session, let users = try? server.store.users() {
            user = users.first { SessionStore.admits($0, to: current) }
            if user == nil {
                sessions.end(id: current.id)
                session = nil
            }
        }
        var context = context
        context.user = user
        context.visit = WebVisit(
            user: user, session: session, language: language, rememberLanguage: chosen,
            secure: WebVisit.isSecure(request), path: request.uri.path, isPost: request.method == .post,
            languageLink: WebVisit.languageLink(request, to: language.other), organization: server.store.organization)
        return try await next(request, context)
    }
}

/// Every POST of the desk carries the session's CSRF token in its `csrf` field (the sign-in form: the token of its
/// `rd_login` cookie, double submit). The form is read here once, within `formLimit`, and left for the page to
/// decode. The one multipart form, a list upload, is checked by its controller before the file is used.
struct WebCSRFMiddleware: RouterMiddleware {
    typealias Context = DeskContext

    /// The largest form the desk accepts: a new request with a long note is a few kilobytes.
    static let formLimit = 256 * 1024

    func handle(
        _ request: Request, context: DeskContext, next: (Request, DeskContext) async throws -> Response
    ) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        let visit = try context.page
        if request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") == true {
            guard request.uri.path == ListsController.importPath else {
                throw WebFormError(status: .unsupportedMediaType, message: visit.words["badRequest"])
            }
            guard visit.session != nil else { throw Problem.unauthorized }
            return try await next(request, context)
        }
        let expected: String?
        if request.uri.path == SessionController.loginPath {
            expected = request.cookies[SessionStore.loginCookieName]?.value
        } else {
            guard let session = visit.session else { throw Problem.unauthorized }
            expected = session.csrf
        }
        var request = request
        let field = try await WebForms.decode(CSRFField.self, &request, visit)
        guard let expected, let sent = field.csrf, SessionStore.constantTimeEqual(expected, sent) else {
            throw WebCSRFError()
        }
        return try await next(request, context)
    }

    private struct CSRFField: Decodable {
        var csrf: String?
    }
}

/// A CSRF token that is missing or is not this session's.
struct WebCSRFError: Error {}

/// A refusal on a page: a form re-rendered with its message, or the error page with this status and message.
struct WebFormError: Error {
    var status: HTTPResponse.Status
    var message: String
}

/// Reading the desk's `application/x-www-form-urlencoded` forms into `Decodable` structs, with Hummingbird's decoder:
/// a Vietnamese name comes back exactly as the browser sent it (UTF-8, percent-encoded, `+` for a space), with no
/// normalisation on the way. A body that is not UTF-8 once decoded is refused, not mangled.
enum WebForms {
    static func decode<Form: Decodable>(_ type: Form.Type, _ request: inout Request, _ visit: WebVisit) async throws
        -> Form
    {
        let buffer = try await request.collectBody(upTo: WebCSRFMiddleware.formLimit)
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self),
            let form = try? decode(Form.self, body: text)
        else {
            throw WebFormError(status: .badRequest, message: visit.words["formUnreadable"])
        }
        return form
    }

    /// Decodes a body; nil when a value is not UTF-8 once its escapes are decoded (Hummingbird's decoder would
    /// put replacement characters in its place), throws when the decoder refuses the body.
    static func decode<Form: Decodable>(_ type: Form.Type, body: String) throws -> Form? {
        for pair in body.split(separator: "&") {
            var bytes: [UInt8] = []
            var index = pair.utf8.startIndex
            let utf8 = pair.utf8
            while index != utf8.endIndex {
                let byte = utf8[index]
                let next = utf8.index(after: index)
                if byte == UInt8(ascii: "%"), next != utf8.endIndex, utf8.index(after: next) != utf8.endIndex,
                    let value = UInt8(String(decoding: utf8[next...utf8.index(after: next)], as: UTF8.self), radix: 16)
                {
                    bytes.append(value)
                    index = utf8.index(after: utf8.index(after: next))
                } else {
                    bytes.append(byte)
                    index = next
                }
            }
            guard String(validating: bytes, as: UTF8.self) != nil else { return nil }
        }
        return try URLEncodedFormDecoder().decode(Form.self, from: body)
    }

    /// The same, for a controller that has the request as a constant.
    static func decode<Form: Decodable>(_ type: Form.Type, _ request: Request, _ visit: WebVisit) async throws -> Form {
        var request = request
        return try await decode(type, &request, visit)
    }
}

extension String {
    /// A form's optional text field: trimmed, nil when blank.
    var formText: String? {
        let trimmed = trimmingWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }
}

extension Optional where Wrapped == String {
    var formText: String? { self?.formText }
}

/// Turns what a page throws into an HTML page with its status, in the visitor's language. The typed store errors
/// are mapped here once for the desk (as `APIProblems` does for the API and `Output` for exit codes); only the
/// kind of an unexpected error reaches the log, never its message (it may hold a person's data).
struct WebErrorPages: RouterMiddleware {
    typealias Context = DeskContext
    let pages: WebPageRenderer

    func handle(
        _ request: Request, context: DeskContext, next: (Request, DeskContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let visit = try context.page
            if let problem = error as? Problem, problem.status == .unauthorized, !visit.isPost {
                return visit.redirect(SessionController.loginPath)
            }
            let page = ErrorPage(error, visit: visit, logger: context.logger)
            do {
                return try pages.render(page, visit, status: page.status)
            } catch {
                return visit.html(
                    "<!DOCTYPE html><title>\(page.status.code)</title><p>\(page.status.code) "
                        + "\(page.status.reasonPhrase)</p>", status: page.status)
            }
        }
    }
}

/// `Templates/web/error.mustache`.
struct ErrorPage: WebPageModel {
    static let template = WebTemplate.error
    var heading: String
    var detail: String
    var back: String
    var status: HTTPResponse.Status

    init(_ error: any Error, visit: WebVisit, logger: Logger) {
        let words = visit.words
        var status = HTTPResponse.Status.internalServerError
        var heading = words["serverError"]
        var detail = words["serverErrorDetail"]
        switch error {
        case _ where StoreError.isBusy(error):
            logger.warning("desk write refused: the database stayed busy past the timeout")
            (status, detail) = (.serviceUnavailable, words["busyDetail"])
        case let problem as Problem where problem.status == .unauthorized:
            (status, heading, detail) = (.unauthorized, words["unauthorized"], words["unauthorizedDetail"])
        case let problem as Problem where problem.status == .forbidden:
            let role = visit.user.map { Vocabulary.role($0.role, visit.language.vocabulary) } ?? ""
            (status, heading, detail) = (.forbidden, words["forbidden"], words.format("forbiddenDetail", role))
        case let problem as Problem:
            status = problem.status
            heading = problem.status == .notFound ? words["notFound"] : words["badRequest"]
            detail = problem.detail
        case is WebCSRFError:
            (status, heading, detail) = (.forbidden, words["forbidden"], words["csrfDetail"])
        case let error as WebFormError:
            status = error.status
            heading =
                status == .notFound ? words["notFound"] : status == .conflict ? words["conflict"] : words["badRequest"]
            detail = error.message
        case let error as StoreError:
            let text = error.text(visit.language.vocabulary)
            switch error.kind {
            case .notFound: (status, heading, detail) = (.notFound, words["notFound"], text)
            case .conflict: (status, heading, detail) = (.conflict, words["conflict"], text)
            case .badInput: (status, heading, detail) = (.badRequest, words["badRequest"], text)
            case .failure: logger.error("web page failed", metadata: ["error": "StoreError"])
            }
        case let error as LetterError:
            (status, heading, detail) = (.conflict, words["conflict"], error.description)
        case let error as EvidenceExportError:
            (status, heading, detail) = (.badRequest, words["badRequest"], error.description)
        case let error as WebTemplateError:
            logger.error("web template failed", metadata: ["error": "\(error.description)"])
        case let error as any HTTPResponseError:
            // Hummingbird's own refusals (a body over its limit, a malformed request): said in the page's words.
            status = error.status
            heading = words["badRequest"]
            detail = status == .contentTooLarge ? words["tooLarge"] : words["formUnreadable"]
        default:
            logger.error("web page failed", metadata: ["error": "\(type(of: error))"])
        }
        // Back to the request an action was about, else to the start.
        let parts = visit.path.split(separator: "/")
        back = parts.count >= 2 && parts[0] == "requests" && parts[1] != "new" ? "/requests/\(parts[1])" : "/"
        self.status = status
        self.heading = heading
        self.detail = detail
    }
}
