import Foundation
import RightsCore
import RightsStore
import Testing

@testable import RightsEvidence

/// The Vietnamese letters are checked as a Vietnamese reader would read them: every word in the Vietnamese
/// dictionary (hunspell-vi, installed by scripts/install-deps), so neither a typo nor an English word slips in, in
/// every kind of letter and every variant a request can produce.
@Suite("Vietnamese letters in Vietnamese")
struct LetterLanguageTests {
    static let receivedAt = VietnamTime.parseISO8601("2026-03-02T09:15:00+07:00")!

    static func context(_ type: RequestType, ruleSet: RuleSet = .pdpl2026) -> LetterContext {
        let deadlines = DeadlineCalculator().deadlines(
            for: type, processors: false, receivedAt: receivedAt, under: ruleSet)
        return LetterContext(
            organization: Organization(
                name: "Công ty TNHH Ví Dụ", contact: "privacy@vidu.vn", address: "12 Lê Lợi, Đà Nẵng",
                taxCode: "0312345678", dpo: "Trần Văn Bình"),
            recipientName: "Nguyễn Thị Lan", subjects: ["+84912345678"], requestID: "RQ-2026-000123",
            requestType: type, ruleSetID: ruleSet.id, receivedAt: receivedAt, ackDue: deadlines.ackDue,
            ackDueDate: deadlines.ackDueDate, due: deadlines.due, dueDate: deadlines.dueDate,
            citation: ruleSet.rule(for: type).citation, extensionReason: "Cần thêm thời gian để đối chiếu hồ sơ.",
            previousDueDate: deadlines.dueDate, completedAt: receivedAt.addingTimeInterval(86_400),
            letterDate: receivedAt.addingTimeInterval(86_400))
    }

    /// Every letter a request of each type can get, with and without a representative, and every refusal ground
    /// the rule sets offer for the type.
    static func variants() -> [(label: String, kind: LetterKind, context: LetterContext)] {
        var found: [(String, LetterKind, LetterContext)] = []
        for ruleSet in RuleSet.all {
            let ruleSet = ruleSet.id == RuleSet.decree13.id ? ruleSet : RuleSet.pdpl2026
            for type in RequestType.allCases {
                var base = context(type, ruleSet: ruleSet)
                if ruleSet.id == RuleSet.decree13.id {
                    base.receivedAt = VietnamTime.parseISO8601("2025-12-10T09:15:00+07:00")!
                }
                for representative in [nil] + RepresentativeRelation.allCases.map(Optional.some) {
                    var context = base
                    context.representative = representative.map {
                        Representative(name: "Nguyễn Văn Hùng", relation: $0, evidence: "Giấy ủy quyền số 12")
                    }
                    let label = "\(ruleSet.id) \(type.rawValue) \(representative?.rawValue ?? "self")"
                    var kinds: [LetterKind] = [.ack, .completion]
                    if ruleSet.rule(for: type).extensionPeriod != nil { kinds.append(.extension) }
                    if type == .objection || type == .withdrawConsent { kinds.append(.refusalConfirmation) }
                    for kind in kinds { found.append(("\(label) \(kind.rawValue)", kind, context)) }
                    for ground in ruleSet.refusalGrounds where ground.appliesTo.contains(type) {
                        var refused = context
                        refused.refusalGround = ground.ground
                        refused.rejectionNote = "Theo quy định của Luật Kế toán, hóa đơn phải được lưu giữ."
                        refused.duplicateOf = "RQ-2026-000100"
                        found.append(("\(label) rejection \(ground.ground.rawValue)", .rejection, refused))
                    }
                }
            }
        }
        return found
    }

    /// Vietnamese writes the tone of `oa`, `oe`, `uy` on either vowel ("xóa" in legal texts, "xoá" in the
    /// dictionary); the check accepts both by moving it where hunspell-vi expects it.
    static func dictionaryTonePlacement(_ text: String) -> String {
        let moves: [(String, String)] = [
            ("óa", "oá"), ("òa", "oà"), ("ỏa", "oả"), ("õa", "oã"), ("ọa", "oạ"), ("óe", "oé"), ("òe", "oè"),
            ("ỏe", "oẻ"), ("õe", "oẽ"), ("ọe", "oẹ"), ("úy", "uý"), ("ùy", "uỳ"), ("ủy", "uỷ"), ("ũy", "uỹ"),
            ("ụy", "uỵ"),
        ]
        var result = text
        for (written, expected) in moves {
            result = result.replacingOccurrences(of: written, with: expected)
            result = result.replacingOccurrences(of: written.capitalized, with: expected.capitalized)
        }
        return result
    }

    /// The words hunspell does not know, from `hunspell -d vi_VN -l`.
    static func unknownWords(_ text: String) throws -> [String] {
        // Checked first: writing to a hunspell that failed to start would end the whole test run on SIGPIPE.
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard
            path.split(separator: ":").contains(where: {
                FileManager.default.isExecutableFile(atPath: "\($0)/hunspell")
            })
        else { throw CheckError("hunspell is not installed: run scripts/install-deps") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["hunspell", "-d", "vi_VN", "-l"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(dictionaryTonePlacement(text).utf8))
        try input.fileHandleForWriting.close()
        let listed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CheckError("hunspell -d vi_VN exited \(process.terminationStatus): run scripts/install-deps")
        }
        return String(decoding: listed, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    struct CheckError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Tokens that are not Vietnamese words but belong in a Vietnamese letter: the brand names of channels, the
    /// company's legal form, request ids, and the points of an article ("điểm d", "điểm đ").
    static let allowed: Set<String> = ["Zalo", "SMS", "TNHH", "RQ", "A05", "QH15"]

    @Test func theDictionaryIsInstalled() throws {
        #expect(try Self.unknownWords("Chúng tôi đã nhận được yêu cầu của Ông/Bà.").isEmpty)
        #expect(try Self.unknownWords("We received your request").count == 4, "English is not Vietnamese")
    }

    @Test func everyVietnameseLetterPassesTheVietnameseSpellingCheck() throws {
        let renderer = try LetterRenderer()
        let variants = Self.variants()
        #expect(variants.count > 100, "every type, representative and ground")
        var problems: [String] = []
        for variant in variants {
            let text = try renderer.render(variant.kind, language: .vi, context: variant.context)
            let unknown = try Self.unknownWords(text).filter { word in
                !Self.allowed.contains(word) && word.count > 1 && !word.contains(where: \.isNumber)
            }
            if !unknown.isEmpty { problems.append("\(variant.label): \(Set(unknown).sorted())") }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// `--short`, for an SMS or a Zalo reply: at most 160 characters, the request's id, Vietnamese words only.
    @Test func everyShortFormFitsAnSMSAndIsVietnamese() throws {
        let renderer = try LetterRenderer()
        var checked = 0
        for variant in Self.variants() where variant.kind.hasShortForm {
            for language in LetterLanguage.allCases {
                var context = variant.context
                context.organization.name = "Công ty Cổ phần Thương mại và Dịch vụ Kỹ thuật Số Phương Nam Việt Nam"
                context.organization.contact = "privacy@phuongnam-digital-services.example.vn, 028 3823 4567"
                let text = try renderer.renderShort(variant.kind, language: language, context: context)
                #expect(text.count <= LetterRenderer.shortLimit, "\(variant.label) \(language): \(text)")
                #expect(text.contains(context.requestID) && !text.contains("\n"))
                if language == .vi {
                    let unknown = try Self.unknownWords(text).filter {
                        !Self.allowed.contains($0) && $0.count > 1 && !$0.contains(where: \.isNumber)
                    }
                    #expect(unknown.isEmpty, "\(variant.label): \(unknown)")
                }
                checked += 1
            }
        }
        #expect(checked > 20)
        #expect(throws: LetterError.self) {
            try renderer.renderShort(.completion, language: .vi, context: Self.context(.deletion))
        }
    }

    /// Dates as Vietnamese writes them ("09:00 ngày 05/01/2025"), and the hour of a period counted in hours.
    @Test func shortFormsWriteDatesTheVietnameseWayAndAnHourlyDeadlineWithItsHour() throws {
        let renderer = try LetterRenderer()
        let receivedAt = Self.context(.access).receivedAt
        let day = VietnamTime.date(of: receivedAt)
        let text = try renderer.renderShort(.ack, language: .vi, context: Self.context(.access))
        let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        #expect(text.contains("ngày \(two(day.day))/\(two(day.month))/\(day.year)"), "\(text)")
        #expect(try text.contains(Regex("lúc [0-9]{2}:[0-9]{2} ngày [0-9]{2}/")), "\(text)")
        #expect(try text.contains(Regex("chậm nhất ngày [0-9]{2}/")), "\(text)")
        // Decree 13's periods are counted in hours: the reply states the hour they end at.
        let hourly = Self.context(.access, ruleSet: .decree13)
        let due = VietnamTime.date(of: hourly.due)
        let short = try renderer.renderShort(.ack, language: .vi, context: hourly)
        #expect(try short.contains(Regex("chậm nhất [0-9]{2}:[0-9]{2} ngày ")), "\(short)")
        #expect(short.contains("\(two(due.day))/\(two(due.month))/\(due.year)"), "\(short)")
        #expect(short.count <= LetterRenderer.shortLimit)
    }

    @Test func aRepresentativeIsAddressedAndTheSubjectNamedOnce() throws {
        var context = Self.context(.access)
        context.representative = Representative(name: "Nguyễn Văn Hùng", relation: .parent)
        let renderer = try LetterRenderer()
        let vietnamese = try renderer.render(.ack, language: .vi, context: context)
        #expect(vietnamese.contains("Kính gửi Ông/Bà Nguyễn Văn Hùng,\n"))
        #expect(vietnamese.contains("với tư cách là cha hoặc mẹ của Nguyễn Thị Lan"))
        #expect(!vietnamese.contains("Kính gửi Ông/Bà Nguyễn Thị Lan"))
        let english = try renderer.render(.ack, language: .en, context: context)
        #expect(english.contains("Dear Nguyễn Văn Hùng,\n"))
        #expect(english.contains("parent of Nguyễn Thị Lan"))
    }

    @Test func aDuplicateClosingNamesTheEarlierRequestAndRefusesNothing() throws {
        var context = Self.context(.deletion)
        context.refusalGround = .duplicate
        context.duplicateOf = "RQ-2026-000100"
        let renderer = try LetterRenderer()
        for language in LetterLanguage.allCases {
            let text = try renderer.render(.rejection, language: language, context: context)
            #expect(text.contains("RQ-2026-000100"))
            for accusation in ["lạm dụng", "từ chối thực hiện", "abuse", "refuse", "cannot carry out"] {
                #expect(!text.contains(accusation), "\(language): \(accusation)")
            }
        }
        context.duplicateOf = nil
        #expect(throws: LetterError.missingValue(kind: .rejection, field: "duplicateOf")) {
            try renderer.render(.rejection, language: .vi, context: context)
        }
    }

    @Test func theExtensionLetterStatesTheLongestExtensionTheLawAllows() throws {
        let context = Self.context(.deletion)
        let renderer = try LetterRenderer()
        #expect(try renderer.render(.extension, language: .vi, context: context).contains("không quá 20 ngày"))
        #expect(try renderer.render(.extension, language: .en, context: context).contains("no more than 20 days"))
    }

    @Test func aDeletionCompletionSaysHonestlyWhatIsKept() throws {
        var context = Self.context(.deletion)
        context.outcome = "Chúng tôi đã xóa hồ sơ khách hàng của Ông/Bà."
        let text = try LetterRenderer().render(.completion, language: .vi, context: context)
        #expect(text.contains("ít nhất 01 năm theo khoản 7 Điều 11 Nghị định số 91/2020/NĐ-CP"))
        #expect(text.contains("mã hóa một chiều"))
    }

    @Test func noConsentNeededFitsTheRequestItAnswers() throws {
        var context = Self.context(.withdrawConsent)
        context.refusalGround = .noConsentNeeded
        context.rejectionNote = "Thực hiện hợp đồng mua bán với Ông/Bà (khoản 2 Điều 19 Luật Bảo vệ dữ liệu cá nhân)."
        let text = try LetterRenderer().render(.rejection, language: .vi, context: context)
        #expect(!text.contains("không thể xóa"))
        #expect(text.contains("khoản 1 Điều 10"))
    }
}
