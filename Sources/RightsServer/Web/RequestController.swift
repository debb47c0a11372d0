import Foundation
import Hummingbird
import RightsCore
import RightsDelivery
import RightsEvidence
import RightsStore

/// A request and its steps (`/requests/{id}`): each step of CONTRACT.md's table is a button where the state and the
/// role allow it, taken with the signed-in user as the actor, then back to the request (Post/Redirect/Get, so a
/// reload does not repeat it). Completing an access request downloads the person's report instead.
struct RequestController: Sendable {
    let server: DeskServer
    let pages: WebPageRenderer

    var store: RightsStore { server.store }

    func add(to router: RouterGroup<DeskContext>) {
        router.get("/requests/{id}", use: show)
        router.post("/requests/{id}/ack", use: acknowledge)
        router.post("/requests/{id}/verify", use: verify)
        router.post("/requests/{id}/extend", use: extend)
        router.post("/requests/{id}/complete", use: complete)
        router.post("/requests/{id}/reject", use: reject)
        router.post("/requests/{id}/withdraw", use: withdraw)
        router.post("/requests/{id}/letter", use: sendLetter)
    }

    // MARK: Forms

    struct LetterQuery: Decodable {
        var letter: String?
        var letter_lang: String?
        var done: String?
    }

    struct VerifyForm: Decodable {
        var method: String?
        var subject: String?
    }

    struct ReasonForm: Decodable {
        var reason: String?
    }

    struct CompleteForm: Decodable {
        var set: String?
        var late_reason: String?
        var measures: String?
    }

    struct RejectForm: Decodable {
        var ground: String?
        var note: String?
        var of: String?
    }

    struct NoteForm: Decodable {
        var note: String?
    }

    struct LetterForm: Decodable {
        var kind: String?
        var lang: String?
    }

    // MARK: Routes

    @Sendable func show(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        _ = try context.require(.readRequests)
        let id = try context.parameters.require("id")
        let detail = try store.request(id)
        let query = try request.uri.decodeQuery(as: LetterQuery.self, context: context)
        let now = server.now()
        let kind = query.letter.flatMap(LetterKind.init(rawValue:)) ?? RequestPage.suggestedLetter(detail)
        let language =
            query.letter_lang.flatMap(LetterLanguage.init(rawValue:)) ?? (visit.language == .en ? .en : .vi)
        var page = RequestPage(detail, visit: visit, now: now, letter: kind, letterLanguage: language)
        do {
            page.preview = try server.letters.get().render(id, kind: kind, language: language, now: now)
        } catch {
            page.previewError = String(describing: error)
        }
        page.hasPreview = page.preview != nil
        if query.done != nil { page.notice = visit.words["saved"] }
        return try pages.render(page, visit)
    }

    @Sendable func acknowledge(_ request: Request, context: DeskContext) async throws -> Response {
        try await step("ack", request, context) { id, user, now in
            _ = try store.acknowledgeRequest(id, at: now, actor: user.name, now: now)
        }
    }

    @Sendable func verify(_ request: Request, context: DeskContext) async throws -> Response {
        let form = try await WebForms.decode(VerifyForm.self, request, try context.page)
        guard let method = form.method.formText else { throw Problem.badRequest("method") }
        var subject: Identifier?
        if let text = form.subject.formText {
            do throws(IdentifierError) {
                subject = try Identifier(parsing: text)
            } catch {
                throw Problem.badRequest(error.description)
            }
        }
        let chosen = subject
        return try await step("verify", request, context) { id, user, now in
            _ = try store.verifyRequest(id, subject: chosen, method: method, at: now, actor: user.name, now: now)
        }
    }

    @Sendable func extend(_ request: Request, context: DeskContext) async throws -> Response {
        let form = try await WebForms.decode(ReasonForm.self, request, try context.page)
        guard let reason = form.reason.formText else { throw Problem.badRequest("reason") }
        return try await step("extend", request, context) { id, user, now in
            _ = try store.extendRequest(id, reason: reason, at: now, actor: user.name, now: now)
        }
    }

    @Sendable func reject(_ request: Request, context: DeskContext) async throws -> Response {
        let form = try await WebForms.decode(RejectForm.self, request, try context.page)
        guard let ground = form.ground.flatMap(RefusalGround.init(rawValue:)) else {
            throw Problem.badRequest("ground: \(RefusalGround.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let note = form.note.formText
        guard note != nil || ground == .duplicate else {
            throw Problem.badRequest(try context.page.words["noteNeeded"])
        }
        return try await step("reject", request, context) { id, user, now in
            _ = try store.rejectRequest(
                id, ground: ground, note: note, duplicateOf: form.of.formText, at: now, actor: user.name, now: now)
        }
    }

    @Sendable func withdraw(_ request: Request, context: DeskContext) async throws -> Response {
        let form = try await WebForms.decode(NoteForm.self, request, try context.page)
        return try await step("withdraw", request, context) { id, user, now in
            _ = try store.withdrawRequest(id, note: form.note.formText, at: now, actor: user.name, now: now)
        }
    }

    /// Completing: the same step as the others, but an access request answers with the person's report, as a ZIP
    /// download the officer sends on; the server keeps no copy.
    @Sendable func complete(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        let user = try context.require(.manageRequests)
        let id = try context.parameters.require("id")
        let form = try await WebForms.decode(CompleteForm.self, request, visit)
        var corrections: [(field: String, value: String)] = []
        for line in (form.set ?? "").split(whereSeparator: \.isNewline) {
            let entry = line.trimmingWhitespace()
            guard !entry.isEmpty else { continue }
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw Problem.badRequest("FIELD=VALUE: \(entry)")
            }
            corrections.append(
                (String(entry[..<equals]).trimmingWhitespace(), String(entry[entry.index(after: equals)...])))
        }
        var filled = Completion(lateReason: form.late_reason.formText, corrections: corrections)
        filled.measures = form.measures.formText
        let (completion, now) = (filled, server.now())
        let folder = "access-" + WebVisit.fileSafe(id)
        let mayReport = user.role.may(.readAccessReports)
        let report = try await server.offload { [store] () -> Data? in
            guard try store.request(id).request.type == .access else {
                _ = try store.completeRequest(id, completion: completion, at: now, actor: user.name, now: now)
                return nil
            }
            guard mayReport else { throw Problem(status: .forbidden, title: "Forbidden", detail: "access") }
            var zip: Data?
            _ = try AccessCompletion.complete(
                id, store: store, completion: completion, at: now, actor: user.name, now: now
            ) { rendered in zip = try AccessReportWriter.zip(rendered, folder: folder) }
            return zip
        }
        guard let report else { return visit.redirect("/requests/\(id)?done=complete") }
        return WebVisit.download(report, name: "\(folder).zip")
    }

    /// Sending a letter records it and delivers it where delivery is configured; the page then shows the timeline
    /// with `letter-delivered` or `letter-delivery-failed` (retried by `serve`).
    @Sendable func sendLetter(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        let user = try context.require(.manageRequests)
        let id = try context.parameters.require("id")
        let form = try await WebForms.decode(LetterForm.self, request, visit)
        guard let kind = form.kind.flatMap(LetterKind.init(rawValue:)),
            let language = form.lang.flatMap(LetterLanguage.init(rawValue:))
        else { throw Problem.badRequest("kind, lang") }
        _ = try await server.letters.get().send(id, kind: kind, language: language, actor: user.name, now: server.now())
        return visit.redirect("/requests/\(id)?done=letter")
    }

    /// One workflow step: officers only, the user as the actor, off the event loop, then back to the request.
    private func step(
        _ name: String, _ request: Request, _ context: DeskContext,
        _ body: @escaping @Sendable (String, StaffUser, Date) throws -> Void
    ) async throws -> Response {
        let visit = try context.page
        let user = try context.require(.manageRequests)
        let id = try context.parameters.require("id")
        let now = server.now()
        try await server.offload { try body(id, user, now) }
        return visit.redirect("/requests/\(id)?done=\(name)")
    }
}

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
        let due = Timestamp.parse(view.due)
        let overdue = view.state.isOpen && due.map { $0 < now } == true
        func spoken(_ text: String) -> String { VietnamDates.spoken(text, language: language) ?? text }
        func cited(_ text: String) -> String { vietnamese ? VietnameseCitation.render(text) : text }
        request = Facts(
            id: view.id, typeName: Vocabulary.requestType(view.type, language),
            stateName: Vocabulary.requestState(view.state, language), overdue: overdue,
            soon: view.state.isOpen && !overdue && due.map { $0 <= now.addingTimeInterval(2 * 86400) } == true,
            channelName: Vocabulary.intakeChannel(view.channel, language), receivedAt: spoken(view.receivedAt),
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
            extensionReason: detail.extensionReason, closedAt: view.closedAt.map(spoken), late: view.late,
            lateReason: detail.lateReason,
            groundName: detail.ground.map {
                RefusalGround(rawValue: $0).map { Vocabulary.refusalGround($0, language) } ?? $0
            },
            groundCitation: detail.groundCitation.map(cited), closingNote: detail.closingNote)
        subjects = detail.subjects.map {
            Subject(identifier: $0.identifier, verifiedAt: $0.verifiedAt.map(spoken), method: $0.method ?? "—")
        }
        events = detail.events.map { event in
            Event(
                at: spoken(event.at), kindName: Vocabulary.event(event.kind, language), actor: event.actor,
                note: event.note.map { Vocabulary.eventNote(kind: event.kind, note: $0, language) })
        }
        letters = detail.letters.map {
            Letter(
                kindName: Vocabulary.letter(code: $0.kind, language), lang: $0.lang, sentAt: spoken($0.sentAt),
                text: $0.text)
        }
        hasLetters = !letters.isEmpty
        processorsTold = detail.processorsTold.map {
            Processor(
                id: $0.id, name: $0.name, notifiedAt: spoken($0.notifiedAt), confirmedAt: $0.confirmedAt.map(spoken))
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
