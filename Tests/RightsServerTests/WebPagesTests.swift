import Foundation
import Hummingbird
import HummingbirdTesting
import RightsCore
import RightsEvidence
import RightsStore
import Synchronization
import Testing

@testable import RightsServer

/// A clock the tests move by hand (session expiry).
final class TestClock: Sendable {
    private let current = Mutex(Date())
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A browser of the desk: keeps its cookies, signs in through the login form, and posts forms with the CSRF token
/// of the last page it read.
struct Browser {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var csrf = ""

    init(_ client: any TestClientProtocol) { self.client = client }

    var cookieHeader: HTTPFields {
        var fields = HTTPFields()
        if !cookies.isEmpty {
            fields[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        return fields
    }

    /// GET a page; remembers cookies and the page's CSRF token.
    @discardableResult
    mutating func get(_ uri: String) async throws -> TestResponse {
        let response = try await client.executeRequest(uri: uri, method: .get, headers: cookieHeader, body: nil)
        remember(response)
        return response
    }

    /// POST a form, with the page's CSRF token unless `csrf` says otherwise (nil: none at all).
    @discardableResult
    mutating func post(_ uri: String, _ fields: [(String, String)], csrf: String?? = .none) async throws
        -> TestResponse
    {
        var all = fields
        switch csrf {
        case .none: all.append(("csrf", self.csrf))
        case .some(.some(let token)): all.append(("csrf", token))
        case .some(.none): break
        }
        var headers = cookieHeader
        headers[.contentType] = "application/x-www-form-urlencoded"
        let response = try await client.executeRequest(
            uri: uri, method: .post, headers: headers, body: ByteBuffer(string: FormBody.encode(all)))
        remember(response)
        return response
    }

    /// Signs in with `token` through the login page.
    mutating func signIn(_ token: String) async throws -> TestResponse {
        try await get("/login")
        return try await post("/login", [("token", token)])
    }

    private mutating func remember(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0]
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            if value.isEmpty || header.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        let html = String(buffer: response.body)
        if let range = html.range(of: #"name="csrf" value=""#) {
            csrf = String(html[range.upperBound...].prefix { $0 != "\"" })
        }
    }
}

extension TestResponse {
    var html: String { String(buffer: body) }
}

/// Encodes fields as a browser does for `application/x-www-form-urlencoded`: unreserved bytes as they are, space
/// as `+`, everything else percent-encoded.
enum FormBody {
    static func encode(_ fields: [(String, String)]) -> String {
        func escape(_ text: String) -> String {
            var output = ""
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                    UInt8(ascii: "*"):
                    output.unicodeScalars.append(Unicode.Scalar(byte))
                case UInt8(ascii: " "): output += "+"
                default: output += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
                }
            }
            return output
        }
        return fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }
}

@Suite("Web desk pages")
struct WebPagesTests {
    @Test("every word a template or a controller asks for is in the table, in both languages")
    func wordsExist() throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let folder = here.appendingPathComponent("../../Templates/web").standardized
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".mustache")
        }
        // The portal is not a desk page: it has its own typed model and words (PortalController, PortalText).
        #expect(
            Set(names.map { String($0.dropLast(".mustache".count)) }).subtracting(["portal"])
                == Set(WebTemplate.allCases.map(\.rawValue)))
        var used = Set<String>()
        let templateWord = try Regex(#"\{\{[#^/]?t\.([A-Za-z]+)\}\}"#)
        for name in names {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            for match in text.matches(of: templateWord) {
                used.insert(String(text[match.range]).split(separator: ".")[1].dropLast(2).description)
            }
        }
        #expect(used.count > 150)
        // And the words the controllers look up by key: words["key"] and words.format("key", ...).
        let sources = here.appendingPathComponent("../../Sources/RightsServer/Web").standardized
        let codeWord = try Regex(#"words(\.format\(\s*|\[)"([A-Za-z]+)""#)
        var inCode = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: sources.path) where name.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(name), encoding: .utf8)
            for match in text.matches(of: codeWord) {
                let key = String(text[match.range]).split(separator: "\"")[1]
                used.insert(String(key))
                inCode += 1
            }
        }
        #expect(inCode > 40)
        let table = Set(DeskWords.keys)
        #expect(used.subtracting(table).isEmpty, "missing: \(used.subtracting(table).sorted())")
        for language in WebLanguage.allCases {
            let words = DeskWords(language)
            #expect(table.allSatisfy { !words[$0].isEmpty })
        }
        #expect(DeskWords(.vi)["request"] == "Yêu cầu")
        #expect(DeskWords(.vi).format("daysLeft", 3) == "còn 3 ngày")
    }

    /// A form as a controller declares it.
    struct NameForm: Decodable {
        var name: String?
        var note: String?
        var empty: String?
        var q: String?
        var d: String?
    }

    @Test("form bodies decode percent escapes and + exactly; Vietnamese round-trips byte for byte")
    func formDecoding() throws {
        let name = "Nguyễn Thị Hồng Nhung & Co. +84 100% “đẹp”"
        let encoded = FormBody.encode([("name", name), ("note", "a=b&c"), ("empty", "")])
        #expect(!encoded.contains(" ") && encoded.contains("+"))
        let form = try URLEncodedFormDecoder().decode(NameForm.self, from: encoded)
        #expect(form.name == name)
        #expect(Array(form.name?.utf8 ?? "".utf8) == Array(name.utf8))
        #expect(form.note == "a=b&c")
        #expect(form.empty == "" && form.empty.formText == nil)
        // As a browser sends it: lower-case escapes, a decomposed tone mark kept as sent.
        let browser = try URLEncodedFormDecoder().decode(NameForm.self, from: "q=Y%c3%aau+c%e1%ba%a7u&d=e%CC%81")
        #expect(browser.q == "Yêu cầu")
        #expect(Array(browser.d?.unicodeScalars ?? "".unicodeScalars).map(\.value) == [0x65, 0x301])
        // What the desk's forms go through: invalid UTF-8 is refused, not mangled into replacement characters.
        #expect(try WebForms.decode(NameForm.self, body: "name=%FF%FE") == nil)
        #expect(try WebForms.decode(NameForm.self, body: "name=Y%C3%AAu")?.name == "Yêu")
    }

    @Test("sign-in: a bad token fails, a good one sets an HttpOnly SameSite=Strict session cookie; sign-out ends it")
    func signIn() async throws {
        let desk = try DeskFixture()
        try await Application(router: try desk.router()).test(.router) { client in
            var browser = Browser(client)
            let root = try await browser.get("/")
            #expect(root.status == .seeOther && root.headers[.location] == "/login")
            let page = try await browser.get("/login")
            #expect(page.status == .ok)
            #expect(page.html.contains(#"<label for="token">Mã truy cập</label>"#))
            #expect(browser.cookies[SessionStore.loginCookieName] != nil)

            let bad = try await browser.post("/login", [("token", String(repeating: "a", count: 64))])
            #expect(bad.status == .unauthorized)
            #expect(bad.html.contains("Mã truy cập không đúng"))
            #expect(browser.cookies[SessionStore.cookieName] == nil)

            // The login form's own CSRF token: missing, or without its cookie, is refused.
            let token = try #require(desk.tokens[.officer])
            #expect(try await browser.post("/login", [("token", token)], csrf: .some(nil)).status == .forbidden)
            var stranger = Browser(client)
            #expect(try await stranger.post("/login", [("token", token)], csrf: "forged").status == .forbidden)
            #expect(stranger.cookies[SessionStore.cookieName] == nil)

            let good = try await browser.post("/login", [("token", token)])
            #expect(good.status == .seeOther && good.headers[.location] == "/")
            let cookie = try #require(
                good.headers[values: .setCookie].first { $0.hasPrefix("\(SessionStore.cookieName)=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
            #expect(cookie.contains("Max-Age=28800"))
            #expect(browser.cookies[SessionStore.cookieName]?.count == 64)
            #expect(try await browser.get("/").headers[.location] == "/today")
            let queue = try await browser.get("/queue")
            #expect(queue.status == .ok && queue.html.contains("officer-1"))
            #expect(queue.headers[.cacheControl] == "no-store")
            #expect(queue.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)

            let out = try await browser.post("/logout", [])
            #expect(out.status == .seeOther && out.headers[.location] == "/login")
            #expect(browser.cookies[SessionStore.cookieName] == nil)
            #expect(try await browser.get("/queue").headers[.location] == "/login")

            // A bearer token opens the API, not the pages: pages know only their session.
            let bearer = try await client.executeRequest(
                uri: "/queue", method: .get, headers: desk.headers(.officer), body: nil)
            #expect(bearer.status == .seeOther && bearer.headers[.location] == "/login")

            var support = Browser(client)
            _ = try await support.signIn(try #require(desk.tokens[.support]))
            #expect(try await support.get("/").headers[.location] == "/why")
        }
    }

    @Test("a session ends after 8 hours, and at once when its user is disabled")
    func sessionLifetime() async throws {
        let desk = try DeskFixture()
        let clock = TestClock()
        let router = try DeskServer(installation: desk.installation, zaloSecret: nil, now: { clock.now }).makeRouter()
        try await Application(router: router).test(.router) { client in
            var officer = Browser(client)
            _ = try await officer.signIn(try #require(desk.tokens[.officer]))
            clock.advance(8 * 3600 - 60)
            #expect(try await officer.get("/queue").status == .ok)
            clock.advance(61)
            #expect(try await officer.get("/queue").headers[.location] == "/login")

            var auditor = Browser(client)
            _ = try await auditor.signIn(try #require(desk.tokens[.auditor]))
            #expect(try await auditor.get("/queue").status == .ok)
            try desk.store.disableUser("auditor-1", actor: "test", now: Date())
            #expect(try await auditor.get("/queue").headers[.location] == "/login")
        }
    }

    @Test("rotating a user's token ends the sessions signed in with the old one; the new token signs in")
    func rotationEndsSessions() async throws {
        let desk = try DeskFixture()
        try await Application(router: try desk.router()).test(.router) { client in
            var officer = Browser(client)
            _ = try await officer.signIn(try #require(desk.tokens[.officer]))
            var support = Browser(client)
            _ = try await support.signIn(try #require(desk.tokens[.support]))
            #expect(try await officer.get("/queue").status == .ok)
            try await Task.sleep(for: .milliseconds(2))
            let issued = try desk.store.rotateUser("officer-1", actor: "test", now: Date())
            #expect(try await officer.get("/queue").headers[.location] == "/login")
            // Someone else's session is untouched.
            #expect(try await support.get("/why").status == .ok)
            try await Task.sleep(for: .milliseconds(2))
            var again = Browser(client)
            _ = try await again.signIn(issued.token)
            #expect(try await again.get("/queue").status == .ok)
        }
    }

    @Test("each page renders for the roles allowed and is 403 for the others, changing nothing")
    func roles() async throws {
        let desk = try DeskFixture()
        let id = try desk.store.createRequest(
            NewRequest(
                type: .deletion, subjects: [try Identifier(parsing: "0903000111")], channel: .phone,
                receivedAt: Date()), actor: "test", at: Date()
        ).id
        let pages: [(String, Set<StaffRole>)] = [
            ("/today", [.officer]), ("/queue", [.officer, .auditor]), ("/requests/\(id)", [.officer, .auditor]),
            ("/requests/new", [.officer, .support]), ("/why", [.officer, .support, .auditor]),
            ("/inbox", [.officer]), ("/lists", [.officer, .auditor]), ("/audit", [.officer, .auditor]),
            ("/evidence", [.officer, .auditor]),
        ]
        try await Application(router: try desk.router()).test(.router) { client in
            for role in StaffRole.allCases {
                var browser = Browser(client)
                _ = try await browser.signIn(try #require(desk.tokens[role]))
                for (uri, allowed) in pages {
                    let response = try await browser.get(uri)
                    #expect(response.status == (allowed.contains(role) ? .ok : .forbidden), "\(role) GET \(uri)")
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                    if response.status == .forbidden { #expect(response.html.contains("Không có quyền")) }
                }
                // Refused posts: a role that may not, with a valid CSRF token, changes nothing.
                _ = try await browser.get("/why")
                let refused: [(String, [(String, String)])] =
                    switch role {
                    case .officer: []
                    case .support:
                        [
                            ("/evidence", [("scope", "request"), ("request", id)]),
                            ("/requests/\(id)/ack", []), ("/requests/\(id)/withdraw", []),
                            ("/requests/\(id)/complete", []), ("/inbox/1/dismiss", []),
                            ("/requests", [("type", "deletion"), ("subjects", "0904000222"), ("channel", "phone")]),
                        ]
                    case .auditor:
                        [
                            ("/requests/\(id)/ack", []), ("/requests/\(id)/extend", [("reason", "nhiều dữ liệu")]),
                            ("/requests/\(id)/withdraw", []), ("/requests/\(id)/complete", []),
                            ("/inbox/1/objection", []), ("/inbox/1/dismiss", []),
                            ("/requests/\(id)/reject", [("ground", "no-data"), ("note", "không có")]),
                            ("/requests/\(id)/letter", [("kind", "ack"), ("lang", "vi")]),
                            ("/requests", [("type", "objection"), ("subjects", "0904000222"), ("channel", "phone")]),
                            ("/why/objection", [("id", "0904000222"), ("channel", "phone")]),
                        ]
                    }
                for (uri, fields) in refused {
                    let before = try desk.store.verifyAuditChain()
                    let response = try await browser.post(uri, fields)
                    #expect(response.status == .forbidden, "\(role) POST \(uri)")
                    #expect(try desk.store.verifyAuditChain() == before, "\(role) POST \(uri) changed something")
                }
                // A list upload (multipart) is an officer's too.
                if role != .officer {
                    let before = try desk.store.verifyAuditChain()
                    let upload = try await browser.upload(
                        "/lists/import", [("csrf", browser.csrf), ("list", "x"), ("basis", "consent")],
                        file: ("x.csv", Array("phone\n0912000999\n".utf8)))
                    #expect(upload.status == .forbidden, "\(role) upload")
                    #expect(try desk.store.verifyAuditChain() == before, "\(role) upload changed something")
                }
            }
        }
        #expect(try desk.store.request(id).request.state == .received)
    }

    @Test("a form POST without or with a wrong CSRF token is 403 and changes nothing; with it, the step is taken")
    func csrf() async throws {
        let desk = try DeskFixture()
        let id = try desk.store.createRequest(
            NewRequest(
                type: .access, subjects: [try Identifier(parsing: "0912345678")], channel: .zalo,
                receivedAt: Date()), actor: "test", at: Date()
        ).id
        try await Application(router: try desk.router()).test(.router) { client in
            var officer = Browser(client)
            _ = try await officer.signIn(try #require(desk.tokens[.officer]))
            _ = try await officer.get("/requests/\(id)")
            #expect(officer.csrf.count == 64)
            let before = try desk.store.verifyAuditChain()
            for token: String? in [nil, "", String(repeating: "0", count: 64), String(officer.csrf.dropLast()) + "x"] {
                let response = try await officer.post("/requests/\(id)/ack", [], csrf: .some(token))
                #expect(response.status == .forbidden)
                #expect(response.html.contains("Biểu mẫu đã hết hạn"))
            }
            // Another session's token is no good either.
            var other = Browser(client)
            _ = try await other.signIn(try #require(desk.tokens[.officer]))
            _ = try await other.get("/queue")
            #expect(try await officer.post("/requests/\(id)/ack", [], csrf: other.csrf).status == .forbidden)
            #expect(try desk.store.verifyAuditChain() == before)
            #expect(try desk.store.request(id).request.state == .received)

            _ = try await officer.get("/requests/\(id)")
            let done = try await officer.post("/requests/\(id)/ack", [])
            #expect(done.status == .seeOther && done.headers[.location] == "/requests/\(id)?done=ack")
            #expect(try desk.store.request(id).request.state == .acknowledged)
            let event = try #require(try desk.store.auditEvents().last)
            #expect(event.kind == "request.ack" && event.actor == "officer-1")
        }
    }

    @Test("a representative filed on the form is shown; a duplicate closes with its button and no note")
    func representativeAndDuplicate() async throws {
        let desk = try DeskFixture()
        try await Application(router: try desk.router()).test(.router) { client in
            var officer = Browser(client)
            _ = try await officer.signIn(try #require(desk.tokens[.officer]))
            let form = try await officer.get("/requests/new")
            #expect(form.html.contains(#"name="representative""#) && form.html.contains("Người giám hộ"))
            let missing = try await officer.post(
                "/requests",
                [("type", "access"), ("subjects", "0912345678"), ("channel", "paper"), ("representative", "Trần B")])
            #expect(missing.status == .badRequest)
            let first = try await officer.post(
                "/requests",
                [
                    ("type", "access"), ("subjects", "0912345678"), ("channel", "paper"),
                    ("representative", "Nguyễn Văn Hùng"), ("relation", "guardian"),
                ])
            let firstID = String(try #require(first.headers[.location]).dropFirst("/requests/".count))
            let page = try await officer.get("/requests/\(firstID)")
            #expect(page.html.contains("Nguyễn Văn Hùng (Người giám hộ)"))
            // harms-others is offered for access; not for a deletion's page.
            #expect(page.html.contains(#"value="harms-others""#))
            let second = try await officer.post(
                "/requests", [("type", "access"), ("subjects", "+84 912 345 678"), ("channel", "web")])
            let secondID = String(try #require(second.headers[.location]).dropFirst("/requests/".count))
            _ = try await officer.get("/requests/\(secondID)")
            let closed = try await officer.post("/requests/\(secondID)/reject", [("ground", "duplicate")])
            #expect(closed.status == .seeOther, "\(closed.html)")
            #expect(try desk.store.request(secondID).request.state == .rejected)
            #expect(try desk.store.request(secondID).request.duplicateOf == firstID)
            let deletion = try await officer.post(
                "/requests", [("type", "deletion"), ("subjects", "0903000111"), ("channel", "web")])
            let deletionPage = try await officer.get(try #require(deletion.headers[.location]))
            #expect(!deletionPage.html.contains(#"value="harms-others""#))
        }
    }

    @Test("a request filed through the form appears in the queue, with its Vietnamese name exactly as typed")
    func intake() async throws {
        let desk = try DeskFixture()
        let name = "Nguyễn Thị Hồng Nhung + “Bé” 100%"
        try await Application(router: try desk.router()).test(.router) { client in
            var officer = Browser(client)
            _ = try await officer.signIn(try #require(desk.tokens[.officer]))
            let form = try await officer.get("/requests/new")
            #expect(form.html.contains(#"<label for="subjects">"#) && form.html.contains("Trực tiếp tại cửa hàng"))

            let wrong = try await officer.post(
                "/requests", [("type", "deletion"), ("subjects", "12"), ("channel", "in-person"), ("name", name)])
            #expect(wrong.status == .badRequest)
            #expect(wrong.html.contains("12:") && wrong.html.contains("Nguyễn Thị Hồng Nhung + “Bé” 100%"))
            #expect(try desk.store.requests(RequestFilter(asOf: Date())).isEmpty)

            let filed = try await officer.post(
                "/requests",
                [
                    ("type", "deletion"), ("subjects", "0912 345 678\r\nkhach@vidu.vn"), ("channel", "in-person"),
                    ("received_at", "2026-06-01T09:30"), ("name", name), ("address", "12 Lê Lợi, Quận 1"),
                ])
            #expect(filed.status == .seeOther)
            let location = try #require(filed.headers[.location])
            let id = String(location.dropFirst("/requests/".count))
            let detail = try desk.store.request(id)
            #expect(detail.name == name && Array(detail.name?.utf8 ?? "".utf8) == Array(name.utf8))
            #expect(detail.address == "12 Lê Lợi, Quận 1")
            #expect(detail.subjects.map(\.identifier) == ["+84912345678", "khach@vidu.vn"])
            #expect(detail.request.receivedAt.hasPrefix("2026-06-01T09:30:00") && detail.request.channel == .inPerson)
            #expect(try desk.store.auditEvents().last?.actor == "officer-1")

            let queue = try await officer.get("/queue")
            #expect(queue.html.contains(#"<a href="/requests/\#(id)">\#(id)</a>"#))
            #expect(queue.html.contains("Xóa dữ liệu"))
            let page = try await officer.get(location)
            #expect(page.html.contains("Nguyễn Thị Hồng Nhung + “Bé” 100%"))
            #expect(page.html.contains("Xác nhận đã tiếp nhận"))

            // Filters: a type that matches nothing, and a closed state.
            #expect(!(try await officer.get("/queue?type=objection")).html.contains(id))
            #expect(!(try await officer.get("/queue?state=completed")).html.contains(id))
            #expect(try await officer.get("/queue?state=nonsense").status == .badRequest)
        }
    }

    @Test("the queue marks overdue requests red and those due within 2 days amber")
    func urgency() async throws {
        let desk = try DeskFixture()
        // A fixed Wednesday on the desk's clock: counted in working days, "due within 2 days" shifts with the
        // weekday (a run just after midnight in Vietnam on a Friday found the "soon" request already overdue).
        let now = try #require(Timestamp.parse("2026-11-25T10:00:00+07:00"))
        func file(_ number: String, daysAgo: Double) throws -> RequestView {
            try desk.store.createRequest(
                NewRequest(
                    type: .objection, subjects: [try Identifier(parsing: number)], channel: .phone,
                    receivedAt: now.addingTimeInterval(-daysAgo * 86400)), actor: "test", at: now)
        }
        let fresh = try file("0903000001", daysAgo: 0)
        let old = try file("0903000002", daysAgo: 120)
        // Due within 2 days: received just long enough ago.
        let dueIn = try #require(Timestamp.parse(fresh.due)).timeIntervalSince(now)
        let soon = try file("0903000003", daysAgo: (dueIn - 86400) / 86400)
        let server = DeskServer(
            installation: desk.installation, zaloSecret: "example-oa-secret", tokenCacheLifetime: 0, now: { now })
        try await Application(router: try server.makeRouter()).test(.router) { client in
            var officer = Browser(client)
            _ = try await officer.signIn(try #require(desk.tokens[.officer]))
            let html = try await officer.get("/queue").html
            func row(_ id: String) -> String {
                guard let range = html.range(of: "<a href=\"/requests/\(id)\">") else { return "" }
                let start =
                    html[..<range.lowerBound].range(of: "<tr", options: .backwards)?.lowerBound ?? range.lowerBound
                return String(html[start..<range.lowerBound])
            }
            #expect(row(old.id).contains(#"class="overdue""#))
            #expect(row(soon.id).contains(#"class="soon""#))
            #expect(row(fresh.id).contains(#"class="""#))
            #expect(html.contains("Quá hạn") && html.contains("Sắp đến hạn"))
            // Sorted by due date: the overdue one first.
            let positions = [old.id, soon.id, fresh.id].compactMap { html.range(of: "/requests/\($0)\"")?.lowerBound }
            #expect(positions.count == 3 && positions == positions.sorted())
        }
    }

    @Test("the why page answers a number typed as (+84) 912-345-678, and its button files an objection")
    func why() async throws {
        let desk = try DeskFixture()
        try await Application(router: try desk.router()).test(.router) { client in
            var support = Browser(client)
            _ = try await support.signIn(try #require(desk.tokens[.support]))
            let form = try await support.get("/why")
            #expect(form.html.contains(#"<label for="id">"#))
            let answer = try await support.post("/why", [("id", "(+84) 912-345-678")])
            #expect(answer.status == .ok)
            #expect(answer.html.contains("Câu trả lời cho +84912345678"))
            #expect(answer.html.contains("Chúng tôi không lưu giữ dữ liệu nào gắn với +84912345678."))
            #expect(
                answer.html.contains(#"<textarea id="answer-vi""#) && answer.html.contains("data-copy=\"answer-vi\""))
            // The copy script is allowed by its hash, and nothing else is.
            let policy = try #require(answer.headers[.contentSecurityPolicy])
            #expect(policy.contains("script-src 'sha256-") && !policy.contains("unsafe-inline'; script"))
            #expect(answer.html.contains("<script>\(WebVisit.copyScript)</script>"))

            let bad = try await support.post("/why", [("id", "12")])
            #expect(bad.status == .badRequest && bad.html.contains("class=\"error\""))

            let filed = try await support.post("/why/objection", [("id", "+84912345678"), ("channel", "zalo")])
            #expect(filed.status == .created)
            #expect(filed.html.contains("Đã ghi nhận phản đối RQ-"))
            #expect(filed.html.contains("chúng tôi đã ngừng gửi quảng cáo cho Quý khách trên mọi kênh"))
            let requests = try desk.store.requests(RequestFilter(asOf: Date()))
            #expect(requests.count == 1 && requests.first?.type == .objection && requests.first?.channel == .zalo)
            let event = try #require(try desk.store.auditEvents().first { $0.kind == "request.new" })
            #expect(event.actor == "support-1")
        }
    }

    @Test("why shows a list row's consent as channel names; an access request has its button; due dates are days")
    func pageFixes() async throws {
        let desk = try DeskFixture()
        var chunks = [
            Array("phone,ten,consent_at,channel\n0912345678,Lan,2025-09-01T08:00:00+07:00,sms;zalo\n".utf8)
        ]
        _ = try desk.store.importList(
            ListImportRequest(list: "kh", fileName: "kh.csv"), actor: "test", at: Date().addingTimeInterval(-86400),
            chunks: { chunks.isEmpty ? nil : chunks.removeFirst() })
        let access = try desk.store.createRequest(
            NewRequest(
                type: .access, subjects: [try Identifier(parsing: "0903000111")], channel: .phone,
                receivedAt: Timestamp.parse("2026-03-02T09:00:00+07:00")!), actor: "test", at: Date())
        _ = try desk.store.verifyRequest(
            access.id, subject: nil, method: "CCCD", at: Date(), actor: "test", now: Date())
        try await Application(router: try desk.router()).test(.router) { client in
            var officer = Browser(client)
            _ = try await officer.signIn(try #require(desk.tokens[.officer]))
            // The consent reads "Tin nhắn SMS, Zalo", never the objection form's options as a raw dictionary.
            _ = try await officer.get("/why")
            let why = try await officer.post("/why", [("id", "0912345678")])
            #expect(
                why.html.contains("Tin nhắn SMS, Zalo — "), "\(why.html.components(separatedBy: "<main").last ?? "")")
            #expect(!why.html.contains("[\"") && !why.html.contains("\"label\":"))
            // A verified access request is completed with its button, which downloads the report.
            let page = try await officer.get("/requests/\(access.id)")
            let form = try #require(page.html.range(of: "action=\"/requests/\(access.id)/complete\""))
            let rest = page.html[form.upperBound...]
            let end = try #require(rest.range(of: "</form>"))
            #expect(rest[..<end.lowerBound].contains("<button type=\"submit\">"))
            #expect(!page.html.contains("--out DIR"))
            // The last day, as the queue shows it: 12 March, not the instant of the next midnight.
            #expect(page.html.contains("<dd>hạn chót 12/03/2026"))
            #expect(!page.html.contains("2026-03-13T00:00:00"))
            let done = try await officer.post("/requests/\(access.id)/complete", [])
            #expect(done.status == .ok && done.headers[.contentType] == "application/zip")
            #expect(try desk.store.request(access.id).request.state == .completed)
        }
    }

    @Test("pages are Vietnamese with full diacritics by default, English with ?lang=en or the lang cookie")
    func language() async throws {
        let desk = try DeskFixture()
        try await Application(router: try desk.router()).test(.router) { client in
            var officer = Browser(client)
            _ = try await officer.signIn(try #require(desk.tokens[.officer]))
            let vietnamese = try await officer.get("/queue")
            #expect(vietnamese.html.contains(#"<html lang="vi">"#))
            #expect(vietnamese.html.contains("Hàng chờ yêu cầu") && vietnamese.html.contains("Yêu cầu"))
            #expect(vietnamese.html.contains("Loại yêu cầu") && vietnamese.html.contains("Trạng thái"))
            let english = try await officer.get("/queue?lang=en")
            #expect(english.html.contains(#"<html lang="en">"#) && english.html.contains("Request queue"))
            #expect(!english.html.contains("Hàng chờ"))
            #expect(english.headers[values: .setCookie].contains { $0.hasPrefix("lang=en;") })
            #expect(officer.cookies["lang"] == "en")
            #expect(try await officer.get("/why").html.contains("Why did I get this message?"))
            // The switch keeps the page and its filters; after a form, it leads to the form's page.
            #expect(try await officer.get("/queue?state=all").html.contains(#"href="/queue?state=all&amp;lang=vi""#))
            let answer = try await officer.post("/why", [("id", "0912345678")])
            #expect(answer.html.contains(#"href="/why?lang=vi""#) && !answer.html.contains("0912345678?"))
            #expect(try await officer.get("/lists?lang=vi").html.contains("Danh sách liên hệ"))
            #expect(try await officer.get("/login?lang=en").status == .seeOther)
            var stranger = Browser(client)
            #expect(try await stranger.get("/login?lang=en").html.contains("Sign in to the desk"))
            #expect(try await stranger.get("/login").html.contains("Access token"))
        }
    }

    @Test("an officer takes a request through its actions; letters are previewed and recorded as sent")
    func actions() async throws {
        let desk = try DeskFixture()
        let id = try desk.store.createRequest(
            NewRequest(
                type: .objection, subjects: [try Identifier(parsing: "0912345678"), try Identifier(parsing: "a@b.vn")],
                channel: .zalo, receivedAt: Date(), name: "Trần Văn Bình"), actor: "test", at: Date()
        ).id
        try await Application(router: try desk.router()).test(.router) { client in
            var officer = Browser(client)
            _ = try await officer.signIn(try #require(desk.tokens[.officer]))
            let page = try await officer.get("/requests/\(id)")
            #expect(page.html.contains(#"<pre class="letter" lang="vi">"#) && page.html.contains("Trần Văn Bình"))
            #expect(page.html.contains(#"<label for="verify-method">"#))
            #expect(try await officer.post("/requests/\(id)/ack", []).status == .seeOther)
            #expect(try await officer.post("/requests/\(id)/verify", [("method", "OTP qua SMS")]).status == .seeOther)
            #expect(try desk.store.request(id).subjects.allSatisfy { $0.method == "OTP qua SMS" })
            #expect(try await officer.post("/requests/\(id)/extend", [("reason", "")]).status == .badRequest)
            #expect(
                try await officer.post("/requests/\(id)/extend", [("reason", "Cần đối chiếu nhiều hệ thống")]).status
                    == .seeOther)
            let twice = try await officer.post("/requests/\(id)/extend", [("reason", "lần nữa")])
            #expect(twice.status == .conflict && twice.html.contains("href=\"/requests/\(id)\""))
            let preview = try await officer.get("/requests/\(id)?letter=extension&letter_lang=vi")
            #expect(preview.html.contains("Cần đối chiếu nhiều hệ thống"))
            #expect(
                try await officer.post("/requests/\(id)/letter", [("kind", "extension"), ("lang", "vi")]).status
                    == .seeOther)
            let letter = try #require(try desk.store.request(id).letters.first)
            #expect(letter.kind == "extension" && letter.text.contains("Cần đối chiếu nhiều hệ thống"))
            #expect(try await officer.post("/requests/\(id)/complete", []).status == .seeOther)
            let done = try desk.store.request(id)
            #expect(done.request.state == .completed)
            #expect(try await officer.get("/requests/\(id)").html.contains("Thư xác nhận ngừng gửi tin"))
            #expect(
                Set(
                    try desk.store.auditEvents().filter { $0.kind.hasPrefix("request.") && $0.kind != "request.new" }
                        .map(\.actor)) == ["officer-1"])
            #expect(try await officer.get("/requests/RQ-0000-404").status == .notFound)
        }
    }

    @Test("evidence downloads as a signed bundle for an auditor, recorded under the auditor's name")
    func evidence() async throws {
        let desk = try DeskFixture()
        let id = try desk.store.createRequest(
            NewRequest(
                type: .objection, subjects: [try Identifier(parsing: "0912345678")], channel: .zalo,
                receivedAt: Date()), actor: "test", at: Date()
        ).id
        try await Application(router: try desk.router()).test(.router) { client in
            var auditor = Browser(client)
            _ = try await auditor.signIn(try #require(desk.tokens[.auditor]))
            _ = try await auditor.get("/evidence")
            let missing = try await auditor.post("/evidence", [("scope", "request"), ("request", "RQ-0000-404")])
            #expect(missing.status == .notFound)
            let bundle = try await auditor.post("/evidence", [("scope", "request"), ("request", id)])
            #expect(bundle.status == .ok)
            #expect(bundle.headers[.contentType] == "application/zip")
            #expect(bundle.headers[.contentDisposition] == "attachment; filename=\"evidence-\(id).zip\"")
            #expect(Array(bundle.body.readableBytesView.prefix(2)) == [0x50, 0x4B])
            let event = try #require(try desk.store.auditEvents().last)
            #expect(event.kind == "evidence.export" && event.actor == "auditor-1")
            let empty = try await auditor.post(
                "/evidence", [("scope", "period"), ("from", "2001-01-01"), ("to", "2001-01-02")])
            // A period with nothing in it is an attestation, not an error.
            #expect(empty.status == .ok && empty.headers[.contentType] == "application/zip")
            let backwards = try await auditor.post(
                "/evidence", [("scope", "period"), ("from", "2001-01-02"), ("to", "2001-01-01")])
            #expect(backwards.status == .badRequest)
        }
    }
}
