import Foundation
import Hummingbird
import RightsCore
import RightsStore

/// The support agent's "why did I get this message?" (`/why`): a number typed any way, the answer to paste into a
/// chat, the facts behind it, and a button that files an objection on the spot. The number travels in POST bodies,
/// never in a URL, and every lookup goes to the staff lookup log.
struct WhyController: Sendable {
    let server: DeskServer
    let pages: WebPageRenderer

    func add(to router: RouterGroup<DeskContext>) {
        router.get("/why", use: show)
        router.post("/why", use: lookUp)
        router.post("/why/objection", use: fileObjection)
    }

    struct LookUpForm: Decodable {
        var id: String?
    }

    struct ObjectionForm: Decodable {
        var id: String?
        var channel: String?
    }

    @Sendable func show(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        _ = try context.require(.lookUp)
        return try pages.render(WhyPage(visit, typed: ""), visit)
    }

    @Sendable func lookUp(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        let user = try context.require(.lookUp)
        let typed = try await WebForms.decode(LookUpForm.self, request, visit).id ?? ""
        let identifier: Identifier
        do throws(IdentifierError) {
            identifier = try Identifier(parsing: typed.trimmingWhitespace())
        } catch {
            var page = WhyPage(visit, typed: typed)
            page.error = error.description
            return try pages.render(page, visit, status: .badRequest)
        }
        let now = server.now()
        server.lookups.record(user: user.name, kind: "why", identifier: identifier, at: now)
        var page = WhyPage(visit, typed: typed)
        page.answer = WhyPage.Answer(try server.store.why(identifier, now: now), visit: visit)
        return try pages.render(page, visit, script: true)
    }

    @Sendable func fileObjection(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        let user = try context.require(.fileObjection)
        let form = try await WebForms.decode(ObjectionForm.self, request, visit)
        let identifier: Identifier
        do throws(IdentifierError) {
            identifier = try Identifier(parsing: (form.id ?? "").trimmingWhitespace())
        } catch {
            throw Problem.badRequest(error.description)
        }
        guard let channel = IntakeChannel(rawValue: form.channel ?? "phone") else {
            throw Problem.badRequest("channel")
        }
        let now = server.now()
        let view = try await server.offload { [store = server.store] in
            try store.createRequest(
                NewRequest(type: .objection, subjects: [identifier], channel: channel, receivedAt: now),
                actor: user.name, at: now)
        }
        server.lookups.record(user: user.name, kind: "why", identifier: identifier, at: now)
        var page = WhyPage(visit, typed: identifier.normalized)
        page.notice = visit.words.format("objectionFiled", view.id)
        page.answer = WhyPage.Answer(try server.store.why(identifier, now: now), visit: visit)
        return try pages.render(page, visit, status: .created, script: true)
    }
}

/// `Templates/web/why.mustache`.
struct WhyPage: WebPageModel {
    static let template = WebTemplate.why

    struct Answer: Sendable {
        struct ListRow: Sendable {
            struct Consent: Sendable {
                var consentChannels: String
                var at: String
                var method: String?
            }

            var list: String
            var source: String?
            var importedAt: String
            var basis: String
            var status: String
            var consent: Consent?
        }

        struct Suppression: Sendable {
            var channel: String
            var purpose: String
            var since: String
            var reason: String
            var requestID: String?
            var liftedAt: String?
        }

        struct Send: Sendable {
            var campaign: String
            var channel: String
            var sentAt: String
            var delivered: Bool
            var afterSuppression: Bool
        }

        struct Request: Sendable {
            var id: String
            var typeName: String
            var stateName: String
        }

        var identifier: String
        var vi: String
        var en: String
        var dnc: Bool
        var lists: [ListRow]
        var suppressions: [Suppression]
        var sends: [Send]
        var requests: [Request]

        init(_ answer: WhyAnswer, visit: WebVisit) {
            let language = visit.language.vocabulary
            identifier = answer.identifier
            vi = answer.explanation["vi"] ?? ""
            en = answer.explanation["en"] ?? ""
            dnc = answer.dnc
            lists = answer.lists.map { list in
                ListRow(
                    list: list.list, source: list.source, importedAt: visit.language.time(list.importedAt),
                    basis: Vocabulary.basis(code: list.basis, language),
                    status: Vocabulary.entryStatus(code: list.status, language),
                    consent: list.consent.map { consent in
                        ListRow.Consent(
                            consentChannels: consent.channels.map { Vocabulary.channel(code: $0, language) }
                                .joined(separator: ", "), at: visit.language.time(consent.at), method: consent.method)
                    })
            }
            suppressions = answer.suppressions.map {
                Suppression(
                    channel: Vocabulary.channel(code: $0.channel, language),
                    purpose: Vocabulary.purpose(code: $0.purpose, language), since: visit.language.time($0.since),
                    reason: Vocabulary.suppressionReason($0.reason, language),
                    requestID: $0.requestID, liftedAt: $0.liftedAt.map(visit.language.time))
            }
            sends = answer.sends.map {
                Send(
                    campaign: $0.campaign, channel: Vocabulary.channel(code: $0.channel, language),
                    sentAt: visit.language.time($0.sentAt), delivered: $0.delivered,
                    afterSuppression: $0.afterSuppression)
            }
            requests = answer.requests.map { fact in
                Request(
                    id: fact.id,
                    typeName: RequestType(rawValue: fact.type).map { Vocabulary.requestType($0, language) }
                        ?? fact.type,
                    stateName: RequestState(rawValue: fact.state).map { Vocabulary.requestState($0, language) }
                        ?? fact.state)
            }
        }
    }

    var typed: String
    var mayObject: Bool
    var mayRead: Bool
    var channels: [WebOption]
    var answer: Answer?
    var error: String?
    var notice: String?

    init(_ visit: WebVisit, typed: String) {
        self.typed = typed
        mayObject = visit.may(.fileObjection)
        mayRead = visit.may(.readRequests)
        channels = WebOption.list(
            IntakeChannel.allCases.map { ($0.rawValue, Vocabulary.intakeChannel($0, visit.language.vocabulary)) },
            selected: IntakeChannel.phone.rawValue)
    }
}
