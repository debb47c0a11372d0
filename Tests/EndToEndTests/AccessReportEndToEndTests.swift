import Foundation
import Testing

/// `request complete ID --out DIR` on a verified access request: everything held about the person, as JSON and as
/// a page, and nothing about anyone else.
@Suite("access report, end to end")
struct AccessReportEndToEndTests {
    func json(_ desk: Desk, _ arguments: String...) throws -> [String: Any] {
        let result = try desk.run(arguments + ["--json"])
        #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
        return try result.json()
    }

    @Test("the report holds every datum why knows, the rows' fields and messages, in both files; no one else")
    func report() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let list = try desk.file(
            "khach.csv",
            "phone,ho_ten,dia_chi,consent_at\n\"0912 345 678\",Nguyễn Thị Lan,\"12 Lê Lợi, Huế\",2025-09-01T08:00:00+07:00\n"
                + "0903000111,Trần Văn Bình,Đà Nẵng,2025-09-01T08:00:00+07:00\n")
        #expect(try desk.run("lists", "import", list, "--list", "khach", "--consent-channel", "sms").status == 0)
        let other = try desk.file("zalo.csv", "phone,ten\n84912345678,Lan Zalo\n")
        #expect(try desk.run("lists", "import", other, "--list", "zalo-oa").status == 0)
        let sends = try desk.file(
            "s.csv",
            "phone,sent_at,message\n0912345678,2026-05-02T10:00:00+07:00,Ưu đãi Tết cho chị Lan\n"
                + "0903000111,2026-05-02T10:00:00+07:00,Ưu đãi cho anh Bình\n")
        #expect(
            try desk.run("sends", "import", sends, "--campaign", "tet", "--channel", "sms", "--purpose", "marketing")
                .status == 0)
        #expect(try desk.run("suppress", "0912345678", "--channel", "zalo", "--reason", "unsubscribed").status == 0)
        let request = try json(
            desk, "request", "new", "--type", "access", "--subject", "0912345678", "--channel", "web",
            "--received-at", "2026-06-01T09:00:00+07:00")
        let id = try #require(request["id"] as? String)
        let out = desk.directory.appendingPathComponent("report").path
        // Not verified yet: refused, and no report written.
        #expect(try desk.run("request", "complete", id, "--out", out).status == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try desk.run("request", "verify", id, "--method", "OTP").status == 0)
        #expect(try desk.run("request", "complete", id, "--out", out).status == 0)

        let jsonData = try Data(contentsOf: URL(fileURLWithPath: out + "/access-report.json"))
        let html = try String(contentsOfFile: out + "/access-report.html", encoding: .utf8)
        let report = try #require(try JSONSerialization.jsonObject(with: jsonData) as? [String: Any])
        let subject = try #require((report["subjects"] as? [[String: Any]])?.first)
        let why = try json(desk, "why", "0912345678")
        let reported = try #require(subject["why"] as? [String: Any])
        for key in ["lists", "suppressions", "sends", "requests"] {
            #expect((reported[key] as? [Any])?.count == (why[key] as? [Any])?.count, "\(key) differs from why")
            #expect((why[key] as? [Any])?.isEmpty == false, "the fixture should give why some \(key)")
        }
        let records = try #require(subject["records"] as? [[String: Any]])
        #expect(records.count == 2)
        let values = records.flatMap { ($0["fields"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String } }
        #expect(values.contains("Nguyễn Thị Lan") && values.contains("12 Lê Lợi, Huế") && values.contains("Lan Zalo"))
        // The page shows the same content.
        for value in values + ["Ưu đãi Tết cho chị Lan", "unsubscribed"] {
            #expect(html.contains(value), "the page lacks \(value)")
        }
        #expect(
            html.firstRange(of: "Dữ liệu cá nhân")!.lowerBound < html.firstRange(of: "The personal data")!.lowerBound)
        // Nothing about anyone else.
        let text = String(decoding: jsonData, as: UTF8.self)
        for other in ["Trần Văn Bình", "0903000111", "903000111", "anh Bình", "Đà Nẵng"] {
            #expect(!text.contains(other) && !html.contains(other), "\(other) leaked into the report")
        }
        let shown = try json(desk, "request", "show", id)
        #expect(shown["state"] as? String == "completed")
    }
}
