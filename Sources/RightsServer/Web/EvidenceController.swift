import Foundation
import Hummingbird
import RightsCore
import RightsEvidence
import RightsStore

/// Evidence for a regulator (`/evidence`): a signed bundle of one request or of a period, downloaded at once and
/// recorded on the chain under the signed-in user's name. The server keeps no copy.
struct EvidenceController: Sendable {
    let server: DeskServer
    let pages: WebPageRenderer

    func add(to router: RouterGroup<DeskContext>) {
        router.get("/evidence", use: show)
        router.post("/evidence", use: export)
    }

    struct Form: Decodable, Sendable {
        var scope: String?
        var request: String?
        var from: String?
        var to: String?
    }

    /// `Templates/web/evidence.mustache`.
    struct EvidencePage: WebPageModel {
        static let template = WebTemplate.evidence

        struct Values: Sendable {
            var request = ""
            var from = ""
            var to = ""
        }

        var form = Values()
        var error: String?
    }

    @Sendable func show(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        _ = try context.require(.exportEvidence)
        return try pages.render(EvidencePage(), visit)
    }

    @Sendable func export(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        let user = try context.require(.exportEvidence)
        let form = try await WebForms.decode(Form.self, request, visit)
        let again = EvidencePage.Values(request: form.request ?? "", from: form.from ?? "", to: form.to ?? "")
        let scope: EvidenceScope
        let name: String
        if form.scope == "period" {
            guard let from = form.from.formText.flatMap(LocalDate.init),
                let to = form.to.formText.flatMap(LocalDate.init)
            else {
                return try pages.render(
                    EvidencePage(form: again, error: visit.words["periodNeeded"]), visit, status: .badRequest)
            }
            scope = .period(from: from, to: to)
            name = "evidence-\(from)-\(to).zip"
        } else {
            guard let id = form.request.formText else {
                return try pages.render(
                    EvidencePage(form: again, error: visit.words["requestID"]), visit, status: .badRequest)
            }
            _ = try server.store.request(id)
            scope = .request(id)
            name = "evidence-\(WebVisit.fileSafe(id)).zip"
        }
        let path = NSTemporaryDirectory() + "rightsdesk-web-\(UUID().uuidString).zip"
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let (installation, now) = (server.installation, server.now())
            _ = try await server.offload {
                try EvidenceExporter(installation: installation).export(scope, to: path, actor: user.name, now: now)
            }
        } catch let error as EvidenceExportError {
            return try pages.render(EvidencePage(form: again, error: error.description), visit, status: .badRequest)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WebFormError(status: .internalServerError, message: visit.words["serverErrorDetail"])
        }
        return WebVisit.download(data, name: name)
    }
}
