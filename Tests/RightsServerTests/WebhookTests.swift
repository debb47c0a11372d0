import Foundation
import Hummingbird
import HummingbirdTesting
import RightsCore
import RightsEvidence
import RightsStore
import Testing

@testable import RightsServer

/// `POST /webhooks/zalo` with the signed samples of `Tests/RightsCoreTests/Fixtures/zalo/` (OA secret
/// `example-oa-secret`), the folder the RightsCore webhook tests read too: one copy inside the repository.
@Suite("Zalo webhook")
struct WebhookTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../RightsCoreTests/Fixtures/zalo").standardizedFileURL

    static func fixture(_ name: String) throws -> (body: [UInt8], signature: String, timestamp: Date) {
        let body = Array(try Data(contentsOf: fixtures.appendingPathComponent(name)))
        let signatures = try String(contentsOf: fixtures.appendingPathComponent("SIGNATURES.tsv"), encoding: .utf8)
        let line = try #require(signatures.split(separator: "\n").first { $0.hasPrefix(name + "\t") })
        let event = try ZaloEvent(body: body)
        return (
            body, String(line.split(separator: "\t")[1]), Date(timeIntervalSince1970: Double(event.timestamp) / 1000)
        )
    }

    /// A desk whose clock stands `offset` after `at`.
    func server(_ desk: DeskFixture, at: Date, offset: TimeInterval = 30) -> DeskServer {
        DeskServer(
            installation: desk.installation, zaloSecret: "example-oa-secret", now: { at.addingTimeInterval(offset) })
    }

    func post(
        _ client: some TestClientProtocol, _ body: [UInt8], signature: String?
    ) async throws -> (HTTPResponse.Status, String) {
        var headers = HTTPFields()
        if let signature, let name = HTTPFields.Element.Name("X-ZEvent-Signature") { headers[name] = signature }
        return try await client.execute(
            uri: "/webhooks/zalo", method: .post, headers: headers, body: ByteBuffer(bytes: body)
        ) { ($0.status, String(buffer: $0.body)) }
    }

    func events(_ desk: DeskFixture) throws -> Int { try desk.store.auditEvents().count }

    @Test("a signed unfollow suppresses Zalo marketing for that person; its replay changes nothing")
    func unfollow() async throws {
        let desk = try DeskFixture()
        let (body, signature, at) = try Self.fixture("unfollow.json")
        let event = try ZaloEvent(body: body)
        try await Application(router: try server(desk, at: at).makeRouter()).test(.router) { client in
            let (status, answer) = try await post(client, body, signature: signature)
            #expect(status == .ok && answer.contains("suppressed"), "\(answer)")
            let recorded = try events(desk)
            let (again, replay) = try await post(client, body, signature: signature)
            #expect(again == .ok && replay.contains("replay"))
            #expect(try events(desk) == recorded, "a replay changed the chain")
        }
        let why = try desk.store.why(event.person, now: at.addingTimeInterval(60))
        #expect(why.suppressions.count == 1)
        #expect(why.suppressions.first?.channel == "zalo" && why.suppressions.first?.purpose == "marketing")
    }

    @Test("unsigned, tampered, wrongly signed and stale calls are 401 and record nothing")
    func refused() async throws {
        let desk = try DeskFixture()
        let (body, signature, at) = try Self.fixture("unfollow.json")
        var changed = body
        changed[changed.count - 4] ^= 0x01
        let tampered = changed
        let before = try events(desk)
        try await Application(router: try server(desk, at: at).makeRouter()).test(.router) { client in
            let unsigned = try await post(client, body, signature: nil)
            let changedBody = try await post(client, tampered, signature: signature)
            let wrongMac = try await post(client, body, signature: "mac=" + String(repeating: "0", count: 64))
            #expect([unsigned.0, changedBody.0, wrongMac.0] == [.unauthorized, .unauthorized, .unauthorized])
        }
        try await Application(router: try server(desk, at: at, offset: 301).makeRouter()).test(.router) { client in
            let (status, answer) = try await post(client, body, signature: signature)
            #expect(status == .unauthorized && !answer.contains("2512883701246639817"), "\(answer)")
        }
        #expect(try events(desk) == before)
    }

    @Test("a refusal text files an objection; a follow is recorded without consent; a maybe-refusal is queued")
    func messages() async throws {
        let desk = try DeskFixture()
        let (stop, stopSignature, stopAt) = try Self.fixture("user_send_text_stop.json")
        try await Application(router: try server(desk, at: stopAt).makeRouter()).test(.router) { client in
            let (status, answer) = try await post(client, stop, signature: stopSignature)
            #expect(status == .ok && answer.contains("objection") && answer.contains("RQ-"), "\(answer)")
        }
        let person = try ZaloEvent(body: stop).person
        let requests = try desk.store.requests(RequestFilter(asOf: stopAt))
        #expect(requests.count == 1 && requests[0].type == .objection && requests[0].channel == .zalo)
        #expect(try desk.store.why(person, now: stopAt.addingTimeInterval(60)).suppressions.isEmpty == false)

        let (follow, followSignature, followAt) = try Self.fixture("follow.json")
        try await Application(router: try server(desk, at: followAt).makeRouter()).test(.router) { client in
            let (status, answer) = try await post(client, follow, signature: followSignature)
            #expect(status == .ok && answer.contains("followed"))
        }
        let followed = try desk.store.why(try ZaloEvent(body: follow).person, now: followAt.addingTimeInterval(60))
        #expect(followed.lists.isEmpty && followed.sends.isEmpty)

        // "Hủy đơn hàng" cancels an order: an officer judges it.
        let text =
            #"{"app_id":"1","event_name":"user_send_text","timestamp":"1764000900000","sender":{"id":"9"},"#
            + #""recipient":{"id":"2"},"message":{"msg_id":"m1","text":"Hủy đơn hàng giúp em"}}"#
        let body = Array(text.utf8)
        let signature = try ZaloSignature.header(for: body, secret: "example-oa-secret")
        let at = Date(timeIntervalSince1970: 1_764_000_900)
        try await Application(router: try server(desk, at: at).makeRouter()).test(.router) { client in
            let (status, answer) = try await post(client, body, signature: signature)
            #expect(status == .ok && answer.contains("queued"), "\(answer)")
        }
        let queued = try desk.store.inbox()
        #expect(queued.count == 1 && queued[0].text == "Hủy đơn hàng giúp em" && queued[0].identifier == "zalo:2:9")
        #expect(try desk.store.requests(RequestFilter(asOf: at)).count == 1, "a maybe-refusal filed a request")
    }
}
