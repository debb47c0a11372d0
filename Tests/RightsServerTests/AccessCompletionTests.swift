import Foundation
import Hummingbird
import HummingbirdTesting
import RightsCore
import RightsEvidence
import RightsStore
import Testing
import ZIPFoundation

@testable import RightsServer

@Suite("Access requests completed on the desk")
struct AccessCompletionTests {
    @Test("completing a verified access request downloads the person's report, whose SHA-256 is on the chain")
    func accessReportDownload() async throws {
        let desk = try DeskFixture()
        let id = try desk.store.createRequest(
            NewRequest(
                type: .access, subjects: [try Identifier(parsing: "0912 345 678")], channel: .phone,
                receivedAt: Date(), name: "Nguyễn Thị Lan"), actor: "test", at: Date()
        ).id
        let other = try desk.store.createRequest(
            NewRequest(
                type: .access, subjects: [try Identifier(parsing: "0987654321")], channel: .phone, receivedAt: Date(),
                name: "Trần Văn Bình"), actor: "test", at: Date()
        ).id
        try await Application(router: try desk.router()).test(.router) { client in
            var officer = Browser(client)
            _ = try await officer.signIn(try #require(desk.tokens[.officer]))
            let page = try await officer.get("/requests/\(id)")
            // Until the person is verified the page offers verification, not completion (CONTRACT.md's table).
            #expect(page.html.contains("action=\"/requests/\(id)/verify\""))
            #expect(!page.html.contains("action=\"/requests/\(id)/complete\""))
            #expect(!page.html.contains("--out DIR"))

            // Before the person is verified: refused, no report, nothing changed.
            let early = try await officer.post("/requests/\(id)/complete", [])
            #expect(early.status == .conflict && early.headers[.contentType] != "application/zip")
            #expect(try desk.store.request(id).request.state == .received)

            #expect(try await officer.post("/requests/\(id)/ack", []).status == .seeOther)
            #expect(try await officer.post("/requests/\(id)/verify", [("method", "CCCD tại quầy")]).status == .seeOther)
            // Verified, the page completes it with its own button (the report downloads); no command line needed.
            #expect(try await officer.get("/requests/\(id)").html.contains("action=\"/requests/\(id)/complete\""))

            // Support may not complete it, and sees no report.
            var support = Browser(client)
            _ = try await support.signIn(try #require(desk.tokens[.support]))
            #expect(try await support.post("/requests/\(id)/complete", []).status == .forbidden)
            #expect(try desk.store.request(id).request.state == .verified)

            let done = try await officer.post("/requests/\(id)/complete", [])
            #expect(done.status == .ok)
            #expect(done.headers[.contentType] == "application/zip")
            #expect(done.headers[.contentDisposition] == "attachment; filename=\"access-\(id).zip\"")
            #expect(done.headers[.cacheControl] == "no-store")
            #expect(try desk.store.request(id).request.state == .completed)

            let archive = try Archive(data: Data(buffer: done.body), accessMode: .read)
            func entry(_ name: String) throws -> Data {
                let found = try #require(archive["access-\(id)/\(name)"], "\(name) in the ZIP")
                var data = Data()
                _ = try archive.extract(found) { data.append($0) }
                return data
            }
            let json = try entry("access-report.json")
            let html = String(decoding: try entry("access-report.html"), as: UTF8.self)
            let text = String(decoding: json, as: UTF8.self)
            #expect(text.contains("+84912345678") && text.contains(id))
            #expect(html.contains("+84912345678"))
            // Only this person: the other request's subject is nowhere in the report.
            #expect(!text.contains("987654321") && !text.contains(other) && !html.contains("987654321"))
            // The chain holds the SHA-256 of exactly the JSON handed over.
            let digest = Digest.sha256Hex(Array(json))
            #expect(try desk.store.auditEvents().contains { $0.payload.contains(digest) })
        }
    }
}
