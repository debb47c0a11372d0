import Foundation
import Hummingbird
import HummingbirdTesting
import RightsCore
import RightsEvidence
import RightsStore
import Testing

@testable import RightsServer

/// One person, one refusal, every send, through the API and the webhook (CONTRACT.md "One person, several
/// identifiers"): a refusal typed in a Zalo chat stops SMS to the phone on the same follower row.
@Suite("people on the API")
struct PeopleAPITests {
    /// 2026-06-02 10:00 Vietnam time: inside every channel's hours.
    static let at = Date(timeIntervalSince1970: 1_780_369_200)

    static func followers(_ store: RightsStore) throws {
        var bytes: [[UInt8]] = [
            Array(
                """
                phone,zalo_id,consent_at,channel
                0912345678,58210001,2025-09-01T08:00:00+07:00,sms;zalo
                0933444555,58210002,2025-09-01T08:00:00+07:00,sms;zalo

                """.utf8)
        ]
        _ = try store.importList(
            ListImportRequest(list: "oa", fileName: "oa.csv", zaloOA: "77"), actor: "test", at: at - 86400,
            chunks: { bytes.isEmpty ? nil : bytes.removeFirst() })
    }

    /// The desk with the example OA secret, its clock at `at`.
    static func server(_ desk: DeskFixture) -> DeskServer {
        DeskServer(
            installation: desk.installation, zaloSecret: "example-oa-secret", tokenCacheLifetime: 0, now: { Self.at })
    }

    /// A `user_send_text` from `user` to OA 77 at `time`, signed as Zalo signs it.
    static func message(_ text: String, from user: String, at time: Date, id: String) throws -> (
        body: [UInt8], signature: String
    ) {
        let millis = Int64(time.timeIntervalSince1970 * 1000)
        let json = JSONValue.object([
            "app_id": .string("1"), "event_name": .string("user_send_text"), "timestamp": .string(String(millis)),
            "sender": .object(["id": .string(user)]), "recipient": .object(["id": .string("77")]),
            "message": .object(["msg_id": .string(id), "text": .string(text)]),
        ])
        let body = json.canonicalBytes
        return (body, try ZaloSignature.header(for: body, secret: "example-oa-secret"))
    }

    func webhook(_ client: some TestClientProtocol, _ signed: (body: [UInt8], signature: String)) async throws
        -> String
    {
        var headers = HTTPFields()
        if let name = HTTPFields.Element.Name("X-ZEvent-Signature") { headers[name] = signed.signature }
        return try await client.execute(
            uri: "/webhooks/zalo", method: .post, headers: headers, body: ByteBuffer(bytes: signed.body)
        ) { response in
            #expect(response.status == .ok)
            return String(buffer: response.body)
        }
    }

    @Test("a signed Zalo refusal on a Zalo id stops an SMS batch by phone; why by phone says so")
    func zaloRefusalStopsSMS() async throws {
        let desk = try DeskFixture()
        try Self.followers(desk.store)
        try await Application(router: try Self.server(desk).makeRouter()).test(.router) { client in
            let answer = try await webhook(
                client, try Self.message("đừng gửi quảng cáo nữa", from: "58210001", at: Self.at - 60, id: "m1"))
            #expect(answer.contains("objection"), "\(answer)")
            let batch = "phone\n0912345678\n0933444555\n"
            let run = try await client.execute(
                uri: "/api/v1/gate?channel=sms&purpose=marketing&dry_run=true", method: .post,
                headers: desk.headers(.officer), body: ByteBuffer(string: batch)
            ) { try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [String: Any] ?? [:] }
            #expect(run["allowed"] as? Int == 1, "\(run)")
            #expect(run["excluded"] as? [String: Int] == ["SUPPRESSED": 1], "\(run)")
            let why = try await client.execute(
                uri: "/api/v1/why?id=0912345678", method: .get, headers: desk.headers(.support)
            ) { try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [String: Any] ?? [:] }
            let suppressions = why["suppressions"] as? [[String: Any]] ?? []
            #expect(suppressions.map { $0["identifier"] as? String } == ["zalo:77:58210001"], "\(why)")
            let channels = why["channels"] as? [[String: Any]] ?? []
            #expect(channels.count == 4 && channels.allSatisfy { ($0["allowed"] as? Bool) == false })
            // The Until-before-At batch is bad input on the API.
            try await client.execute(
                uri: "/api/v1/gate?channel=sms&purpose=marketing&dry_run=true&at=2026-06-02T10:00:00%2B07:00"
                    + "&until=2026-06-02T09:00:00%2B07:00",
                method: .post, headers: desk.headers(.officer), body: ByteBuffer(string: batch)
            ) { #expect($0.status == .badRequest) }
        }
    }

    @Test("a text that may be a refusal waits in the inbox, sealed; an officer files it as an objection")
    func inbox() async throws {
        let desk = try DeskFixture()
        try Self.followers(desk.store)
        try await Application(router: try Self.server(desk).makeRouter()).test(.router) { client in
            let order = try await webhook(
                client, try Self.message("Hủy đơn hàng giúp em", from: "58210002", at: Self.at - 120, id: "m2"))
            #expect(order.contains("queued"), "\(order)")
            let chat = try await webhook(
                client, try Self.message("cho mình hỏi giá", from: "58210002", at: Self.at - 60, id: "m3"))
            #expect(chat.contains("ignored"), "\(chat)")
        }
        let waiting = try desk.store.inbox()
        #expect(waiting.map(\.text) == ["Hủy đơn hàng giúp em"] && waiting.first?.identifier == "zalo:77:58210002")
        // Sealed on disk: the text is not in the table as plaintext.
        let raw = try desk.store.read { db in
            try String.fetchAll(db, sql: "SELECT coalesce(text, '') FROM webhook_events")
        }
        #expect(!raw.contains { $0.contains("đơn hàng") })
        let message = try #require(waiting.first)
        let filed = try desk.store.resolveInbox(
            message.id, objection: true, note: "khách nhắn thêm: ngừng quảng cáo", actor: "officer-1", at: Self.at)
        #expect(filed.requestID != nil)
        #expect(try desk.store.inbox().isEmpty)
        #expect(try desk.store.inbox(includeResolved: true).first?.resolution == "objection")
        #expect(throws: StoreError.self) {
            _ = try desk.store.resolveInbox(message.id, objection: false, note: nil, actor: "officer-1", at: Self.at)
        }
        // The objection holds from the message's arrival, for the phone on the same row too.
        let why = try desk.store.why(try Identifier(parsing: "0933444555"), now: Self.at)
        #expect(why.channels.allSatisfy { !$0.allowed })
        #expect(why.suppressions.first?.since == Timestamp.vietnam(Self.at - 120))
        if case .broken(let seq, let reason) = try desk.store.verifyAuditChain() {
            Issue.record("the chain broke at \(seq): \(reason)")
        }
    }
}
