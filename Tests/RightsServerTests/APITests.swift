import Foundation
import Hummingbird
import HummingbirdTesting
import RightsCore
import RightsEvidence
import RightsStore
import Synchronization
import Testing

@testable import RightsServer

/// A temporary installation with one user of each role, served in process.
final class DeskFixture: @unchecked Sendable {
    let folder: String
    let installation: Installation
    var tokens: [StaffRole: String] = [:]

    /// `busyTimeout`: how long a write waits for another process's lock (the store's default otherwise).
    init(busyTimeout: TimeInterval = RightsStore.defaultBusyTimeout) throws {
        folder = NSTemporaryDirectory() + "rightsdesk-server-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        installation = try Installation.create(
            databasePath: folder + "/desk.sqlite", organization: "Công ty TNHH Ví Dụ", actor: "test", now: Date(),
            busyTimeout: busyTimeout)
        for role in StaffRole.allCases {
            tokens[role] = try installation.store.addUser("\(role.rawValue)-1", role: role, actor: "test", now: Date())
                .token
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    var store: RightsStore { installation.store }

    func router() throws -> Router<DeskContext> {
        try DeskServer(installation: installation, zaloSecret: "example-oa-secret", tokenCacheLifetime: 0).makeRouter()
    }

    func headers(_ role: StaffRole?, json: Bool = false) -> HTTPFields {
        var fields = HTTPFields()
        if let role, let token = tokens[role] { fields[.authorization] = "Bearer \(token)" }
        if json { fields[.contentType] = "application/json" }
        return fields
    }
}

@Suite("JSON API and roles")
struct APITests {
    @Test("health and the OpenAPI document answer without a token")
    func open() async throws {
        let desk = try DeskFixture()
        try await Application(router: try desk.router()).test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                let document = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect((document?["openapi"] as? String)?.hasPrefix("3.1") == true)
            }
        }
    }

    @Test("every API route is in the OpenAPI document, and every documented operation answers")
    func documentMatchesRoutes() async throws {
        let desk = try DeskFixture()
        let router = try desk.router()
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(try OpenAPIDocument.load())) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        // Hummingbird writes a parameter as {id} or :id; the document as {id}.
        let routes = Set(
            router.routes.map {
                "\($0.method.rawValue) /\($0.path.description.replacingOccurrences(of: ":id", with: "{id}"))"
            }
            .map { $0.replacingOccurrences(of: "//", with: "/") }
            .filter { $0.contains("/api/v1/") })
        #expect(routes.count == 7, "\(routes.sorted())")
        #expect(
            routes.subtracting(documented).isEmpty,
            "routes missing from the document: \(routes.subtracting(documented))")
        let operations = documented.sorted()
        try await Application(router: router).test(.router) { client in
            for operation in operations {
                let parts = operation.split(separator: " ", maxSplits: 1)
                let path = parts[1].replacingOccurrences(of: "{id}", with: "RQ-0000-404")
                let method = HTTPRequest.Method(String(parts[0]))!
                try await client.execute(
                    uri: String(path), method: method, headers: desk.headers(.officer, json: true),
                    body: method == .post ? ByteBuffer(string: "{}") : nil
                ) { response in
                    // An operation that exists answers with its own status (a 404 only as a problem about the id).
                    let body = String(buffer: response.body)
                    #expect(response.status != .notFound || body.contains("RQ-0000-404"), "\(operation): \(body)")
                }
            }
        }
    }

    @Test("the role matrix: no token 401, a role that may not 403 with nothing changed, a role that may succeeds")
    func roles() async throws {
        let desk = try DeskFixture()
        let objection = #"{"type":"objection","subjects":["0912 345 678"],"channel":"zalo"}"#
        let deletion = #"{"type":"deletion","subjects":["0903000111"],"channel":"web"}"#
        let suppression = #"{"identifier":"0904000222","reason":"gọi tổng đài"}"#
        let gate = "/api/v1/gate?channel=sms&purpose=transactional&dry_run=true"
        let cases: [(StaffRole?, HTTPRequest.Method, String, String?, HTTPResponse.Status)] = [
            (nil, .get, "/api/v1/requests", nil, .unauthorized),
            (nil, .get, "/api/v1/why?id=0912345678", nil, .unauthorized),
            (.support, .get, "/api/v1/requests", nil, .forbidden),
            (.support, .post, "/api/v1/requests", deletion, .forbidden),
            (.support, .post, "/api/v1/suppressions", suppression, .forbidden),
            (.support, .post, "/api/v1/requests", objection, .created),
            (.support, .get, "/api/v1/why?id=0912345678", nil, .ok),
            (.auditor, .get, "/api/v1/requests", nil, .ok),
            (.auditor, .post, "/api/v1/requests", objection, .forbidden),
            (.auditor, .post, "/api/v1/suppressions", suppression, .forbidden),
            (.auditor, .get, "/api/v1/why?id=0912345678", nil, .ok),
            (.officer, .post, "/api/v1/requests", deletion, .created),
            (.officer, .post, "/api/v1/suppressions", suppression, .created),
            (.officer, .get, "/api/v1/requests?state=received", nil, .ok),
            (.support, .post, gate, "phone\n0912345678\n", .forbidden),
            (.auditor, .post, gate, "phone\n0912345678\n", .forbidden),
            (.officer, .post, gate, "phone\n0912345678\n", .ok),
            // A body that is not JSON, or not the JSON the call takes: a problem document like the rest.
            (.officer, .post, "/api/v1/requests", "type=objection", .badRequest),
            (.officer, .post, "/api/v1/requests", "{\"type\": 7}", .badRequest),
        ]
        try await Application(router: try desk.router()).test(.router) { client in
            for (role, method, uri, body, expected) in cases {
                let before = try desk.store.verifyAuditChain()
                try await client.execute(
                    uri: uri, method: method, headers: desk.headers(role, json: body != nil),
                    body: body.map { ByteBuffer(string: $0) }
                ) { response in
                    #expect(response.status == expected, "\(role?.rawValue ?? "none") \(method) \(uri)")
                    if response.status.code >= 400 {
                        #expect(response.headers[.contentType] == "application/problem+json")
                        #expect(String(buffer: response.body).contains("\"detail\""))
                    }
                }
                if expected.code >= 400 {
                    // Refused means unchanged: the chain did not grow.
                    #expect(try desk.store.verifyAuditChain() == before, "\(uri) changed something")
                }
            }
        }
        // A real gate run without a campaign is refused in words an API client can act on.
        try await Application(router: try desk.router()).test(.router) { client in
            try await client.execute(
                uri: "/api/v1/gate?channel=sms&purpose=transactional", method: .post,
                headers: desk.headers(.officer, json: false), body: ByteBuffer(string: "phone\n0912345678\n")
            ) { response in
                #expect(response.status == .conflict)
                #expect(
                    String(buffer: response.body).contains("campaign= on the API"), "\(String(buffer: response.body))")
            }
        }
        let requests = try desk.store.requests(RequestFilter(asOf: Date()))
        #expect(requests.map(\.type).sorted { $0.rawValue < $1.rawValue } == [.deletion, .objection])
        let events = try desk.store.auditEvents().filter { $0.kind == "request.new" }
        #expect(Set(events.map(\.actor)) == ["support-1", "officer-1"])
    }

    @Test("gate: a posted batch is judged as the CLI judges it; refused runs are 409 problems and change nothing")
    func gate() async throws {
        let desk = try DeskFixture()
        try await Application(router: try desk.router()).test(.router) { client in
            try await client.execute(
                uri: "/api/v1/suppressions", method: .post, headers: desk.headers(.officer, json: true),
                body: ByteBuffer(string: #"{"identifier":"0903000111","purpose":"all","reason":"yêu cầu xóa"}"#)
            ) { #expect($0.status == .created) }
            let batch = "phone,ho_ten\n0912 345 678,Nguyễn Thị Lan\n84912345678,Lan\nabc,Huy\n0903000111,Bình\n"
            func post(_ query: String, _ body: String = batch) async throws -> (HTTPResponse.Status, [String: Any]) {
                try await client.execute(
                    uri: "/api/v1/gate?\(query)", method: .post, headers: desk.headers(.officer),
                    body: ByteBuffer(string: body)
                ) { response in
                    let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    return (response.status, object ?? [:])
                }
            }
            let (status, run) = try await post("channel=sms&purpose=transactional&dry_run=true")
            #expect(status == .ok)
            #expect(run["rows"] as? Int == 4 && run["allowed"] as? Int == 1)
            #expect(
                run["excluded"] as? [String: Int] == ["DUPLICATE": 1, "INVALID_IDENTIFIER": 1, "SUPPRESSED": 1])
            let clean = (run["clean_csv"] as? String ?? "").split(separator: "\n").map(String.init)
            #expect(clean == ["phone,ho_ten,normalized", "0912 345 678,Nguyễn Thị Lan,+84912345678"])
            let excluded = (run["excluded_csv"] as? String ?? "").split(separator: "\n").map(String.init)
            #expect(excluded.first == "line,identifier,reason,detail" && excluded.count == 4)
            #expect(excluded.contains { $0.hasPrefix("5,") && $0.contains("SUPPRESSED") })

            // Refused: no campaign for a recording run, a marketing batch at 23:00, a bad channel. Nothing changes.
            let before = try desk.store.verifyAuditChain()
            let (noCampaign, problem) = try await post("channel=sms&purpose=transactional")
            #expect(noCampaign == .conflict && (problem["detail"] as? String)?.contains("campaign") == true)
            let (late, lateProblem) = try await post(
                "channel=sms&purpose=marketing&dry_run=true&at=2026-06-01T23:00:00%2B07:00")
            #expect(
                late == .conflict && (lateProblem["detail"] as? String)?.contains("07:00") == true, "\(lateProblem)")
            #expect(try await post("channel=fax&purpose=marketing").0 == .badRequest)
            // Bad input is a 400 with the store's line, as the CLI's exit 65 is.
            let (noColumn, columnProblem) = try await post(
                "channel=sms&purpose=transactional&dry_run=true", "ten\nLan\n")
            #expect(noColumn == .badRequest && (columnProblem["detail"] as? String)?.contains("phone") == true)
            #expect(try desk.store.verifyAuditChain() == before)

            // A recording run is on the chain under the officer's name.
            let (recorded, result) = try await post("channel=sms&purpose=transactional&campaign=don-hang-6")
            #expect(recorded == .ok && (result["run"] as? Int ?? 0) > 0)
            #expect(try desk.store.auditEvents().last?.actor == "officer-1")
        }
    }

    @Test("bad input is a 400 problem with a detail; a disabled or rotated-out token is 401")
    func problemsAndTokens() async throws {
        let desk = try DeskFixture()
        try await Application(router: try desk.router()).test(.router) { client in
            try await client.execute(
                uri: "/api/v1/requests", method: .post, headers: desk.headers(.officer, json: true),
                body: ByteBuffer(string: #"{"type":"objection","subjects":["abc"]}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("subjects[0]"))
            }
            try await client.execute(
                uri: "/api/v1/why?id=12", method: .get, headers: desk.headers(.support)
            ) { #expect($0.status == .badRequest) }
            let old = try #require(desk.tokens[.auditor])
            let rotated = try desk.store.rotateUser("auditor-1", actor: "test", now: Date())
            var fields = HTTPFields()
            fields[.authorization] = "Bearer \(old)"
            try await client.execute(uri: "/api/v1/requests", method: .get, headers: fields) {
                #expect($0.status == .unauthorized)
            }
            fields[.authorization] = "Bearer \(rotated.token)"
            try await client.execute(uri: "/api/v1/requests", method: .get, headers: fields) {
                #expect($0.status == .ok)
            }
            try desk.store.disableUser("auditor-1", actor: "test", now: Date())
            try await client.execute(uri: "/api/v1/requests", method: .get, headers: fields) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    @Test("lookups of personal data are logged per user, in batches, without the identifier")
    func lookupLog() async throws {
        let desk = try DeskFixture()
        // One instant for both lookups: a batch is also due after a second, which a loaded machine could reach.
        let instant = Date()
        let server = DeskServer(installation: desk.installation, zaloSecret: nil, now: { instant })
        try await Application(router: try server.makeRouter()).test(.router) { client in
            for number in ["0912345678", "0903000111"] {
                try await client.execute(uri: "/api/v1/why?id=\(number)", method: .get, headers: desk.headers(.support))
                {
                    #expect($0.status == .ok)
                }
            }
        }
        #expect(try desk.store.lookups().isEmpty, "a lookup wrote on the request path")
        server.lookups.flush()
        let logged = try desk.store.lookups()
        #expect(logged.count == 2 && logged.allSatisfy { $0.user == "support-1" && $0.kind == "why" })
    }

    @Test("metrics: Prometheus text with open, overdue and due-soon requests; a support token may not scrape")
    func metrics() async throws {
        let desk = try DeskFixture()
        let now = Date()
        for (type, daysAgo) in [(RequestType.objection, 0.0), (.access, 40), (.deletion, 29)] {
            _ = try desk.store.createRequest(
                NewRequest(
                    type: type, subjects: [try Identifier(phone: "091234567\(Int(daysAgo) % 10)")], channel: .web,
                    receivedAt: now.addingTimeInterval(-daysAgo * 86400)),
                actor: "test", at: now)
        }
        try await Application(router: try desk.router()).test(.router) { client in
            // A lookup, so the HTTP metrics have a route to count; its number must not reach the metrics.
            try await client.execute(uri: "/api/v1/why?id=0912345670", method: .get, headers: desk.headers(.support)) {
                #expect($0.status == .ok)
            }
            func scrape() async throws -> [String: Double] {
                try await client.execute(uri: "/metrics", method: .get, headers: desk.headers(.auditor)) { response in
                    #expect(response.status == .ok)
                    let text = String(buffer: response.body)
                    #expect(!text.contains("0912345670") && !text.contains("912345670"))
                    #expect(text.contains("# TYPE rightsdesk_gate_exclusions_total counter"))
                    #expect(text.contains("# HELP rightsdesk_requests_overdue "))
                    #expect(text.contains("# TYPE rightsdesk_http_request_duration_seconds histogram"))
                    // "name{labels} value" lines, by everything before the value.
                    var samples: [String: Double] = [:]
                    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
                        else { continue }
                        samples[String(line[..<space])] = value
                    }
                    return samples
                }
            }
            let samples = try await scrape()
            #expect(samples["rightsdesk_requests_open{state=\"received\"}"] == 3, "\(samples)")
            // The same counts as the queue's own filters give.
            let overdue = try desk.store.requests(RequestFilter(overdue: true, asOf: now)).count
            #expect(overdue >= 1)
            #expect(samples["rightsdesk_requests_overdue"] == Double(overdue))
            #expect(samples["rightsdesk_gate_runs_total"] == 0)
            let why = #"rightsdesk_http_requests_total{route="/api/v1/why",method="GET",status="200"}"#
            #expect(samples[why] == 1, "\(samples.keys.sorted())")
            // A second scrape adds nothing the database did not gain, and counts the first scrape.
            let again = try await scrape()
            #expect(again["rightsdesk_gate_runs_total"] == 0 && again[why] == 1)
            #expect(again[#"rightsdesk_http_requests_total{route="/metrics",method="GET",status="200"}"#] == 1)
            try await client.execute(uri: "/metrics", method: .get, headers: desk.headers(.support)) {
                #expect($0.status == .forbidden)
            }
        }
    }

    @Test("a checked token is trusted from memory for its lifetime, then read again")
    func tokenCache() throws {
        let cache = TokenCache(lifetime: 0.2)
        let reads = Mutex(0)
        let user = StaffUser(name: "lan", role: .officer, createdAt: "", disabled: false)
        func look(_ token: String) -> StaffUser? {
            reads.withLock { $0 += 1 }
            return token == "good" ? user : nil
        }
        #expect(try cache.user(for: "good", lookUp: look) == user)
        #expect(try cache.user(for: "good", lookUp: look) == user)
        #expect(try cache.user(for: "bad", lookUp: look) == nil)
        #expect(reads.withLock { $0 } == 2)
        usleep(250_000)
        _ = try cache.user(for: "good", lookUp: look)
        #expect(reads.withLock { $0 } == 3)
    }
}

/// Law 91 Art. 24: a representative filed through the API is recorded and shown as `request show` shows it.
@Suite("the API and the law")
struct APILawTests {
    @Test func aRepresentativeAndARestrictionsConditionArriveThroughTheAPI() async throws {
        let desk = try DeskFixture()
        let body = #"""
            {"type":"restriction","subjects":["0912345678"],"channel":"web",
             "representative":{"name":"Nguyễn Văn Hùng","relation":"guardian","evidence":"Quyết định giám hộ 5/2026"},
             "restriction_condition":"Chỉ lưu trữ","evidence":"Biểu mẫu trên web số 88"}
            """#
        try await Application(router: try desk.router()).test(.router) { client in
            var id = ""
            try await client.execute(
                uri: "/api/v1/requests", method: .post, headers: desk.headers(.officer, json: true),
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                id = json?["id"] as? String ?? ""
            }
            try await client.execute(
                uri: "/api/v1/requests/\(id)", method: .get, headers: desk.headers(.officer, json: false)
            ) { response in
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let representative = json?["representative"] as? [String: Any]
                #expect(representative?["name"] as? String == "Nguyễn Văn Hùng")
                #expect(representative?["relation"] as? String == "guardian")
                #expect(json?["restriction_condition"] as? String == "Chỉ lưu trữ")
            }
            // An unknown relation is a 400 problem, and nothing is recorded.
            let bad = #"{"type":"access","subjects":["0903000111"],"representative":{"name":"A","relation":"uncle"}}"#
            try await client.execute(
                uri: "/api/v1/requests", method: .post, headers: desk.headers(.officer, json: true),
                body: ByteBuffer(string: bad)
            ) { response in
                #expect(response.status == .badRequest, "\(String(buffer: response.body))")
            }
        }
        #expect(try desk.store.requests(RequestFilter(asOf: Date())).count == 1)
    }
}
