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
