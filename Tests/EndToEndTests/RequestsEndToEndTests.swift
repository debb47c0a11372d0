import Foundation
import Testing

@Suite("requests, end to end")
struct RequestsEndToEndTests {
    func new(_ desk: Desk, _ arguments: String...) throws -> [String: Any] {
        let result = try desk.run(["request", "new"] + arguments + ["--json"])
        #expect(result.status == 0, "\(result.stderr)")
        return try result.json()
    }

    @Test(arguments: [
        // (type, processors, received, ack_due_date, due_date, rule set)
        // Mon 1 Jun 2026: acknowledge in 2 working days → Wed 3 Jun; access 10 days from Tue 2 → Thu 11 Jun.
        ("access", false, "2026-06-01T09:00:00+07:00", "2026-06-03", "2026-06-11", "vn-pdpl-2026"),
        // With processors, 15 days → Tue 16 Jun.
        ("access", true, "2026-06-01T09:00:00+07:00", "2026-06-03", "2026-06-16", "vn-pdpl-2026"),
        // Deletion 20 days → Sun 21 Jun, rolled forward to Mon 22 Jun.
        ("deletion", false, "2026-06-01T09:00:00+07:00", "2026-06-03", "2026-06-22", "vn-pdpl-2026"),
        // Objection 15 days → Tue 16 Jun.
        ("objection", false, "2026-06-01T09:00:00+07:00", "2026-06-03", "2026-06-16", "vn-pdpl-2026"),
        // Received Thu 23 Apr 2026: working days skip Fri 24? No: Fri 24 is a working day, Sat-Sun off, Mon 27 Apr is
        // the substitute day off for Giỗ Tổ (Sun 26) → acknowledge by Tue 28 Apr. Correction 10 days → Sun 3 May;
        // 30 Apr, 1 May holidays and the weekend push it to Mon 4 May.
        ("correction", false, "2026-04-23T15:00:00+07:00", "2026-04-28", "2026-05-04", "vn-pdpl-2026"),
        // Decree 13: 72 hours, no separate acknowledgement: ack_due equals due.
        ("deletion", false, "2025-06-02T09:00:00+07:00", "2025-06-05", "2025-06-05", "vn-decree13"),
    ])
    func requestNewFixesTheLegalDeadlines(
        type: String, processors: Bool, received: String, ackDate: String, dueDate: String, ruleSet: String
    ) throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        var arguments = ["--type", type, "--subject", "0903000111", "--channel", "email", "--received-at", received]
        if processors { arguments.append("--processors") }
        let result = try desk.run(["request", "new"] + arguments + ["--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        #expect(json["rule_set"] as? String == ruleSet)
        #expect(json["ack_due_date"] as? String == ackDate)
        #expect(json["due_date"] as? String == dueDate)
        #expect(json["state"] as? String == "received")
        #expect(json.keys.contains("duplicate_of"))
        #expect((json["citation"] as? String)?.isEmpty == false)
    }

    @Test func deletionNeedsVerificationAndClosedRequestsRefuseSteps() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let id =
            try new(
                desk, "--type", "deletion", "--subject", "0903000111", "--channel", "web", "--received-at",
                "2026-06-01T09:00:00+07:00")["id"] as! String
        let refused = try desk.run("request", "complete", id, "--at", "2026-06-02T09:00:00+07:00")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("verified"))
        #expect(try desk.run("request", "show", id, "--json").json()["state"] as? String == "received")
        #expect(try desk.run("request", "ack", id, "--at", "2026-06-01T10:00:00+07:00").status == 0)
        #expect(try desk.run("request", "ack", id, "--at", "2026-06-01T11:00:00+07:00").status == 1)
        #expect(
            try desk.run("request", "verify", id, "--method", "OTP", "--at", "2026-06-02T10:00:00+07:00").status == 0)
        #expect(try desk.run("request", "complete", id, "--at", "2026-06-05T10:00:00+07:00").status == 0)
        #expect(try desk.run("request", "withdraw", id).status == 1)
        let show = try desk.run("request", "show", id, "--json").json()
        #expect(show["state"] as? String == "completed")
        let kinds = (show["events"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        // A deletion stops marketing at intake, before verification (Law 91 Art. 28(5)).
        #expect(kinds.starts(with: ["received", "suppressed", "acknowledged", "verified", "completed"]))
        #expect(try desk.run("audit", "verify").status == 0)
    }

    @Test func stepsConsentsAndSendsDatedAheadAreRefusedAndLeaveTheRecordAsItWas() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let id =
            try new(
                desk, "--type", "objection", "--subject", "0903000111", "--channel", "web", "--received-at",
                "2026-06-01T09:00:00+07:00")["id"] as! String
        // A step dated ahead would bar every real step until then: refused, and the real one still goes in.
        for step in [["ack", id], ["complete", id], ["withdraw", id]] {
            let ahead = try desk.run(["request"] + step + ["--at", "2099-01-01T00:00:00+07:00"])
            #expect(ahead.status == 1 && ahead.stderr.contains("in the future"), "\(step): \(ahead.stderr)")
        }
        #expect(try desk.run("request", "show", id, "--json").json()["state"] as? String == "received")
        #expect(try desk.run("request", "ack", id, "--at", "2026-06-01T10:00:00+07:00").status == 0)
        for kind in [["add", "--method", "web", "--evidence", "W-1"], ["withdraw"]] {
            let ahead = try desk.run(
                ["consent", kind[0], "0911222333", "--channel", "sms", "--at", "2099-01-01T08:00:00+07:00"]
                    + kind.dropFirst())
            #expect(ahead.status == 1 && ahead.stderr.contains("in the future"), "consent \(kind): \(ahead.stderr)")
        }
        // A send log's row dated ahead is an invalid row, not a violation waiting to happen.
        let log = try desk.file(
            "log.csv", "phone,sent_at\n0903000111,2099-01-01T10:00:00+07:00\n0903000111,2026-06-02T10:00:00+07:00\n")
        let sends = try desk.run(
            "sends", "import", log, "--campaign", "c", "--channel", "sms", "--purpose", "marketing", "--json")
        #expect(sends.status == 0, "\(sends.stderr)")
        let invalid = try sends.json()["invalid"] as? [[String: Any]] ?? []
        #expect(invalid.map { $0["line"] as? Int } == [2], "\(invalid)")
        let violations = try desk.run("violations", "--json").json()["violations"] as? [[String: Any]] ?? []
        #expect(violations.count == 1, "\(violations)")
        #expect(try desk.run("audit", "verify").status == 0)
    }

    @Test func eachIdentifierIsVerifiedSeparately() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let id =
            try new(
                desk, "--type", "access", "--subject", "0903000111", "--subject", "lan@example.vn", "--channel",
                "email",
                "--received-at", "2026-06-01T09:00:00+07:00")["id"] as! String
        #expect(try desk.run("request", "verify", id, "--method", "OTP", "--subject", "0903 000 111").status == 0)
        #expect(try desk.run("request", "show", id, "--json").json()["state"] as? String == "received")
        #expect(try desk.run("request", "verify", id, "--method", "OTP", "--subject", "0903000111").status == 1)
        #expect(
            try desk.run("request", "verify", id, "--method", "email link", "--subject", "LAN@example.vn").status == 0)
        let show = try desk.run("request", "show", id, "--json").json()
        #expect(show["state"] as? String == "verified")
        let methods = (show["subjects"] as? [[String: Any]] ?? []).compactMap { $0["method"] as? String }
        #expect(methods == ["OTP", "email link"])
    }

    @Test func theOverdueQueueHoldsExactlyTheOpenRequestsPastTheirDueInstant() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        // Correction received Mon 1 Jun: due at the end of Thu 11 Jun (00:00 on 12 Jun, Vietnam time).
        let late =
            try new(
                desk, "--type", "correction", "--subject", "0903000111", "--channel", "phone", "--received-at",
                "2026-06-01T09:00:00+07:00")["id"] as! String
        let closed =
            try new(
                desk, "--type", "objection", "--subject", "0904000222", "--channel", "zalo", "--received-at",
                "2026-05-01T09:00:00+07:00")["id"] as! String
        #expect(try desk.run("request", "complete", closed, "--at", "2026-05-02T09:00:00+07:00").status == 0)
        func overdue(_ time: String) throws -> [String] {
            let json = try desk.run("request", "list", "--overdue", "--as-of", time, "--json").json()
            return (json["requests"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try overdue("2026-06-11T23:59:59+07:00") == [])
        #expect(try overdue("2026-06-12T00:00:01+07:00") == [late])
        let soon = try desk.run(
            "request", "list", "--due-within", "2", "--as-of", "2026-06-10T08:00:00+07:00", "--json")
        #expect((try soon.json()["requests"] as? [[String: Any]])?.count == 1)
    }

    @Test func anObjectionSuppressesEveryListAtIntakeAndScopeAllWidensOnceVerified() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        #expect(
            try desk.run("lists", "import", try desk.file("a.csv", "phone\n0903000111\n0904000222\n"), "--list", "a")
                .status == 0)
        #expect(
            try desk.run("lists", "import", try desk.file("b.csv", "phone\n84903000111\n"), "--list", "b").status == 0)
        let id =
            try new(
                desk, "--type", "objection", "--subject", "(+84) 903-000-111", "--channel", "zalo", "--scope", "all",
                "--received-at", "2026-06-01T09:00:00+07:00")["id"] as! String
        for list in ["a", "b"] {
            let show = try desk.run("lists", "show", list, "--json").json()
            #expect(show["suppressed"] as? Int == 1)
            #expect((show["suppressed_by_purpose"] as? [String: Int])?["all"] == 0)
        }
        #expect(try desk.run("request", "verify", id, "--method", "OTP").status == 0)
        let show = try desk.run("lists", "show", "a", "--json").json()
        #expect((show["suppressed_by_purpose"] as? [String: Int])?["all"] == 1)
        // Rejecting does not lift the suppression.
        #expect(try desk.run("request", "reject", id, "--ground", "abusive", "--note", "test").status == 0)
        #expect(try desk.run("lists", "show", "a", "--json").json()["suppressed"] as? Int == 1)
    }

    @Test func oneExtensionWithAReasonMovesTheDueDate() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        // Access received Mon 1 Jun 2026: due Thu 11 Jun; 10 + 10 days from Tue 2 Jun → Sun 21 Jun → Mon 22 Jun.
        let id =
            try new(
                desk, "--type", "access", "--subject", "0903000111", "--channel", "email", "--received-at",
                "2026-06-01T09:00:00+07:00")["id"] as! String
        let extended = try desk.run(
            "request", "extend", id, "--reason", "dữ liệu nằm ở ba hệ thống", "--at", "2026-06-05T10:00:00+07:00",
            "--json")
        #expect(extended.status == 0, "\(extended.stderr)")
        #expect(try extended.json()["due_date"] as? String == "2026-06-22")
        #expect(try extended.json()["extended"] as? Bool == true)
        #expect(
            try desk.run("request", "extend", id, "--reason", "again", "--at", "2026-06-06T10:00:00+07:00").status == 1)
        // Decree 13 had no extension.
        let old =
            try new(
                desk, "--type", "access", "--subject", "0904000222", "--channel", "email", "--received-at",
                "2025-06-02T09:00:00+07:00")["id"] as! String
        #expect(
            try desk.run("request", "extend", old, "--reason", "x", "--at", "2025-06-03T09:00:00+07:00").status == 1)
    }

    @Test func stepsMayNotPrecedeThePreviousEventAndLateCompletionsAreRecorded() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let id =
            try new(
                desk, "--type", "objection", "--subject", "0903000111", "--channel", "paper", "--received-at",
                "2026-06-01T09:00:00+07:00")["id"] as! String
        #expect(try desk.run("request", "ack", id, "--at", "2026-05-31T09:00:00+07:00").status == 1)
        let done = try desk.run(
            "request", "complete", id, "--at", "2026-06-20T09:00:00+07:00", "--late-reason", "hệ thống lỗi", "--json")
        #expect(done.status == 0)
        #expect(try done.json()["late"] as? Bool == true)
        let show = try desk.run("request", "show", id, "--json").json()
        #expect(show["late_reason"] as? String == "hệ thống lỗi")
    }

    @Test func aSecondOpenRequestOfTheSameTypeNamesTheFirstAsDuplicate() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let first = try new(desk, "--type", "access", "--subject", "0903000111", "--channel", "web")["id"] as! String
        let second = try new(desk, "--type", "access", "--subject", "+84 903 000 111", "--channel", "zalo")
        #expect(second["duplicate_of"] as? String == first)
        let other = try new(desk, "--type", "deletion", "--subject", "0903000111", "--channel", "zalo")
        #expect(other["duplicate_of"] is NSNull)
    }

    @Test func aRejectionCarriesItsGroundAndCitation() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let id = try new(desk, "--type", "deletion", "--subject", "0903000111", "--channel", "web")["id"] as! String
        #expect(try desk.run("request", "reject", id, "--ground", "nonsense", "--note", "x").status == 64)
        let result = try desk.run(
            "request", "reject", id, "--ground", "legal-retention", "--note", "Luật Kế toán 2015, Điều 41", "--json")
        #expect(result.status == 0)
        let show = try desk.run("request", "show", id, "--json").json()
        #expect(show["ground"] as? String == "legal-retention")
        #expect((show["ground_citation"] as? String)?.contains("Art. 14") == true)
    }

    @Test func correctionAppliesItsValuesToEveryEntryOfThePerson() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let a = try desk.file("a.csv", "phone,name\n0903000111,Lan\n0904000222,Hùng\n")
        let b = try desk.file("b.csv", "sđt;họ tên\n84903000111;Lan cũ\n")
        #expect(try desk.run("lists", "import", a, "--list", "a").status == 0)
        #expect(try desk.run("lists", "import", b, "--list", "b").status == 0)
        let id = try new(desk, "--type", "correction", "--subject", "0903000111", "--channel", "phone")["id"] as! String
        #expect(try desk.run("request", "verify", id, "--method", "CCCD").status == 0)
        #expect(try desk.run("request", "complete", id, "--set", "phone=0999999999").status == 1)
        #expect(try desk.run("request", "complete", id, "--set", "name=Nguyễn Thị Lan").status == 0)
        for list in ["a", "b"] {
            let out = desk.directory.appendingPathComponent("\(list)-out.csv").path
            #expect(try desk.run("lists", "export", list, "--purpose", "transactional", "--out", out).status == 0)
            let text = try String(contentsOfFile: out, encoding: .utf8)
            #expect(text.contains("Nguyễn Thị Lan"), "\(list): \(text)")
        }
        #expect(try desk.run("audit", "verify").status == 0)
    }

    @Test func anAddedHolidayMovesNewDeadlinesButNotFixedOnes() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        // Access received Mon 1 Jun 2026 → due Thu 11 Jun. Declaring 11 Jun a day off moves a new request to Fri 12.
        let before = try new(
            desk, "--type", "access", "--subject", "0903000111", "--channel", "web", "--received-at",
            "2026-06-01T09:00:00+07:00")
        #expect(try desk.run("holidays", "add", "2026-06-11", "--name", "Ngày nghỉ bù").status == 0)
        let after = try new(
            desk, "--type", "access", "--subject", "0904000222", "--channel", "web", "--received-at",
            "2026-06-01T09:00:00+07:00")
        #expect(after["due_date"] as? String == "2026-06-12")
        let fixed = try desk.run("request", "show", before["id"] as! String, "--json").json()
        #expect(fixed["due_date"] as? String == "2026-06-11")
        #expect(try desk.run("holidays", "list", "--year", "2026").stdout.contains("Ngày nghỉ bù"))
    }

    @Test func rulesShowListsBothRegimesWithCitations() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let json = try desk.run("rules", "show", "--json").json()
        let ids = (json["rule_sets"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(Set(ids) == ["vn-pdpl-2026", "vn-decree13"])
    }

    @Test(arguments: ["vi", "en"])
    func everyLetterRendersAndIsRecordedWhenSent(lang: String) throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let id =
            try new(
                desk, "--type", "objection", "--subject", "0903000111", "--channel", "zalo", "--name", "Nguyễn Thị Lan",
                "--received-at", "2026-06-01T09:00:00+07:00")["id"] as! String
        for kind in ["ack", "refusal-confirmation"] {
            let letter = try desk.run("request", "letter", id, "--kind", kind, "--lang", lang)
            #expect(letter.status == 0, "\(kind): \(letter.stderr)")
            #expect(letter.stdout.contains("Nguyễn Thị Lan"))
        }
        #expect(try desk.run("request", "letter", id, "--kind", "rejection", "--lang", lang).status == 1)
        #expect(
            try desk.run("request", "extend", id, "--reason", "cần xác minh", "--at", "2026-06-02T09:00:00+07:00")
                .status == 0)
        #expect(try desk.run("request", "letter", id, "--kind", "extension", "--lang", lang).status == 0)
        #expect(try desk.run("request", "complete", id, "--at", "2026-06-03T09:00:00+07:00").status == 0)
        let sent = try desk.run("request", "letter", id, "--kind", "completion", "--lang", lang, "--send")
        #expect(sent.status == 0)
        let show = try desk.run("request", "show", id, "--json").json()
        let letters = show["letters"] as? [[String: Any]] ?? []
        let stored = (letters.first?["text"] as? String)?.trimmingCharacters(in: .newlines)
        #expect(letters.count == 1 && stored == sent.stdout.trimmingCharacters(in: .newlines))
        #expect(try desk.run("audit", "verify").status == 0)
    }

    @Test func processorsToldAreRecordedWithTheirConfirmation() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let id =
            try new(desk, "--type", "deletion", "--subject", "0903000111", "--channel", "web", "--processors")["id"]
            as! String
        let result = try desk.run(
            "request", "processor", id, "0312345678", "--name", "Công ty Gửi Tin", "--notified",
            "2026-06-02T09:00:00+07:00", "--confirmed", "2026-06-03T10:00:00+07:00", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let told = try result.json()["processors_told"] as? [[String: Any]] ?? []
        #expect(told.first?["confirmed_at"] as? String == "2026-06-03T10:00:00+07:00")
    }
}
