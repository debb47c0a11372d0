import Foundation
import Testing

/// The officer's working day from the command line: the queue with who and days left, search, the export for
/// management, the audit and lookup logs, and the morning digest over a real SMTP server.
@Suite("the officer's day, end to end")
struct OfficerDayEndToEndTests {
    @Test func theQueueSearchAndExportShowWhoEachRequestIsForAndTheTimeLeft() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let lan =
            try json(
                desk, "request", "new", "--type", "access", "--subject", "0912345678", "--channel", "phone", "--name",
                "Nguyễn Thị Lan", "--received-at", "2026-03-02T09:00:00+07:00")["id"] as! String
        let formula =
            try json(
                desk, "request", "new", "--type", "deletion", "--subject", "lan@example.vn", "--channel", "web",
                "--name",
                "=HYPERLINK(\"http://x\")", "--received-at", "2026-03-03T09:00:00+07:00")["id"] as! String
        // Friday 6 March: Lan's acknowledgement (due Wednesday 4) is late; her access is due Thursday 12.
        let asOf = "2026-03-06T09:00:00+07:00"
        let queue = try json(desk, "request", "list", "--as-of", asOf)["requests"] as? [[String: Any]] ?? []
        let first = try #require(queue.first { $0["id"] as? String == lan })
        #expect(first["name"] as? String == "Nguyễn Thị Lan")
        #expect((first["subjects"] as? [[String: Any]])?.first?["identifier"] as? String == "+84912345678")
        #expect(first["days_left"] as? Int == 6)
        #expect(first["ack_late"] as? Bool == true)
        let overdueAcks =
            try json(desk, "request", "list", "--ack-overdue", "--as-of", asOf)["requests"] as? [[String: Any]]
        #expect(Set(overdueAcks?.compactMap { $0["id"] as? String } ?? []) == [lan, formula])
        let found = try json(desk, "request", "list", "--search", "nguyen thi lan")["requests"] as? [[String: Any]]
        #expect(found?.compactMap { $0["id"] as? String } == [lan])
        let byPhone = try json(desk, "request", "list", "--search", "+84 912 345 678")["requests"] as? [[String: Any]]
        #expect(byPhone?.compactMap { $0["id"] as? String } == [lan])
        let text = try desk.run("request", "list", "--as-of", asOf)
        #expect(text.stdout.contains("Nguyễn Thị Lan") && text.stdout.contains("6 days left"))

        let out = desk.directory.appendingPathComponent("requests.csv").path
        let export = try desk.run("request", "export", "--out", out, "--from", "2026-03-01", "--to", "2026-03-31")
        #expect(export.status == 0, "\(export.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "UTF-8 with a byte-order mark, for Excel")
        let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        let header = lines[0].split(separator: ",").map(String.init)
        for column in [
            "id", "type", "state", "channel", "received_at", "ack_due_date", "ack_late", "due_date",
            "days_left", "late", "name",
        ] {
            #expect(header.contains(column), "\(column) in \(header)")
        }
        #expect(lines.contains { $0.hasPrefix(lan + ",access,") && $0.hasSuffix(",Nguyễn Thị Lan") })
        #expect(lines.contains { $0.contains("'=HYPERLINK") }, "a formula cell is neutralised")
        let outOfRange = try desk.run("request", "export", "--out", out, "--from", "2026-04-01")
        #expect(outOfRange.status == 0)
        let empty = String(decoding: try Data(contentsOf: URL(fileURLWithPath: out)).dropFirst(3), as: UTF8.self)
        #expect(empty.split(separator: "\n").count == 1, "only the header")
        #expect(try desk.run("request", "export", "--out", desk.database).status != 0, "never onto the database")
        #expect(try desk.run("request", "export", "--out", out, "--from", "2026-13-01").status == 64)
    }

    @Test func theAuditLogReadsTheChainBackAndTheLookupLogNamesWhoLookedUp() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let id =
            try json(
                desk, "request", "new", "--type", "objection", "--subject", "0912345678", "--channel", "zalo", "--name",
                "Trần Thị Mai")["id"] as! String
        _ = try json(desk, "request", "ack", id)
        let events = try json(desk, "audit", "log", "--request", id)["events"] as? [[String: Any]] ?? []
        #expect(events.map { $0["kind"] as? String } == ["request.new", "request.ack"])
        #expect(events.allSatisfy { $0["request_id"] as? String == id && $0["seq"] is Int && $0["at"] is String })
        let all = try desk.run("audit", "log", "--json").stdout
        #expect(!all.contains("Trần Thị Mai") && !all.contains("0912345678"), "sealed data stays sealed")
        let requests = try json(desk, "audit", "log", "--kind", "request")["events"] as? [[String: Any]] ?? []
        #expect(requests.count == 2)
        let none = try json(desk, "audit", "log", "--from", "2030-01-01")["events"] as? [[String: Any]] ?? []
        #expect(none.isEmpty)
        // The lookup log starts empty; the desk's lookups are tested with the server.
        let lookups = try json(desk, "lookups", "log")["lookups"] as? [[String: Any]]
        #expect(lookups?.isEmpty == true)
    }

    @Test func theDigestReachesStaffByMailInVietnamese() async throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let sink = try await SMTPSink.start(in: desk.directory)
        defer { sink.stop() }
        let late =
            try json(
                desk, "request", "new", "--type", "access", "--subject", "0912345678", "--channel", "phone", "--name",
                "Nguyễn Thị Lan", "--received-at", "2026-03-02T09:00:00+07:00")["id"] as! String
        let soon =
            try json(
                desk, "request", "new", "--type", "objection", "--subject", "0903000111", "--channel", "zalo",
                "--received-at", "2026-02-25T09:00:00+07:00")["id"] as! String
        _ = try json(desk, "request", "ack", soon, "--at", "2026-02-25T10:00:00+07:00")
        let result = try desk.run(
            [
                "remind", "--to", "lan@vidu.example.vn", "--to", "binh@vidu.example.vn", "--as-of",
                "2026-03-09T08:00:00+07:00",
            ], environment: sink.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let mail = try #require(try sink.messages().first, "the digest is sent before remind returns")
        #expect(Set(mail.recipients) == ["lan@vidu.example.vn", "binh@vidu.example.vn"])
        #expect(mail.text.contains("\(late) · Truy cập dữ liệu · Nguyễn Thị Lan · hạn xác nhận 04/03/2026 (đã trễ)"))
        // The objection (received 25 February, 15 days: 12 March) is due within 3 days; the phone is masked.
        #expect(mail.text.contains("\(soon) · Phản đối xử lý · +8490****111 · hạn chót 12/03/2026"))
        #expect(mail.text.contains("Sắp đến hạn trong 3 ngày (2)"), "the access (12 March) and the objection")
        #expect(!mail.text.contains("0903000111"))
        let subject = mail.header("Subject").map(Mail.decodeWords) ?? ""
        #expect(subject.hasPrefix("Công ty TNHH Ví Dụ: nhắc việc ngày 09/03/2026"))
        let audit = try json(desk, "audit", "log", "--kind", "digest")["events"] as? [[String: Any]] ?? []
        #expect(audit.count == 1 && (audit.first?["summary"] as? String)?.contains("recipients=2") == true)
        // Without mail configured the digest is refused, with the reason.
        let unconfigured = try desk.run(["remind", "--to", "lan@vidu.example.vn"], environment: [:])
        #expect(unconfigured.status == 1 && unconfigured.stderr.contains("RIGHTSDESK_SMTP_URL"))
    }
}
