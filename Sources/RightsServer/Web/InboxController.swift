import Foundation
import Hummingbird
import RightsCore
import RightsStore

/// The Zalo messages waiting for an officer (`/inbox`): texts that may be refusals ("hủy đơn hàng" may cancel an
/// order, not the advertising). Filing one as an objection makes it effective from when the message arrived; either
/// judgement is recorded on the chain under the officer's name.
struct InboxController: Sendable {
    let server: DeskServer
    let pages: WebPageRenderer

    func add(to router: RouterGroup<DeskContext>) {
        router.get("/inbox", use: show)
        router.post("/inbox/{message}/objection", use: fileObjection)
        router.post("/inbox/{message}/dismiss", use: dismiss)
    }

    struct Query: Decodable {
        var all: String?
        var done: String?
    }

    struct NoteForm: Decodable {
        var note: String?
    }

    /// `Templates/web/inbox.mustache`.
    struct InboxPage: WebPageModel {
        static let template = WebTemplate.inbox

        struct Message: Sendable {
            var id: Int64
            var identifier: String
            var receivedAt: String
            var text: String
            var open: Bool
            var resolution: String?
            var requestID: String?
        }

        var messages: [Message]
        var summary: String
        var showingAll: Bool
        var notice: String?
    }

    @Sendable func show(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        _ = try context.require(.manageRequests)
        let query = try request.uri.decodeQuery(as: Query.self, context: context)
        let all = query.all != nil
        let messages = try await server.offload { [store = server.store] in try store.inbox(includeResolved: all) }
        let words = visit.words
        let page = InboxPage(
            messages: messages.map { message in
                InboxPage.Message(
                    id: message.id, identifier: message.identifier,
                    receivedAt: visit.language.time(message.receivedAt),
                    text: message.text, open: message.resolution == nil,
                    resolution: message.resolution.map {
                        words.format(
                            $0 == "dismissed" ? "inboxDismissedBy" : "inboxFiledBy", message.resolvedBy ?? "—")
                    }, requestID: message.requestID)
            }, summary: words.format("summaryInbox", messages.count { $0.resolution == nil }), showingAll: all,
            notice: query.done.map { $0 == "objection" ? words["inboxFiled"] : words["inboxDismissed"] })
        return try pages.render(page, visit)
    }

    @Sendable func fileObjection(_ request: Request, context: DeskContext) async throws -> Response {
        try await resolve(request, context, objection: true)
    }

    @Sendable func dismiss(_ request: Request, context: DeskContext) async throws -> Response {
        try await resolve(request, context, objection: false)
    }

    private func resolve(_ request: Request, _ context: DeskContext, objection: Bool) async throws -> Response {
        let visit = try context.page
        let user = try context.require(.manageRequests)
        guard let id = Int64(try context.parameters.require("message")) else {
            throw WebFormError(status: .notFound, message: visit.words["notFound"])
        }
        let note = try await WebForms.decode(NoteForm.self, request, visit).note.formText
        let now = server.now()
        _ = try await server.offload { [store = server.store] in
            try store.resolveInbox(id, objection: objection, note: note, actor: user.name, at: now)
        }
        return visit.redirect("/inbox?done=\(objection ? "objection" : "dismissed")")
    }
}
