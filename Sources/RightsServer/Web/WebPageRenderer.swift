import Foundation
import Hummingbird
import Mustache
import RightsCore
import RightsStore
import RightsTemplates

/// A template that did not load or render: its path and the parser's message, never personal data.
struct WebTemplateError: Error, Sendable, CustomStringConvertible {
    var description: String
}

/// The desk's templates under `Templates/web/`: one per page, the layout, and the rows of requests the queue and
/// `/today` share (the portal has its own controller).
enum WebTemplate: String, CaseIterable, Sendable {
    case layout, login, error, today, queue, request, why, inbox, audit, lists, evidence
    case newRequest = "new-request"
    case listImport = "list-import"
    case requestRows = "request-rows"
}

/// A page's typed model: the values its template reads, all worked out, and nothing else. Mustache reads the stored
/// properties; the layout's values (the words, the user, the navigation) come from `WebLayout`.
protocol WebPageModel: Sendable {
    static var template: WebTemplate { get }
}

/// A choice of a `<select>`.
struct WebOption: Sendable {
    var value: String
    var label: String
    var selected: Bool

    static func list(_ choices: [(String, String)], selected: String) -> [WebOption] {
        choices.map { WebOption(value: $0.0, label: $0.1, selected: $0.0 == selected) }
    }
}

/// The templates, loaded once. A missing or broken template is remembered rather than thrown, so that the router
/// keeps its shape; every page then answers 500 with the reason, and the tests catch it before anyone ships it.
struct WebPageRenderer: Sendable {
    private let library: Result<MustacheLibrary, WebTemplateError>

    init() {
        library = Self.load()
    }

    private static func load() -> Result<MustacheLibrary, WebTemplateError> {
        let bundle = templatesBundle
        guard
            let folder = bundle.url(forResource: "web", withExtension: nil)
                ?? bundle.resourceURL?.appendingPathComponent("web", isDirectory: true)
        else { return .failure(WebTemplateError(description: "Templates/web is missing")) }
        var library = MustacheLibrary()
        for template in WebTemplate.allCases {
            let name = template.rawValue
            let file = folder.appendingPathComponent("\(name).mustache")
            guard let data = FileManager.default.contents(atPath: file.path),
                let text = String(validating: data, as: UTF8.self)
            else { return .failure(WebTemplateError(description: "Templates/web/\(name).mustache is missing")) }
            do {
                try library.register(text, named: name)
            } catch {
                return .failure(WebTemplateError(description: "Templates/web/\(name).mustache: \(error)"))
            }
        }
        return .success(library)
    }

    /// Renders `model` in its template, inside the layout of `visit`, as an HTML response.
    func render<Model: WebPageModel>(
        _ model: Model, _ visit: WebVisit, status: HTTPResponse.Status = .ok, cookies: [Cookie] = [],
        script: Bool = false
    ) throws -> Response {
        let library = try library.get()
        let view = WebView(model: model, layout: WebLayout(visit, script: script))
        guard let html = library.render(view, withTemplate: Model.template.rawValue) else {
            throw WebTemplateError(description: "Templates/web/\(Model.template.rawValue).mustache is not loaded")
        }
        return visit.html(html.precomposedStringWithCanonicalMapping, status: status, cookies: cookies)
    }
}

/// What the layout shows on every page: the words of the language, the signed-in user and the navigation they may
/// follow, and the CSRF token of the sign-out form.
struct WebLayout: Sendable {
    struct User: Sendable {
        var name: String
        var roleName: String
        var nav: [Link]
    }

    struct Link: Sendable {
        var href: String
        var label: String
        var current: Bool
    }

    var lang: String
    var otherLang: String
    var languageLink: String
    var t: DeskWords
    var organization: String
    var csrf: String
    var user: User?
    var script: String?

    /// The navigation, in the order of an officer's day, each shown to the roles that may open it.
    static let links: [(href: String, word: String, action: StaffAction)] = [
        ("/today", "navToday", .manageRequests), ("/queue", "navQueue", .readRequests),
        ("/requests/new", "navNew", .manageRequests), ("/why", "navWhy", .lookUp),
        ("/inbox", "navInbox", .manageRequests), ("/lists", "navLists", .readRequests),
        ("/audit", "navAudit", .readAudit), ("/evidence", "navEvidence", .exportEvidence),
    ]

    init(_ visit: WebVisit, script: Bool) {
        let words = visit.words
        lang = visit.language.rawValue
        otherLang = visit.language.other.rawValue
        languageLink = visit.languageLink
        t = words
        organization = visit.organization
        csrf = visit.session?.csrf ?? ""
        user = visit.user.map { user in
            User(
                name: user.name, roleName: Vocabulary.role(user.role, visit.language.vocabulary),
                nav: Self.links.filter { user.role.may($0.action) }.map {
                    Link(href: $0.href, label: words[$0.word], current: visit.path == $0.href)
                })
        }
        self.script = script ? "<script>\(WebVisit.copyScript)</script>" : nil
    }
}

/// A page model inside its layout: a name is looked up in the page first, then in the layout. A property of the
/// page that is nil stays nil (it does not fall through to the layout).
struct WebView<Model>: MustacheParent {
    let model: Model
    let layout: WebLayout

    func child(named name: String) -> Any? {
        if let found = Self.property(named: name, of: model) { return found.value }
        return Self.property(named: name, of: layout)?.value
    }

    /// The stored property `name` of `value`, unwrapped when it is an optional.
    private static func property(named name: String, of value: Any) -> (value: Any?, Void)? {
        guard let child = Mirror(reflecting: value).children.first(where: { $0.label == name }) else { return nil }
        let mirror = Mirror(reflecting: child.value)
        guard mirror.displayStyle == .optional else { return (child.value, ()) }
        return (mirror.children.first?.value, ())
    }
}
