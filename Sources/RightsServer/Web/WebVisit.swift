import Foundation
import Hummingbird
import RightsCore
import RightsStore

/// The language of the desk's pages: Vietnamese unless `?lang=en` or the `lang` cookie asks for English.
enum WebLanguage: String, Sendable, CaseIterable {
    case vi, en

    /// The language of the shared vocabulary (`Vocabulary`).
    var vocabulary: Vocabulary.Language { self == .vi ? .vietnamese : .english }

    static let cookieName = "lang"

    /// The language a request asks for, and whether the choice came from the query (and should be remembered).
    static func of(_ request: Request) -> (language: WebLanguage, chosen: Bool) {
        if let query = request.uri.queryParameters["lang"], let language = WebLanguage(rawValue: String(query)) {
            return (language, true)
        }
        return (request.cookies[cookieName].flatMap { WebLanguage(rawValue: $0.value) } ?? .vi, false)
    }

    var other: WebLanguage { self == .vi ? .en : .vi }

    /// A contract time (`2026-03-12T09:00:00+07:00`) as the page's language says it (`09:00 ngày 12/03/2026`);
    /// the text itself when it does not parse, so nothing is lost.
    func time(_ text: String) -> String { VietnamDates.spoken(text, language: vocabulary) ?? text }
}

/// One visit to a page, as `WebVisitMiddleware` reads it before any controller runs: who is signed in (from the
/// session cookie, never from a bearer token), in which language, and where the language switch leads. Controllers
/// answer through it, so every page carries the same headers and cookies.
struct WebVisit: Sendable {
    var user: StaffUser?
    var session: WebSession?
    var language: WebLanguage
    /// The language came from `?lang=`: the response remembers it in the `lang` cookie.
    var rememberLanguage: Bool
    var secure: Bool
    var path: String
    var isPost: Bool
    /// Where the language switch leads: this page in the other language.
    var languageLink: String
    var organization: String

    func may(_ action: StaffAction) -> Bool { user?.role.may(action) ?? false }

    var words: DeskWords { DeskWords(language) }

    /// An HTML response that no cache keeps (pages hold personal data) and no other site may frame or script.
    func html(_ html: String, status: HTTPResponse.Status = .ok, cookies: [Cookie] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "no-referrer"
        var response = Response(
            status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
        setCookies(cookies, on: &response)
        return response
    }

    /// A 303 to `location`, with `cookies` (Post/Redirect/Get: a reload does not repeat a step).
    func redirect(_ location: String, cookies: [Cookie] = []) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        var response = Response(status: .seeOther, headers: headers)
        setCookies(cookies, on: &response)
        return response
    }

    /// One Set-Cookie field per cookie: they must never be folded into one line.
    private func setCookies(_ cookies: [Cookie], on response: inout Response) {
        for cookie in cookies { response.setCookie(cookie) }
        if rememberLanguage {
            response.setCookie(
                Self.cookie(WebLanguage.cookieName, language.rawValue, maxAge: 365 * 86400, secure: secure))
        }
    }

    /// A cookie the page scripts never see and other sites never send: HttpOnly, SameSite=Strict. `Secure` is added
    /// when the desk is reached over HTTPS through a proxy (a plain-HTTP desk on 127.0.0.1 must still work).
    static func cookie(_ name: String, _ value: String, path: String = "/", maxAge: Int, secure: Bool) -> Cookie {
        Cookie(
            name: name, value: value, maxAge: maxAge, path: path, secure: secure, httpOnly: true, sameSite: .strict)
    }

    static func isSecure(_ request: Request) -> Bool {
        if request.uri.scheme == .https { return true }
        guard let name = HTTPFields.Element.Name("X-Forwarded-Proto") else { return false }
        return request.headers[name]?.lowercased() == "https"
    }

    /// The language switch of a page: the same page with its filters, or for the answer to a form the page the form
    /// is on (a POST cannot be repeated by a link, and the person's number must not go into a URL).
    static func languageLink(_ request: Request, to other: WebLanguage) -> String {
        let path = request.uri.path
        let language = other.rawValue
        guard request.method != .post else {
            let parts = path.split(separator: "/")
            if parts.first == "requests" {
                return parts.count >= 2 ? "/requests/\(parts[1])?lang=\(language)" : "/requests/new?lang=\(language)"
            }
            if let first = parts.first { return "/\(first)?lang=\(language)" }
            return "/?lang=\(language)"
        }
        let query = (request.uri.query ?? "").split(separator: "&").filter {
            !$0.hasPrefix("lang=") && !$0.hasPrefix("done=")
        }
        return path + "?" + (query + ["lang=\(language)"]).joined(separator: "&")
    }

    /// A ZIP the browser saves (an evidence bundle, an access report), kept by no cache. `name` is ASCII only.
    static func download(_ data: Data, name: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/zip"
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Only an id's own characters reach a file name or a header.
    static func fileSafe(_ id: String) -> String {
        id.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    /// Styles inline, no external assets, forms only to the desk itself, and only the copy script (by its hash).
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        + "base-uri 'none'; script-src 'sha256-\(Data(Digest.sha256(Array(copyScript.utf8))).base64EncodedString())'"

    /// The copy buttons: hidden until this script shows them, so without JavaScript the agent selects the text in
    /// the read-only box instead.
    static let copyScript = """
        document.querySelectorAll("button[data-copy]").forEach(function (button) {
          if (!navigator.clipboard) { return; }
          button.hidden = false;
          button.addEventListener("click", function () {
            var box = document.getElementById(button.getAttribute("data-copy"));
            navigator.clipboard.writeText(box.value).then(function () {
              var done = document.querySelector("[data-copied='" + button.getAttribute("data-copy") + "']");
              if (done) { done.hidden = false; }
            });
          });
        });
        """
}

extension HTTPFields.Element.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
}

extension DeskContext {
    /// The page visit `WebVisitMiddleware` set; a desk route outside that group is a programming error.
    var page: WebVisit {
        get throws {
            guard let visit else { throw WebTemplateError(description: "a desk page ran without its visit") }
            return visit
        }
    }
}
