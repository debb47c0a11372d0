import Foundation
import Testing

/// Consent, suppressions, Do-Not-Call, send logs and the gate (CONTRACT.md), driven through the built binary.
@Suite("suppression, end to end")
struct SuppressionEndToEndTests {
    /// A marketing consent given long before every time used below.
    static let consentAt = "2025-09-01T08:00:00+07:00"

    // MARK: - Helpers

    /// Imports `csv` as list `name` and returns the import's JSON.
    @discardableResult
    func importList(_ desk: Desk, _ name: String, _ csv: String, _ options: String...) throws -> [String: Any] {
        let path = try desk.file("list-\(name)-\(UUID().uuidString).csv", csv)
        let result = try desk.run(["lists", "import", path, "--list", name] + options + ["--json"])
        #expect(result.status == 0, "lists import \(name): \(result.stderr)")
        return try result.json()
    }

    /// Files an objection and returns the request id.
    func objection(_ desk: Desk, _ subject: String, receivedAt: String) throws -> String {
        let request = try json(
            desk, "request", "new", "--type", "objection", "--subject", subject, "--channel", "zalo", "--received-at",
            receivedAt)
        return try #require(request["id"] as? String)
    }

    /// Imports a provider's send log written as `csv`.
    func sends(
        _ desk: Desk, _ csv: String, campaign: String, channel: String = "sms", purpose: String = "marketing"
    ) throws {
        let path = try desk.file("sends-\(campaign)-\(UUID().uuidString).csv", csv)
        let result = try desk.run(
            "sends", "import", path, "--campaign", campaign, "--channel", channel, "--purpose", purpose, "--json")
        #expect(result.status == 0, "sends import \(campaign): \(result.stderr)")
    }

    /// One run of the gate with the paths it was told to write.
    struct GateRun {
        var result: Desk.Result
        var clean: String
        var excluded: String

        var json: [String: Any] { (try? result.json()) ?? [:] }

        /// The `excluded` counts of the JSON, without zero entries.
        var counts: [String: Int] {
            ((json["excluded"] as? [String: Int]) ?? [:]).filter { $0.value != 0 }
        }

        /// Physical line → reason, read from the EXCLUDED file.
        func reasons() throws -> [Int: String] {
            var reasons: [Int: String] = [:]
            for row in try table(excluded) { reasons[Int(row["line"] ?? "") ?? -1] = row["reason"] }
            return reasons
        }

        /// The `normalized` column of the CLEAN file, in order.
        func allowed() throws -> [String] { try table(clean).map { $0["normalized"] ?? "" } }

        var wroteNothing: Bool {
            !FileManager.default.fileExists(atPath: clean) && !FileManager.default.fileExists(atPath: excluded)
        }
    }

    /// Runs `gate` on the batch at `batch`; `options` are appended (`--dry-run` unless a campaign is given).
    func gate(
        _ desk: Desk, _ batch: String, channel: String, purpose: String = "marketing", at time: String,
        _ options: String...
    ) throws -> GateRun {
        let run = UUID().uuidString
        let clean = desk.directory.appendingPathComponent("clean-\(run).csv").path
        let excluded = desk.directory.appendingPathComponent("excluded-\(run).csv").path
        var arguments = ["gate", batch, "--channel", channel, "--purpose", purpose, "--at", time]
        arguments += options.contains("--campaign") ? options : options + ["--dry-run"]
        arguments += ["--out", clean, "--excluded", excluded, "--json"]
        return GateRun(result: try desk.run(arguments), clean: clean, excluded: excluded)
    }

    /// The `normalized` values `lists export` writes for `list` with `options`.
    func exported(_ desk: Desk, _ list: String, _ options: String...) throws -> [String] {
        let out = desk.directory.appendingPathComponent("export-\(UUID().uuidString).csv").path
        let result = try desk.run(["lists", "export", list, "--out", out] + options)
        #expect(result.status == 0, "lists export \(list) \(options): \(result.stderr)")
        return try table(out).map { $0["normalized"] ?? "" }
    }

    func why(_ desk: Desk, _ identifier: String) throws -> [String: Any] { try json(desk, "why", identifier) }

    func violations(_ desk: Desk) throws -> [[String: Any]] {
        try json(desk, "violations")["violations"] as? [[String: Any]] ?? []
    }

    func show(_ desk: Desk, _ list: String) throws -> [String: Any] { try json(desk, "lists", "show", list) }

    // MARK: - Objections at intake

    @Test func anObjectionKeepsEveryWrittenFormOutOfMarketingForItsScopeFromItsReceipt() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        // One person in three lists, written three ways, with marketing consent for SMS, Zalo and calls; Hùng is
        // the control that must keep passing.
        let consent = "\(Self.consentAt),sms;zalo;call"
        try importList(
            desk, "a", "phone,ten,consent_at,channel\n+84912345678,Lan,\(consent)\n0904000222,Hùng,\(consent)\n")
        try importList(desk, "b", "phone,consent_at,channel\n84912345678,\(consent)\n")
        try importList(desk, "c", "phone,consent_at,channel\n(+84) 912-345-678,\(consent)\n")
        #expect(Set(try exported(desk, "a", "--channel", "sms")) == ["+84912345678", "+84904000222"])
        #expect(try exported(desk, "c", "--channel", "call") == ["+84912345678"])

        let id = try objection(desk, "0912 345 678", receivedAt: "2026-06-01T09:00:00+07:00")
        #expect(id.isEmpty == false)
        for list in ["a", "b", "c"] {
            #expect(try show(desk, list)["suppressed"] as? Int == 1, "\(list)")
            for channel in ["sms", "zalo", "call"] {
                let rows = try exported(desk, list, "--channel", channel, "--purpose", "marketing")
                #expect(!rows.contains("+84912345678"), "\(list) \(channel): \(rows)")
                #expect((list == "a") == rows.contains("+84904000222"), "\(list) \(channel): \(rows)")
            }
        }
        // The objection is to marketing: transactional exports still carry the number.
        #expect(Set(try exported(desk, "a", "--purpose", "transactional")) == ["+84912345678", "+84904000222"])

        // Every gate on a phone channel, in every written form: line 2 SUPPRESSED, Hùng allowed.
        for form in ["0912 345 678", "+84912345678", "84912345678", "(+84) 912-345-678"] {
            let batch = try desk.file("batch-\(UUID().uuidString).csv", "phone,ten\n\(form),Lan\n0904000222,Hùng\n")
            for channel in ["sms", "zalo", "call"] {
                let run = try gate(desk, batch, channel: channel, at: "2026-06-02T10:00:00+07:00")
                #expect(run.result.status == 0, "\(form) \(channel): \(run.result.stderr)")
                #expect(try run.reasons() == [2: "SUPPRESSED"], "\(form) \(channel)")
                #expect(try run.allowed() == ["+84904000222"], "\(form) \(channel)")
                #expect(run.json["rows"] as? Int == 2 && run.json["allowed"] as? Int == 1)
                #expect(run.counts == ["SUPPRESSED": 1], "\(form) \(channel)")
            }
            // Transactional: a marketing objection does not stop it (and hours do not apply: 23:30 is fine).
            let otp = try gate(desk, batch, channel: "sms", purpose: "transactional", at: "2026-06-02T23:30:00+07:00")
            #expect(otp.result.status == 0, "\(otp.result.stderr)")
            #expect(try otp.allowed() == ["+84912345678", "+84904000222"], "\(form)")
            #expect(try otp.reasons() == [:])
        }

        // From the receipt instant: one second before it the consented number still passes, one second after not.
        let batch = try desk.file("edge.csv", "phone\n84912345678\n0904000222\n")
        let before = try gate(desk, batch, channel: "sms", at: "2026-06-01T08:59:59+07:00")
        #expect(try before.allowed() == ["+84912345678", "+84904000222"], "\(before.result.stderr)")
        let after = try gate(desk, batch, channel: "sms", at: "2026-06-01T09:00:01+07:00")
        #expect(try after.reasons() == [2: "SUPPRESSED"], "\(after.result.stderr)")
    }

    @Test func aDeletedNumberImportedAgainArrivesSuppressedForAllPurposes() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importList(desk, "cu", "phone,ten\n0903000111,Lan\n")
        let id = try #require(
            try json(
                desk, "request", "new", "--type", "deletion", "--subject", "0903 000 111", "--channel", "web",
                "--received-at", "2026-06-01T09:00:00+07:00")["id"] as? String)
        #expect(
            try desk.run("request", "verify", id, "--method", "OTP", "--at", "2026-06-02T09:00:00+07:00").status == 0)
        #expect(try desk.run("request", "complete", id, "--at", "2026-06-03T09:00:00+07:00").status == 0)

        // A new list written another way: 0084903000111 is Lan again and arrives suppressed; Hùng does not.
        let imported = try importList(desk, "moi", "phone,ten\n0084903000111,Lan\n0904000222,Hùng\n")
        #expect(imported["imported"] as? Int == 2)
        #expect(imported["suppressed"] as? Int == 1)
        let counts = try show(desk, "moi")
        #expect(counts["entries"] as? Int == 2 && counts["active"] as? Int == 1 && counts["suppressed"] as? Int == 1)
        #expect((counts["suppressed_by_purpose"] as? [String: Int])?["all"] == 1)
        // Purpose all: even a transactional export or gate leaves her out.
        #expect(try exported(desk, "moi", "--purpose", "transactional") == ["+84904000222"])
        let batch = try desk.file("otp.csv", "phone\n+84 903 000 111\n0904000222\n")
        let otp = try gate(desk, batch, channel: "sms", purpose: "transactional", at: "2026-06-04T10:00:00+07:00")
        #expect(try otp.reasons() == [2: "SUPPRESSED"], "\(otp.result.stderr)")
        let suppressions = try why(desk, "0903000111")["suppressions"] as? [[String: Any]] ?? []
        #expect(suppressions.contains { $0["purpose"] as? String == "all" && $0["request_id"] as? String == id })
    }

    // MARK: - why and violations

    @Test func whyShowsListsSuppressionAndSendsAndViolationsHoldOnlyTheSendAfterTheObjection() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importList(
            desk, "loyalty", "phone,consent_at\n0903000111,\(Self.consentAt)\n", "--source", "CRM 2025",
            "--consent-channel", "sms")
        try importList(desk, "leads", "phone,ten\n84903000111,Lan\n", "--source", "hội chợ")
        let id = try objection(desk, "0903 000 111", receivedAt: "2026-06-01T09:00:00+07:00")
        // One send two days before the objection, one the day after it.
        try sends(desk, "phone,sent_at\n0903000111,2026-05-30T10:00:00+07:00\n", campaign: "thang-5")
        try sends(desk, "phone,sent_at\n+84 903 000 111,2026-06-02T10:00:00+07:00\n", campaign: "thang-6")

        let held = try why(desk, "(+84) 903-000-111")
        #expect(held["identifier"] as? String == "+84903000111")
        let lists = held["lists"] as? [[String: Any]] ?? []
        let byName = Dictionary(lists.map { ($0["list"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(byName.keys) == ["loyalty", "leads"])
        #expect(byName["loyalty"]?["source"] as? String == "CRM 2025")
        #expect(byName["leads"]?["source"] as? String == "hội chợ")
        #expect(lists.allSatisfy { $0["status"] as? String == "suppressed" })
        #expect(lists.allSatisfy { ($0["imported_at"] as? String)?.isEmpty == false })
        #expect(!isNothing(byName["loyalty"]?["consent"]), "loyalty carries the SMS consent")
        #expect(isNothing(byName["leads"]?["consent"]), "leads had no consent_at")

        let suppressions = held["suppressions"] as? [[String: Any]] ?? []
        #expect(suppressions.count == 1)
        #expect(suppressions.first?["request_id"] as? String == id)
        #expect(suppressions.first?["since"] as? String == "2026-06-01T09:00:00+07:00")
        #expect(suppressions.first?["purpose"] as? String == "marketing")
        #expect(suppressions.first?["channel"] as? String == "any")

        let sent = (held["sends"] as? [[String: Any]] ?? []).map { send -> String in
            let fields = ["campaign", "channel", "purpose", "sent_at"].map { send[$0] as? String ?? "?" }
            return (fields + ["\(send["delivered"] as? Bool ?? false)"]).joined(separator: " ")
        }
        #expect(
            Set(sent) == [
                "thang-5 sms marketing 2026-05-30T10:00:00+07:00 true",
                "thang-6 sms marketing 2026-06-02T10:00:00+07:00 true",
            ])
        let requests = held["requests"] as? [[String: Any]] ?? []
        #expect(requests.contains { $0["id"] as? String == id && $0["type"] as? String == "objection" })
        let explanation = held["explanation"] as? [String: String] ?? [:]
        #expect(explanation["vi"]?.isEmpty == false && explanation["en"]?.isEmpty == false)

        // Only the June send came after the objection took effect.
        let found = try violations(desk)
        #expect(found.count == 1, "\(found)")
        let violation = try #require(found.first)
        #expect(violation["identifier"] as? String == "+84903000111")
        #expect(violation["campaign"] as? String == "thang-6")
        #expect(violation["channel"] as? String == "sms")
        #expect(violation["purpose"] as? String == "marketing")
        #expect(violation["sent_at"] as? String == "2026-06-02T10:00:00+07:00")
        #expect(violation["rule"] as? String == "SUPPRESSED")
        #expect(violation["request_id"] as? String == id)
    }

    @Test func whyMarksARowSuppressedByAnyIdentifierOnItOnlyWhileThatSuppressionIsInForce() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importList(desk, "crm", "phone,email\n0903000111,lan.nguyen@example.vn\n")
        try importList(desk, "zalo", "phone\n0903000111\n")
        func statuses() throws -> [String: String] {
            let lists = try why(desk, "0903 000 111")["lists"] as? [[String: Any]] ?? []
            return Dictionary(
                lists.map { ($0["list"] as? String ?? "", $0["status"] as? String ?? "") },
                uniquingKeysWith: { a, _ in a })
        }
        #expect(try statuses() == ["crm": "active", "zalo": "active"])
        // The email on the CRM row is suppressed: the row links it to the number, so the person is suppressed,
        // in every list (CONTRACT.md "One person, several identifiers").
        let email = try desk.run("suppress", "lan.nguyen@example.vn", "--reason", "hủy nhận email")
        #expect(email.status == 0, "\(email.stderr)")
        #expect(try statuses() == ["crm": "suppressed", "zalo": "suppressed"])
        // The number itself: both rows.
        #expect(try desk.run("suppress", "0903000111", "--reason", "khách gọi tổng đài").status == 0)
        #expect(try statuses() == ["crm": "suppressed", "zalo": "suppressed"])
        // Lifted suppressions no longer count.
        for identifier in ["lan.nguyen@example.vn", "0903000111"] {
            let lifted = try desk.run(
                "suppress", "lift", identifier, "--channel", "any", "--purpose", "marketing", "--reason",
                "khách đăng ký lại tại quầy")
            #expect(lifted.status == 0, "\(lifted.stderr)")
        }
        #expect(try statuses() == ["crm": "active", "zalo": "active"])
    }

    @Test func aDeliveredMarketingSendToANumberOnTheDoNotCallVersionInForceIsAViolation() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        // Version 1 (from 1 Jan 2026): 84987001002, 0977555666, +84 91 111 2222. Version 2 (from 1 Mar 2026) drops
        // 0977555666.
        let v1 = try json(desk, "dnc", "import", Desk.fixture("dnc-sample.txt"), "--as-of", "2026-01-01T00:00:00+07:00")
        #expect(v1["numbers"] as? Int == 3)
        let update = try desk.file("dnc-2026-03.txt", "# bản cập nhật\n84987001002\n+84 91 111 2222\n")
        #expect(try json(desk, "dnc", "import", update, "--as-of", "2026-03-01T00:00:00+07:00")["numbers"] as? Int == 2)
        try sends(
            desk,
            """
            phone,sent_at,error
            0977555666,2025-12-20T10:00:00+07:00,0
            0977555666,2026-02-10T10:00:00+07:00,0
            0977555666,2026-03-05T10:00:00+07:00,0
            0911112222,2026-02-10T10:05:00+07:00,-1

            """, campaign: "tet")
        // A transactional notice to a listed number is outside Decree 91.
        try sends(
            desk, "phone,sent_at\n0987001002,2026-02-11T10:00:00+07:00\n", campaign: "otp", purpose: "transactional")
        // Only the February send: December precedes every version, March falls under version 2, the 0911 send
        // was not delivered, and the OTP is transactional.
        let found = try violations(desk)
        #expect(found.count == 1, "\(found)")
        let violation = try #require(found.first)
        #expect(violation["identifier"] as? String == "+84977555666")
        #expect(violation["campaign"] as? String == "tet")
        #expect(violation["sent_at"] as? String == "2026-02-10T10:00:00+07:00")
        #expect(violation["rule"] as? String == "DNC")
        #expect(!(violation["request_id"] is String))
    }

    // MARK: - The gate

    @Test func gateReasonsCountsAndFilesMatchAHandBuiltBatchRowForRow() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        // A and B are on the Do-Not-Call list; B and C have no consent; everyone else consented to SMS.
        try importList(
            desk, "kh",
            """
            phone,ten,consent_at
            0903000111,A,\(Self.consentAt)
            0904000222,B,
            0905000333,C,
            0906000444,D,\(Self.consentAt)
            0907000555,E,\(Self.consentAt)
            0908000666,F,\(Self.consentAt)
            0909000777,G,\(Self.consentAt)
            0902000888,H,\(Self.consentAt)

            """, "--consent-channel", "sms")
        let dnc = try desk.file("dnc.txt", "0903000111\n0904000222\n")
        #expect(try desk.run("dnc", "import", dnc, "--as-of", "2026-01-01T00:00:00+07:00").status == 0)
        _ = try objection(desk, "0903000111", receivedAt: "2026-06-01T09:00:00+07:00")

        // The batch goes at T = 20:00 on 10 Jun; the cap window is (20:00 on 9 Jun, 20:00 on 10 Jun].
        let at = "2026-06-10T20:00:00+07:00"
        // D: three delivered sends in three campaigns inside the window → 3 already, capped.
        // G: one at exactly T - 24h (outside: the start is exclusive), two inside, two not delivered → 2, allowed.
        try sends(
            desk,
            "phone,sent_at,error\n0906000444,2026-06-09T21:00:00+07:00,0\n0909000777,2026-06-09T20:00:00+07:00,0\n",
            campaign: "s1")
        try sends(
            desk,
            "phone,sent_at,error\n0906000444,2026-06-10T10:00:00+07:00,0\n0909000777,2026-06-10T10:00:00+07:00,0\n",
            campaign: "s2")
        try sends(
            desk,
            "phone,sent_at,error\n0906000444,2026-06-10T19:00:00+07:00,0\n0909000777,2026-06-10T18:00:00+07:00,0\n",
            campaign: "s3")
        try sends(
            desk, "phone,sent_at,error,message\n0909000777,2026-06-10T19:00:00+07:00,-114,inactive\n", campaign: "s4")
        try sends(
            desk, "phone,sent_at,error,message\n0909000777,2026-06-10T19:30:00+07:00,-118,no account\n", campaign: "s5")
        // E and H through earlier gate runs: c1 planned and then in c1's own send log is one message (the larger of
        // planned and delivered); the dry run counts not at all; c2 once → E has 2 (allowed). H also gets c4 → 3
        // (capped). Decree 91 Art. 13(5) counts messages: a second wave of c1 would have been a third.
        let earlier = try desk.file("earlier.csv", "phone\n0907000555\n0902000888\n")
        for (campaign, time) in [("c1", "15:00"), ("c2", "18:00")] {
            let run = try gate(desk, earlier, channel: "sms", at: "2026-06-10T\(time):00+07:00", "--campaign", campaign)
            #expect(run.result.status == 0 && run.json["allowed"] as? Int == 2, "\(campaign): \(run.result.stderr)")
        }
        let dry = try gate(
            desk, earlier, channel: "sms", at: "2026-06-10T17:00:00+07:00", "--campaign", "nhap", "--dry-run")
        #expect(dry.json["allowed"] as? Int == 2, "\(dry.result.stderr)")
        let onlyH = try desk.file("h.csv", "phone\n0902000888\n")
        let c4 = try gate(desk, onlyH, channel: "sms", at: "2026-06-10T19:00:00+07:00", "--campaign", "c4")
        #expect(c4.json["allowed"] as? Int == 1, "H had 2 (c1, c2) before c4: \(c4.result.stderr)")
        try sends(desk, "phone,sent_at\n0907000555,2026-06-10T16:05:00+07:00\n", campaign: "c1")

        let batch = try desk.file(
            "batch.csv",
            """
            phone,ten,ghi_chu
            0903000111,A,
            abc,Bad,
            0904000222,B,
            0905000333,C,
            0906000444,D,
            0908000666,"F
            dòng hai",
            +84 903 000 111,A2,
            0907000555,E,
            0909000777,G,\"có dấu phẩy, và \"\"ngoặc\"\"\"
            0902000888,H,
            0904 000 222,B2,

            """)
        let run = try gate(desk, batch, channel: "sms", at: at)
        #expect(run.result.status == 0, "\(run.result.stderr)")
        // Line 2 A: suppressed (and on DNC: SUPPRESSED comes first). 3: invalid. 4 B: on DNC without consent → DNC.
        // 5 C: NO_CONSENT. 6 D: capped. 7-8 F: allowed (one record, two lines). 9: A again → DUPLICATE before
        // SUPPRESSED. 10 E and 11 G: allowed. 12 H: capped. 13: B again → DUPLICATE.
        #expect(
            try run.reasons() == [
                2: "SUPPRESSED", 3: "INVALID_IDENTIFIER", 4: "DNC", 5: "NO_CONSENT", 6: "FREQUENCY_CAP",
                9: "DUPLICATE", 12: "FREQUENCY_CAP", 13: "DUPLICATE",
            ])
        #expect(run.json["rows"] as? Int == 11)
        #expect(run.json["allowed"] as? Int == 3)
        #expect(
            run.counts == [
                "INVALID_IDENTIFIER": 1, "DUPLICATE": 2, "SUPPRESSED": 1, "DNC": 1, "NO_CONSENT": 1,
                "FREQUENCY_CAP": 2,
            ])

        // EXCLUDED: exactly these columns; the identifier as written (or normalised, once it is valid).
        let excluded = try parseCSV(String(contentsOfFile: run.excluded, encoding: .utf8))
        #expect(excluded.first == ["line", "identifier", "reason", "detail"])
        let identifiers = Dictionary(
            try table(run.excluded).map { (Int($0["line"] ?? "") ?? -1, $0["identifier"] ?? "") },
            uniquingKeysWith: { a, _ in a })
        #expect(identifiers[3] == "abc")
        #expect(["+84 903 000 111", "+84903000111"].contains(identifiers[9] ?? ""))

        // CLEAN: the input's columns unchanged plus normalized, allowed rows in input order, values exact.
        let clean = try parseCSV(String(contentsOfFile: run.clean, encoding: .utf8))
        #expect(
            clean == [
                ["phone", "ten", "ghi_chu", "normalized"],
                ["0908000666", "F\ndòng hai", "", "+84908000666"],
                ["0907000555", "E", "", "+84907000555"],
                ["0909000777", "G", "có dấu phẩy, và \"ngoặc\"", "+84909000777"],
            ])
    }

    @Test(arguments: [
        // (channel, purpose, --at, --until, expected: "allowed", or the next allowed time stderr must name)
        // 23:59 UTC on 1 Jun is 06:59 on 2 Jun in Vietnam: before the SMS window opens at 07:00.
        ("sms", "marketing", "2026-06-01T23:59:00Z", "", "2026-06-02T07:00:00+07:00"),
        ("sms", "marketing", "2026-06-02T00:00:00Z", "", "allowed"),  // 07:00 Vietnam time
        ("sms", "marketing", "2026-06-02T21:59:00+07:00", "", "allowed"),
        ("sms", "marketing", "2026-06-02T22:00:00+07:00", "", "2026-06-03T07:00:00+07:00"),
        ("zalo", "marketing", "2026-06-02T22:00:00+07:00", "", "2026-06-03T07:00:00+07:00"),
        ("zalo", "marketing", "2026-06-02T07:00:00+07:00", "", "allowed"),
        ("call", "marketing", "2026-06-02T07:59:00+07:00", "", "2026-06-02T08:00:00+07:00"),
        ("call", "marketing", "2026-06-02T08:00:00+07:00", "", "allowed"),
        ("call", "marketing", "2026-06-02T16:59:00+07:00", "", "allowed"),
        ("call", "marketing", "2026-06-02T17:00:00+07:00", "", "2026-06-03T08:00:00+07:00"),
        ("email", "marketing", "2026-06-02T03:00:00+07:00", "", "allowed"),
        ("sms", "transactional", "2026-06-02T23:30:00+07:00", "", "allowed"),
        // --until must fall inside too: a batch running from 21:00 to 22:30 is refused, to 21:59 allowed.
        ("sms", "marketing", "2026-06-02T21:00:00+07:00", "2026-06-02T22:30:00+07:00", "refused"),
        ("sms", "marketing", "2026-06-02T21:00:00+07:00", "2026-06-02T21:59:00+07:00", "allowed"),
    ])
    func allowedHoursAreHalfOpenInVietnamTimeAndRefuseTheWholeBatch(
        channel: String, purpose: String, at time: String, until: String, expected: String
    ) throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        for consentChannel in ["sms", "zalo", "call"] {
            #expect(
                try desk.run(
                    "consent", "add", "0903000111", "--channel", consentChannel, "--at", "2026-01-05T09:00:00+07:00",
                    "--method", "SMS DK QC"
                ).status == 0)
        }
        #expect(
            try desk.run(
                "consent", "add", "LAN@example.vn", "--channel", "email", "--at", "2026-01-05T09:00:00+07:00",
                "--method", "web form", "--text", "Tôi đồng ý nhận thư khuyến mãi"
            ).status == 0)
        let batch = try desk.file(
            "batch.csv", channel == "email" ? "email\nlan@example.vn\n" : "phone\n0903000111\n")
        let run =
            until.isEmpty
            ? try gate(desk, batch, channel: channel, purpose: purpose, at: time)
            : try gate(desk, batch, channel: channel, purpose: purpose, at: time, "--until", until)
        if expected == "allowed" {
            #expect(run.result.status == 0, "\(run.result.stderr)")
            #expect(run.json["allowed"] as? Int == 1)
            #expect(try run.reasons() == [:])
        } else {
            #expect(run.result.status == 1)
            #expect(run.wroteNothing)
            let window = channel == "call" ? ["08:00", "17:00"] : ["07:00", "22:00"]
            #expect(window.allSatisfy { run.result.stderr.contains($0) }, "\(run.result.stderr)")
            if expected != "refused" { #expect(run.result.stderr.contains(expected), "\(run.result.stderr)") }
        }
    }

    @Test func consentIsTheLatestEventPerChannelAndAWithdrawalWinsATie() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        func consent(_ verb: String, _ channel: String, _ time: String) throws {
            var arguments = ["consent", verb, "0903000111", "--channel", channel, "--at", time]
            if verb == "add" { arguments += ["--method", "phiếu giấy", "--evidence", "PHIEU-\(time)"] }
            let result = try desk.run(arguments)
            #expect(result.status == 0, "consent \(verb): \(result.stderr)")
        }
        try consent("add", "sms", "2026-01-05T09:00:00+07:00")
        try consent("add", "call", "2026-01-05T09:00:00+07:00")
        try consent("withdraw", "sms", "2026-03-01T09:00:00+07:00")
        try consent("add", "sms", "2026-04-01T09:00:00+07:00")
        try consent("add", "sms", "2026-05-01T10:00:00+07:00")
        try consent("withdraw", "sms", "2026-05-01T10:00:00+07:00")
        let batch = try desk.file("batch.csv", "phone\n0903000111\n")
        // (channel, time, reason or nil when allowed)
        let cases: [(String, String, String?)] = [
            ("sms", "2026-01-04T10:00:00+07:00", "NO_CONSENT"),  // before any consent
            ("sms", "2026-02-28T10:00:00+07:00", nil),
            ("sms", "2026-03-02T10:00:00+07:00", "NO_CONSENT"),  // withdrawn on 1 Mar
            ("call", "2026-03-02T10:00:00+07:00", nil),  // consent is per channel
            ("sms", "2026-04-02T10:00:00+07:00", nil),  // given again on 1 Apr: a withdrawal is not a suppression
            ("sms", "2026-05-02T10:00:00+07:00", "NO_CONSENT"),  // the tie on 1 May goes to the withdrawal
        ]
        for (channel, time, reason) in cases {
            let run = try gate(desk, batch, channel: channel, at: time)
            #expect(run.result.status == 0, "\(run.result.stderr)")
            #expect(try run.reasons() == (reason.map { [2: $0] } ?? [:]), "\(channel) at \(time)")
        }
    }

    // MARK: - Send logs

    @Test func znsLogTagsDecidePurposeAndUndeliveredSendsAreNeitherViolationsNorRefusals() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        // 84987001002 (-114) and 84977555666 (-118) are on the Do-Not-Call list, but their sends were not delivered.
        #expect(
            try desk.run("dnc", "import", Desk.fixture("dnc-sample.txt"), "--as-of", "2026-01-01T00:00:00+07:00")
                .status == 0)
        // 84903123456 (tag 3, delivered) and 84933444555 (tag 1, delivered) objected on 1 Feb.
        let id = try objection(desk, "84903123456", receivedAt: "2026-02-01T09:00:00+07:00")
        _ = try objection(desk, "84933444555", receivedAt: "2026-02-01T09:00:00+07:00")
        let result = try desk.run(
            "sends", "import", Desk.fixture("zns-send-log.csv"), "--campaign", "zns-thang-2", "--channel", "zalo",
            "--purpose", "marketing", "--json")
        #expect(result.status == 0, "\(result.stderr)")

        func onlySend(_ identifier: String) throws -> [String: Any] {
            let sends = try why(desk, identifier)["sends"] as? [[String: Any]] ?? []
            #expect(sends.count == 1, "\(identifier): \(sends)")
            return sends.first ?? [:]
        }
        // Tag 1 is transactional whatever --purpose said; tag 3 stays marketing.
        #expect(try onlySend("0933444555")["purpose"] as? String == "transactional")
        let promotion = try onlySend("0903123456")
        #expect(promotion["purpose"] as? String == "marketing")
        #expect(promotion["channel"] as? String == "zalo")
        #expect(promotion["delivered"] as? Bool == true)
        #expect(promotion["sent_at"] as? String == "2026-02-10T09:00:03+07:00")

        // -114: not delivered, a soft signal; -118: not delivered, the channel is unreachable. Neither is a refusal.
        for (identifier, code) in [("84987001002", "-114"), ("84977555666", "-118")] {
            #expect(try onlySend(identifier)["delivered"] as? Bool == false, "\(identifier)")
            let explained = try desk.run("why", identifier, "--json", "--lang", "en")
            #expect(explained.stdout.contains(code), "\(identifier): \(explained.stdout)")
            let suppressions = try explained.json()["suppressions"] as? [[String: Any]]
            #expect(suppressions?.isEmpty == true, "\(identifier)")
        }
        let unreachable = try desk.run("why", "84977555666", "--json", "--lang", "en").stdout.lowercased()
        #expect(unreachable.contains("unreachable"), "\(unreachable)")

        // Only the delivered promotion to the person who objected.
        let found = try violations(desk)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?["identifier"] as? String == "+84903123456")
        #expect(found.first?["rule"] as? String == "SUPPRESSED")
        #expect(found.first?["request_id"] as? String == id)
        #expect(found.first?["channel"] as? String == "zalo")
    }

    // MARK: - Manual suppressions and lifts

    @Test func manualSuppressionsCountOnceAndLiftOnlyAsTheContractAllows() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let first = try json(desk, "suppress", "0903000111", "--reason", "khách gọi tổng đài")
        #expect(first["suppressed"] as? Int == 1 && first["already"] as? Int == 0 && tally(first["invalid"]) == 0)
        let again = try json(desk, "suppress", "84903000111", "--reason", "khách gọi lần nữa")
        #expect(again["suppressed"] as? Int == 0 && again["already"] as? Int == 1 && tally(again["invalid"]) == 0)

        // An unsubscribe export: header, comment, two new, one invalid (line 5), one already suppressed.
        let file = try desk.file(
            "unsubscribe.csv",
            "phone\n# danh sách hủy từ nhà cung cấp SMS, 06/2026\n0904000222\n+84 905 000 333\n12345\n0903 000 111\n")
        let bulk = try json(desk, "suppress", "--file", file, "--reason", "nhà cung cấp SMS báo hủy")
        #expect(bulk["suppressed"] as? Int == 2 && bulk["already"] as? Int == 1 && tally(bulk["invalid"]) == 1)
        if let invalid = bulk["invalid"] as? [[String: Any]] { #expect(invalid.map { $0["line"] as? Int } == [5]) }

        let imported = try importList(desk, "kh", "phone\n0903000111\n0904000222\n0905000333\n0906000444\n")
        #expect(imported["suppressed"] as? Int == 3)
        #expect(try show(desk, "kh")["suppressed"] as? Int == 3)

        // A manual suppression lifts with an officer's reason.
        let lifted = try desk.run(
            "suppress", "lift", "0904000222", "--channel", "any", "--purpose", "marketing", "--reason",
            "khách đăng ký lại tại quầy")
        #expect(lifted.status == 0, "\(lifted.stderr)")
        #expect(try show(desk, "kh")["suppressed"] as? Int == 2)

        // One the person caused (an objection received 1 Jun) lifts only on a consent recorded after it.
        let id = try objection(desk, "0906000444", receivedAt: "2026-06-01T09:00:00+07:00")
        #expect(try show(desk, "kh")["suppressed"] as? Int == 3)
        func lift(_ proof: String...) throws -> Desk.Result {
            try desk.run(["suppress", "lift", "0906000444", "--channel", "any", "--purpose", "marketing"] + proof)
        }
        #expect(try lift("--reason", "trưởng phòng đồng ý").status == 1)
        #expect(try lift("--consent-ref", "KHONG-CO").status == 1)
        #expect(
            try desk.run(
                "consent", "add", "0906000444", "--channel", "sms", "--at", "2026-05-01T09:00:00+07:00", "--method",
                "phiếu giấy", "--evidence", "PHIEU-2026-05"
            ).status == 0)
        #expect(try lift("--consent-ref", "PHIEU-2026-05").status == 1, "that consent precedes the objection")
        #expect(
            try desk.run(
                "consent", "add", "0906000444", "--channel", "sms", "--at", "2026-07-01T10:00:00+07:00", "--method",
                "web form", "--text", "Tôi đồng ý nhận tin khuyến mãi qua SMS", "--evidence", "WEB-2026-07-01"
            ).status == 0)
        // Recording the consent lifted nothing by itself.
        #expect(try show(desk, "kh")["suppressed"] as? Int == 3)
        let held = try why(desk, "0906000444")["suppressions"] as? [[String: Any]] ?? []
        #expect(held.contains { $0["request_id"] as? String == id })
        let proper = try lift("--consent-ref", "WEB-2026-07-01")
        #expect(proper.status == 0, "\(proper.stderr)")
        #expect(try show(desk, "kh")["suppressed"] as? Int == 2)
        let entry = (try why(desk, "0906000444")["lists"] as? [[String: Any]])?.first
        #expect(entry?["status"] as? String == "active")
        #expect(try desk.run("audit", "verify").status == 0)
    }

    // MARK: - Do-Not-Call versions

    @Test func doNotCallVersionsApplyFromTheirAsOfToPhoneChannelsInMarketingOnly() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importList(
            desk, "dnc",
            "phone,email,consent_at,channel\n0977555666,lan@example.vn,\(Self.consentAt),sms;call;zalo;email\n")
        let v1 = try json(desk, "dnc", "import", Desk.fixture("dnc-sample.txt"), "--as-of", "2026-01-01T00:00:00+07:00")
        #expect(v1["numbers"] as? Int == 3 && tally(v1["invalid"]) == 0)
        // Now (version 1 in force): an SMS export leaves the listed number out, an email export keeps the row.
        #expect(try exported(desk, "dnc", "--channel", "sms") == [])
        #expect(try exported(desk, "dnc", "--channel", "email").count == 1)

        let batch = try desk.file("batch.csv", "phone,email\n0977555666,lan@example.vn\n")
        // (channel, purpose, time, reason or nil when allowed)
        let cases: [(String, String, String, String?)] = [
            ("sms", "marketing", "2025-12-31T10:00:00+07:00", nil),  // before the version's as-of
            ("sms", "marketing", "2026-01-01T10:00:00+07:00", "DNC"),
            ("call", "marketing", "2026-01-02T10:00:00+07:00", "DNC"),
            ("zalo", "marketing", "2026-01-02T10:00:00+07:00", "DNC"),  // ZNS addressed by phone
            ("email", "marketing", "2026-01-02T10:00:00+07:00", nil),
            ("sms", "transactional", "2026-01-02T10:00:00+07:00", nil),
        ]
        for (channel, purpose, time, reason) in cases {
            let run = try gate(desk, batch, channel: channel, purpose: purpose, at: time)
            #expect(run.result.status == 0, "\(run.result.stderr)")
            #expect(try run.reasons() == (reason.map { [2: $0] } ?? [:]), "\(channel) \(purpose) at \(time)")
        }

        // Version 2 from 1 Mar leaves 0977555666 out; a bad line is reported by its physical line.
        let update = try desk.file("dnc-2026-03.txt", "phone\n# bản tháng 3\n84987001002\n12345\n")
        let v2 = try json(desk, "dnc", "import", update, "--as-of", "2026-03-01T00:00:00+07:00")
        #expect(v2["numbers"] as? Int == 1 && tally(v2["invalid"]) == 1)
        if let invalid = v2["invalid"] as? [[String: Any]] { #expect(invalid.map { $0["line"] as? Int } == [4]) }
        let february = try gate(desk, batch, channel: "sms", at: "2026-02-27T10:00:00+07:00")
        #expect(try february.reasons() == [2: "DNC"], "version 1 is still the one in force")
        let march = try gate(desk, batch, channel: "sms", at: "2026-03-02T10:00:00+07:00")
        #expect(try march.allowed() == ["+84977555666"], "\(march.result.stderr)")
    }

    // MARK: - Export and audit

    @Test func suppressExportWritesThePlainNumbersStillSuppressedAndGateRunsAreAudited() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        _ = try objection(desk, "0903 000 111", receivedAt: "2026-06-01T09:00:00+07:00")
        #expect(try desk.run("suppress", "0904000222", "--reason", "gọi tổng đài", "--channel", "sms").status == 0)
        #expect(try desk.run("suppress", "0905000333", "--reason", "chỉ email", "--channel", "email").status == 0)
        #expect(try desk.run("suppress", "lan@example.vn", "--reason", "hủy email").status == 0)
        #expect(try desk.run("suppress", "0906000444", "--reason", "nhầm").status == 0)
        #expect(
            try desk.run(
                "suppress", "lift", "0906000444", "--channel", "any", "--purpose", "marketing", "--reason", "nhập nhầm"
            ).status == 0)
        let file = try desk.file("huy.txt", "84907000555\n")
        #expect(try desk.run("suppress", "--file", file, "--reason", "nhà mạng báo hủy").status == 0)

        // For SMS: the objection (any channel), the SMS-only one and the file's number, in E.164; not the
        // email-only suppression, not the email address, not the lifted one.
        let out = desk.directory.appendingPathComponent("suppressed-sms.txt").path
        let export = try desk.run("suppress", "export", "--channel", "sms", "--out", out)
        #expect(export.status == 0, "\(export.stderr)")
        var lines = try String(contentsOfFile: out, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        if let first = lines.first, !first.hasPrefix("+") { lines.removeFirst() }  // an optional header
        #expect(lines.sorted() == ["+84903000111", "+84904000222", "+84907000555"])

        let batch = try desk.file("batch.csv", "phone\n0903000111\n0908000666\n")
        let before = try desk.auditEvents()
        let dry = try gate(desk, batch, channel: "sms", at: "2026-06-02T10:00:00+07:00")
        #expect(dry.result.status == 0, "\(dry.result.stderr)")
        let afterDry = try desk.auditEvents()
        #expect(afterDry > before)
        let planned = try gate(desk, batch, channel: "sms", at: "2026-06-02T10:00:00+07:00", "--campaign", "thang-6")
        #expect(planned.result.status == 0, "\(planned.result.stderr)")
        #expect(try desk.auditEvents() > afterDry)
        // Without --dry-run a campaign is required.
        #expect(
            try desk.run(
                "gate", batch, "--channel", "sms", "--purpose", "marketing", "--at",
                "2026-06-02T10:00:00+07:00", "--out", dry.clean + ".x", "--excluded", dry.excluded + ".x"
            ).status != 0)
        #expect(try desk.run("audit", "verify").status == 0)
    }
}

// MARK: - Reading what the binary wrote

/// Parses RFC 4180 text (records ended by LF or CRLF; a leading BOM ignored) into records of fields.
private func parseCSV(_ text: String) -> [[String]] {
    var scalars = Array(text.unicodeScalars)
    if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
    var records: [[String]] = []
    var record: [String] = []
    var field = String.UnicodeScalarView()
    var quoted = false
    var index = 0
    while index < scalars.count {
        let scalar = scalars[index]
        index += 1
        if quoted {
            if scalar != "\"" {
                field.append(scalar)
            } else if index < scalars.count && scalars[index] == "\"" {
                field.append(scalar)
                index += 1
            } else {
                quoted = false
            }
            continue
        }
        switch scalar {
        case "\"": quoted = true
        case ",":
            record.append(String(field))
            field = String.UnicodeScalarView()
        case "\r": continue
        case "\n":
            record.append(String(field))
            records.append(record)
            record = []
            field = String.UnicodeScalarView()
        default: field.append(scalar)
        }
    }
    if !field.isEmpty || !record.isEmpty {
        record.append(String(field))
        records.append(record)
    }
    return records
}

/// The rows of the CSV file at `path`, keyed by its header.
private func table(_ path: String) throws -> [[String: String]] {
    let records = parseCSV(try String(contentsOfFile: path, encoding: .utf8))
    guard let header = records.first else { return [] }
    return records.dropFirst().map { Dictionary(zip(header, $0), uniquingKeysWith: { a, _ in a }) }
}

/// A count written either as a number or as the list of rows it counts (CONTRACT.md: bad rows are a list).
private func tally(_ value: Any?) -> Int? {
    if let rows = value as? [Any] { return rows.count }
    return value as? Int
}

/// Whether a JSON value says "nothing": absent, null, false, zero, or an empty string, array or object.
private func isNothing(_ value: Any?) -> Bool {
    guard let value, !(value is NSNull) else { return true }
    if let array = value as? [Any] { return array.isEmpty }
    if let object = value as? [String: Any] { return object.isEmpty }
    if let text = value as? String { return text.isEmpty }
    if let number = value as? NSNumber { return number.intValue == 0 }
    return false
}
