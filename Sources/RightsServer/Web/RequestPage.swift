import Foundation
import RightsCore
import RightsEvidence
import RightsStore

/// `Templates/web/request.mustache`: the request's facts, its people, timeline, processors and letters, and the
/// steps the signed-in role may take from its state.
struct RequestPage: WebPageModel {
    static let template = WebTemplate.request

    struct Facts: Sendable {
        var id: String
        var typeName: String
        var stateName: String
        var overdue: Bool
        var soon: Bool
        var channelName: String
        var receivedAt: String
        var ackDueDay: String
        var dueDay: String
        var extended: Bool
        var ruleSet: String
        var citation: String
        var duplicateOf: String?
        var processors: Bool
        var isRefusal: Bool
        var scopeName: String
        var name: String?
        var address: String?
        var representative: String?
        var representativeEvidence: String?
        var restrictionCondition: String?
        var evidence: String?
        var note: String?
        var extensionReason: String?
        var closedAt: String?
        var late: Bool
        var lateReason: String?
        var groundName: String?
        var groundCitation: String?
        var closingNote: String?
    }

    struct Subject: Sendable {
        var identifier: String
        var verifiedAt: String?
        var method: String
    }

    struct Event: Sendable {
        var at: String
        var kindName: String
        var actor: String
        var note: String?
    }

    struct Letter: Sendable {
        var kindName: String
        var lang: String
        var sentAt: String
        var text: String
    }

    struct Processor: Sendable {
        var id: String
        var name: String
        var notifiedAt: String
        var confirmedAt: String?
    }

    struct Unverified: Sendable {
        var identifier: String
    }

    var request: Facts
    var subjects: [Subject]
    var events: [Event]
    var letters: [Letter]
    var hasLetters: Bool
    var processorsTold: [Processor]
    var hasProcessors: Bool
    var mayManage: Bool
    var open: Bool
    var canAck: Bool
    var canVerify: Bool
    var unverified: [Unverified]
    var canExtend: Bool
    var canComplete: Bool
    var isAccess: Bool
    var isCorrection: Bool
    var isProtection: Bool
    var completeHint: String
    var grounds: [WebOption]
    var letterKinds: [WebOption]
    var letterLanguages: [WebOption]
    var previewKind: String
    var previewLang: String
    var previewName: String
    var preview: String?
    var hasPreview = false
    var previewError: String?
    var notice: String?

    init(_ detail: RequestDetail, visit: WebVisit, now: Date, letter: LetterKind, letterLanguage: LetterLanguage) {
        let view = detail.request
        let words = visit.words
        let language = visit.language.vocabulary
        let vietnamese = visit.language == .vi
        let (overdue, soon) = QueueController.Row.urgency(view, now: now)
        func cited(_ text: String) -> String { vietnamese ? VietnameseCitation.render(text) : text }
        request = Facts(
            id: view.id, typeName: Vocabulary.requestType(view.type, language),
            stateName: Vocabulary.requestState(view.state, language), overdue: overdue,
            soon: soon,
            channelName: Vocabulary.intakeChannel(view.channel, language),
            receivedAt: visit.language.time(view.receivedAt),
            // The last day ("23/03/2026"): the instant is the next midnight, a day later.
            ackDueDay: VietnamDates.day(view.ackDueDate, language: language),
            dueDay: VietnamDates.day(view.dueDate, language: language), extended: view.extended,
            ruleSet: view.ruleSet, citation: cited(view.citation), duplicateOf: view.duplicateOf,
            processors: view.processors, isRefusal: view.type == .objection || view.type == .withdrawConsent,
            scopeName: Vocabulary.refusalScope(view.scope, language), name: detail.name, address: detail.address,
            representative: detail.representative.map {
                "\($0.name) (\(Vocabulary.relation($0.relation, language)))"
            },
            representativeEvidence: detail.representative?.evidence,
            restrictionCondition: detail.restrictionCondition, evidence: detail.evidence, note: detail.note,
            extensionReason: detail.extensionReason, closedAt: view.closedAt.map(visit.language.time), late: view.late,
            lateReason: detail.lateReason,
            groundName: detail.ground.map {
                RefusalGround(rawValue: $0).map { Vocabulary.refusalGround($0, language) } ?? $0
            },
            groundCitation: detail.groundCitation.map(cited), closingNote: detail.closingNote)
        subjects = detail.subjects.map {
            Subject(
                identifier: $0.isErased ? words["erased"] : $0.identifier,
                verifiedAt: $0.verifiedAt.map(visit.language.time), method: $0.method ?? "—")
        }
        events = detail.events.map { event in
            Event(
                at: visit.language.time(event.at), kindName: Vocabulary.event(event.kind, language), actor: event.actor,
                note: event.note.map { Vocabulary.eventNote(kind: event.kind, note: $0, language) })
        }
        letters = detail.letters.map {
            Letter(
                kindName: Vocabulary.letter(code: $0.kind, language), lang: $0.lang,
                sentAt: visit.language.time($0.sentAt),
                text: $0.text)
        }
        hasLetters = !letters.isEmpty
        processorsTold = detail.processorsTold.map {
            Processor(
                id: $0.id, name: $0.name, notifiedAt: visit.language.time($0.notifiedAt),
                confirmedAt: $0.confirmedAt.map(visit.language.time))
        }
        hasProcessors = !processorsTold.isEmpty
        let unverified = detail.subjects.filter { $0.verifiedAt == nil }
        mayManage = visit.may(.manageRequests)
        open = view.state.isOpen
        canAck = view.state == .received
        canVerify = view.state.isOpen && !unverified.isEmpty
        self.unverified = unverified.map { Unverified(identifier: $0.identifier) }
        canExtend = !view.extended
        // Verified; or, for a refusal of advertising, any open state (CONTRACT.md's table). Access needs the role
        // that may see the person's report.
        canComplete =
            (view.state == .verified || request.isRefusal)
            && (view.type != .access || visit.may(.readAccessReports))
        isAccess = view.type == .access
        isCorrection = view.type == .correction
        isProtection = view.type == .protection
        completeHint =
            switch view.type {
            case .deletion: words["completeHintDeletion"]
            case .objection, .withdrawConsent: words["completeHintRefusal"]
            case .restriction: words["completeHintRestriction"]
            case .correction: words["completeHintCorrection"]
            case .access, .protection: words["completeHint"]
            }
        // Only the grounds the request's rule set offers for its type (harms-others is for access alone).
        grounds = RefusalGround.allCases.filter { ground in
            RuleSet.named(view.ruleSet)?.refusal(ground)?.appliesTo.contains(view.type) ?? true
        }.map { WebOption(value: $0.rawValue, label: Vocabulary.refusalGround($0, language), selected: false) }
        letterKinds = WebOption.list(
            LetterKind.allCases.map { ($0.rawValue, Vocabulary.letter(code: $0.rawValue, language)) },
            selected: letter.rawValue)
        letterLanguages = WebOption.list(
            [("vi", "Tiếng Việt"), ("en", "English")], selected: letterLanguage.rawValue)
        previewKind = letter.rawValue
        previewLang = letterLanguage.rawValue
        previewName = Vocabulary.letter(code: letter.rawValue, language)
    }

    /// The letter a request most likely needs next, previewed when the page opens.
    static func suggestedLetter(_ detail: RequestDetail) -> LetterKind {
        let view = detail.request
        switch view.state {
        case .completed:
            return view.type == .objection || view.type == .withdrawConsent ? .refusalConfirmation : .completion
        case .rejected: return .rejection
        default: return view.extended ? .extension : .ack
        }
    }
}
