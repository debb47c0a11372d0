import Foundation
import Testing

/// `request complete ID --out DIR` on a verified access request: everything held about the person, as JSON and as
/// a page, and nothing about anyone else.
@Suite("access report, end to end")
struct AccessReportEndToEndTests {
    @Test("a folder holding one person's report is refused for the next, and that request stays open")
    func oneReportAFolder() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        var ids: [String] = []
        for subject in ["0912345678", "0903000111"] {
            let request = try json(
                desk, "request", "new", "--type", "access", "--subject", subject, "--channel", "web",
                "--received-at", "2026-06-01T09:00:00+07:00")
            let id = try #require(request["id"] as? String)
            #expect(try desk.run("request", "verify", id, "--method", "CCCD").status == 0)
            ids.append(id)
        }
        let out = desk.directory.appendingPathComponent("reports").path
        #expect(try desk.run("request", "complete", ids[0], "--out", out).status == 0)
        let first = try Data(contentsOf: URL(fileURLWithPath: out + "/access-report.json"))
        let second = try desk.run("request", "complete", ids[1], "--out", out)
        #expect(second.status == 1 && second.stderr.contains("exists already"), "\(second.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/access-report.json")) == first)
        #expect(try json(desk, "request", "show", ids[1])["state"] as? String == "verified")
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
        #expect(try desk.run("org", "set", "--contact", "dpo@vidu.vn", "--tax-code", "0312345678").status == 0)
        #expect(try desk.run("request", "ack", id, "--actor", "nv.hoa").status == 0)
        let letter = try desk.run(
            "request", "letter", id, "--kind", "ack", "--lang", "vi", "--send", "--actor", "nv.hoa")
        #expect(letter.status == 0, "\(letter.stderr)")
        #expect(
            try desk.run(
                "request", "verify", id, "--method", "CCCD tại quầy, ghi chú nội bộ", "--actor", "nv.hoa"
            ).status == 0)
        let completed = try desk.run("request", "complete", id, "--out", out, "--actor", "nv.hoa")
        #expect(completed.status == 0)
        #expect(completed.stderr.contains("it goes to the person"), "the officer is not warned: \(completed.stderr)")

        let jsonData = try Data(contentsOf: URL(fileURLWithPath: out + "/access-report.json"))
        let html = try String(contentsOfFile: out + "/access-report.html", encoding: .utf8)
        let report = try #require(try JSONSerialization.jsonObject(with: jsonData) as? [String: Any])
        let subject = try #require((report["subjects"] as? [[String: Any]])?.first)
        let why = try json(desk, "why", "0912345678")
        // The files are named as the officer named them, without the folders of the officer's machine.
        let files = (subject["records"] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String }
        #expect(files.sorted() == ["khach.csv", "zalo.csv"], "\(files)")
        #expect(!html.contains(desk.directory.path), "the page shows the officer's folders")
        // Every datum why knows, under the report's own names.
        for (key, reported) in [
            ("lists", subject["records"]), ("suppressions", subject["suppressions"]), ("sends", subject["messages"]),
            ("requests", report["requests"]),
        ] {
            #expect((reported as? [Any])?.count == (why[key] as? [Any])?.count, "\(key) differs from why")
            #expect((why[key] as? [Any])?.isEmpty == false, "the fixture should give why some \(key)")
        }
        // What the person is entitled to learn besides their data.
        #expect((report["purposes"] as? [[String: Any]])?.map { $0["list"] as? String } == ["khach", "zalo-oa"])
        #expect((report["retention"] as? [Any])?.count == 4)
        #expect((report["organization"] as? [String: Any])?["contact"] as? String == "dpo@vidu.vn")
        let sent = try #require(
            ((report["requests"] as? [[String: Any]])?.first?["letters"] as? [[String: Any]])?.first?["text"] as? String
        )
        #expect(sent.contains("Kính gửi"))
        let records = try #require(subject["records"] as? [[String: Any]])
        #expect(records.count == 2)
        let values = records.flatMap { ($0["fields"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String } }
        #expect(values.contains("Nguyễn Thị Lan") && values.contains("12 Lê Lợi, Huế") && values.contains("Lan Zalo"))
        // The page shows the same content.
        for value in values + ["Ưu đãi Tết cho chị Lan", "dpo@vidu.vn", "MST 0312345678"] {
            #expect(html.contains(value), "the page lacks \(value)")
        }
        // Every letter as it was sent, each in its own block.
        let escaped = sent.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
        #expect(html.contains("<pre class=\"letter\">\(escaped)</pre>"))
        let english = try #require(html.firstRange(of: "The personal data"))
        #expect(html.firstRange(of: "Dữ liệu cá nhân")!.lowerBound < english.lowerBound)
        // The Vietnamese half in Vietnamese: its dates as Vietnamese write them, no code of the document raw.
        let vietnamese = String(html[..<english.lowerBound])
        #expect(vietnamese.contains("09:00 ngày 01/06/2026"))
        for code in [">access<", ">verified<", "letter-sent", ">acknowledged<", ">sms<", ">marketing<", "T09:00"] {
            #expect(!vietnamese.contains(code), "the Vietnamese half shows \(code)")
        }
        // Nothing internal: no staff login, no note staff typed (the verification method, a suppression's reason).
        let document = String(decoding: jsonData, as: UTF8.self)
        for note in ["nv.hoa", "ghi chú nội bộ", "unsubscribed"] {
            #expect(!html.contains(note) && !document.contains(note), "\(note) is in the report")
        }
        // Nothing about anyone else.
        let text = String(decoding: jsonData, as: UTF8.self)
        for other in ["Trần Văn Bình", "0903000111", "903000111", "anh Bình", "Đà Nẵng"] {
            #expect(!text.contains(other) && !html.contains(other), "\(other) leaked into the report")
        }
        let shown = try json(desk, "request", "show", id)
        #expect(shown["state"] as? String == "completed")
    }
}
