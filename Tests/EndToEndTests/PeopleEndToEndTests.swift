import Foundation
import Testing

/// One person, one refusal, every send (CONTRACT.md "One person, several identifiers", "The gate"), through the
/// built binary: the scenarios a new user found broken, each as it was reported.
extension SuppressionEndToEndTests {
    /// An OA follower list: Lan and Minh, each with a phone and a Zalo id on one row, consenting to SMS and Zalo.
    static let followers = """
        phone,zalo_id,consent_at,channel
        0912345678,58210001,\(consentAt),sms;zalo
        0933444555,58210002,\(consentAt),sms;zalo

        """

    // MARK: - Linked identifiers

    @Test func aPhoneObjectionStopsTheZaloIdOnTheSameRowInTheGateTheExportAndWhy() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importList(desk, "oa", Self.followers, "--zalo-oa", "77")
        _ = try objection(desk, "0912345678", receivedAt: "2026-06-01T09:00:00+07:00")

        let batch = try desk.file("zns.csv", "zalo_id\nzalo:77:58210001\nzalo:77:58210002\n")
        let run = try gate(desk, batch, channel: "zalo", at: "2026-06-02T10:00:00+07:00", "--id-column", "zalo_id")
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(try run.allowed() == ["zalo:77:58210002"])
        #expect(try run.reasons() == [2: "SUPPRESSED"])
        // The export and the gate agree, on every channel.
        #expect(try exported(desk, "oa", "--channel", "zalo") == ["+84933444555"])
        #expect(try exported(desk, "oa", "--channel", "sms") == ["+84933444555"])
        #expect(try show(desk, "oa")["suppressed"] as? Int == 1)
        // Asked by her Zalo id, `why` answers for the person: the objection on her phone, and the channels stopped.
        let answer = try why(desk, "zalo:77:58210001")
        let suppressions = try #require(answer["suppressions"] as? [[String: Any]])
        #expect(suppressions.map { $0["identifier"] as? String } == ["+84912345678"])
        let identifiers = (answer["identifiers"] as? [[String: Any]])?.compactMap { $0["identifier"] as? String }
        #expect(Set(identifiers ?? []) == ["zalo:77:58210001", "+84912345678"])
        let channels = try #require(answer["channels"] as? [[String: Any]])
        #expect(channels.allSatisfy { ($0["allowed"] as? Bool) == false && ($0["reason"] as? String) == "SUPPRESSED" })
        // Minh is untouched.
        let minh = try why(desk, "0933444555")
        #expect((minh["suppressions"] as? [Any])?.isEmpty == true)
    }

    @Test func aZaloIdObjectionStopsAnSMSAndAZNSBatchByPhone() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importList(desk, "oa", Self.followers, "--zalo-oa", "77")
        _ = try objection(desk, "zalo:77:58210001", receivedAt: "2026-06-01T09:00:00+07:00")
        let batch = try desk.file("sms.csv", "phone\n0912345678\n0933444555\n")
        for channel in ["sms", "zalo"] {
            let run = try gate(desk, batch, channel: channel, at: "2026-06-02T10:00:00+07:00")
            #expect(try run.allowed() == ["+84933444555"], "\(channel)")
            #expect(try run.reasons() == [2: "SUPPRESSED"], "\(channel)")
        }
        let answer = try why(desk, "0912 345 678")
        let vi = try #require((answer["explanation"] as? [String: String])?["vi"])
        #expect(!vi.contains("đã đồng ý nhận tin qua zalo"), "\(vi)")
        #expect(vi.contains("ngừng gửi quảng cáo") && vi.contains("mọi kênh"), "\(vi)")
    }

    @Test func aZNSBatchByPhoneFindsTheZaloConsentRecordedOnTheZaloId() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        // Zalo consent only, which the import records on the Zalo id; the phone has none of its own.
        try importList(
            desk, "oa", "phone,zalo_id,consent_at,channel\n0912345678,58210001,\(Self.consentAt),zalo\n0944000111,,,\n",
            "--zalo-oa", "77")
        let batch = try desk.file("zns.csv", "phone\n0912345678\n0944000111\n")
        let zns = try gate(desk, batch, channel: "zalo", at: "2026-06-02T10:00:00+07:00")
        #expect(try zns.allowed() == ["+84912345678"])
        #expect(try zns.reasons() == [3: "NO_CONSENT"])
        // Consent does not spread to another channel: no SMS consent was given.
        let sms = try gate(desk, batch, channel: "sms", at: "2026-06-02T10:00:00+07:00")
        #expect(try sms.allowed().isEmpty)
    }

    @Test func aMixedZaloBatchSendsARowWithoutAZaloIdToItsPhone() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importList(
            desk, "oa",
            "phone,zalo_id,consent_at,channel\n0912345678,58210001,\(Self.consentAt),zalo\n"
                + "0944000111,,\(Self.consentAt),zalo\n0955000222,,\(Self.consentAt),zalo\n", "--zalo-oa", "77")
        _ = try objection(desk, "0955000222", receivedAt: "2026-06-01T09:00:00+07:00")
        // An OA row, a ZNS row by phone, a ZNS row whose person objected, and a row with neither.
        let batch = try desk.file(
            "mixed.csv", "zalo_id,phone,name\n58210001,0912345678,Lan\n,0944000111,Hùng\n,0955000222,Mai\n,,Trống\n")
        let run = try gate(desk, batch, channel: "zalo", at: "2026-06-02T10:00:00+07:00", "--zalo-oa", "77")
        #expect(run.result.status == 0, "\(run.result.stderr)")
        #expect(try run.allowed() == ["zalo:77:58210001", "+84944000111"])
        let reasons = try run.reasons()
        #expect(reasons[4] == "SUPPRESSED" && reasons[5] == "INVALID_IDENTIFIER", "\(reasons)")
    }

    @Test func identifiersNamedOnOneRequestOrLinkedByAnOfficerAreOnePerson() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let consent = "\(Self.consentAt),sms;email"
        try importList(desk, "crm", "phone,consent_at,channel\n0912345678,\(consent)\n0933444555,\(consent)\n")
        try importList(
            desk, "news", "email,consent_at,channel\nlan@example.vn,\(consent)\nminh@example.vn,\(consent)\n")
        // A deletion naming Lan's phone and email links them; it stops marketing at intake, before verification.
        _ = try json(
            desk, "request", "new", "--type", "deletion", "--subject", "0912345678", "--subject", "lan@example.vn",
            "--channel", "email", "--received-at", "2026-06-01T09:00:00+07:00")
        let mail = try desk.file("mail.csv", "email\nlan@example.vn\nminh@example.vn\n")
        #expect(
            try gate(desk, mail, channel: "email", at: "2026-06-02T10:00:00+07:00").allowed() == ["minh@example.vn"])
        // An officer links Minh's email to his phone; a refusal by email then stops SMS to the phone.
        let linked = try json(desk, "link", "minh@example.vn", "0933444555", "--reason", "khách xác nhận qua tổng đài")
        #expect(linked["identifiers"] as? Int == 2)
        _ = try objection(desk, "minh@example.vn", receivedAt: "2026-06-01T10:00:00+07:00")
        let sms = try desk.file("sms.csv", "phone\n0912345678\n0933444555\n")
        #expect(try gate(desk, sms, channel: "sms", at: "2026-06-02T10:00:00+07:00").allowed().isEmpty)
        #expect(try exported(desk, "crm", "--channel", "sms").isEmpty)
        // `link --remove` undoes the officer's own link, and only that: Minh's phone is free again.
        #expect(try desk.run("link", "minh@example.vn", "0933444555", "--remove").status == 0)
        #expect(try gate(desk, sms, channel: "sms", at: "2026-06-02T10:00:00+07:00").allowed() == ["+84933444555"])
        let again = try desk.run("link", "minh@example.vn", "0933444555", "--remove")
        #expect(again.status == 1 && again.stderr.contains("no officer's link"), "\(again.stderr)")
        // A link that came with a request is not the officer's to remove.
        #expect(try desk.run("link", "0912345678", "lan@example.vn", "--remove").status == 1)
        #expect(try desk.run("audit", "verify").status == 0)
    }

    @Test func violationsAndListCountsHoldForEveryIdentifierOfThePerson() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importList(desk, "oa", Self.followers, "--zalo-oa", "77")
        _ = try objection(desk, "0912345678", receivedAt: "2026-06-01T09:00:00+07:00")
        // A ZNS log sent to her Zalo id after the phone objection is a violation of it.
        try sends(
            desk,
            "zalo_id,sent_at,error\nzalo:77:58210001,2026-06-03T10:00:00+07:00,0\n"
                + "zalo:77:58210002,2026-06-03T10:00:00+07:00,0\n", campaign: "hè", channel: "zalo")
        let found = try violations(desk)
        #expect(found.map { $0["identifier"] as? String } == ["zalo:77:58210001"])
        #expect(found.first?["rule"] as? String == "SUPPRESSED")
    }

    // MARK: - The gate's time rules

    @Test func aMarketingBatchThatCrossesTheNightOrTheEndOfCallingHoursIsRefused() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importList(desk, "a", "phone,consent_at,channel\n0912345678,\(Self.consentAt),sms;call\n")
        let batch = try desk.file("b.csv", "phone\n0912345678\n")
        // Worked: SMS is allowed [07:00, 22:00): 21:00 to 08:00 the next day passes 22:00; 09:00 to 21:59 does not.
        let night = try gate(
            desk, batch, channel: "sms", at: "2026-06-02T21:00:00+07:00", "--until", "2026-06-03T08:00:00+07:00")
        #expect(night.result.status == 1 && night.wroteNothing)
        #expect(night.result.stderr.contains("22:00"), "\(night.result.stderr)")
        let day = try gate(
            desk, batch, channel: "sms", at: "2026-06-02T09:00:00+07:00", "--until", "2026-06-02T21:59:00+07:00")
        #expect(day.result.status == 0, "\(day.result.stderr)")
        // Calls [08:00, 17:00): 16:00 to 09:00 the next day crosses 17:00.
        let calls = try gate(
            desk, batch, channel: "call", at: "2026-06-02T16:00:00+07:00", "--until", "2026-06-03T09:00:00+07:00")
        #expect(calls.result.status == 1 && calls.wroteNothing)
        // --until before --at is a usage error.
        let backwards = try gate(
            desk, batch, channel: "sms", at: "2026-06-02T10:00:00+07:00", "--until", "2026-06-02T09:00:00+07:00")
        #expect(backwards.result.status == 64, "\(backwards.result.stderr)")
        // Email has no hours: a batch through the night passes.
        try importList(desk, "m", "email,consent_at,channel\nlan@example.vn,\(Self.consentAt),email\n")
        let mail = try desk.file("m.csv", "email\nlan@example.vn\n")
        let nightMail = try gate(
            desk, mail, channel: "email", at: "2026-06-02T21:00:00+07:00", "--until", "2026-06-03T08:00:00+07:00")
        #expect(nightMail.result.status == 0)
    }

    @Test func threeWavesOfOneCampaignAreThreeMessagesAndTheFourthSMSIsCapped() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importList(desk, "a", "phone,consent_at,channel\n0912345678,\(Self.consentAt),sms\n")
        let batch = try desk.file("b.csv", "phone\n0912345678\n")
        for hour in ["09", "12", "15"] {
            let wave = try gate(
                desk, batch, channel: "sms", at: "2026-06-02T\(hour):00:00+07:00", "--campaign", "Hè 2026")
            #expect(try wave.allowed() == ["+84912345678"], "wave at \(hour):00")
        }
        let fourth = try gate(desk, batch, channel: "sms", at: "2026-06-02T18:00:00+07:00", "--campaign", "Hè 2026")
        #expect(try fourth.reasons() == [2: "FREQUENCY_CAP"])
        // The provider's log of the first wave delivered is the same message, not a fourth.
        try sends(desk, "phone,sent_at,error\n0912345678,2026-06-02T09:00:00+07:00,0\n", campaign: "Hè 2026")
        let nextMorning = try gate(desk, batch, channel: "sms", at: "2026-06-03T09:30:00+07:00")
        // 24 hours after 09:00 the first wave left the window: two messages remain, one more may go.
        #expect(try nextMorning.allowed() == ["+84912345678"])
    }

    // MARK: - Intake

    @Test func deletionAndRestrictionStopMarketingAtIntakeAndAFutureReceiptIsRefused() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let consent = "\(Self.consentAt),sms"
        try importList(desk, "a", "phone,consent_at,channel\n0912345678,\(consent)\n0933444555,\(consent)\n")
        let batch = try desk.file("b.csv", "phone\n0912345678\n0933444555\n")
        for (type, number) in [("deletion", "0912345678"), ("restriction", "0933444555")] {
            _ = try json(
                desk, "request", "new", "--type", type, "--subject", number, "--channel", "phone", "--received-at",
                "2026-06-01T09:00:00+07:00")
        }
        #expect(try gate(desk, batch, channel: "sms", at: "2026-06-02T10:00:00+07:00").allowed().isEmpty)
        // A typo in the year: refused, nothing recorded.
        let before = try desk.auditEvents()
        let typo = try desk.run(
            "request", "new", "--type", "objection", "--subject", "0944000111", "--channel", "phone",
            "--received-at", "2062-06-01T09:00:00+07:00")
        #expect(typo.status == 1 && typo.stderr.contains("future"), "\(typo.stderr)")
        #expect(try desk.auditEvents() == before)
    }

    @Test func anOptOutFileGivesTheTimeThePersonOptedOut() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importList(desk, "a", "phone,consent_at,channel\n0912345678,\(Self.consentAt),sms\n")
        let file = try desk.file(
            "optout.csv", "phone,opted_out_at\n0912345678,05/01/2026 09:00\n0933444555,2026-01-06T10:30:00+07:00\n")
        _ = try json(desk, "suppress", "--file", file, "--reason", "nhà cung cấp SMS báo hủy", "--channel", "sms")
        let suppression = try #require((try why(desk, "0912345678")["suppressions"] as? [[String: Any]])?.first)
        #expect(suppression["since"] as? String == "2026-01-05T09:00:00+07:00")
        // A send logged between the opt-out and the import of the file is a violation of it.
        try sends(desk, "phone,sent_at,error\n0912345678,2026-01-05T15:00:00+07:00,0\n", campaign: "Tết")
        #expect(try violations(desk).map { $0["rule"] as? String } == ["SUPPRESSED"])
        // --at for one identifier; never in the future, never unreadable.
        _ = try json(desk, "suppress", "0944000111", "--reason", "gọi tổng đài", "--at", "2026-02-01T08:00:00+07:00")
        let one = try #require((try why(desk, "0944000111")["suppressions"] as? [[String: Any]])?.first)
        #expect(one["since"] as? String == "2026-02-01T08:00:00+07:00")
        let future = try desk.run("suppress", "0955000111", "--reason", "x", "--at", "2099-01-01T08:00:00+07:00")
        #expect(future.status == 1, "\(future.stderr)")
        let bad = try desk.file("bad.csv", "phone,opted_out_at\n0955000111,hôm qua\n")
        let unreadable = try desk.run("suppress", "--file", bad, "--reason", "x")
        #expect(unreadable.status == 65 && unreadable.stderr.contains("bad.csv:2"), "\(unreadable.stderr)")
        #expect((try why(desk, "0955000111")["suppressions"] as? [Any])?.isEmpty == true)
    }
}
