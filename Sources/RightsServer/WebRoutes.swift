import Foundation
import Hummingbird
import RightsCore
import RightsEvidence
import RightsStore

/// The server-rendered web desk (CONTRACT.md "The web desk"): sign-in, the officer's queue, a request with its
/// actions and letters, a new request taken by phone or at a store, the support agent's "why" page, lists and
/// evidence export. Every page calls the same store services as the command line and records the signed-in user as
/// the actor. Pages know the user from the `rd_session` cookie only (never a bearer token), every POST carries the
/// session's CSRF token, and nothing personal is logged: the person's number travels in POST bodies, not URLs.
struct WebRoutes: Sendable {
    let server: DeskServer
    let sessions = SessionStore()
    let pages = WebPages()

    var store: RightsStore { server.store }

    /// The largest form the desk accepts: a new request with a long note is a few kilobytes.
    static let formLimit = 256 * 1024

    func add(to router: Router<DeskContext>) {
        router.get("/") { request, context in
            await handle(request, context) { page, _ in
                guard let user = page.user else { return page.redirect("/login") }
                return page.redirect(user.role.may(.readRequests) ? "/queue" : "/why")
            }
        }
        addSignIn(to: router)
        addQueue(to: router)
        addRequest(to: router)
        addIntake(to: router)
        addWhy(to: router)
        addListsAndEvidence(to: router)
    }

    // MARK: The page wrapper

    /// How a page handler receives its request: the session read, the user set on the context, the language chosen,
    /// and for a POST the form decoded and its CSRF token checked before the handler runs. Errors become HTML pages
    /// with their status; only the kind of an unexpected error reaches the log, never its message (it may hold a
    /// person's data).
    private func handle(
        _ request: Request, _ context: DeskContext, post: Bool = false, signIn: Bool = false,
        _ body: (inout WebPage, DeskContext) async throws -> Response
    ) async -> Response {
        let now = server.now()
        let cookies = WebCookies.read(request)
        let (language, chosen) = WebLanguage.of(request, cookies: cookies)
        var session = cookies[SessionStore.cookieName].flatMap { sessions.session(id: $0, now: now) }
        var user: StaffUser?
        if let current = session {
            // The role and the account's state come from the store at every request: a disabled user, or one whose
            // token was rotated since they signed in, is out now. A failed read leaves the session for the next
            // click rather than signing the user out.
            if let users = try? store.users() {
                user = users.first { SessionStore.admits($0, to: current) }
                if user == nil {
                    sessions.end(id: current.id)
                    session = nil
                }
            }
        }
        var page = WebPage(
            user: user, session: session, language: language, rememberLanguage: chosen,
            secure: WebCookies.isSecure(request), path: request.uri.path,
            languageLink: Self.languageLink(request, to: language.other, post: post), organization: store.organization)
        var context = context
        context.user = user
        do {
            if post {
                let buffer = try await request.body.collect(upTo: Self.formLimit)
                guard let form = WebForm(decoding: buffer.readableBytesView) else {
                    throw Problem.badRequest(page.text["badRequest"] ?? "")
                }
                page.form = form
                let expected: String?
                if signIn {
                    expected = cookies[SessionStore.loginCookieName]
                } else {
                    guard session != nil else { throw Problem.unauthorized }
                    expected = session?.csrf
                }
                guard let expected, let sent = form["csrf"], SessionStore.constantTimeEqual(expected, sent) else {
                    throw WebCSRFError()
                }
            }
            return try await body(&page, context)
        } catch {
            return errorPage(error, page: page, get: !post, context: context)
        }
    }

    /// A CSRF token that is missing or is not this session's.
    private struct WebCSRFError: Error {}

    /// The language switch of a page: the same page with its filters, or for the answer to a form the page the form
    /// is on (a POST cannot be repeated by a link, and the person's number must not go into a URL).
    static func languageLink(_ request: Request, to other: WebLanguage, post: Bool) -> String {
        let path = request.uri.path
        let language = other.rawValue
        guard !post else {
            let parts = path.split(separator: "/")
            if parts.first == "requests" {
                return parts.count >= 2 ? "/requests/\(parts[1])?lang=\(language)" : "/requests/new?lang=\(language)"
            }
            if parts.first == "why" { return "/why?lang=\(language)" }
            return path + "?lang=\(language)"
        }
        let query = (request.uri.query ?? "").split(separator: "&").filter {
            !$0.hasPrefix("lang=") && !$0.hasPrefix("done=")
        }
        return path + "?" + (query + ["lang=\(language)"]).joined(separator: "&")
    }

    private func errorPage(_ error: any Error, page: WebPage, get: Bool, context: DeskContext) -> Response {
        let text = page.text
        var status = HTTPResponse.Status.internalServerError
        var heading = text["serverError"] ?? ""
        var detail = text["serverErrorDetail"] ?? ""
        switch error {
        case _ where StoreError.isBusy(error):
            context.logger.warning("desk write refused: the database stayed busy past the timeout")
            (status, detail) = (.serviceUnavailable, text["busyDetail"] ?? "")
        case let problem as Problem where problem.status == .unauthorized:
            if get { return page.redirect("/login") }
            (status, heading, detail) = (.unauthorized, text["unauthorized"] ?? "", text["unauthorizedDetail"] ?? "")
        case let problem as Problem where problem.status == .forbidden:
            let role = page.user.map { WebText.roleName($0.role, page.language) } ?? ""
            status = .forbidden
            heading = text["forbidden"] ?? ""
            detail = (text["forbiddenDetail"] ?? "").replacingOccurrences(of: "%@", with: role)
        case let problem as Problem:
            status = problem.status
            heading = problem.status == .notFound ? text["notFound"] ?? "" : text["badRequest"] ?? ""
            detail = problem.detail
        case is WebCSRFError:
            (status, heading, detail) = (.forbidden, text["forbidden"] ?? "", text["csrfDetail"] ?? "")
        case let error as StoreError:
            switch error {
            case .refused(let reason) where reason.hasPrefix("no request "):
                (status, heading, detail) = (.notFound, text["notFound"] ?? "", reason)
            case .refused(let reason): (status, heading, detail) = (.conflict, text["conflict"] ?? "", reason)
            case .unknownList: (status, heading, detail) = (.notFound, text["notFound"] ?? "", error.description)
            case .badInput: (status, heading, detail) = (.badRequest, text["badRequest"] ?? "", error.description)
            default: context.logger.error("web page failed", metadata: ["error": "StoreError"])
            }
        case let error as LetterError:
            (status, heading, detail) = (.conflict, text["conflict"] ?? "", error.description)
        case let error as EvidenceExportError:
            (status, heading, detail) = (.badRequest, text["badRequest"] ?? "", error.description)
        case let error as WebPages.WebTemplateError:
            // The template's path and the parser's message: no personal data.
            context.logger.error("web template failed", metadata: ["error": "\(error.description)"])
        case let error as any HTTPResponseError:
            status = error.status
            heading = text["badRequest"] ?? ""
            detail = status.reasonPhrase
        default:
            context.logger.error("web page failed", metadata: ["error": "\(type(of: error))"])
        }
        // Back to the request an action was about, else to the start.
        let parts = page.path.split(separator: "/")
        let back = parts.count >= 2 && parts[0] == "requests" && parts[1] != "new" ? "/requests/\(parts[1])" : "/"
        do {
            return try pages.render(
                "error", ["heading": heading, "detail": detail, "back": back], page: page, status: status)
        } catch {
            return page.html(
                "<!DOCTYPE html><title>\(status.code)</title><p>\(status.code) \(status.reasonPhrase)</p>",
                status: status)
        }
    }

    // MARK: Sign-in

    private func addSignIn(to router: Router<DeskContext>) {
        router.get("/login") { request, context in
            await handle(request, context) { page, _ in
                if page.user != nil { return page.redirect("/") }
                return try loginPage(&page, error: nil, status: .ok)
            }
        }
        router.post("/login") { request, context in
            await handle(request, context, post: true, signIn: true) { page, _ in
                let token = (page.form["token"] ?? "").trimmingWhitespace()
                guard let user = try store.authenticate(token: token) else {
                    return try loginPage(&page, error: page.text["badToken"], status: .unauthorized)
                }
                if let old = page.session { sessions.end(id: old.id) }
                let session = sessions.create(userName: user.name, now: server.now())
                page.cookies = [
                    WebCookies.value(
                        name: SessionStore.cookieName, value: session.id, maxAge: Int(SessionStore.lifetime),
                        secure: page.secure),
                    WebCookies.value(
                        name: SessionStore.loginCookieName, value: "", path: "/login", maxAge: 0, secure: page.secure),
                ]
                return page.redirect("/")
            }
        }
        router.post("/logout") { request, context in
            await handle(request, context, post: true) { page, _ in
                if let session = page.session { sessions.end(id: session.id) }
                page.cookies = [
                    WebCookies.value(name: SessionStore.cookieName, value: "", maxAge: 0, secure: page.secure)
                ]
                return page.redirect("/login")
            }
        }
    }

    /// The login form; its CSRF token is a fresh random value also set in a short-lived cookie of the login path
    /// (double submit), so that another site cannot sign a browser in to an account of its choosing.
    private func loginPage(_ page: inout WebPage, error: String?, status: HTTPResponse.Status) throws -> Response {
        let nonce = SessionStore.randomToken()
        page.cookies.append(
            WebCookies.value(
                name: SessionStore.loginCookieName, value: nonce, path: "/login", maxAge: 3600, secure: page.secure))
        var view: [String: Any] = ["csrf": nonce]
        if let error { view["error"] = error }
        return try pages.render("login", view, page: page, status: status)
    }

    // MARK: The queue

    private func addQueue(to router: Router<DeskContext>) {
        router.get("/queue") { request, context in
            await handle(request, context) { page, context in
                _ = try context.require(.readRequests)
                let query = request.uri.queryParameters
                let stateChoice = query["state"].map(String.init) ?? "open"
                let typeChoice = query["type"].map(String.init) ?? ""
                let now = server.now()
                var filter = RequestFilter(asOf: now)
                if stateChoice != "open" && stateChoice != "all" {
                    guard let state = RequestState(rawValue: stateChoice) else {
                        throw Problem.badRequest("state: \(stateChoice)")
                    }
                    filter.state = state
                }
                if !typeChoice.isEmpty {
                    guard let type = RequestType(rawValue: typeChoice) else {
                        throw Problem.badRequest("type: \(typeChoice)")
                    }
                    filter.type = type
                }
                let chosen = filter
                var views = try await server.offload { [store] in try store.requests(chosen) }
                if stateChoice == "open" { views = views.filter { $0.state.isOpen } }
                let rows = views.map { requestRow($0, page: page, now: now) }
                let overdue = rows.filter { $0["overdue"] as? Bool == true }.count
                let soon = rows.filter { $0["soon"] as? Bool == true }.count
                let language = page.language
                let states =
                    [("open", page.text["allOpen"] ?? ""), ("all", page.text["allStates"] ?? "")]
                    + RequestState.allCases.map { ($0.rawValue, WebText.stateName($0, language)) }
                let types =
                    [("", page.text["allTypes"] ?? "")]
                    + RequestType.allCases.map { ($0.rawValue, WebText.typeName($0, language)) }
                return try pages.render(
                    "queue",
                    [
                        "requests": rows, "hasRequests": !rows.isEmpty,
                        "summary": String(
                            format: page.text["summaryRequests"] ?? "%d %d %d", rows.count, overdue, soon),
                        "states": options(states, selected: stateChoice),
                        "types": options(types, selected: typeChoice), "mayCreate": page.may(.manageRequests),
                    ], page: page)
            }
        }
    }

    /// A request as a row of the queue: red when an open request is past its due instant, amber when it falls due
    /// within 2 days (48 hours, as `request list --due-within 2` counts).
    private func requestRow(_ view: RequestView, page: WebPage, now: Date) -> [String: Any] {
        let due = Timestamp.parse(view.due)
        let overdue = view.state.isOpen && due.map { $0 < now } == true
        let soon = view.state.isOpen && !overdue && due.map { $0 <= now.addingTimeInterval(2 * 86400) } == true
        return [
            "id": view.id, "typeName": WebText.typeName(view.type, page.language),
            "stateName": WebText.stateName(view.state, page.language), "receivedAt": view.receivedAt,
            "ackDueDate": view.ackDueDate, "dueDate": view.dueDate, "overdue": overdue, "soon": soon,
            "extended": view.extended, "urgency": overdue ? "overdue" : soon ? "soon" : "",
        ]
    }

    private func options(_ choices: [(String, String)], selected: String) -> [[String: Any]] {
        choices.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == selected] }
    }

    // MARK: A request and its actions

    private func addRequest(to router: Router<DeskContext>) {
        router.get("/requests/{id}") { request, context in
            await handle(request, context) { page, context in
                _ = try context.require(.readRequests)
                let id = try context.parameters.require("id")
                guard let detail = try? store.request(id) else { throw Problem.notFound("\(id)") }
                let query = request.uri.queryParameters
                let kind = query["letter"].flatMap { LetterKind(rawValue: String($0)) } ?? suggestedLetter(detail)
                let language =
                    query["letter_lang"].flatMap { LetterLanguage(rawValue: String($0)) }
                    ?? (page.language == .en ? .en : .vi)
                var view = requestPage(detail, page: page, now: server.now())
                view["letterKinds"] = options(
                    LetterKind.allCases.map { ($0.rawValue, WebText.letterName($0, page.language)) },
                    selected: kind.rawValue)
                view["letterLanguages"] = options(
                    [("vi", "Tiếng Việt"), ("en", "English")], selected: language.rawValue)
                do {
                    view["preview"] = try server.letters.get().render(
                        id, kind: kind, language: language, now: server.now())
                    view["hasPreview"] = true
                    view["previewKind"] = kind.rawValue
                    view["previewLang"] = language.rawValue
                    view["previewName"] = WebText.letterName(kind, page.language)
                } catch {
                    view["previewError"] = String(describing: error)
                }
                if query["done"] != nil { view["notice"] = page.text["saved"] }
                return try pages.render("request", view, page: page)
            }
        }
        addStep(router, "ack") { id, _, user, now in
            _ = try store.acknowledgeRequest(id, at: now, actor: user.name, now: now)
        }
        addStep(router, "verify") { id, form, user, now in
            guard let method = form.text("method") else { throw Problem.badRequest("method") }
            var subject: Identifier?
            if let text = form.text("subject") {
                do throws(IdentifierError) {
                    subject = try Identifier(parsing: text)
                } catch {
                    throw Problem.badRequest(error.description)
                }
            }
            _ = try store.verifyRequest(id, subject: subject, method: method, at: now, actor: user.name, now: now)
        }
        addStep(router, "extend") { id, form, user, now in
            guard let reason = form.text("reason") else { throw Problem.badRequest("reason") }
            _ = try store.extendRequest(id, reason: reason, at: now, actor: user.name, now: now)
        }
        // Completing: the same step as the others, but an access request answers with the person's report, as a
        // ZIP download the officer sends on; the server keeps no copy.
        router.post("/requests/{id}/complete") { request, context in
            await handle(request, context, post: true) { page, context in
                let user = try context.require(.manageRequests)
                let id = try context.parameters.require("id")
                let (form, now) = (page.form, server.now())
                var corrections: [(field: String, value: String)] = []
                for line in (form["set"] ?? "").split(whereSeparator: \.isNewline) {
                    let entry = line.trimmingWhitespace()
                    guard !entry.isEmpty else { continue }
                    guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                        throw Problem.badRequest("FIELD=VALUE: \(entry)")
                    }
                    corrections.append(
                        (String(entry[..<equals]).trimmingWhitespace(), String(entry[entry.index(after: equals)...])))
                }
                var filled = Completion(lateReason: form.text("late_reason"), corrections: corrections)
                filled.measures = form.text("measures")
                let completion = filled
                let folder = "access-" + id.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
                let mayReport = user.role.may(.readAccessReports)
                let report = try await server.offload { [store] () -> Data? in
                    guard try store.request(id).request.type == .access else {
                        _ = try store.completeRequest(id, completion: completion, at: now, actor: user.name, now: now)
                        return nil
                    }
                    guard mayReport else { throw Problem(status: .forbidden, title: "Forbidden", detail: "access") }
                    var zip: Data?
                    _ = try AccessCompletion.complete(
                        id, store: store, completion: completion, at: now, actor: user.name, now: now
                    ) { rendered in zip = try AccessReportWriter.zip(rendered, folder: folder) }
                    return zip
                }
                guard let report else { return page.redirect("/requests/\(id)?done=complete") }
                return Self.download(report, name: "\(folder).zip")
            }
        }
        addStep(router, "reject") { id, form, user, now in
            guard let ground = form["ground"].flatMap(RefusalGround.init(rawValue:)) else {
                throw Problem.badRequest("ground: \(RefusalGround.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let note = form.text("note")
            guard note != nil || ground == .duplicate else { throw Problem.badRequest("note") }
            _ = try store.rejectRequest(
                id, ground: ground, note: note, duplicateOf: form.text("of"), at: now, actor: user.name, now: now)
        }
        // Sending a letter records it and delivers it where delivery is configured; the page then shows the
        // timeline with `letter-delivered` or `letter-delivery-failed` (retried by `serve`).
        router.post("/requests/{id}/letter") { request, context in
            await handle(request, context, post: true) { page, context in
                let user = try context.require(.manageRequests)
                let id = try context.parameters.require("id")
                let form = page.form
                guard let kind = form["kind"].flatMap(LetterKind.init(rawValue:)),
                    let language = form["lang"].flatMap(LetterLanguage.init(rawValue:))
                else { throw Problem.badRequest("kind, lang") }
                let sender = try server.letters.get()
                do {
                    _ = try await sender.send(id, kind: kind, language: language, actor: user.name, now: server.now())
                } catch let error as LetterError {
                    throw StoreError.refused(error.description)
                }
                return page.redirect("/requests/\(id)?done=letter")
            }
        }
    }

    /// A ZIP the browser saves (an evidence bundle, an access report), kept by no cache. `name` is ASCII only.
    private static func download(_ data: Data, name: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/zip"
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// One workflow step as a form POST to `/requests/{id}/<name>`: officers only, the user as the actor, then
    /// back to the request (Post/Redirect/Get, so a reload does not repeat the step).
    private func addStep(
        _ router: Router<DeskContext>, _ name: String,
        _ step: @escaping @Sendable (String, WebForm, StaffUser, Date) throws -> Void
    ) {
        router.post("/requests/{id}/\(name)") { request, context in
            await handle(request, context, post: true) { page, context in
                let user = try context.require(.manageRequests)
                let id = try context.parameters.require("id")
                let (form, now) = (page.form, server.now())
                try await server.offload { try step(id, form, user, now) }
                return page.redirect("/requests/\(id)?done=\(name)")
            }
        }
    }

    private func requestPage(_ detail: RequestDetail, page: WebPage, now: Date) -> [String: Any] {
        let view = detail.request
        let language = page.language
        var request = requestRow(view, page: page, now: now)
        let optional: [String: String?] = [
            "name": detail.name, "address": detail.address, "note": detail.note,
            "extensionReason": detail.extensionReason, "closedAt": view.closedAt, "lateReason": detail.lateReason,
            "groundName": detail.ground.map {
                RefusalGround(rawValue: $0).map { WebText.groundName($0, language) } ?? $0
            },
            "groundCitation": detail.groundCitation, "closingNote": detail.closingNote, "duplicateOf": view.duplicateOf,
            "representative": detail.representative.map {
                "\($0.name) (\(WebText.relationName($0.relation, language)))"
            },
            "representativeEvidence": detail.representative?.evidence,
            "restrictionCondition": detail.restrictionCondition, "evidence": detail.evidence,
        ]
        request.merge(optional.compactMapValues { $0 }) { $1 }
        request.merge([
            "channelName": WebText.channelName(view.channel, language), "ruleSet": view.ruleSet,
            "citation": view.citation, "processors": view.processors,
            // The last day, as the queue shows it ("23/03/2026"): the instant is the next midnight, a day later.
            "ackDueDay": VietnamDates.day(view.ackDueDate, language: language.vocabulary),
            "dueDay": VietnamDates.day(view.dueDate, language: language.vocabulary),
            "late": view.late, "scopeName": WebText.scopeName(view.scope, language),
            "isRefusal": view.type == .objection || view.type == .withdrawConsent,
        ]) { $1 }
        let unverified = detail.subjects.filter { $0.verifiedAt == nil }
        let completeHint: String =
            switch view.type {
            case .deletion: page.text["completeHintDeletion"] ?? ""
            case .objection, .withdrawConsent: page.text["completeHintRefusal"] ?? ""
            case .restriction: page.text["completeHintRestriction"] ?? ""
            case .correction: page.text["completeHintCorrection"] ?? ""
            case .access, .protection: page.text["completeHint"] ?? ""
            }
        return [
            "request": request,
            "subjects": detail.subjects.map { subject -> [String: Any] in
                var row: [String: Any] = ["identifier": subject.identifier]
                if let at = subject.verifiedAt { row["verifiedAt"] = at }
                row["method"] = subject.method ?? "—"
                return row
            },
            "events": detail.events.map { event -> [String: Any] in
                var row: [String: Any] = [
                    "at": event.at, "kindName": WebText.eventName(event.kind, language), "actor": event.actor,
                ]
                if let note = event.note { row["note"] = note }
                return row
            },
            "letters": detail.letters.map { letter -> [String: Any] in
                [
                    "kindName": LetterKind(rawValue: letter.kind).map { WebText.letterName($0, language) }
                        ?? letter.kind,
                    "lang": letter.lang, "sentAt": letter.sentAt, "text": letter.text,
                ]
            },
            "hasLetters": !detail.letters.isEmpty,
            "processorsTold": detail.processorsTold.map { processor -> [String: Any] in
                var row: [String: Any] = [
                    "id": processor.id, "name": processor.name, "notifiedAt": processor.notifiedAt,
                ]
                if let confirmed = processor.confirmedAt { row["confirmedAt"] = confirmed }
                return row
            },
            "hasProcessors": !detail.processorsTold.isEmpty,
            "mayManage": page.may(.manageRequests), "open": view.state.isOpen,
            "canAck": view.state == .received, "canVerify": view.state.isOpen && !unverified.isEmpty,
            "unverified": unverified.map { ["identifier": $0.identifier] }, "canExtend": !view.extended,
            "isAccess": view.type == .access, "isCorrection": view.type == .correction,
            "isProtection": view.type == .protection,
            "completeHint": completeHint,
            // Only the grounds the request's rule set offers for its type (harms-others is for access alone).
            "grounds": RefusalGround.allCases.filter { ground in
                RuleSet.named(view.ruleSet)?.refusal(ground)?.appliesTo.contains(view.type) ?? true
            }.map { ["value": $0.rawValue, "label": WebText.groundName($0, language)] },
        ]
    }

    /// The letter a request most likely needs next, previewed when the page opens.
    private func suggestedLetter(_ detail: RequestDetail) -> LetterKind {
        let view = detail.request
        switch view.state {
        case .completed:
            return view.type == .objection || view.type == .withdrawConsent ? .refusalConfirmation : .completion
        case .rejected: return .rejection
        default: return view.extended ? .extension : .ack
        }
    }

    // MARK: A new request

    private func addIntake(to router: Router<DeskContext>) {
        router.get("/requests/new") { request, context in
            await handle(request, context) { page, context in
                _ = try context.require(.fileObjection)
                return try intakePage(page, values: [:], error: nil, notice: nil, status: .ok)
            }
        }
        router.post("/requests") { request, context in
            await handle(request, context, post: true) { page, context in
                let form = page.form
                guard let type = form["type"].flatMap(RequestType.init(rawValue:)) else {
                    throw Problem.badRequest("type: \(RequestType.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                // Support takes objections on the spot; every other request is an officer's (as in the API).
                let user = try context.require(type == .objection ? .fileObjection : .manageRequests)
                let values: [String: Any] = [
                    "type": type.rawValue, "subjects": form["subjects"] ?? "", "channel": form["channel"] ?? "",
                    "receivedAt": form["received_at"] ?? "", "scope": form["scope"] ?? "",
                    "processors": form["processors"] != nil, "name": form["name"] ?? "",
                    "address": form["address"] ?? "", "note": form["note"] ?? "",
                    "representative": form["representative"] ?? "", "relation": form["relation"] ?? "",
                    "representativeEvidence": form["representative_evidence"] ?? "",
                    "restrictionCondition": form["restriction_condition"] ?? "", "evidence": form["evidence"] ?? "",
                ]
                do {
                    let new = try newRequest(form, now: server.now())
                    let now = server.now()
                    let view = try await server.offload { try store.createRequest(new, actor: user.name, at: now) }
                    if user.role.may(.readRequests) { return page.redirect("/requests/\(view.id)") }
                    return try intakePage(
                        page, values: [:], error: nil, notice: "\(page.text["filed"] ?? "") \(view.id)", status: .ok)
                } catch let error as WebFormError {
                    return try intakePage(page, values: values, error: error.message, notice: nil, status: error.status)
                }
            }
        }
    }

    /// Reads the new-request form; a mistake in it comes back on the form with what was typed kept.
    private func newRequest(_ form: WebForm, now: Date) throws -> NewRequest {
        guard let type = form["type"].flatMap(RequestType.init(rawValue:)) else {
            throw WebFormError(status: .badRequest, message: "type")
        }
        var subjects: [Identifier] = []
        for line in (form["subjects"] ?? "").split(whereSeparator: \.isNewline) {
            let text = line.trimmingWhitespace()
            guard !text.isEmpty else { continue }
            do throws(IdentifierError) {
                subjects.append(try Identifier(parsing: text))
            } catch {
                throw WebFormError(status: .badRequest, message: "\(text): \(error.description)")
            }
        }
        guard !subjects.isEmpty else {
            throw WebFormError(status: .badRequest, message: "give at least one phone, email or Zalo identifier")
        }
        guard let channel = IntakeChannel(rawValue: form["channel"] ?? "phone") else {
            throw WebFormError(status: .badRequest, message: "channel")
        }
        var receivedAt = now
        if let text = form.text("received_at") {
            // A browser's datetime-local has no offset: it is the desk's own time, Vietnam time.
            guard
                let date = Timestamp.parse(text) ?? Timestamp.parse(text + "+07:00")
                    ?? Timestamp.parse(text + ":00+07:00")
            else { throw WebFormError(status: .badRequest, message: "\(text): not a date and time") }
            receivedAt = date
        }
        return NewRequest(
            type: type, subjects: subjects, channel: channel, receivedAt: receivedAt,
            processors: form["processors"] != nil,
            scope: form["scope"].flatMap(SuppressionPurpose.init(rawValue:)) ?? .marketing, name: form.text("name"),
            address: form.text("address"), note: form.text("note"), representative: try representative(form),
            restrictionCondition: form.text("restriction_condition"), evidence: form.text("evidence"))
    }

    /// The form's representative (Law 91 Art. 24), when a name is given; a name needs its capacity.
    private func representative(_ form: WebForm) throws -> Representative? {
        guard let name = form.text("representative") else { return nil }
        guard let relation = form["relation"].flatMap(RepresentativeRelation.init(rawValue:)) else {
            throw WebFormError(
                status: .badRequest, message: "relation: parent, guardian or agent, for the representative \(name)")
        }
        return Representative(name: name, relation: relation, evidence: form.text("representative_evidence"))
    }

    private func intakePage(
        _ page: WebPage, values: [String: Any], error: String?, notice: String?, status: HTTPResponse.Status
    ) throws -> Response {
        let language = page.language
        let types = RequestType.allCases.filter { page.may($0 == .objection ? .fileObjection : .manageRequests) }
        let selectedType = values["type"] as? String ?? (types.count == 1 ? types[0].rawValue : "")
        var view: [String: Any] = [
            "types": options(types.map { ($0.rawValue, WebText.typeName($0, language)) }, selected: selectedType),
            "channels": options(
                IntakeChannel.allCases.map { ($0.rawValue, WebText.channelName($0, language)) },
                selected: values["channel"] as? String ?? IntakeChannel.phone.rawValue),
            "scopes": options(
                SuppressionPurpose.allCases.map { ($0.rawValue, WebText.scopeName($0, language)) },
                selected: values["scope"] as? String ?? SuppressionPurpose.marketing.rawValue),
            "relations": options(
                [("", "—")] + RepresentativeRelation.allCases.map { ($0.rawValue, WebText.relationName($0, language)) },
                selected: values["relation"] as? String ?? ""),
            "form": values,
        ]
        if let error { view["error"] = error }
        if let notice { view["notice"] = notice }
        return try pages.render("new-request", view, page: page, status: status)
    }

    // MARK: Why

    private func addWhy(to router: Router<DeskContext>) {
        router.get("/why") { request, context in
            await handle(request, context) { page, context in
                _ = try context.require(.lookUp)
                return try whyPage(page, typed: "", answer: nil, error: nil, notice: nil, status: .ok)
            }
        }
        router.post("/why") { request, context in
            await handle(request, context, post: true) { page, context in
                let user = try context.require(.lookUp)
                let typed = page.form["id"] ?? ""
                let identifier: Identifier
                do throws(IdentifierError) {
                    identifier = try Identifier(parsing: typed.trimmingWhitespace())
                } catch {
                    return try whyPage(
                        page, typed: typed, answer: nil, error: error.description, notice: nil, status: .badRequest)
                }
                let now = server.now()
                server.lookups.record(user: user.name, kind: "why", identifier: identifier, at: now)
                return try whyPage(
                    page, typed: typed, answer: try store.why(identifier, now: now), error: nil, notice: nil,
                    status: .ok)
            }
        }
        router.post("/why/objection") { request, context in
            await handle(request, context, post: true) { page, context in
                let user = try context.require(.fileObjection)
                let identifier: Identifier
                do throws(IdentifierError) {
                    identifier = try Identifier(parsing: (page.form["id"] ?? "").trimmingWhitespace())
                } catch {
                    throw Problem.badRequest(error.description)
                }
                guard let channel = IntakeChannel(rawValue: page.form["channel"] ?? "phone") else {
                    throw Problem.badRequest("channel")
                }
                let now = server.now()
                let view = try await server.offload {
                    try store.createRequest(
                        NewRequest(type: .objection, subjects: [identifier], channel: channel, receivedAt: now),
                        actor: user.name, at: now)
                }
                server.lookups.record(user: user.name, kind: "why", identifier: identifier, at: now)
                let notice = (page.text["objectionFiled"] ?? "%@").replacingOccurrences(of: "%@", with: view.id)
                return try whyPage(
                    page, typed: identifier.normalized, answer: try store.why(identifier, now: now), error: nil,
                    notice: notice, status: .created)
            }
        }
    }

    private func whyPage(
        _ page: WebPage, typed: String, answer: WhyAnswer?, error: String?, notice: String?,
        status: HTTPResponse.Status
    ) throws -> Response {
        var page = page
        let language = page.language
        var view: [String: Any] = [
            "typed": typed, "mayObject": page.may(.fileObjection), "mayRead": page.may(.readRequests),
            "channels": options(
                IntakeChannel.allCases.map { ($0.rawValue, WebText.channelName($0, language)) },
                selected: IntakeChannel.phone.rawValue),
        ]
        if let error { view["error"] = error }
        if let notice { view["notice"] = notice }
        if let answer {
            page.script = WebPage.copyScript
            view["answer"] =
                [
                    "identifier": answer.identifier, "vi": answer.explanation["vi"] ?? "",
                    "en": answer.explanation["en"] ?? "", "dnc": answer.dnc,
                    "lists": answer.lists.map { list -> [String: Any] in
                        var row: [String: Any] = [
                            "list": list.list, "importedAt": list.importedAt, "basis": list.basis,
                            "status": list.status,
                        ]
                        if let source = list.source { row["source"] = source }
                        if let consent = list.consent {
                            var fact: [String: Any] = [
                                "consentChannels": consent.channels.map {
                                    Vocabulary.channel(code: $0, language.vocabulary)
                                }
                                .joined(separator: ", "), "at": consent.at,
                            ]
                            if let method = consent.method { fact["method"] = method }
                            row["consent"] = fact
                        }
                        return row
                    },
                    "suppressions": answer.suppressions.map { fact -> [String: Any] in
                        var row: [String: Any] = [
                            "channel": fact.channel, "purpose": fact.purpose, "since": fact.since,
                            "reason": fact.reason,
                        ]
                        if let id = fact.requestID { row["requestID"] = id }
                        if let lifted = fact.liftedAt { row["liftedAt"] = lifted }
                        return row
                    },
                    "sends": answer.sends.map { send -> [String: Any] in
                        [
                            "campaign": send.campaign, "channel": send.channel, "sentAt": send.sentAt,
                            "delivered": send.delivered, "afterSuppression": send.afterSuppression,
                        ]
                    },
                    "requests": answer.requests.map { fact -> [String: Any] in
                        [
                            "id": fact.id,
                            "typeName": RequestType(rawValue: fact.type).map { WebText.typeName($0, language) }
                                ?? fact.type,
                            "stateName": RequestState(rawValue: fact.state).map { WebText.stateName($0, language) }
                                ?? fact.state,
                        ]
                    },
                ] as [String: Any]
        }
        return try pages.render("why", view, page: page, status: status)
    }

    // MARK: Lists and evidence

    private func addListsAndEvidence(to router: Router<DeskContext>) {
        router.get("/lists") { request, context in
            await handle(request, context) { page, context in
                _ = try context.require(.readRequests)
                let summaries = try await server.offload { [store] in try store.listSummaries() }
                let rows = summaries.map { summary -> [String: Any] in
                    [
                        "name": summary.name, "basis": summary.basis.rawValue, "flagged": summary.flagged,
                        "entries": summary.entries, "active": summary.active,
                        "marketing": summary.suppressedByPurpose["marketing"] ?? 0,
                        "all": summary.suppressedByPurpose["all"] ?? 0, "imports": summary.imports,
                    ]
                }
                func total(_ key: String) -> Int { rows.reduce(0) { $0 + ($1[key] as? Int ?? 0) } }
                let totals = ["entries", "active", "marketing", "all", "imports"].map { ($0, total($0)) }
                return try pages.render(
                    "lists",
                    [
                        "lists": rows, "hasLists": !rows.isEmpty,
                        "totals": Dictionary(uniqueKeysWithValues: totals),
                        "summary": String(format: page.text["summaryLists"] ?? "%d %d", rows.count, total("entries")),
                    ], page: page)
            }
        }
        router.get("/evidence") { request, context in
            await handle(request, context) { page, context in
                _ = try context.require(.exportEvidence)
                return try pages.render("evidence", ["form": [String: String]()], page: page)
            }
        }
        router.post("/evidence") { request, context in
            await handle(request, context, post: true) { page, context in
                let user = try context.require(.exportEvidence)
                let form = page.form
                let scope: EvidenceScope
                let name: String
                do {
                    if form["scope"] == "period" {
                        guard let from = form.text("from").flatMap(LocalDate.init),
                            let to = form.text("to").flatMap(LocalDate.init)
                        else { throw WebFormError(status: .badRequest, message: "YYYY-MM-DD") }
                        scope = .period(from: from, to: to)
                        name = "evidence-\(from)-\(to).zip"
                    } else {
                        guard let id = form.text("request") else {
                            throw WebFormError(status: .badRequest, message: page.text["requestID"] ?? "")
                        }
                        // Only the id's own characters reach the file name of the download.
                        _ = try store.request(id)
                        scope = .request(id)
                        name = "evidence-\(id.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }).zip"
                    }
                } catch let error as WebFormError {
                    return try pages.render(
                        "evidence", ["form": formValues(form), "error": error.message], page: page, status: error.status
                    )
                }
                let path = NSTemporaryDirectory() + "rightsdesk-web-\(UUID().uuidString).zip"
                defer { try? FileManager.default.removeItem(atPath: path) }
                do {
                    let (installation, now) = (server.installation, server.now())
                    _ = try await server.offload {
                        try EvidenceExporter(installation: installation).export(
                            scope, to: path, actor: user.name, now: now)
                    }
                } catch let error as EvidenceExportError {
                    return try pages.render(
                        "evidence", ["form": formValues(form), "error": error.description], page: page,
                        status: .badRequest)
                }
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw StoreError.refused("the bundle was not written")
                }
                return Self.download(data, name: name)
            }
        }
    }

    private func formValues(_ form: WebForm) -> [String: String] {
        ["request": form["request"] ?? "", "from": form["from"] ?? "", "to": form["to"] ?? ""]
    }
}
