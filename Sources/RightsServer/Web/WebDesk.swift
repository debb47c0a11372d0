import Hummingbird

/// The server-rendered web desk (CONTRACT.md "The web desk"): one controller per area, behind the middleware that
/// every page passes. `WebVisitMiddleware` knows the user from the `rd_session` cookie only (never a bearer token);
/// `WebErrorPages` turns what a page throws into an HTML page in the visitor's language; `WebCSRFMiddleware` checks
/// the session's token on every POST before a controller runs. Pages call the same store services as the command
/// line and record the signed-in user as the actor; nothing personal is logged, and a person's number travels in
/// POST bodies, not URLs.
struct WebDesk: Sendable {
    let server: DeskServer
    let sessions = SessionStore()
    let pages = WebPageRenderer()
    let imports = ListImportJobs()

    func add(to router: Router<DeskContext>) {
        let desk = router.group()
            .add(middleware: WebVisitMiddleware(server: server, sessions: sessions))
            .add(middleware: WebErrorPages(pages: pages))
            .add(middleware: WebCSRFMiddleware())
        SessionController(server: server, sessions: sessions, pages: pages).add(to: desk)
        QueueController(server: server, pages: pages).add(to: desk)
        IntakeController(server: server, pages: pages).add(to: desk)
        RequestController(server: server, pages: pages).add(to: desk)
        WhyController(server: server, pages: pages).add(to: desk)
        InboxController(server: server, pages: pages).add(to: desk)
        ListsController(server: server, pages: pages, jobs: imports).add(to: desk)
        AuditController(server: server, pages: pages).add(to: desk)
        EvidenceController(server: server, pages: pages).add(to: desk)
    }
}
