import Foundation
import Hummingbird
import RightsCore
import RightsStore
import Synchronization

/// The contact lists (`/lists`): their counts, and for officers an upload that imports a CSV as `lists import`
/// does. The import runs on a thread of its own while the page shows its progress (it refreshes itself, no
/// JavaScript); it is atomic as on the command line, so a server stopped meanwhile leaves nothing of it.
struct ListsController: Sendable {
    static let importPath = "/lists/import"
    /// The largest file the desk takes; larger lists go through `rightsdesk lists import`.
    static let uploadLimit = 1 << 30

    let server: DeskServer
    let pages: WebPageRenderer
    let jobs: ListImportJobs

    func add(to router: RouterGroup<DeskContext>) {
        router.get("/lists", use: show)
        router.post(RouterPath(stringLiteral: Self.importPath), use: upload)
        router.get("/lists/import/{job}", use: progress)
    }

    /// `Templates/web/lists.mustache`.
    struct ListsPage: WebPageModel {
        static let template = WebTemplate.lists

        struct Row: Sendable {
            var name: String
            var basis: String
            var flagged: Bool
            var entries: Int
            var active: Int
            var marketing: Int
            var all: Int
            var imports: Int
        }

        var lists: [Row]
        var hasLists: Bool
        var totals: Row
        var summary: String
        var mayImport: Bool
        var bases: [WebOption]
        var error: String?
    }

    /// `Templates/web/list-import.mustache`.
    struct ImportPage: WebPageModel {
        /// A line that was not imported, and why, in the page's language.
        struct Invalid: Sendable {
            var line: Int
            var reason: String
        }

        static let template = WebTemplate.listImport
        var list: String
        var fileName: String
        var percent = 0
        var phase: String
        var running = false
        /// Seconds until the page reloads itself, while the import runs.
        var refresh: Int?
        var result: ListImportResult?
        var invalidCount = 0
        var invalid: [Invalid] = []
        var failure: String?
        /// Stored, as Mustache reads only stored properties.
        var hasInvalid = false

        init(_ job: ListImportJobs.Job, words: DeskWords) {
            list = job.list
            fileName = job.fileName
            switch job.state {
            case .reading(let fraction):
                (percent, phase, running) = (Int(fraction * 90), words["importReading"], true)
            case .applying:
                (percent, phase, running) = (95, words["importApplying"], true)
            case .done(let result):
                (percent, phase) = (100, words["importDone"])
                self.result = result
                invalidCount = result.invalid.count
                hasInvalid = !result.invalid.isEmpty
                invalid = result.invalid.prefix(20).map {
                    Invalid(line: $0.line, reason: Vocabulary.invalidRow($0.reason, words.language.vocabulary))
                }
            case .failed(let message):
                phase = words["importFailed"]
                failure = message
            }
            refresh = running ? 1 : nil
        }
    }

    @Sendable func show(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        _ = try context.require(.readRequests)
        return try await render(visit, error: nil, status: .ok)
    }

    private func render(_ visit: WebVisit, error: String?, status: HTTPResponse.Status) async throws -> Response {
        let summaries = try await server.offload { [store = server.store] in try store.listSummaries() }
        let language = visit.language.vocabulary
        let rows = summaries.map {
            ListsPage.Row(
                name: $0.name, basis: Vocabulary.basis(code: $0.basis.rawValue, language), flagged: $0.flagged,
                entries: $0.entries, active: $0.active, marketing: $0.suppressedByPurpose["marketing"] ?? 0,
                all: $0.suppressedByPurpose["all"] ?? 0, imports: $0.imports)
        }
        let totals = ListsPage.Row(
            name: "", basis: "", flagged: false, entries: rows.reduce(0) { $0 + $1.entries },
            active: rows.reduce(0) { $0 + $1.active }, marketing: rows.reduce(0) { $0 + $1.marketing },
            all: rows.reduce(0) { $0 + $1.all }, imports: rows.reduce(0) { $0 + $1.imports })
        let page = ListsPage(
            lists: rows, hasLists: !rows.isEmpty, totals: totals,
            summary: visit.words.format("summaryLists", rows.count, totals.entries),
            mayImport: visit.may(.manageRequests),
            bases: WebOption.list(
                LegalBasis.allCases.map { ($0.rawValue, Vocabulary.basis(code: $0.rawValue, language)) },
                selected: LegalBasis.consent.rawValue), error: error)
        return try pages.render(page, visit, status: status)
    }

    /// The upload: the file lands in an unnamed temporary file, the form's CSRF token is checked, then the import
    /// starts and the browser goes to its progress page.
    @Sendable func upload(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        let user = try context.require(.manageRequests)
        let words = visit.words
        let upload: MultipartUpload
        do {
            upload = try await MultipartUpload.receive(request, limit: Self.uploadLimit)
        } catch let failure as MultipartUpload.Failure {
            throw WebFormError(status: .badRequest, message: "\(words["uploadUnreadable"]) (\(failure.description))")
        }
        guard let session = visit.session, let sent = upload.fields["csrf"],
            SessionStore.constantTimeEqual(session.csrf, sent)
        else { throw WebCSRFError() }
        guard let list = upload.fields["list"]?.formText else {
            return try await render(visit, error: words["listNameNeeded"], status: .badRequest)
        }
        guard let fileName = upload.fileName, upload.fileLength > 0 else {
            return try await render(visit, error: words["fileNeeded"], status: .badRequest)
        }
        guard let basis = LegalBasis(rawValue: upload.fields["basis"] ?? "") else {
            return try await render(visit, error: words["basis"], status: .badRequest)
        }
        let importRequest = ListImportRequest(
            list: list, fileName: (fileName as NSString).lastPathComponent, source: upload.fields["source"]?.formText,
            basis: basis)
        let id = jobs.start(
            list: list, fileName: importRequest.fileName, user: user.name, upload: upload, store: server.store,
            request: importRequest, now: server.now())
        return visit.redirect("/lists/import/\(id)")
    }

    @Sendable func progress(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        _ = try context.require(.manageRequests)
        let id = try context.parameters.require("job")
        guard let job = jobs.job(id) else { throw WebFormError(status: .notFound, message: visit.words["noImport"]) }
        return try pages.render(ImportPage(job, words: visit.words), visit)
    }
}

/// The imports started from the desk, in memory: what each has read, and how it ended. The last 50 are kept.
final class ListImportJobs: Sendable {
    enum State: Sendable {
        case reading(Double)
        case applying
        case done(ListImportResult)
        case failed(String)
    }

    struct Job: Sendable {
        var id: String
        var list: String
        var fileName: String
        var user: String
        var state: State
    }

    private struct Entry: Sendable {
        var job: Job
        var upload: MultipartUpload?
    }

    private let entries = Mutex<[(id: String, entry: Entry)]>([])

    func job(_ id: String) -> Job? {
        entries.withLock { table in
            guard let index = table.firstIndex(where: { $0.id == id }) else { return nil }
            var job = table[index].entry.job
            if case .reading = job.state, let upload = table[index].entry.upload, upload.fileLength > 0 {
                let fraction = Double(upload.bytesRead) / Double(upload.fileLength)
                job.state = fraction >= 1 ? .applying : .reading(fraction)
            }
            return job
        }
    }

    /// Starts the import on a thread of its own (it holds the database's write lock only for its apply step).
    func start(
        list: String, fileName: String, user: String, upload: MultipartUpload, store: RightsStore,
        request: ListImportRequest, now: Date
    ) -> String {
        let id = Hex.random(bytes: 8)
        let job = Job(id: id, list: list, fileName: fileName, user: user, state: .reading(0))
        entries.withLock { table in
            table.append((id, Entry(job: job, upload: upload)))
            if table.count > 50 { table.removeFirst(table.count - 50) }
        }
        let thread = Thread { [self] in
            let state: State
            do {
                state = .done(
                    try store.importList(request, actor: user, at: now, chunks: { try upload.nextChunk() }))
            } catch {
                state = .failed(String(describing: error))
            }
            finish(id, state)
        }
        thread.name = "rightsdesk-list-import"
        thread.start()
        return id
    }

    private func finish(_ id: String, _ state: State) {
        entries.withLock { table in
            guard let index = table.firstIndex(where: { $0.id == id }) else { return }
            table[index].entry.job.state = state
            // The uploaded file goes as soon as the import ends.
            table[index].entry.upload = nil
        }
    }
}
