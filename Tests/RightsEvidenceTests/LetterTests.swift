import Foundation
import RightsCore
import RightsStore
import Testing

@testable import RightsEvidence

/// The fixed request the golden letters are rendered from: a deletion request received on Monday 2 March 2026.
private enum LetterFixture {
    static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/letters", isDirectory: true)

    static func instant(_ text: String) -> Date {
        guard let instant = VietnamTime.parseISO8601(text) else { preconditionFailure("bad fixture time \(text)") }
        return instant
    }

    static func day(_ text: String) -> LocalDate {
        guard let day = LocalDate(text) else { preconditionFailure("bad fixture date \(text)") }
        return day
    }

    static let receivedAt = instant("2026-03-02T09:15:00+07:00")

    /// The deletion request as intake recorded it: acknowledge by Wednesday 4 March (2 working days); perform within
    /// 20 days, whose last day, Sunday 22 March, rolls forward to Monday 23 March.
    static func deletion(letterDate: String) -> LetterContext {
        LetterContext(
            organization: Organization(
                name: "Công ty TNHH Ví Dụ", contact: "privacy@vidu.vn, 028 3823 4567",
                address: "12 Lê Lợi, phường Sài Gòn, Thành phố Hồ Chí Minh", taxCode: "0312345678"),
            recipientName: "Nguyễn Thị Lan", subjects: ["+84912345678"], requestID: "RQ-2026-000123",
            requestType: .deletion,
            ruleSetID: "vn-pdpl-2026", receivedAt: receivedAt, ackDue: instant("2026-03-05T00:00:00+07:00"),
            ackDueDate: day("2026-03-04"), due: instant("2026-03-24T00:00:00+07:00"), dueDate: day("2026-03-23"),
            citation: RuleSet.pdpl2026.rule(for: .deletion).citation, letterDate: instant(letterDate))
    }

    static func context(for kind: LetterKind, language: LetterLanguage) -> LetterContext {
        switch kind {
        case .ack:
            return deletion(letterDate: "2026-03-03T10:00:00+07:00")
        case .extension:
            // Receipt + 20 + 20 days ends on Saturday 11 April, which rolls forward to Monday 13 April.
            var context = deletion(letterDate: "2026-03-20T16:00:00+07:00")
            context.previousDueDate = day("2026-03-23")
            context.due = instant("2026-04-14T00:00:00+07:00")
            context.dueDate = day("2026-04-13")
            context.extensionReason =
                language == .vi
                ? "Dữ liệu của Ông/Bà còn được lưu tại đơn vị vận chuyển đối tác, cần thêm thời gian để đơn vị này "
                    + "xóa dữ liệu."
                : "Your data is also held by our delivery partner, which needs more time to delete it."
            return context
        case .completion:
            var context = deletion(letterDate: "2026-03-18T14:30:00+07:00")
            context.completedAt = instant("2026-03-18T14:30:00+07:00")
            return context
        case .rejection:
            var context = deletion(letterDate: "2026-03-10T11:00:00+07:00")
            context.refusalGround = .legalRetention
            context.rejectionNote =
                language == .vi
                ? "Hóa đơn mua hàng ngày 12/01/2026 của Ông/Bà là chứng từ kế toán, phải được lưu trữ ít nhất 10 năm "
                    + "theo Điều 41 Luật Kế toán số 88/2015/QH13."
                : "Your purchase invoice of 12 January 2026 is an accounting document that must be kept for at least "
                    + "10 years under Article 41 of the Law on Accounting No. 88/2015/QH13."
            return context
        case .refusalConfirmation:
            // An objection: 15 days end on Tuesday 17 March; advertising stopped at receipt.
            var context = deletion(letterDate: "2026-03-02T09:20:00+07:00")
            context.requestType = .objection
            context.citation = RuleSet.pdpl2026.rule(for: .objection).citation
            context.due = instant("2026-03-18T00:00:00+07:00")
            context.dueDate = day("2026-03-17")
            context.suppressionSince = receivedAt
            return context
        }
    }

    static func render(_ kind: LetterKind, _ language: LetterLanguage) throws -> String {
        try LetterRenderer().render(kind, language: language, context: context(for: kind, language: language))
    }

    /// Unicode scalars, since `String ==` compares canonical equivalence and would call NFD and NFC equal.
    static func isNFC(_ text: String) -> Bool {
        Array(text.unicodeScalars) == Array(text.precomposedStringWithCanonicalMapping.unicodeScalars)
    }
}

@Suite("Letters to the person")
struct LetterTests {
    // MARK: - Golden files

    @Test(arguments: LetterKind.allCases, LetterLanguage.allCases)
    func everyLetterMatchesItsCommittedGoldenFileByteForByte(kind: LetterKind, language: LetterLanguage) throws {
        let rendered = try LetterFixture.render(kind, language)
        let golden = LetterFixture.goldenFolder.appendingPathComponent("\(language.rawValue)/\(kind.rawValue).txt")
        let expected = FileManager.default.contents(atPath: golden.path)
        let actual = Data(rendered.utf8)
        if actual != expected {
            // Written outside the fixtures for a reviewer to diff; a golden file changes only by a deliberate copy.
            let scratch = URL(fileURLWithPath: NSTemporaryDirectory())
                .appendingPathComponent("rightsdesk-letters-\(language.rawValue)-\(kind.rawValue).txt")
            try actual.write(to: scratch)
            let problem = expected == nil ? "is missing" : "differs from the rendered letter"
            Issue.record("\(golden.path) \(problem); the rendered letter is in \(scratch.path)")
        }
    }

    // MARK: - What every letter says

    @Test(arguments: LetterKind.allCases, LetterLanguage.allCases)
    func everyLetterGreetsByNameAndGivesCompanyDueDateCitationAndComplaintRoute(
        kind: LetterKind, language: LetterLanguage
    ) throws {
        let text = try LetterFixture.render(kind, language)
        let context = LetterFixture.context(for: kind, language: language)
        switch language {
        case .vi:
            #expect(text.contains("Kính gửi Ông/Bà Nguyễn Thị Lan,\n"))
            // RULES-VN.md's complaint route: the Ministry named once, the national portal, the courts and damages.
            #expect(text.components(separatedBy: "Bộ Công an").count == 2, "the Ministry is named once")
            #expect(text.contains("cơ quan chuyên trách bảo vệ dữ liệu cá nhân thuộc Bộ Công an"))
            #expect(text.contains("Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao, A05"))
            #expect(text.contains("Cổng thông tin quốc gia về bảo vệ dữ liệu cá nhân"))
            #expect(text.contains("khởi kiện tại Tòa án và yêu cầu bồi thường thiệt hại"))
            #expect(!text.contains("Quý khách"), "one form of address: Ông/Bà")
            #expect(text.contains("khiếu nại với chúng tôi qua privacy@vidu.vn, 028 3823 4567"))
            #expect(text.contains("Bộ phận bảo vệ dữ liệu cá nhân\n"))
            #expect(text.contains("RQ-2026-000123"))
            // The Vietnamese letters cite in Vietnamese legal form: Law 91 Art. 14 is "Điều 14 Luật ...".
            #expect(text.contains(VietnameseCitation.render(context.citation)))
            #expect(text.contains("Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15"))
        case .en:
            #expect(text.contains("Dear Nguyễn Thị Lan,\n"))
            #expect(text.components(separatedBy: "Ministry of Public Security").count == 2)
            #expect(text.contains("Department of Cybersecurity and High-Tech Crime Prevention and Control, A05"))
            #expect(text.contains("National Personal Data Protection Portal"))
            #expect(text.contains("bring a claim in court and seek compensation"))
            #expect(text.contains("complain to us at privacy@vidu.vn, 028 3823 4567"))
            #expect(text.contains("Data Protection Office\n"))
            #expect(text.contains("RQ-2026-000123"))
            #expect(text.contains(context.citation))
        }
        #expect(text.hasPrefix("Công ty TNHH Ví Dụ\n"))
        let format = LetterFormat(language: language)
        #expect(text.contains(format.date(context.dueDate)))
        #expect(text.contains(format.dateTime(context.receivedAt)))
    }

    @Test func theDueDateIsWrittenAsOfficialVietnameseAndEnglishDates() throws {
        let vietnamese = try LetterFixture.render(.ack, .vi)
        #expect(vietnamese.contains("chậm nhất là ngày 23 tháng 3 năm 2026."))
        #expect(vietnamese.contains("vào lúc 09 giờ 15 phút, ngày 02 tháng 3 năm 2026,"))
        #expect(vietnamese.contains("\nNgày 03 tháng 3 năm 2026\n"))
        let english = try LetterFixture.render(.ack, .en)
        #expect(english.contains("by 23 March 2026 at the latest."))
        #expect(english.contains("at 09:15 (Vietnam time, UTC+07:00), 2 March 2026,"))
    }

    @Test func anUnknownNameGetsTheGeneralSalutation() throws {
        var context = LetterFixture.context(for: .ack, language: .vi)
        context.recipientName = "  "
        let renderer = try LetterRenderer()
        #expect(try renderer.render(.ack, language: .vi, context: context).contains("\nKính gửi Ông/Bà,\n"))
        context.recipientName = nil
        #expect(try renderer.render(.ack, language: .en, context: context).contains("\nDear Sir or Madam,\n"))
    }

    @Test func withoutAContactThePersonIsToldToReply() throws {
        var context = LetterFixture.context(for: .ack, language: .vi)
        context.organization.contact = nil
        let text = try LetterRenderer().render(.ack, language: .vi, context: context)
        #expect(!text.contains("Liên hệ:"))
        #expect(text.contains("khiếu nại với chúng tôi bằng cách trả lời thư này."))
    }

    @Test func namesWithQuotesAndMarkupComeOutExactlyAsWritten() throws {
        var context = LetterFixture.context(for: .ack, language: .vi)
        context.recipientName = "Nguyễn Du \"Tố Như\" <Thanh Hiên> & Co's"
        context.organization.name = "Công ty \"A&B\" <Việt Nam>"
        let renderer = try LetterRenderer()
        for language in LetterLanguage.allCases {
            let text = try renderer.render(.ack, language: language, context: context)
            #expect(text.contains("Nguyễn Du \"Tố Như\" <Thanh Hiên> & Co's,\n"))
            #expect(text.hasPrefix("Công ty \"A&B\" <Việt Nam>\n"))
            #expect(!text.contains("&quot;") && !text.contains("&amp;") && !text.contains("&lt;"))
        }
    }

    // MARK: - Refusal confirmation

    @Test(arguments: LetterLanguage.allCases)
    func theRefusalConfirmationCarriesNoAdvertising(language: LetterLanguage) throws {
        let text = try LetterFixture.render(.refusalConfirmation, language).lowercased()
        for word in ["khuyến mãi", "khuyến mại", "ưu đãi", "giảm giá", "quà tặng", "promotion", "discount", "offer"] {
            #expect(!text.contains(word), "the refusal confirmation says \(word)")
        }
        #expect(!text.contains("[qc]") && !text.contains("[ad]"))
    }

    @Test func theRefusalConfirmationStatesWhenTheRefusalArrivedAndWhenSendingStopped() throws {
        let vietnamese = try LetterFixture.render(.refusalConfirmation, .vi)
        #expect(vietnamese.contains("nhận được yêu cầu từ chối: 09 giờ 15 phút, ngày 02 tháng 3 năm 2026."))
        #expect(
            vietnamese.contains(
                "ngừng gửi quảng cáo: 09 giờ 15 phút, ngày 02 tháng 3 năm 2026, tức ngay khi nhận được yêu cầu."))
        // One confirmation, no advertising, no invitation to consent again (Decree 91/2020 Art. 16(3)-(4)), and no
        // promise wider than what is suppressed: the request's identifiers and those linked to them.
        #expect(!vietnamese.contains("mọi kênh"))
        #expect(!vietnamese.contains("đồng ý lại") && !vietnamese.contains("nhận lại"))
        #expect(vietnamese.contains("đến các thông tin liên hệ nêu trong yêu cầu (+84912345678)"))
        #expect(vietnamese.contains("Đây là thông báo duy nhất"))
        #expect(
            vietnamese.contains("khoản 3 và khoản 4 Điều 16, khoản 3 và khoản 4 Điều 20 Nghị định số 91/2020/NĐ-CP"))
        let english = try LetterFixture.render(.refusalConfirmation, .en)
        #expect(english.contains("When we stopped sending advertising: 09:15 (Vietnam time, UTC+07:00), 2 March 2026"))
        #expect(!english.contains("on any channel") && !english.contains("consent again"))
        #expect(english.contains("+84912345678"))
    }

    @Test func aRefusalConfirmationAnswersOnlyAnObjectionOrAWithdrawalOfConsent() throws {
        let renderer = try LetterRenderer()
        var context = LetterFixture.context(for: .refusalConfirmation, language: .vi)
        context.requestType = .withdrawConsent
        #expect(try renderer.render(.refusalConfirmation, language: .vi, context: context).contains("rút lại"))
        context.requestType = .access
        #expect(throws: LetterError.self) {
            try renderer.render(.refusalConfirmation, language: .vi, context: context)
        }
    }

    // MARK: - Text

    @Test(arguments: LetterKind.allCases, LetterLanguage.allCases)
    func lettersAreNFCEvenWhenTheNameArrivesDecomposed(kind: LetterKind, language: LetterLanguage) throws {
        var context = LetterFixture.context(for: kind, language: language)
        context.recipientName = "Nguyễn Thị Lan".decomposedStringWithCanonicalMapping
        #expect(!LetterFixture.isNFC(context.recipientName ?? ""))
        let text = try LetterRenderer().render(kind, language: language, context: context)
        #expect(LetterFixture.isNFC(text))
        #expect(text.unicodeScalars.contains { $0.value == 0x1EC5 })  // ễ, precomposed
    }

    @Test(arguments: LetterKind.allCases)
    func vietnameseLettersUseTheOfficialSpellingOfTones(kind: LetterKind) throws {
        let text = try LetterFixture.render(kind, .vi).lowercased()
        #expect(text.contains("xóa") || kind == .refusalConfirmation || kind == .ack || kind == .completion)
        // Decree 30/2020 spelling: `xóa`, `hòa`, the tone on the main vowel when no consonant follows; `quý` is
        // spelt so because `qu` is the initial.
        let words = text.split { !$0.isLetter }
        for word in words {
            let old = ["oá", "oà", "oả", "oã", "oạ", "uý", "uỳ", "uỷ", "uỹ", "uỵ"].contains { word.hasSuffix($0) }
            #expect(!old || word.hasPrefix("qu"), "old-style spelling \(word)")
        }
    }

    @Test func theTemplatesUseOnlyValuesTheRendererProvides() throws {
        let provided = Set(
            Mirror(
                reflecting: try LetterView(
                    kind: .ack, language: .vi,
                    context: LetterFixture.deletion(
                        letterDate: "2026-03-03T10:00:00+07:00"))
            )
            .children.compactMap(\.label))
        let folder = try #require(sourceLettersFolder())
        for language in LetterLanguage.allCases {
            for kind in LetterKind.allCases {
                let file = folder.appendingPathComponent("\(language.rawValue)/\(kind.rawValue).mustache")
                let text = try String(contentsOf: file, encoding: .utf8)
                for name in mustacheNames(in: text) {
                    #expect(provided.contains(name), "\(language.rawValue)/\(kind.rawValue) uses unknown \(name)")
                }
            }
        }
    }

    // MARK: - Formats

    @Test func vietnameseDatesFollowDecree30LeadingZeros() {
        let format = LetterFormat(language: .vi)
        // Day below 10 and months 1-2 get a leading zero; other months and days are written as they are.
        let table: [(String, String)] = [
            ("2026-03-02", "ngày 02 tháng 3 năm 2026"),
            ("2026-01-15", "ngày 15 tháng 01 năm 2026"),
            ("2026-12-01", "ngày 01 tháng 12 năm 2026"),
            ("2026-02-28", "ngày 28 tháng 02 năm 2026"),
            ("2025-10-10", "ngày 10 tháng 10 năm 2025"),
            ("2026-09-09", "ngày 09 tháng 9 năm 2026"),
        ]
        for (day, expected) in table {
            #expect(format.date(LetterFixture.day(day)) == expected)
        }
        #expect(format.dateLine(LetterFixture.day("2026-03-02")) == "Ngày 02 tháng 3 năm 2026")
    }

    @Test func timesAreWrittenInVietnamTimeInBothLanguages() {
        // 02:00 UTC is 09:00 in Vietnam; 17:30 UTC on 31 December is already 1 January in Vietnam.
        let nine = LetterFixture.instant("2026-03-02T02:00:00Z")
        let newYear = LetterFixture.instant("2025-12-31T17:30:00Z")
        let vietnamese = LetterFormat(language: .vi)
        #expect(vietnamese.dateTime(nine) == "09 giờ 00 phút, ngày 02 tháng 3 năm 2026")
        #expect(vietnamese.dateTime(newYear) == "00 giờ 30 phút, ngày 01 tháng 01 năm 2026")
        let english = LetterFormat(language: .en)
        #expect(english.date(LetterFixture.day("2026-03-02")) == "2 March 2026")
        #expect(english.dateTime(nine) == "09:00 (Vietnam time, UTC+07:00), 2 March 2026")
        #expect(english.dateTime(newYear) == "00:30 (Vietnam time, UTC+07:00), 1 January 2026")
    }

    @Test func citationsReadAsVietnameseLegalReferences() {
        let table: [(String, String)] = [
            (
                "Law 91 Art. 13, 15; Decree 356 Art. 5(3)",
                "Điều 13 và Điều 15 Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15; khoản 3 Điều 5 Nghị định số "
                    + "356/2025/NĐ-CP"
            ),
            ("Law 91 Art. 15(2)(a)", "điểm a khoản 2 Điều 15 Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15"),
            ("Decree 13 Art. 12(3)-(4)", "khoản 3 và khoản 4 Điều 12 Nghị định số 13/2023/NĐ-CP"),
            // A run longer than two is "từ … đến …"; Vietnamese points go a, b, c, d, đ, e.
            (
                "Law 91 Art. 4(3)(a)-(c)",
                "từ điểm a đến điểm c khoản 3 Điều 4 Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15"
            ),
            ("Law 91 Art. 4(1)(c)-(d)", "điểm c và điểm d khoản 1 Điều 4 Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15"),
            ("Decree 13 Art. 16(2)(d)-(đ)", "điểm d và điểm đ khoản 2 Điều 16 Nghị định số 13/2023/NĐ-CP"),
            (
                "Law 91 Art. 14(2), 19(1)(đ)",
                "khoản 2 Điều 14 và điểm đ khoản 1 Điều 19 Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15"
            ),
            (
                "Law 91 Art. 4(3); Art. 14(2) for deletion",
                "khoản 3 Điều 4 Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15; khoản 2 Điều 14 Luật Bảo vệ dữ liệu cá "
                    + "nhân số 91/2025/QH15 (đối với yêu cầu xóa dữ liệu)"
            ),
            (
                "Decree 13/2023/ND-CP, with the provision named by the officer",
                "Nghị định số 13/2023/NĐ-CP và quy định cụ thể được nêu trong thư này"
            ),
            // How the deadline is counted, as the request's citation ends.
            (
                "Law 91 Art. 14; counted under Civil Code 2015 Art. 147-148",
                "Điều 14 Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15; thời hạn tính theo Điều 147 và Điều 148 Bộ luật "
                    + "Dân sự năm 2015"
            ),
            (
                "Decree 13 Art. 16(5); counted in hours from receipt",
                "khoản 5 Điều 16 Nghị định số 13/2023/NĐ-CP; thời hạn tính theo giờ kể từ khi nhận yêu cầu"
            ),
            // A part it does not know stays as written rather than being dropped.
            (
                "Law 91 Art. 19; Circular 9 Art. 2",
                "Điều 19 Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15; Circular 9 Art. 2"
            ),
        ]
        for (english, vietnamese) in table {
            #expect(VietnameseCitation.render(english) == vietnamese)
        }
    }

    @Test func everyShippedCitationHasAVietnameseForm() {
        for ruleSet in RuleSet.all {
            var citations = ruleSet.requests.map(\.citation) + ruleSet.refusalGrounds.map(\.citation)
            citations += ruleSet.refusalGrounds.flatMap(\.citationByType.values)
            citations += ruleSet.acknowledgement.map { [$0.citation] } ?? []
            for citation in citations {
                let vietnamese = VietnameseCitation.render(citation)
                #expect(!vietnamese.contains("Art.") && !vietnamese.contains("Law ") && !vietnamese.contains("Decree "))
            }
        }
    }

    // MARK: - Regimes and missing values

    @Test func aDecree13AcknowledgementStatesThe72HourPeriodAndItsEndingTime() throws {
        var context = LetterFixture.deletion(letterDate: "2025-12-10T10:00:00+07:00")
        // Received Wednesday 10 December 2025 at 09:15: 72 hours end on Saturday 13 December at 09:15, no roll-forward.
        context.ruleSetID = "vn-decree13"
        context.receivedAt = LetterFixture.instant("2025-12-10T09:15:00+07:00")
        context.due = LetterFixture.instant("2025-12-13T09:15:00+07:00")
        context.dueDate = LetterFixture.day("2025-12-13")
        context.ackDue = context.due
        context.ackDueDate = context.dueDate
        context.citation = "Decree 13 Art. 16(5)"
        let renderer = try LetterRenderer()
        let vietnamese = try renderer.render(.ack, language: .vi, context: context)
        #expect(vietnamese.contains("trong thời hạn 72 giờ"))
        #expect(vietnamese.contains("chậm nhất là 09 giờ 15 phút, ngày 13 tháng 12 năm 2025."))
        #expect(vietnamese.contains("khoản 5 Điều 16 Nghị định số 13/2023/NĐ-CP"))
        #expect(!vietnamese.contains("Gia hạn"))
        let english = try renderer.render(.ack, language: .en, context: context)
        #expect(english.contains("within 72 hours"))
        #expect(english.contains("by 09:15 (Vietnam time, UTC+07:00), 13 December 2025 at the latest."))
        #expect(
            throws: LetterError.notApplicable(
                kind: .extension, reason: "vn-decree13 allows no extension of a deletion request")
        ) {
            var extended = context
            extended.extensionReason = "more time"
            extended.previousDueDate = context.dueDate
            return try renderer.render(.extension, language: .vi, context: extended)
        }
    }

    @Test func anExtensionLetterNeedsItsReasonAndTheDateItReplaces() throws {
        let renderer = try LetterRenderer()
        var context = LetterFixture.context(for: .extension, language: .vi)
        context.extensionReason = " "
        #expect(throws: LetterError.missingValue(kind: .extension, field: "extensionReason")) {
            try renderer.render(.extension, language: .vi, context: context)
        }
        context.extensionReason = "Cần thêm thời gian."
        context.previousDueDate = nil
        #expect(throws: LetterError.missingValue(kind: .extension, field: "previousDueDate")) {
            try renderer.render(.extension, language: .vi, context: context)
        }
    }

    @Test func aRejectionOnAGroundThatNamesALawNeedsTheOfficersNote() throws {
        var context = LetterFixture.context(for: .rejection, language: .vi)
        context.rejectionNote = nil
        #expect(throws: LetterError.missingValue(kind: .rejection, field: "rejectionNote")) {
            try LetterRenderer().render(.rejection, language: .vi, context: context)
        }
    }

    @Test func aRejectionForUnverifiedIdentityTellsThePersonWhatToDoNext() throws {
        var context = LetterFixture.context(for: .rejection, language: .en)
        context.refusalGround = .identityNotVerified
        context.rejectionNote = nil
        let text = try LetterRenderer().render(.rejection, language: .en, context: context)
        #expect(text.contains("You may send the request again"))
        #expect(text.contains("Law 91 Art. 3(4), 7(7), 15(2)(b); Decree 356 Art. 5(1)"))
        #expect(!text.contains("Art. 26"))
        #expect(!text.contains("Details:"))
    }

    @Test func aLateCompletionApologisesAndAGivenOutcomeReplacesTheDefault() throws {
        var context = LetterFixture.context(for: .completion, language: .vi)
        context.completedAt = LetterFixture.instant("2026-03-25T10:00:00+07:00")
        context.outcome = "Chúng tôi đã xóa toàn bộ dữ liệu của Ông/Bà trên hệ thống bán hàng."
        let text = try LetterRenderer().render(.completion, language: .vi, context: context)
        #expect(text.contains("sau thời hạn nêu trên"))
        #expect(text.contains("Kết quả: Chúng tôi đã xóa toàn bộ dữ liệu của Ông/Bà trên hệ thống bán hàng.\n"))
        #expect(try !LetterFixture.render(.completion, .vi).contains("sau thời hạn nêu trên"))
    }

    @Test func anUnknownRuleSetIsRefused() throws {
        var context = LetterFixture.context(for: .ack, language: .vi)
        context.ruleSetID = "vn-future"
        #expect(throws: LetterError.unknownRuleSet("vn-future")) {
            try LetterRenderer().render(.ack, language: .vi, context: context)
        }
    }

    @Test func theFixtureDeadlinesAreTheOnesTheCalculatorGives() throws {
        let calculator = DeadlineCalculator()
        let deletion = calculator.deadlines(
            for: .deletion, processors: false, receivedAt: LetterFixture.receivedAt, under: .pdpl2026)
        let fixture = LetterFixture.context(for: .ack, language: .vi)
        #expect(deletion.dueDate == fixture.dueDate && deletion.due == fixture.due)
        #expect(deletion.ackDueDate == fixture.ackDueDate && deletion.ackDue == fixture.ackDue)
        #expect(fixture.citation == LetterContext.ruleCitation(ruleSetID: "vn-pdpl-2026", type: .deletion))
        let extended = try calculator.extendedDeadlines(
            for: .deletion, processors: false, receivedAt: LetterFixture.receivedAt, under: .pdpl2026)
        #expect(extended.dueDate == LetterFixture.context(for: .extension, language: .vi).dueDate)
        let objection = calculator.deadlines(
            for: .objection, processors: false, receivedAt: LetterFixture.receivedAt, under: .pdpl2026)
        #expect(objection.dueDate == LetterFixture.context(for: .refusalConfirmation, language: .vi).dueDate)
    }

    // MARK: - Helpers

    private func sourceLettersFolder() -> URL? {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Templates/letters", isDirectory: true)
    }

    /// The variable and section names a template reads (`{{{name}}}`, `{{#name}}`, `{{^name}}`, `{{/name}}`).
    private func mustacheNames(in template: String) -> Set<String> {
        var names: Set<String> = []
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            rest = rest[open.upperBound...]
            guard let close = rest.range(of: "}}") else { break }
            let tag = rest[..<close.lowerBound].trimmingCharacters(in: CharacterSet(charactersIn: "{}#^/ "))
            if !tag.isEmpty && !tag.hasPrefix("!") && !tag.hasPrefix(">") && !tag.hasPrefix("%") {
                names.insert(tag)
            }
            rest = rest[close.upperBound...]
        }
        return names
    }
}
