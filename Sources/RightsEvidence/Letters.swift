import Foundation
import Mustache
import RightsCore
import RightsStore
import RightsTemplates

/// A letter the company sends to the person about their request, as the command-line contract names it (`--kind`).
public enum LetterKind: String, Sendable, CaseIterable {
    case ack
    case `extension`
    case completion
    case rejection
    case refusalConfirmation = "refusal-confirmation"

    /// Whether the letter has a short form for an SMS or a Zalo reply (`--short`, at most 160 characters).
    public var hasShortForm: Bool { self == .ack || self == .refusalConfirmation }
}

/// The language of a letter (`--lang`): Vietnamese, or English as a second language.
public enum LetterLanguage: String, Sendable, CaseIterable {
    case vi
    case en

    /// The language of the shared vocabulary (`Vocabulary`).
    public var vocabulary: Vocabulary.Language { self == .vi ? .vietnamese : .english }
}

/// Everything a letter says, as plain values (a view model: templates never see database records).
public struct LetterContext: Sendable {
    /// The company as `org set` names it: its name heads the letter, its address and tax code follow.
    public var organization: Organization
    /// The person's name as they wrote it, nil when unknown.
    public var recipientName: String?
    /// Who acts for the person (Law 91 Art. 24); the letter is addressed to them.
    public var representative: Representative?
    /// The identifiers the request names, as stored (`+84912345678`, `lan@example.vn`).
    public var subjects: [String]
    public var requestID: String
    public var requestType: RequestType
    /// The rule set the request was received under: "vn-pdpl-2026" or "vn-decree13".
    public var ruleSetID: String
    /// Processors or third parties must act: the longer legal period applies.
    public var processors: Bool
    public var receivedAt: Date
    public var ackDue: Date
    public var ackDueDate: LocalDate
    public var due: Date
    public var dueDate: LocalDate
    /// The rule's citation for this request type (`RuleSet.rule(for:).citation`), as the rule set writes it.
    public var citation: String
    /// Extension letters: why more time is needed, and the due date it replaces.
    public var extensionReason: String?
    public var previousDueDate: LocalDate?
    /// Rejection letters: the ground, its citation (nil takes the rule set's), and the officer's note.
    public var refusalGround: RefusalGround?
    public var groundCitation: String?
    public var rejectionNote: String?
    /// A duplicate closing: the open request this one repeats.
    public var duplicateOf: String?
    /// Completion letters: when it was done, and what was done in one sentence in the letter's language.
    public var completedAt: Date?
    public var outcome: String?
    /// Refusal confirmations: when sending stopped, which is when the refusal was received (nil means `receivedAt`).
    public var suppressionSince: Date?
    /// The date printed on the letter.
    public var letterDate: Date

    public init(
        organization: Organization, recipientName: String? = nil, representative: Representative? = nil,
        subjects: [String] = [], requestID: String, requestType: RequestType, ruleSetID: String,
        processors: Bool = false, receivedAt: Date, ackDue: Date, ackDueDate: LocalDate, due: Date,
        dueDate: LocalDate, citation: String, extensionReason: String? = nil, previousDueDate: LocalDate? = nil,
        refusalGround: RefusalGround? = nil, groundCitation: String? = nil, rejectionNote: String? = nil,
        duplicateOf: String? = nil, completedAt: Date? = nil, outcome: String? = nil, suppressionSince: Date? = nil,
        letterDate: Date
    ) {
        self.organization = organization
        self.recipientName = recipientName
        self.representative = representative
        self.subjects = subjects
        self.requestID = requestID
        self.requestType = requestType
        self.ruleSetID = ruleSetID
        self.processors = processors
        self.receivedAt = receivedAt
        self.ackDue = ackDue
        self.ackDueDate = ackDueDate
        self.due = due
        self.dueDate = dueDate
        self.citation = citation
        self.extensionReason = extensionReason
        self.previousDueDate = previousDueDate
        self.refusalGround = refusalGround
        self.groundCitation = groundCitation
        self.rejectionNote = rejectionNote
        self.duplicateOf = duplicateOf
        self.completedAt = completedAt
        self.outcome = outcome
        self.suppressionSince = suppressionSince
        self.letterDate = letterDate
    }

    /// The citation a letter gives for a request type under a shipped rule set, or nil for an unknown rule set.
    public static func ruleCitation(ruleSetID: String, type: RequestType) -> String? {
        RuleSet.named(ruleSetID)?.rule(for: type).citation
    }
}

/// Why a letter cannot be rendered.
public enum LetterError: Error, Hashable, CustomStringConvertible {
    /// A template file is absent from the templates folder.
    case templateMissing(path: String)
    /// A template file is not valid UTF-8 or not valid Mustache.
    case templateInvalid(path: String, reason: String)
    /// The letter needs a value the context does not give (an extension letter without its reason).
    case missingValue(kind: LetterKind, field: String)
    /// The letter does not exist for this request (an extension under Decree 13, which allows none).
    case notApplicable(kind: LetterKind, reason: String)
    /// The context names a rule set the product does not ship.
    case unknownRuleSet(String)

    public var description: String {
        switch self {
        case .templateMissing(let path): "letter template \(path) is missing"
        case .templateInvalid(let path, let reason): "letter template \(path) is invalid: \(reason)"
        case .missingValue(let kind, let field): "a \(kind.rawValue) letter needs \(field)"
        case .notApplicable(let kind, let reason): "no \(kind.rawValue) letter: \(reason)"
        case .unknownRuleSet(let id): "unknown rule set \(id)"
        }
    }
}

/// Renders letters to the person from the Mustache templates under `Templates/letters/<language>/<kind>.mustache`.
public struct LetterRenderer: Sendable {
    private let templates: [String: MustacheTemplate]

    /// Loads the templates shipped in the `RightsTemplates` bundle.
    public init() throws {
        let bundle = templatesBundle
        guard
            let folder = bundle.url(forResource: "letters", withExtension: nil)
                ?? bundle.resourceURL?.appendingPathComponent("letters", isDirectory: true)
        else {
            throw LetterError.templateMissing(path: "letters")
        }
        try self.init(directory: folder)
    }

    /// Loads the templates from a folder laid out like `Templates/letters` (one subfolder per language).
    public init(directory: URL) throws {
        var templates: [String: MustacheTemplate] = [:]
        for language in LetterLanguage.allCases {
            let names =
                LetterKind.allCases.map { Self.templateName($0, language) }
                + LetterKind.allCases.filter(\.hasShortForm).map { Self.templateName($0, language, short: true) }
            for name in names {
                let file = directory.appendingPathComponent(name + ".mustache")
                guard let data = FileManager.default.contents(atPath: file.path) else {
                    throw LetterError.templateMissing(path: file.path)
                }
                guard let text = String(validating: data, as: UTF8.self) else {
                    throw LetterError.templateInvalid(path: file.path, reason: "not UTF-8")
                }
                do {
                    // Plain text for Zalo, SMS and email: a name such as `Nguyễn Du "Tố Như"` must come out as
                    // written, even where an editor of the template wrote `{{name}}` rather than `{{{name}}}`.
                    templates[name] = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}" + text)
                } catch {
                    throw LetterError.templateInvalid(path: file.path, reason: String(describing: error))
                }
            }
        }
        self.templates = templates
    }

    /// The letter as plain text in NFC, ending with a newline.
    public func render(_ kind: LetterKind, language: LetterLanguage, context: LetterContext) throws -> String {
        let name = Self.templateName(kind, language)
        guard let template = templates[name] else {
            throw LetterError.templateMissing(path: name + ".mustache")
        }
        let view = try LetterView(kind: kind, language: language, context: context)
        // A template saved by an editor that decomposes accents must not reach an SMS as decomposed text.
        return template.render(view).precomposedStringWithCanonicalMapping
    }

    /// The short form for an SMS or a Zalo reply: at most `LetterRenderer.shortLimit` characters, one line. The
    /// company's contact is left out, then its name shortened to whole words, when the whole would be longer.
    public func renderShort(_ kind: LetterKind, language: LetterLanguage, context: LetterContext) throws -> String {
        guard kind.hasShortForm else {
            throw LetterError.notApplicable(kind: kind, reason: "only ack and refusal-confirmation have a short form")
        }
        let name = Self.templateName(kind, language, short: true)
        guard let template = templates[name] else { throw LetterError.templateMissing(path: name + ".mustache") }
        var view = try LetterView(kind: kind, language: language, context: context)
        func text() -> String {
            template.render(view).precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
                .replacingOccurrences(of: "\n", with: " ")
        }
        var result = text()
        if result.count > Self.shortLimit {
            view.hasContact = false
            result = text()
        }
        if result.count > Self.shortLimit {
            let excess = result.count - Self.shortLimit
            let keep = max(8, view.organization.count - excess - 1)
            // Cut between words: half a Vietnamese syllable ("Phư…") reads as a misspelling.
            var kept = view.organization.prefix(keep)
            if let space = kept.lastIndex(of: " "), space > kept.startIndex { kept = kept[..<space] }
            view.organization = String(kept) + "…"
            result = text()
        }
        guard result.count <= Self.shortLimit else {
            throw LetterError.notApplicable(kind: kind, reason: "the short form does not fit in 160 characters")
        }
        return result
    }

    /// The most characters a short form may have (one SMS of the contract's measure).
    public static let shortLimit = 160

    static func templateName(_ kind: LetterKind, _ language: LetterLanguage, short: Bool = false) -> String {
        language.rawValue + "/" + kind.rawValue + (short ? "-short" : "")
    }
}

/// The values a letter template reads, preformatted in the letter's language; the property names are the template's
/// variable names.
struct LetterView {
    var organization: String
    var hasContact: Bool
    var contact: String
    var hasOrgAddress: Bool
    var orgAddress: String
    var hasTaxCode: Bool
    var taxCode: String
    var hasDPO: Bool
    var dpo: String
    /// Who the letter is to: the representative when one acts, else the person.
    var hasAddresseeName: Bool
    var addresseeName: String
    var hasRepresentative: Bool
    /// The representative's capacity in the letter's language ("người giám hộ").
    var representativeCapacity: String
    /// The data subject's name, when a representative acts and it is known.
    var hasSubjectName: Bool
    var subjectName: String
    var hasSubjects: Bool
    var subjectsText: String
    var letterDate: String
    var letterDateLine: String
    var requestID: String
    var requestTypeName: String
    var receivedAt: String
    var isDecree13: Bool
    /// The due instant as the person reads it: a date for periods in days, a time and date for periods in hours.
    var dueText: String
    var dueDate: String
    var ackDueDate: String
    /// The legal period that applied ("20 ngày"), and the longest extension the law allows ("" when none).
    var periodLength: String
    var extensionLength: String
    var citation: String
    var hasAckCitation: Bool
    var ackCitation: String
    /// Requests that stop advertising at receipt (Decree 91/2020 Art. 13(4); Law 91 Art. 28(5)).
    var stopsAdvertisingAtIntake: Bool
    var extensionReason: String
    var previousDueDate: String
    var groundExplanation: String
    var hasGroundNextStep: Bool
    var groundNextStep: String
    var groundCitation: String
    var hasNote: Bool
    var rejectionNote: String
    var isDuplicate: Bool
    var duplicateOf: String
    var outcome: String
    var completedAt: String
    var isLate: Bool
    var isDeletion: Bool
    var suppressionSince: String
    var stopsOnReceipt: Bool
    /// The short forms' compact dates: `09:15 02/03/2026`, `23/03/2026`.
    var receivedShort: String
    var dueShort: String
    var sinceShort: String
    var typeShort: String

    init(kind: LetterKind, language: LetterLanguage, context: LetterContext) throws {
        guard let ruleSet = RuleSet.named(context.ruleSetID) else {
            throw LetterError.unknownRuleSet(context.ruleSetID)
        }
        let format = LetterFormat(language: language)
        let organization = context.organization.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !organization.isEmpty else { throw LetterError.missingValue(kind: kind, field: "organization") }
        self.organization = organization
        let contact = Self.present(context.organization.contact)
        hasContact = contact != nil
        self.contact = contact ?? ""
        let address = Self.present(context.organization.address)
        hasOrgAddress = address != nil
        orgAddress = address ?? ""
        let taxCode = Self.present(context.organization.taxCode)
        hasTaxCode = taxCode != nil
        self.taxCode = taxCode ?? ""
        let dpo = Self.present(context.organization.dpo)
        hasDPO = dpo != nil
        self.dpo = dpo ?? ""
        let name = Self.present(context.recipientName)
        let representative = context.representative.flatMap { Self.present($0.name) == nil ? nil : $0 }
        hasRepresentative = representative != nil
        representativeCapacity = representative.map { LetterPhrases.relation($0.relation, language) } ?? ""
        let addressee = representative?.name ?? name
        hasAddresseeName = addressee != nil
        addresseeName = addressee ?? ""
        hasSubjectName = representative != nil && name != nil
        subjectName = representative != nil ? name ?? "" : ""
        hasSubjects = !context.subjects.isEmpty
        subjectsText = context.subjects.joined(separator: ", ")
        letterDate = format.date(VietnamTime.date(of: context.letterDate))
        letterDateLine = format.dateLine(VietnamTime.date(of: context.letterDate))
        requestID = context.requestID
        requestTypeName = Vocabulary.requestType(context.requestType, language.vocabulary, .letter)
        receivedAt = format.dateTime(context.receivedAt)
        isDecree13 = ruleSet.id == RuleSet.decree13.id
        let inHours = ruleSet.rule(for: context.requestType).period.unit == .hours
        dueText = inHours ? format.dateTime(context.due) : format.date(context.dueDate)
        dueDate = format.date(context.dueDate)
        ackDueDate = format.date(context.ackDueDate)
        citation = format.citation(context.citation)
        let ackRule = ruleSet.acknowledgement?.citation
        hasAckCitation = ackRule != nil
        ackCitation = ackRule.map(format.citation) ?? ""
        stopsAdvertisingAtIntake = context.requestType.stopsMarketingAtIntake
        let vietnameseShort = language == .vi
        receivedShort = LetterFormat.compact(context.receivedAt, vietnamese: vietnameseShort)
        // A period counted in hours ends at an hour of its day, which the reply must state as the long form does.
        dueShort =
            inHours
            ? LetterFormat.compact(context.due, vietnamese: vietnameseShort)
            : LetterFormat.compact(context.dueDate, vietnamese: vietnameseShort)
        sinceShort = LetterFormat.compact(context.suppressionSince ?? context.receivedAt, vietnamese: vietnameseShort)
        typeShort = Vocabulary.requestType(context.requestType, language.vocabulary, .short)
        let rule = ruleSet.rule(for: context.requestType)
        periodLength = format.length(rule.period(processors: context.processors))
        extensionLength = rule.extensionPeriod.map(format.length) ?? ""
        isDeletion = context.requestType == .deletion
        isDuplicate = false
        duplicateOf = ""

        extensionReason = ""
        previousDueDate = ""
        groundExplanation = ""
        hasGroundNextStep = false
        groundNextStep = ""
        groundCitation = ""
        hasNote = false
        rejectionNote = ""
        outcome = ""
        completedAt = ""
        isLate = false
        suppressionSince = ""
        stopsOnReceipt = false

        switch kind {
        case .ack:
            break
        case .extension:
            guard ruleSet.rule(for: context.requestType).extensionPeriod != nil else {
                throw LetterError.notApplicable(
                    kind: kind, reason: "\(ruleSet.id) allows no extension of a \(context.requestType.rawValue) request"
                )
            }
            guard let reason = Self.present(context.extensionReason) else {
                throw LetterError.missingValue(kind: kind, field: "extensionReason")
            }
            guard let previous = context.previousDueDate else {
                throw LetterError.missingValue(kind: kind, field: "previousDueDate")
            }
            extensionReason = reason
            previousDueDate = format.date(previous)
        case .completion:
            let completed = context.completedAt ?? context.letterDate
            completedAt = format.dateTime(completed)
            isLate = completed > context.due
            outcome = Self.present(context.outcome) ?? LetterPhrases.defaultOutcome(context.requestType, language)
        case .rejection:
            guard let ground = context.refusalGround else {
                throw LetterError.missingValue(kind: kind, field: "refusalGround")
            }
            guard
                let groundRule = Self.present(context.groundCitation)
                    ?? ruleSet.refusal(ground)?.citation(for: context.requestType)
            else {
                throw LetterError.missingValue(kind: kind, field: "groundCitation")
            }
            groundExplanation = LetterPhrases.groundExplanation(ground, context.requestType, language)
            if ground == .duplicate {
                guard let original = Self.present(context.duplicateOf) else {
                    throw LetterError.missingValue(kind: kind, field: "duplicateOf")
                }
                isDuplicate = true
                duplicateOf = original
            }
            let nextStep = LetterPhrases.groundNextStep(ground, language)
            hasGroundNextStep = nextStep != nil
            groundNextStep = nextStep ?? ""
            groundCitation = format.citation(groundRule)
            let note = Self.present(context.rejectionNote)
            // These grounds' sentences point to the officer's words ("named below"), which must then be there.
            let needsNote =
                ruleSet.refusal(ground)?.officerNamesProvision == true || ground == .abusive
                || ground == .noConsentNeeded
            if needsNote && note == nil {
                throw LetterError.missingValue(kind: kind, field: "rejectionNote")
            }
            hasNote = note != nil
            rejectionNote = note ?? ""
        case .refusalConfirmation:
            guard context.requestType == .objection || context.requestType == .withdrawConsent else {
                throw LetterError.notApplicable(
                    kind: kind, reason: "a \(context.requestType.rawValue) request is not a refusal of advertising")
            }
            let since = context.suppressionSince ?? context.receivedAt
            suppressionSince = format.dateTime(since)
            stopsOnReceipt = since <= context.receivedAt
        }
    }

    /// The text, or nil when it is absent or blank.
    private static func present(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return text
    }
}

/// Dates, times and citations written as a letter in that language writes them, always in Vietnam time.
struct LetterFormat {
    var language: LetterLanguage

    private static let englishMonths = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// `ngày 02 tháng 3 năm 2026` (Decree 30/2020/NĐ-CP: a leading zero for days below 10 and for months 1 and 2)
    /// or `2 March 2026`.
    func date(_ day: LocalDate) -> String {
        switch language {
        case .vi:
            let dayText = day.day < 10 ? "0\(day.day)" : "\(day.day)"
            let monthText = day.month < 3 ? "0\(day.month)" : "\(day.month)"
            return "ngày \(dayText) tháng \(monthText) năm \(day.year)"
        case .en:
            return "\(day.day) \(Self.englishMonths[day.month - 1]) \(day.year)"
        }
    }

    /// The date that opens a letter: `Ngày 02 tháng 3 năm 2026` or `2 March 2026`.
    func dateLine(_ day: LocalDate) -> String {
        let text = date(day)
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    /// `09 giờ 00 phút, ngày 02 tháng 3 năm 2026` or `09:00 (Vietnam time, UTC+07:00), 2 March 2026`.
    func dateTime(_ instant: Date) -> String {
        let local = Int((instant.timeIntervalSince1970 + Double(VietnamTime.offsetSeconds)).rounded(.down))
        let secondOfDay = (local % 86_400 + 86_400) % 86_400
        let hour = Self.twoDigits(secondOfDay / 3600)
        let minute = Self.twoDigits(secondOfDay / 60 % 60)
        let day = date(VietnamTime.date(of: instant))
        switch language {
        case .vi: return "\(hour) giờ \(minute) phút, \(day)"
        case .en: return "\(hour):\(minute) (Vietnam time, UTC+07:00), \(day)"
        }
    }

    /// The citation as the rule set writes it in English, or in Vietnamese legal form for a Vietnamese letter.
    func citation(_ text: String) -> String {
        switch language {
        case .vi:
            return VietnameseCitation.render(text)
        case .en:
            // The rule sets speak to the officer; the person reads the officer's words in this letter.
            return text.replacingOccurrences(of: ", with the other law", with: " and the other law")
                .replacingOccurrences(of: ", with the provision", with: " and the provision")
                .replacingOccurrences(of: "named by the officer", with: "named in this letter")
        }
    }

    /// `09:15 ngày 02/03/2026` in Vietnam time, for a short form (`09:15 02/03/2026` in English).
    static func compact(_ instant: Date, vietnamese: Bool) -> String {
        let local = Int((instant.timeIntervalSince1970 + Double(VietnamTime.offsetSeconds)).rounded(.down))
        let secondOfDay = (local % 86_400 + 86_400) % 86_400
        return "\(twoDigits(secondOfDay / 3600)):\(twoDigits(secondOfDay / 60 % 60)) "
            + compact(VietnamTime.date(of: instant), vietnamese: vietnamese)
    }

    /// `ngày 23/03/2026` as Vietnamese writes a date (`23/03/2026` in English).
    static func compact(_ day: LocalDate, vietnamese: Bool) -> String {
        (vietnamese ? "ngày " : "") + "\(twoDigits(day.day))/\(twoDigits(day.month))/\(day.year)"
    }

    /// A period's length as the letter states it: `20 ngày`, `2 ngày làm việc`, `72 giờ`; `20 days`.
    func length(_ period: Period) -> String {
        switch (period.unit, language) {
        case (.calendarDays, .vi): "\(period.amount) ngày"
        case (.workingDays, .vi): "\(period.amount) ngày làm việc"
        case (.hours, .vi): "\(period.amount) giờ"
        case (.calendarDays, .en): "\(period.amount) day\(period.amount == 1 ? "" : "s")"
        case (.workingDays, .en): "\(period.amount) working day\(period.amount == 1 ? "" : "s")"
        case (.hours, .en): "\(period.amount) hour\(period.amount == 1 ? "" : "s")"
        }
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

/// Rewrites the rule sets' English citations ("Law 91 Art. 4(3), 26") in the form Vietnamese legal texts use
/// ("khoản 3 Điều 4 và Điều 26 Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15"). A part it does not recognise is kept as
/// written, so a citation is never lost, only left untranslated.
public enum VietnameseCitation {
    private static let instruments: [(code: String, name: String)] = [
        ("Law 91", "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15"),
        ("Decree 356", "Nghị định số 356/2025/NĐ-CP"),
        ("Decree 13/2023/ND-CP", "Nghị định số 13/2023/NĐ-CP"),
        ("Decree 13", "Nghị định số 13/2023/NĐ-CP"),
        ("Decree 91/2020", "Nghị định số 91/2020/NĐ-CP"),
        ("Civil Code 2015", "Bộ luật Dân sự năm 2015"),
    ]

    private static let remarks: [(english: String, vietnamese: String)] = [
        (" for deletion", " (đối với yêu cầu xóa dữ liệu)"),
        (
            " (duty to protect personal data against disclosure to the wrong person)",
            " (nghĩa vụ bảo vệ dữ liệu cá nhân, không để lộ dữ liệu cho người không có quyền)"
        ),
        (
            ", with the other law that requires keeping the data, named by the officer",
            " và quy định của luật khác yêu cầu lưu giữ dữ liệu, được nêu trong thư này"
        ),
        (", with the provision named by the officer", " và quy định cụ thể được nêu trong thư này"),
    ]

    private static let prefixes: [(english: String, vietnamese: String)] = [
        ("acknowledgement: ", "xác nhận đã nhận yêu cầu: "),
        ("shortened by company policy ", "thời hạn được rút ngắn theo chính sách của công ty "),
    ]

    /// Whole parts said in Vietnamese as they are: how the deadline is counted (`DeadlineCalculator`).
    private static let phrases: [String: String] = [
        "counted under Civil Code 2015 Art. 147-148": "thời hạn tính theo Điều 147 và Điều 148 Bộ luật Dân sự năm 2015",
        "counted in hours from receipt": "thời hạn tính theo giờ kể từ khi nhận yêu cầu",
    ]

    public static func render(_ citation: String) -> String {
        var instrument: String?
        var parts: [String] = []
        for segment in citation.components(separatedBy: "; ") {
            parts.append(render(segment: segment, instrument: &instrument))
        }
        return parts.joined(separator: "; ")
    }

    /// One `;`-separated part; a part without an instrument ("Art. 14(2) for deletion") belongs to the one before.
    private static func render(segment: String, instrument: inout String?) -> String {
        if let phrase = phrases[segment] { return phrase }
        for prefix in prefixes where segment.hasPrefix(prefix.english) {
            let rest = String(segment.dropFirst(prefix.english.count))
            let inner = rest.hasPrefix("'") ? rest : render(segment: rest, instrument: &instrument)
            return prefix.vietnamese + inner
        }
        var rest = Substring(segment)
        if let known = instruments.first(where: { rest.hasPrefix($0.code) }) {
            let after = rest.dropFirst(known.code.count)
            // "Decree 13" must not take "Decree 135"; the code ends where a space, a comma or the text does.
            guard after.isEmpty || after.first == " " || after.first == "," else { return segment }
            instrument = known.name
            rest = after
            if rest.hasPrefix(" ") { rest = rest.dropFirst() }
        }
        guard let name = instrument else { return segment }
        var articles: [String] = []
        if rest.hasPrefix("Art. ") {
            rest = rest.dropFirst("Art. ".count)
            while let article = parseArticle(&rest) {
                articles.append(article)
                guard rest.hasPrefix(", "), rest.dropFirst(2).first?.isNumber == true else { break }
                rest = rest.dropFirst(2)
            }
            guard !articles.isEmpty else { return segment }
        }
        var remark = ""
        if !rest.isEmpty {
            guard let known = remarks.first(where: { $0.english == rest }) else { return segment }
            remark = known.vietnamese
        }
        let reference = articles.isEmpty ? name : joined(articles) + " " + name
        return reference + remark
    }

    /// `15(2)(a)` as `điểm a khoản 2 Điều 15`, `12(3)-(4)` as `khoản 3 và khoản 4 Điều 12`.
    private static func parseArticle(_ text: inout Substring) -> String? {
        let number = text.prefix { $0.isASCII && $0.isNumber }
        guard !number.isEmpty else { return nil }
        var rest = text.dropFirst(number.count)
        var groups: [Substring] = []
        var rangeEnd: Substring?
        while rest.hasPrefix("("), let close = rest.firstIndex(of: ")") {
            groups.append(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        }
        if rest.hasPrefix("-("), let close = rest.firstIndex(of: ")") {
            rangeEnd = rest[rest.index(rest.startIndex, offsetBy: 2)..<close]
            rest = rest[rest.index(after: close)...]
        }
        text = rest
        let article = "Điều \(number)"
        switch (groups.count, rangeEnd) {
        case (0, nil):
            return article
        case (1, nil):
            return "khoản \(groups[0]) \(article)"
        case (1, let end?):
            return "\(range("khoản", groups[0], end)) \(article)"
        case (2, nil):
            return "điểm \(groups[1]) khoản \(groups[0]) \(article)"
        case (2, let end?):
            return "\(range("điểm", groups[1], end)) khoản \(groups[0]) \(article)"
        default:
            return nil
        }
    }

    /// The order of points (điểm) in a Vietnamese legal text: the alphabet without f, j, w, z, with đ after d.
    private static let points = Array("abcdđeghiklmnopqrstuvxy").map(String.init)

    /// `khoản 3 và khoản 4` for two neighbours, `từ điểm a đến điểm c` for a longer run.
    private static func range(_ unit: String, _ first: Substring, _ last: Substring) -> String {
        let adjacent: Bool
        if let low = Int(first), let high = Int(last) {
            adjacent = high == low + 1
        } else if let low = points.firstIndex(of: String(first)), let high = points.firstIndex(of: String(last)) {
            adjacent = high == low + 1
        } else {
            adjacent = false
        }
        return adjacent ? "\(unit) \(first) và \(unit) \(last)" : "từ \(unit) \(first) đến \(unit) \(last)"
    }

    private static func joined(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " và " + items[items.count - 1]
    }
}
