import Foundation
import Hummingbird
import HummingbirdTesting
import RightsCore
import RightsEvidence
import RightsStore
import Testing

@testable import RightsServer

/// The pages of an officer's day (CONTRACT.md "The web desk"): `/today`, the queue's search, `/audit`, `/inbox` and
/// a list imported from `/lists`, each in Vietnamese, with the role matrix over them.
@Suite("The officer's day on the desk")
struct DeskDayPagesTests {
    /// A request received `daysAgo` days ago, by phone.
    func file(
        _ desk: DeskFixture, _ type: RequestType, _ subject: String, name: String? = nil, daysAgo: Double = 0
    ) throws -> String {
        let received = Date().addingTimeInterval(-daysAgo * 86400)
        return try desk.store.createRequest(
            NewRequest(
                type: type, subjects: [try Identifier(parsing: subject)], channel: .phone, receivedAt: received,
                name: name), actor: "test", at: received
        ).id
    }

    /// The part of a page between the element with `id` and the end of its section.
    func section(_ html: String, _ id: String) throws -> Substring {
        let start = try #require(html.range(of: "id=\"\(id)\""), "no #\(id)")
        let rest = html[start.upperBound...]
        let end = rest.range(of: "</section>")?.lowerBound ?? rest.endIndex
        return rest[..<end]
    }

    /// A Zalo message queued for an officer, as the webhook records it.
    func queueMessage(_ desk: DeskFixture, id: String, sender: String, text: String) throws {
        let body =
            #"{"app_id":"1","event_name":"user_send_text","timestamp":"1764000900000","sender":{"id":""#
            + sender + #""},"recipient":{"id":"2"},"message":{"msg_id":""# + id + #"","text":""# + text + #""}}"#
        let outcome = try desk.store.recordZaloEvent(try ZaloEvent(body: Array(body.utf8)), at: Date())
        #expect(outcome.outcome == "queued")
    }

    @Test("officers land on /today: a late acknowledgement first, then overdue and due this week, names as typed")
    func today() async throws {
        let desk = try DeskFixture()
        let late = try file(desk, .access, "0912000111", name: "Trần Thị Ánh", daysAgo: 6)
        let fresh = try file(desk, .deletion, "0912000222", name: "Lê Văn Bình")
        let overdue = try file(desk, .correction, "0912000333", name: "Phạm Thu Hà", daysAgo: 40)
        try desk.store.acknowledgeRequest(
            overdue, at: Date().addingTimeInterval(-39 * 86400), actor: "test", now: Date())
        try await Application(router: try desk.router()).test(.router) { client in
            var officer = Browser(client)
            _ = try await officer.signIn(try #require(desk.tokens[.officer]))
            #expect(try await officer.get("/").headers[.location] == "/today")
            let page = try await officer.get("/today")
            #expect(page.status == .ok)
            let acks = try section(page.html, "today-acks")
            #expect(acks.contains("/requests/\(late)") && acks.contains("Trần Thị Ánh"))
            #expect(acks.contains("class=\"late\"") && acks.contains("trễ xác nhận"))
            // Received today, its acknowledgement is not yet due today (2 working days): not listed.
            #expect(!acks.contains(fresh))
            let overdueSection = try section(page.html, "today-overdue")
            #expect(overdueSection.contains(overdue) && overdueSection.contains("quá hạn"))
            #expect(!overdueSection.contains(fresh))
            #expect(!(try section(page.html, "today-week")).contains("/requests/\(overdue)"))
            #expect(page.html.contains("1 xác nhận tiếp nhận trễ hạn; 1 yêu cầu quá hạn"))
            #expect(page.html.contains("hạn chót "))
            #expect(page.html.contains("href=\"/today\" aria-current=\"page\""))
        }
    }

    @Test("the queue says who and how many days are left, and finds a person typed without diacritics")
    func queueSearch() async throws {
        let desk = try DeskFixture()
        let anh = try file(desk, .access, "0912000111", name: "Trần Thị Ánh")
        let binh = try file(desk, .deletion, "0912000222", name: "Lê Văn Bình")
        try await Application(router: try desk.router()).test(.router) { client in
            var auditor = Browser(client)
            _ = try await auditor.signIn(try #require(desk.tokens[.auditor]))
            let all = try await auditor.get("/queue")
            #expect(all.html.contains("Trần Thị Ánh") && all.html.contains("Lê Văn Bình"))
            #expect(all.html.contains("còn ") && all.html.contains("data-label=\"Người yêu cầu\""))
            let found = try await auditor.get("/queue?q=tran+thi+anh")
            #expect(found.html.contains(anh) && !found.html.contains(binh))
            #expect(found.html.contains("value=\"tran thi anh\""))
            // Any written form of the number finds it too.
            let byPhone = try await auditor.get("/queue?q=%2B84+912+000+222")
            #expect(byPhone.html.contains(binh) && !byPhone.html.contains(anh))
            let none = try await auditor.get("/queue?q=nguy%E1%BB%85n")
            #expect(!none.html.contains(anh) && none.html.contains("Không có yêu cầu nào khớp"))
        }
    }

    @Test("the request page speaks Vietnamese only: timeline notes, citations and dates; withdraw is a button")
    func vietnameseRequestPage() async throws {
        let desk = try DeskFixture()
        let id = try file(desk, .objection, "0912000111")
        try await Application(router: try desk.router()).test(.router) { client in
            var officer = Browser(client)
            _ = try await officer.signIn(try #require(desk.tokens[.officer]))
            let page = try await officer.get("/requests/\(id)")
            #expect(page.html.contains("ngừng quảng cáo trên mọi kênh, từ lúc nhận yêu cầu"))
            #expect(!page.html.contains("marketing on every channel"))
            #expect(page.html.contains("Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15"))
            #expect(!page.html.contains("Law 91 Art."))
            #expect(page.html.contains(" ngày ") && !page.html.contains("+07:00</"))
            #expect(page.html.contains("action=\"/requests/\(id)/withdraw\""))
            let english = try await officer.get("/requests/\(id)?lang=en")
            #expect(english.html.contains("marketing on every channel, from receipt"))
            _ = try await officer.get("/requests/\(id)?lang=vi")
            #expect(try await officer.post("/requests/\(id)/withdraw", [("note", "Tôi đổi ý")]).status == .seeOther)
            #expect(try desk.store.request(id).request.state == .withdrawn)
            // A refused step and a missing request are said in Vietnamese, not in the store's English.
            _ = try await officer.get("/requests/\(id)")
            let again = try await officer.post("/requests/\(id)/ack", [])
            #expect(again.status == .conflict)
            #expect(again.html.contains("Yêu cầu đã ở trạng thái «Đã rút lại»; xác nhận tiếp nhận không thay đổi gì."))
            #expect(!again.html.contains("changes nothing"))
            let missing = try await officer.get("/requests/RQ-2099-000001")
            #expect(missing.status == .notFound && missing.html.contains("Không tìm thấy yêu cầu RQ-2099-000001."))
            _ = try await officer.get("/requests/\(id)?lang=en")
            #expect(try await officer.post("/requests/\(id)/ack", []).html.contains("ack changes nothing"))
        }
    }

    @Test("/audit reads the chain back by request, kind and period with plain fields only, and the lookups masked")
    func audit() async throws {
        let desk = try DeskFixture()
        let first = try file(desk, .objection, "0912000111", name: "Trần Thị Ánh")
        let second = try file(desk, .deletion, "0912000222")
        let server = DeskServer(installation: desk.installation, zaloSecret: nil, tokenCacheLifetime: 0)
        try await Application(router: try server.makeRouter()).test(.router) { client in
            var support = Browser(client)
            _ = try await support.signIn(try #require(desk.tokens[.support]))
            _ = try await support.get("/why")
            #expect(try await support.post("/why", [("id", "0912 000 111")]).status == .ok)
            server.lookups.flush()
            #expect(try await support.get("/audit").status == .forbidden)

            var auditor = Browser(client)
            _ = try await auditor.signIn(try #require(desk.tokens[.auditor]))
            let page = try await auditor.get("/audit")
            #expect(page.status == .ok)
            #expect(page.html.contains("Tiếp nhận yêu cầu") && page.html.contains("request.new"))
            #expect(page.html.contains(first) && page.html.contains(second))
            // Sealed data stays sealed: the person's name and number are not in the events.
            let events = try #require(page.html.components(separatedBy: "id=\"audit-lookups\"").first)
            #expect(!events.contains("Trần Thị Ánh") && !events.contains("912000111"))
            // The lookup log: who looked up whom, masked.
            let lookups = try #require(page.html.components(separatedBy: "id=\"audit-lookups\"").last)
            #expect(lookups.contains("support-1") && lookups.contains("+8491****111"))
            let one = try await auditor.get("/audit?request=\(first)")
            #expect(one.html.contains(first) && !one.html.contains("/requests/\(second)"))
            let today = LocalDate(VietnamTime.date(of: Date()).description)!
            let past = try await auditor.get("/audit?from=2020-01-01&to=2020-12-31")
            #expect(!past.html.contains("/requests/\(first)"))
            let now = try await auditor.get("/audit?kind=request&from=\(today)&to=\(today)")
            #expect(now.html.contains("/requests/\(first)"))
            let verified = try await auditor.get("/audit?verify=1")
            #expect(verified.html.contains("Chuỗi nguyên vẹn"))
            let bad = try await auditor.get("/audit?from=yesterday")
            #expect(bad.status == .badRequest && bad.html.contains("yesterday không phải là ngày hợp lệ"))
        }
    }

    @Test("/inbox files a Zalo message as an objection or dismisses it; support and auditors may do neither")
    func inbox() async throws {
        let desk = try DeskFixture()
        try queueMessage(desk, id: "m1", sender: "9", text: "Hủy đơn hàng giúp em")
        try queueMessage(desk, id: "m2", sender: "8", text: "hủy gói cước")
        let messages = try desk.store.inbox()
        #expect(messages.count == 2)
        try await Application(router: try desk.router()).test(.router) { client in
            for role in [StaffRole.support, .auditor] {
                var browser = Browser(client)
                _ = try await browser.signIn(try #require(desk.tokens[role]))
                #expect(try await browser.get("/inbox").status == .forbidden)
                _ = try await browser.get("/why")
                #expect(try await browser.post("/inbox/\(messages[0].id)/objection", []).status == .forbidden)
            }
            #expect(try desk.store.inbox().count == 2)
            var officer = Browser(client)
            _ = try await officer.signIn(try #require(desk.tokens[.officer]))
            let page = try await officer.get("/inbox")
            #expect(page.html.contains("Hủy đơn hàng giúp em") && page.html.contains("zalo:2:9"))
            #expect(page.html.contains("2 tin nhắn đang chờ."))
            let filed = try await officer.post(
                "/inbox/\(messages[0].id)/objection", [("note", "khách gọi lại xác nhận")])
            #expect(filed.status == .seeOther)
            _ = try await officer.get("/inbox")
            #expect(try await officer.post("/inbox/\(messages[1].id)/dismiss", []).status == .seeOther)
            let after = try await officer.get("/inbox?done=dismissed")
            #expect(after.html.contains("Không có tin nhắn nào đang chờ."))
            let all = try await officer.get("/inbox?all=1")
            #expect(all.html.contains("đã ghi nhận là phản đối (officer-1)") && all.html.contains("không phải từ chối"))
            // Resolved twice: refused, nothing changes.
            #expect(try await officer.post("/inbox/\(messages[1].id)/dismiss", []).status == .conflict)
            #expect(try await officer.post("/inbox/999/dismiss", []).status == .notFound)
        }
        let objection = try #require(desk.store.inbox(includeResolved: true).first { $0.resolution == "objection" })
        let request = try desk.store.request(try #require(objection.requestID))
        #expect(request.request.type == .objection && request.request.channel == .zalo)
    }

    @Test("a list uploaded on /lists is imported while its page shows progress; a forged upload imports nothing")
    func listImport() async throws {
        let desk = try DeskFixture()
        var rows = "so_dien_thoai,ho_ten,ngay_dong_y,kenh\n"
        for index in 0..<2000 {
            rows += "09120\(String(format: "%05d", index)),Nguyễn Văn \(index),2026-01-05T08:00:00+07:00,sms\n"
        }
        rows += "12,Sai số,,\n"
        let csv = rows
        try await Application(router: try desk.router()).test(.router) { client in
            var officer = Browser(client)
            _ = try await officer.signIn(try #require(desk.tokens[.officer]))
            let lists = try await officer.get("/lists")
            #expect(lists.html.contains("enctype=\"multipart/form-data\""))
            let goodToken = officer.csrf
            let forged = try await officer.upload(
                "/lists/import", [("csrf", "0000"), ("list", "khach-hang"), ("basis", "consent")],
                file: ("khach.csv", Array(csv.utf8)))
            #expect(forged.status == .forbidden)
            #expect(try desk.store.listSummaries().isEmpty)

            let started = try await officer.upload(
                "/lists/import", [("csrf", goodToken), ("list", "khach-hang"), ("basis", "consent")],
                file: ("khách hàng.csv", Array(csv.utf8)))
            #expect(started.status == .seeOther)
            let location = try #require(started.headers[.location])
            #expect(location.hasPrefix("/lists/import/"))
            var page = try await officer.get(location)
            for _ in 0..<200 where page.html.contains("http-equiv=\"refresh\"") {
                #expect(page.html.contains("<progress"))
                try await Task.sleep(for: .milliseconds(50))
                page = try await officer.get(location)
            }
            #expect(page.html.contains("Đã nhập xong"), "\(page.html)")
            #expect(page.html.contains("<dd>2001</dd>") && page.html.contains("<dd>2000</dd>"))
            #expect(page.html.contains("Dòng không hợp lệ: 1"))
            #expect(page.html.contains("Dòng 2002: Số điện thoại không hợp lệ."), "\(page.html)")
            #expect(!page.html.contains("http-equiv=\"refresh\""))
            let summary = try #require(desk.store.listSummaries().first)
            #expect(summary.name == "khach-hang" && summary.entries == 2000)

            // The support agent may not upload, and a body that is not a form is refused.
            var support = Browser(client)
            _ = try await support.signIn(try #require(desk.tokens[.support]))
            _ = try await support.get("/why")
            let refused = try await support.upload(
                "/lists/import", [("csrf", support.csrf), ("list", "x"), ("basis", "consent")],
                file: ("x.csv", Array(csv.utf8)))
            #expect(refused.status == .forbidden)
            #expect(try desk.store.listSummaries().count == 1)
            let elsewhere = try await officer.upload("/requests", [("csrf", goodToken)], file: ("x.csv", [1, 2]))
            #expect(elsewhere.status == .unsupportedMediaType)
            // A form over the desk's limit is refused in the page's words, not Hummingbird's English.
            let huge = try await officer.post("/why", [("id", String(repeating: "9", count: 300_000))])
            #expect(huge.status == .contentTooLarge && huge.html.contains("Nội dung gửi lên quá lớn"))
        }
    }
}

extension Browser {
    /// POSTs a multipart/form-data body as a browser's file upload does: the fields, then the file.
    mutating func upload(_ uri: String, _ fields: [(String, String)], file: (name: String, bytes: [UInt8])) async throws
        -> TestResponse
    {
        let boundary = "----RightsDeskTest\(UUID().uuidString)"
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array(
            ("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\n"
                + "Content-Type: text/csv\r\n\r\n").utf8)
        body += file.bytes
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        var headers = cookieHeader
        headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
        return try await client.executeRequest(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }
}
