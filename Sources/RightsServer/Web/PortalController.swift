import Foundation
import Hummingbird
import Mustache
import NIOCore
import RightsCore
import RightsDelivery
import RightsEvidence
import RightsStore
import RightsTemplates

/// The public portal (CONTRACT.md "The web desk", last paragraph): a person files their own request without signing
/// in, and proves the identifier is theirs with a six-digit code sent to it. No JavaScript; Vietnamese first with an
/// English switch; every form carries an anti-forgery field tied to a cookie; the answers are the same whether or
/// not the company holds data about the identifier.
struct PortalController: Sendable {
    let server: DeskServer
    let template: Result<MustacheTemplate, WebTemplateError>

    init(server: DeskServer) {
        self.server = server
        template = Result {
            let bundle = templatesBundle
            guard
                let url = bundle.url(forResource: "portal", withExtension: "mustache", subdirectory: "web")
                    ?? bundle.resourceURL?.appendingPathComponent("web/portal.mustache"),
                let data = FileManager.default.contents(atPath: url.path),
                let text = String(validating: data, as: UTF8.self)
            else { throw WebTemplateError(description: "Templates/web/portal.mustache is missing") }
            return try MustacheTemplate(string: text)
        }.mapError { WebTemplateError(description: "\($0)") }
    }

    static let cookieName = "rd_portal"
    /// A person's form is a few hundred bytes; the details box may hold a paragraph.
    static let formLimit = 16 * 1024

    func add(to router: Router<DeskContext>) {
        router.get("/portal", use: show)
        router.post("/portal", use: requestCode)
        router.post("/portal/verify", use: verify)
    }

    // MARK: Routes

    /// The form, empty.
    @Sendable func show(_ request: Request, context: DeskContext) async throws -> Response {
        let language = Self.language(request)
        let (token, isNew) = Self.token(request)
        var page = PortalPage(language: language, organization: try server.store.organizationRecord(), step: .form)
        page.csrf = csrf(token)
        return try render(page, status: .ok, setCookie: isNew ? token : nil)
    }

    /// The form posted: a code is sent and the code form shown, unless the form is forged or the hour's codes are
    /// spent (429).
    @Sendable func requestCode(_ request: Request, context: DeskContext) async throws -> Response {
        let form = try await Self.decode(PortalForm.self, request, context)
        let language = PortalLanguage(rawValue: form.lang ?? "") ?? Self.language(request)
        let organization = try server.store.organizationRecord()
        var page = PortalPage(language: language, organization: organization, step: .form)
        page.values = form
        guard let token = Self.cookie(request), form.csrf == csrf(token) else {
            return try refused(page, .forbidden, page.text.forged, token: nil)
        }
        page.csrf = csrf(token)
        guard let type = form.type.flatMap(RequestType.init(rawValue:)) else {
            return try refused(page, .badRequest, page.text.chooseType, token: nil)
        }
        let identifier: Identifier
        do {
            identifier = try Identifier(parsing: form.identifier ?? "")
        } catch {
            return try refused(page, .badRequest, page.text.badIdentifier, token: nil)
        }
        guard identifier.kind == .email else {
            // Codes go by mail: no SMS or ZNS gateway is configured on this desk.
            return try refused(page, .badRequest, page.text.emailOnly, token: nil)
        }
        guard case .success(let sender) = server.letters, let smtp = sender.delivery.configuration.smtp,
            let from = sender.delivery.configuration.mailFrom
        else {
            return try refused(page, .serviceUnavailable, page.text.cannotSend, token: nil)
        }
        let client = context.remoteAddress?.ipAddress ?? "unknown"
        let (store, now) = (server.store, server.now())
        let attempt: PortalAttempt
        do {
            attempt = try await server.offload {
                try store.startPortalAttempt(
                    type: type, identifier: identifier, name: form.name?.nonBlank, details: form.details?.nonBlank,
                    client: client, language: language.rawValue, now: now)
            }
        } catch PortalRefusal.tooManyCodes {
            return try refused(page, .tooManyRequests, page.text.tooMany, token: nil)
        }
        let mail = MailMessage(
            from: from, fromName: organization.name.nonBlank, to: identifier.normalized,
            subject: page.text.codeSubject(organization.name), text: page.text.codeMail(attempt.code, organization),
            messageID: "<portal-\(attempt.id)@rightsdesk>", date: now)
        do {
            _ = try await SMTPClient(server: smtp).send(mail.rendered(), from: from, to: [identifier.normalized])
        } catch {
            context.logger.warning("portal code not sent", metadata: ["transient": "\(error.isTransient)"])
            return try refused(page, .serviceUnavailable, page.text.cannotSend, token: nil)
        }
        page.step = .code
        page.attempt = attempt.id
        page.sentTo = MaskedIdentifier.mask(identifier.normalized)
        return try render(page, status: .ok, setCookie: nil)
    }

    /// The code posted: the right one files the request, shows its id and due date, and sends the acknowledgement.
    @Sendable func verify(_ request: Request, context: DeskContext) async throws -> Response {
        let form = try await Self.decode(PortalCodeForm.self, request, context)
        let language = PortalLanguage(rawValue: form.lang ?? "") ?? Self.language(request)
        var page = PortalPage(language: language, organization: try server.store.organizationRecord(), step: .code)
        page.attempt = form.attempt ?? ""
        guard let token = Self.cookie(request), form.csrf == csrf(token) else {
            page.step = .form
            return try refused(page, .forbidden, page.text.forged, token: nil)
        }
        page.csrf = csrf(token)
        let (store, now) = (server.store, server.now())
        let attemptID = form.attempt ?? ""
        let code = form.code ?? ""
        let outcome = try await server.offload { try store.verifyPortalAttempt(attemptID, code: code, now: now) }
        switch outcome {
        case .wrongCode(let remaining):
            return try refused(page, .badRequest, page.text.wrongCode(remaining), token: nil)
        case .ended:
            page.step = .form
            return try refused(page, .gone, page.text.ended, token: nil)
        case .filed(let view):
            page.step = .done
            page.requestID = view.id
            page.dueDate = VietnamDates.day(view.dueDate, language: language.vocabulary)
            if case .success(let sender) = server.letters {
                let letterLanguage: LetterLanguage = language == .en ? .en : .vi
                do {
                    _ = try await sender.send(view.id, kind: .ack, language: letterLanguage, actor: "portal", now: now)
                } catch {
                    context.logger.warning("portal acknowledgement not sent", metadata: ["kind": "\(type(of: error))"])
                }
            }
            return try render(page, status: .ok, setCookie: nil)
        }
    }

    // MARK: Pieces

    private func refused(_ page: PortalPage, _ status: HTTPResponse.Status, _ message: String, token: String?) throws
        -> Response
    {
        var page = page
        page.error = message
        return try render(page, status: status, setCookie: token)
    }

    private func render(_ page: PortalPage, status: HTTPResponse.Status, setCookie token: String?) throws -> Response {
        let html = try template.get().render(page.view).precomposedStringWithCanonicalMapping
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[.referrerPolicy] = "no-referrer"
        if let token {
            headers[.setCookie] = "\(Self.cookieName)=\(token); Path=/portal; HttpOnly; SameSite=Strict; Max-Age=3600"
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// The anti-forgery field: a keyed hash of the cookie, so a page elsewhere cannot post the form for someone.
    private func csrf(_ token: String) -> String {
        Hex.encode(server.store.hasher.hash("portal-csrf:" + token))
    }

    private static func cookie(_ request: Request) -> String? {
        request.cookies[cookieName]?.value.nonBlank.flatMap { $0.count == 32 && $0.allSatisfy(\.isHexDigit) ? $0 : nil }
    }

    private static func token(_ request: Request) -> (String, isNew: Bool) {
        if let existing = cookie(request) { return (existing, false) }
        return (Hex.random(bytes: 16), true)
    }

    private static func language(_ request: Request) -> PortalLanguage {
        request.uri.queryParameters["lang"].flatMap { PortalLanguage(rawValue: String($0)) } ?? .vi
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: DeskContext) async throws
        -> T
    {
        let buffer = try await request.body.collect(upTo: formLimit)
        do {
            return try URLEncodedFormDecoder().decode(T.self, from: String(buffer: buffer))
        } catch {
            throw Problem.badRequest("the form could not be read")
        }
    }
}

/// The portal's first form.
struct PortalForm: Decodable, Sendable {
    var csrf: String?
    var type: String?
    var identifier: String?
    var name: String?
    var details: String?
    var lang: String?
}

/// The code form.
struct PortalCodeForm: Decodable, Sendable {
    var csrf: String?
    var attempt: String?
    var code: String?
    var lang: String?
}

enum PortalLanguage: String, Sendable {
    case vi, en

    var vocabulary: Vocabulary.Language { self == .vi ? .vietnamese : .english }
    var other: PortalLanguage { self == .vi ? .en : .vi }
}

/// What `Templates/web/portal.mustache` reads: one typed model for the three steps, every word in the page's
/// language.
struct PortalPage {
    enum Step { case form, code, done }

    var language: PortalLanguage
    var organization: String
    var contact: String
    var hasContact: Bool
    var step: Step
    var text: PortalText
    var csrf = ""
    var values = PortalForm()
    var attempt = ""
    var sentTo = ""
    var requestID = ""
    var dueDate = ""
    var error = ""

    init(language: PortalLanguage, organization: Organization, step: Step) {
        self.language = language
        self.organization = organization.name.nonBlank ?? "RightsDesk"
        contact = organization.contact ?? ""
        hasContact = organization.contact?.nonBlank != nil
        self.step = step
        text = language == .vi ? .vietnamese : .english
    }

    /// The values the template reads, all worked out (Mustache reads stored properties).
    var view: PortalView {
        PortalView(
            lang: language.rawValue, otherLang: language.other.rawValue, organization: organization,
            hasContact: hasContact, contact: contact, text: text, csrf: csrf, isForm: step == .form,
            isCode: step == .code, isDone: step == .done, hasError: !error.isEmpty, error: error,
            types: RequestType.allCases.map { type in
                PortalOption(value: type.rawValue, label: text.typeLabel(type), selected: values.type == type.rawValue)
            }, identifierValue: values.identifier ?? "", nameValue: values.name ?? "",
            detailsValue: values.details ?? "", attempt: attempt, hasSent: !sentTo.isEmpty, sentText: text.sent(sentTo),
            doneText: text.done(requestID, dueDate), requestID: requestID)
    }
}

/// `Templates/web/portal.mustache`'s variables.
struct PortalView {
    var lang: String
    var otherLang: String
    var organization: String
    var hasContact: Bool
    var contact: String
    var text: PortalText
    var csrf: String
    var isForm: Bool
    var isCode: Bool
    var isDone: Bool
    var hasError: Bool
    var error: String
    var types: [PortalOption]
    var identifierValue: String
    var nameValue: String
    var detailsValue: String
    var attempt: String
    /// The code page right after the code went out says where to; a retry after a wrong code does not repeat it.
    var hasSent: Bool
    var sentText: String
    var doneText: String
    var requestID: String
}

struct PortalOption {
    var value: String
    var label: String
    var selected: Bool
}

extension String {
    fileprivate var nonBlank: String? { trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : self }
}
