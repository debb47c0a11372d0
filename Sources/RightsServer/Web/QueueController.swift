import Foundation
import Hummingbird
import RightsCore
import RightsStore

/// The officer's day: `/today` (acknowledgements late and due today, what is overdue, what falls due this week) and
/// `/queue` (every request, filtered by state and type, found by a person's name or any written form of their
/// identifiers, diacritics and case ignored).
struct QueueController: Sendable {
    let server: DeskServer
    let pages: WebPageRenderer

    /// How far ahead `/today` looks for due dates, in days.
    static let week = 7

    func add(to router: RouterGroup<DeskContext>) {
        router.get("/today", use: today)
        router.get("/queue", use: queue)
    }

    /// A request as a row of the queue and of `/today`: who it is for, its dates as Vietnamese write them, the days
    /// left, red when an open request is past its due instant, amber when it falls due within 2 days (48 hours, as
    /// `request list --due-within 2` counts).
    struct Row: Sendable {
        var id: String
        var typeName: String
        var stateName: String
        var person: String
        var identifiers: String?
        var receivedAt: String
        var ackDueDay: String
        var dueDay: String
        var daysLeft: String?
        var overdue: Bool
        var soon: Bool
        var ackLate: Bool
        var extended: Bool
        var urgency: String

        /// Red when an open request is past its due instant, amber within 48 hours of it.
        static func urgency(_ view: RequestView, now: Date) -> (overdue: Bool, soon: Bool) {
            guard view.state.isOpen, let due = Timestamp.parse(view.due) else { return (false, false) }
            return (due < now, due >= now && due <= now.addingTimeInterval(2 * 86400))
        }

        init(_ item: RequestListItem, words: DeskWords, now: Date) {
            let view = item.request
            let language = words.language.vocabulary
            (overdue, soon) = Self.urgency(view, now: now)
            id = view.id
            typeName = Vocabulary.requestType(view.type, language)
            stateName = Vocabulary.requestState(view.state, language)
            let identifiers = item.subjects.map { $0.isErased ? words["erased"] : $0.identifier }
            person = item.name?.formText ?? identifiers.first ?? "—"
            let others = item.name?.formText == nil ? Array(identifiers.dropFirst()) : identifiers
            self.identifiers = others.isEmpty ? nil : others.joined(separator: ", ")
            receivedAt = words.language.time(view.receivedAt)
            ackDueDay = VietnamDates.day(view.ackDueDate, language: language)
            dueDay = VietnamDates.day(view.dueDate, language: language)
            daysLeft =
                !view.state.isOpen
                ? nil
                : item.daysLeft > 0
                    ? words.format("daysLeft", item.daysLeft)
                    : item.daysLeft == 0 ? words["dueToday"] : words.format("daysOver", -item.daysLeft)
            ackLate = view.state.isOpen && item.acknowledgedAt == nil && item.ackLate
            extended = view.extended
            urgency = overdue ? "overdue" : soon ? "soon" : ""
        }
    }

    /// `Templates/web/queue.mustache`.
    struct QueuePage: WebPageModel {
        static let template = WebTemplate.queue
        var requests: [Row]
        var hasRequests: Bool
        var summary: String
        var states: [WebOption]
        var types: [WebOption]
        var search: String
        var searching: Bool
        var mayCreate: Bool
    }

    /// `Templates/web/today.mustache`.
    struct TodayPage: WebPageModel {
        static let template = WebTemplate.today
        var date: String
        var acknowledgements: [Row]
        var overdue: [Row]
        var thisWeek: [Row]
        var summary: String
    }

    struct QueueQuery: Decodable {
        var state: String?
        var type: String?
        var q: String?
    }

    @Sendable func queue(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        _ = try context.require(.readRequests)
        let words = visit.words
        let query = try request.uri.decodeQuery(as: QueueQuery.self, context: context)
        let stateChoice = query.state ?? "open"
        let typeChoice = query.type ?? ""
        let now = server.now()
        var filter = RequestFilter(asOf: now)
        if stateChoice != "open" && stateChoice != "all" {
            guard let state = RequestState(rawValue: stateChoice) else {
                throw WebFormError(status: .badRequest, message: "\(words["state"]): \(stateChoice)")
            }
            filter.state = state
        }
        if !typeChoice.isEmpty {
            guard let type = RequestType(rawValue: typeChoice) else {
                throw WebFormError(status: .badRequest, message: "\(words["type"]): \(typeChoice)")
            }
            filter.type = type
        }
        filter.search = query.q.formText
        let chosen = filter
        var items = try await server.offload { [store = server.store] in try store.requestList(chosen) }
        if stateChoice == "open" { items = items.filter { $0.request.state.isOpen } }
        let rows = items.map { Row($0, words: words, now: now) }
        let language = visit.language.vocabulary
        let states =
            [("open", words["allOpen"]), ("all", words["allStates"])]
            + RequestState.allCases.map { ($0.rawValue, Vocabulary.requestState($0, language)) }
        let types =
            [("", words["allTypes"])] + RequestType.allCases.map { ($0.rawValue, Vocabulary.requestType($0, language)) }
        let page = QueuePage(
            requests: rows, hasRequests: !rows.isEmpty,
            summary: words.format(
                "summaryRequests", rows.count, rows.count { $0.overdue }, rows.count { $0.soon }),
            states: WebOption.list(states, selected: stateChoice), types: WebOption.list(types, selected: typeChoice),
            search: query.q ?? "", searching: filter.search != nil, mayCreate: visit.may(.manageRequests))
        return try pages.render(page, visit)
    }

    @Sendable func today(_ request: Request, context: DeskContext) async throws -> Response {
        let visit = try context.page
        _ = try context.require(.manageRequests)
        let words = visit.words
        let now = server.now()
        let day = VietnamTime.date(of: now)
        let items = try await server.offload { [store = server.store] in
            try store.requestList(RequestFilter(asOf: now)).filter { $0.request.state.isOpen }
        }
        var acknowledgements: [(RequestListItem, Row)] = []
        var overdue: [Row] = []
        var thisWeek: [Row] = []
        for item in items {
            let row = Row(item, words: words, now: now)
            if item.acknowledgedAt == nil, item.ackLate || LocalDate(item.request.ackDueDate) == day {
                acknowledgements.append((item, row))
            }
            if row.overdue {
                overdue.append(row)
            } else if item.daysLeft <= Self.week {
                thisWeek.append(row)
            }
        }
        // Late first, then those due today.
        acknowledgements.sort { ($0.0.ackLate ? 0 : 1) < ($1.0.ackLate ? 0 : 1) }
        let page = TodayPage(
            date: VietnamDates.day(day, language: visit.language.vocabulary),
            acknowledgements: acknowledgements.map(\.1), overdue: overdue, thisWeek: thisWeek,
            summary: words.format(
                "summaryToday", acknowledgements.count { $0.0.ackLate }, overdue.count, thisWeek.count))
        return try pages.render(page, visit)
    }
}
