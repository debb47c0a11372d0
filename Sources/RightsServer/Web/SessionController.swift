import Foundation
import Hummingbird
import RightsCore
import RightsStore

/// Signing in and out, and the start page. A session is in memory only (`SessionStore`); the login form is
/// protected by a double-submit token so that another site cannot sign a browser in to an account of its choosing.
struct SessionController: Sendable {
    static let loginPath = "/login"

    let server: DeskServer
    let sessions: SessionStore
    let pages: WebPageRenderer

    func add(to router: RouterGroup<DeskContext>) {
        router.get("/", use: start)
        router.get("/login", use: showLogin)
        router.post("/login", use: login)
        router.post("/logout", use: logout)
    }

    struct LoginForm: Decodable {
        var token: String?
    }

    /// `Templates/web/login.mustache`.
    struct LoginPage: WebPageModel {
        static let template = WebTemplate.login
        var csrf: String
        var error: String?
    }

    /// Where each role starts its day: officers on `/today`, auditors on the queue, support on "why".
    @Sendable func start(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        guard let user = visit.user else { return visit.redirect(Self.loginPath) }
        let start =
            user.role.may(.manageRequests) ? "/today" : user.role.may(.readRequests) ? "/queue" : "/why"
        return visit.redirect(start)
    }

    @Sendable func showLogin(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        if visit.user != nil { return visit.redirect("/") }
        return try loginPage(visit, error: nil, status: .ok)
    }

    @Sendable func login(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        let form = try await WebForms.decode(LoginForm.self, request, visit)
        guard let user = try server.store.authenticate(token: (form.token ?? "").trimmingWhitespace()) else {
            return try loginPage(visit, error: visit.words["badToken"], status: .unauthorized)
        }
        if let old = visit.session { sessions.end(id: old.id) }
        let session = sessions.create(userName: user.name, now: server.now())
        return visit.redirect(
            "/",
            cookies: [
                WebVisit.cookie(
                    SessionStore.cookieName, session.id, maxAge: Int(SessionStore.lifetime), secure: visit.secure),
                WebVisit.cookie(
                    SessionStore.loginCookieName, "", path: Self.loginPath, maxAge: 0, secure: visit.secure),
            ])
    }

    @Sendable func logout(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        if let session = visit.session { sessions.end(id: session.id) }
        return visit.redirect(
            Self.loginPath, cookies: [WebVisit.cookie(SessionStore.cookieName, "", maxAge: 0, secure: visit.secure)])
    }

    /// The login form; its CSRF token is a fresh random value also set in a short-lived cookie of the login path.
    private func loginPage(_ visit: WebVisit, error: String?, status: HTTPResponse.Status) throws -> Response {
        let nonce = SessionStore.randomToken()
        return try pages.render(
            LoginPage(csrf: nonce, error: error), visit, status: status,
            cookies: [
                WebVisit.cookie(
                    SessionStore.loginCookieName, nonce, path: Self.loginPath, maxAge: 3600, secure: visit.secure)
            ])
    }
}
