import Foundation
import Hummingbird
import RightsCore
import RightsStore

/// A new request taken by phone, at a store or on paper (`/requests/new`). Support agents file objections on the
/// spot; every other type is an officer's, as on the API. A mistake comes back on the form with what was typed kept.
struct IntakeController: Sendable {
    let server: DeskServer
    let pages: WebPageRenderer

    func add(to router: RouterGroup<DeskContext>) {
        router.get("/requests/new", use: show)
        router.post("/requests", use: create)
    }

    /// The form as posted; also what the form shows again after a mistake.
    struct Form: Codable, Sendable {
        var type: String?
        var subjects: String?
        var channel: String?
        var received_at: String?
        var scope: String?
        var processors: String?
        var name: String?
        var address: String?
        var note: String?
        var representative: String?
        var relation: String?
        var representative_evidence: String?
        var restriction_condition: String?
        var evidence: String?
    }

    /// `Templates/web/new-request.mustache`.
    struct NewRequestPage: WebPageModel {
        static let template = WebTemplate.newRequest

        /// The typed values, as the template names them.
        struct Values: Sendable {
            var subjects = ""
            var receivedAt = ""
            var processors = false
            var name = ""
            var address = ""
            var note = ""
            var representative = ""
            var representativeEvidence = ""
            var restrictionCondition = ""
            var evidence = ""
        }

        var types: [WebOption]
        var channels: [WebOption]
        var scopes: [WebOption]
        var relations: [WebOption]
        var form: Values
        var error: String?
        var notice: String?

        init(_ visit: WebVisit, form posted: Form = Form(), error: String? = nil, notice: String? = nil) {
            let language = visit.language.vocabulary
            let types = RequestType.allCases.filter {
                visit.may($0 == .objection ? .fileObjection : .manageRequests)
            }
            self.types = WebOption.list(
                types.map { ($0.rawValue, Vocabulary.requestType($0, language)) },
                selected: posted.type ?? (types.count == 1 ? types[0].rawValue : ""))
            channels = WebOption.list(
                IntakeChannel.allCases.map { ($0.rawValue, Vocabulary.intakeChannel($0, language)) },
                selected: posted.channel ?? IntakeChannel.phone.rawValue)
            scopes = WebOption.list(
                SuppressionPurpose.allCases.map { ($0.rawValue, Vocabulary.refusalScope($0, language)) },
                selected: posted.scope ?? SuppressionPurpose.marketing.rawValue)
            relations = WebOption.list(
                [("", "—")] + RepresentativeRelation.allCases.map { ($0.rawValue, Vocabulary.relation($0, language)) },
                selected: posted.relation ?? "")
            form = Values(
                subjects: posted.subjects ?? "", receivedAt: posted.received_at ?? "",
                processors: posted.processors != nil, name: posted.name ?? "", address: posted.address ?? "",
                note: posted.note ?? "", representative: posted.representative ?? "",
                representativeEvidence: posted.representative_evidence ?? "",
                restrictionCondition: posted.restriction_condition ?? "", evidence: posted.evidence ?? "")
            self.error = error
            self.notice = notice
        }
    }

    @Sendable func show(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        _ = try context.require(.fileObjection)
        return try pages.render(NewRequestPage(visit), visit)
    }

    @Sendable func create(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        let form = try await WebForms.decode(Form.self, request, visit)
        guard let type = form.type.flatMap(RequestType.init(rawValue:)) else {
            throw Problem.badRequest("type: \(RequestType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let user = try context.require(type == .objection ? .fileObjection : .manageRequests)
        do {
            let now = server.now()
            let new = try Self.newRequest(form, type: type, words: visit.words, now: now)
            let view = try await server.offload { [store = server.store] in
                try store.createRequest(new, actor: user.name, at: now)
            }
            if user.role.may(.readRequests) { return visit.redirect("/requests/\(view.id)") }
            return try pages.render(NewRequestPage(visit, notice: "\(visit.words["filed"]) \(view.id)"), visit)
        } catch let error as WebFormError {
            return try pages.render(
                NewRequestPage(visit, form: form, error: error.message), visit, status: error.status)
        }
    }

    /// Reads the form into a request for the store.
    static func newRequest(_ form: Form, type: RequestType, words: DeskWords, now: Date) throws -> NewRequest {
        var subjects: [Identifier] = []
        for line in (form.subjects ?? "").split(whereSeparator: \.isNewline) {
            let text = line.trimmingWhitespace()
            guard !text.isEmpty else { continue }
            do throws(IdentifierError) {
                subjects.append(try Identifier(parsing: text))
            } catch {
                throw WebFormError(status: .badRequest, message: "\(text): \(error.description)")
            }
        }
        guard !subjects.isEmpty else { throw WebFormError(status: .badRequest, message: words["subjectNeeded"]) }
        guard let channel = IntakeChannel(rawValue: form.channel ?? "phone") else {
            throw WebFormError(status: .badRequest, message: words["channel"])
        }
        var receivedAt = now
        if let text = form.received_at.formText {
            // A browser's datetime-local has no offset: it is the desk's own time, Vietnam time.
            guard
                let date = Timestamp.parse(text) ?? Timestamp.parse(text + "+07:00")
                    ?? Timestamp.parse(text + ":00+07:00")
            else { throw WebFormError(status: .badRequest, message: words.format("notADateTime", text)) }
            receivedAt = date
        }
        var representative: Representative?
        if let name = form.representative.formText {
            guard let relation = form.relation.flatMap(RepresentativeRelation.init(rawValue:)) else {
                throw WebFormError(status: .badRequest, message: words.format("relationNeeded", name))
            }
            representative = Representative(
                name: name, relation: relation, evidence: form.representative_evidence.formText)
        }
        return NewRequest(
            type: type, subjects: subjects, channel: channel, receivedAt: receivedAt,
            processors: form.processors != nil,
            scope: form.scope.flatMap(SuppressionPurpose.init(rawValue:)) ?? .marketing, name: form.name.formText,
            address: form.address.formText, note: form.note.formText, representative: representative,
            restrictionCondition: form.restriction_condition.formText, evidence: form.evidence.formText)
    }
}
