import Foundation
import Hummingbird
import RightsCore
import RightsStore

/// The audit chain read back (`/audit`), for auditors and officers: events by request, kind and period, with their
/// plain fields only (what was sealed stays sealed), whether the chain is whole, and the staff lookup log with its
/// identifiers masked. Support agents may not read it.
struct AuditController: Sendable {
    /// The newest events and lookups a page shows; `rightsdesk audit log` gives the rest.
    static let pageSize = 500

    let server: DeskServer
    let pages: WebPageRenderer

    func add(to router: RouterGroup<DeskContext>) {
        router.get("/audit", use: show)
    }

    struct Query: Decodable {
        var request: String?
        var kind: String?
        var from: String?
        var to: String?
        var verify: String?
    }

    /// `Templates/web/audit.mustache`.
    struct AuditPage: WebPageModel {
        static let template = WebTemplate.audit

        struct Event: Sendable {
            var seq: Int64
            var at: String
            var kindName: String
            var kind: String
            var actor: String
            var requestID: String?
            var summary: String
        }

        struct Lookup: Sendable {
            var at: String
            var user: String
            var identifier: String
        }

        var request: String
        var kind: String
        var from: String
        var to: String
        var events: [Event]
        var summary: String
        /// The chain recomputed, when asked (it reads every event).
        var chain: String?
        var chainWhole: Bool
        var lookups: [Lookup]
        var error: String?
    }

    @Sendable func show(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        _ = try context.require(.readAudit)
        let words = visit.words
        let query = try request.uri.decodeQuery(as: Query.self, context: context)
        var filter = AuditLogFilter(
            requestID: query.request.formText, kind: query.kind.formText, limit: Self.pageSize, newestFirst: true)
        var error: String?
        for (text, isFrom) in [(query.from, true), (query.to, false)] {
            guard let text = text.formText else { continue }
            guard let day = LocalDate(text) else {
                error = words.format("notADate", text)
                continue
            }
            if isFrom { filter.from = day } else { filter.through = day }
        }
        let (chosen, verify) = (filter, query.verify != nil)
        let (entries, lookups, verdict) = try await server.offload { [store = server.store] in
            (
                try store.auditLog(chosen), try store.lookups(limit: Self.pageSize),
                verify ? try store.verifyAuditChain() : nil
            )
        }
        let language = visit.language.vocabulary
        var chain: String?
        var whole = false
        switch verdict {
        case .intact(let count, _)?:
            (chain, whole) = (words.format("chainWhole", count), true)
        case .broken(let seq, let reason)?:
            chain = words.format("chainBroken", seq) + " (\(reason))"
        case nil:
            break
        }
        let page = AuditPage(
            request: query.request ?? "", kind: query.kind ?? "", from: query.from ?? "", to: query.to ?? "",
            events: entries.reversed().map {
                AuditPage.Event(
                    seq: $0.seq, at: visit.language.time($0.at), kindName: Vocabulary.auditEvent($0.kind, language),
                    kind: $0.kind,
                    actor: $0.actor, requestID: $0.requestID, summary: $0.summary)
            },
            summary: words.format("summaryAudit", entries.count, Self.pageSize), chain: chain, chainWhole: whole,
            lookups: lookups.reversed().map {
                AuditPage.Lookup(
                    at: visit.language.time($0.at), user: $0.user, identifier: $0.identifier ?? words["erased"])
            }, error: error)
        return try pages.render(page, visit, status: error == nil ? .ok : .badRequest)
    }
}
