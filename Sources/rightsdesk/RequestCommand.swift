import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsStore

struct Request: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rights requests: log, track under the legal clock, and close with evidence.",
        subcommands: [
            New.self, Show.self, List.self, Ack.self, Verify.self, Extend.self, Complete.self, Reject.self,
            Withdraw.self, Letter.self, Processor.self, Export.self,
        ])
}

/// The columns of `request export`: the contract's, then who acted and how it ended.
enum RequestExportRow {
    static let header = [
        "id", "type", "state", "channel", "received_at", "ack_due_date", "acknowledged_at", "ack_late", "due_date",
        "days_left", "late", "closed_at", "rule_set", "name",
    ]

    static func fields(_ item: RequestListItem) -> [String] {
        let view = item.request
        return [
            view.id, view.type.rawValue, view.state.rawValue, view.channel.rawValue, view.receivedAt, view.ackDueDate,
            item.acknowledgedAt ?? "", item.ackLate ? "true" : "false", view.dueDate,
            view.state.isOpen ? String(item.daysLeft) : "", view.late ? "true" : "false", view.closedAt ?? "",
            view.ruleSet, item.name ?? "",
        ]
    }
}

extension RequestType: ExpressibleByArgument {}
extension RequestState: ExpressibleByArgument {}
extension IntakeChannel: ExpressibleByArgument {}
extension SuppressionPurpose: ExpressibleByArgument {}
extension RefusalGround: ExpressibleByArgument {}
extension LetterKind: ExpressibleByArgument {}
extension LetterLanguage: ExpressibleByArgument {}
extension CalendarReading: ExpressibleByArgument {}
extension RepresentativeRelation: ExpressibleByArgument {}
extension DoNotCallKind: ExpressibleByArgument {}

/// A time as CONTRACT.md reads it: ISO 8601 with an offset, or a date (00:00 Vietnam time).
struct TimeArgument: ExpressibleByArgument {
    let date: Date

    init?(argument: String) {
        guard let date = Timestamp.parse(argument) else { return nil }
        self.date = date
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// `--at TIME`: when a step happened, for steps taken on paper and entered later (default now).
struct AtOption: ParsableArguments {
    @Option(help: "When it happened: ISO 8601 with an offset, or a date (default: now).") var at: TimeArgument?

    func resolved(_ now: Date) -> Date { at?.date ?? now }
}

extension Request {
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Log a request received from any channel.")

        @Option(help: "access, correction, deletion, restriction, objection, withdraw-consent or protection.")
        var type: RequestType
        @Option(name: .customLong("subject"), help: "A phone, email or zalo:OA:USER the request names (repeatable).")
        var subjects: [String]
        @Option(help: "How it arrived: zalo, sms, email, phone, web, paper, in-person.") var channel: IntakeChannel
        @Option(help: "When it was received (default: now).") var receivedAt: TimeArgument?
        @Flag(help: "Processors or third parties must act (the longer legal period).") var processors = false
        @Option(help: "What an objection stops once verified: marketing or all.") var scope: SuppressionPurpose =
            .marketing
        @Option(help: "The person's name as they wrote it.") var name: String?
        @Option(help: "The person's postal address.") var address: String?
        @Option(help: "A note about the request.") var note: String?
        @Option(help: "Who acts for the person (Law 91 Art. 24); letters are addressed to them.")
        var representative: String?
        @Option(help: "In what capacity: parent, guardian or agent (authorised by the person).")
        var relation: RepresentativeRelation?
        @Option(help: "What shows that capacity, e.g. a power of attorney's reference.")
        var representativeEvidence: String?
        @Option(help: "A restriction's condition as the person stated it (Law 91 Art. 10(1)).")
        var restrictionCondition: String?
        @Option(help: "Where the written or verifiable form of the request is kept (Law 91 Art. 10(2)).")
        var evidence: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if representative != nil && relation == nil {
                throw ValidationError("--representative needs --relation parent|guardian|agent")
            }
            if representative == nil && (relation != nil || representativeEvidence != nil) {
                throw ValidationError("--relation and --representative-evidence describe a --representative NAME")
            }
        }

        func run() throws {
            let view = try Output.run {
                var identifiers: [Identifier] = []
                for subject in subjects {
                    do {
                        identifiers.append(try Identifier(parsing: subject))
                    } catch {
                        throw CLIError.badInput("--subject \(subject): \(error)")
                    }
                }
                let now = Date()
                let new = NewRequest(
                    type: type, subjects: identifiers, channel: channel, receivedAt: receivedAt?.date ?? now,
                    processors: processors, scope: scope, name: name, address: address, note: note,
                    representative: representative.map {
                        Representative(name: $0, relation: relation ?? .agent, evidence: representativeEvidence)
                    }, restrictionCondition: restrictionCondition, evidence: evidence)
                return try database.open().store.createRequest(new, actor: actor.resolved, at: now)
            }
            try RequestOutput.print(view, json: output.json)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a request with its timeline.")

        @Argument(help: "The request's id.") var id: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let detail = try Output.run { try database.open().store.request(id) }
            if output.json {
                try Output.json(detail)
                return
            }
            try RequestOutput.print(detail.request, json: false)
            for subject in detail.subjects {
                let verified = subject.verifiedAt.map {
                    "verified \($0) by \(subject.method ?? "an unrecorded method")"
                }
                Output.line("  subject \(subject.identifier): \(verified ?? "not verified")")
            }
            for event in detail.events {
                Output.line("  \(event.at)  \(event.kind)  by \(event.actor)\(event.note.map { ": \($0)" } ?? "")")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The queue, sorted by due date: who each request is for and how many days are left.")

        @Option(help: "Only this state.") var state: RequestState?
        @Option(help: "Only this type.") var type: RequestType?
        @Flag(help: "Only open requests whose due instant is before --as-of.") var overdue = false
        @Flag(help: "Only open requests not acknowledged whose acknowledgement was due before --as-of.")
        var ackOverdue = false
        @Option(help: "Only open requests due within this many days of --as-of.") var dueWithin: Int?
        @Option(help: "A name (case and diacritics ignored) or an identifier in any written form.") var search: String?
        @Option(help: "The time to judge against (default: now).") var asOf: TimeArgument?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let dueWithin, dueWithin < 0 { throw ValidationError("--due-within takes a number of days, 0 or more") }
        }

        func run() throws {
            let filter = RequestFilter(
                state: state, type: type, overdue: overdue, dueWithinDays: dueWithin, ackOverdue: ackOverdue,
                search: search, asOf: asOf?.date ?? Date())
            let items = try Output.run { try database.open().store.requestList(filter) }
            if output.json {
                try Output.json(["requests": items])
            } else if items.isEmpty {
                Output.line("No requests match.")
            } else {
                for item in items {
                    let view = item.request
                    let who = item.name ?? item.subjects.first.map { $0.identifier } ?? "—"
                    let left =
                        view.state.isOpen
                        ? (item.daysLeft < 0 ? "\(-item.daysLeft) days overdue" : "\(item.daysLeft) days left") : ""
                    Output.line(
                        "\(view.id)  \(view.type.rawValue)  \(view.state.rawValue)  \(who)  due \(view.dueDate)  \(left)"
                            + (item.ackLate ? "  ack late" : ""))
                }
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The requests as CSV for Excel (UTF-8 with BOM): the monthly figures management asks for.")

        @Option(help: "The CSV file to write.") var out: String
        @Option(help: "First Vietnam date of receipt (yyyy-mm-dd).") var from: String?
        @Option(help: "Last Vietnam date of receipt (yyyy-mm-dd).") var to: String?
        @Flag(help: "Keep cells as typed; by default one a spreadsheet would run as a formula gets a leading '.")
        var raw = false
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            for (name, value) in [("--from", from), ("--to", to)] where value != nil && LocalDate(value!) == nil {
                throw ValidationError("\(name) \(value!) is not a date (yyyy-mm-dd)")
            }
            if let from, let to, let start = LocalDate(from), let end = LocalDate(to), end < start {
                throw ValidationError("--to \(to) is before --from \(from)")
            }
        }

        func run() throws {
            let count = try Output.run {
                let store = try database.open().store
                let now = Date()
                let items = try store.requestList(
                    RequestFilter(
                        receivedFrom: from.flatMap(LocalDate.init), receivedThrough: to.flatMap(LocalDate.init),
                        asOf: now))
                let file = try AtomicFile(path: out)
                do {
                    // Excel reads a UTF-8 file as such only with the byte-order mark.
                    try file.write([0xEF, 0xBB, 0xBF])
                    var writer = CSVWriter(hashing: false, sink: file.write)
                    writer.neutralizesFormulas = !raw
                    try writer.write(RequestExportRow.header)
                    for item in items { try writer.write(RequestExportRow.fields(item)) }
                    try writer.flush()
                    try file.commit()
                } catch {
                    file.discard()
                    throw error
                }
                return items.count
            }
            Output.line("Wrote \(count) requests to \(out).")
        }
    }

    struct Ack: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Acknowledge receipt (received → acknowledged).")

        @Argument(help: "The request's id.") var id: String
        @Flag(help: "Also send the acknowledgement letter (Vietnamese): recorded, and delivered where configured.")
        var send = false
        @OptionGroup var at: AtOption
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let installation = try Output.run { try database.open() }
            let sender = try Output.run { try LetterCommands.sender(installation) }
            let view = try Output.run {
                let now = Date()
                return try installation.store.acknowledgeRequest(
                    id, at: at.resolved(now), actor: actor.resolved, now: now)
            }
            if send {
                _ = try await LetterCommands.send(sender, id: id, kind: .ack, language: .vi, actor: actor.resolved)
            }
            try RequestOutput.print(view, json: output.json)
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record identity verification of one identifier (--subject) or all of them.")

        @Argument(help: "The request's id.") var id: String
        @Option(help: "How identity was verified, e.g. OTP, CCCD at the store.") var method: String
        @Option(help: "The identifier verified (default: every one).") var subject: String?
        @OptionGroup var at: AtOption
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let view = try Output.run {
                let identifier: Identifier?
                do {
                    identifier = try subject.map { try Identifier(parsing: $0) }
                } catch {
                    throw CLIError.badInput("--subject \(subject ?? ""): \(error)")
                }
                let now = Date()
                return try database.open().store.verifyRequest(
                    id, subject: identifier, method: method, at: at.resolved(now), actor: actor.resolved, now: now)
            }
            try RequestOutput.print(view, json: output.json)
        }
    }

    struct Extend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The one extension, with the reason told to the person.")

        @Argument(help: "The request's id.") var id: String
        @Option(help: "Why more time is needed.") var reason: String
        @OptionGroup var at: AtOption
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let view = try Output.run {
                let now = Date()
                return try database.open().store.extendRequest(
                    id, reason: reason, at: at.resolved(now), actor: actor.resolved, now: now)
            }
            try RequestOutput.print(view, json: output.json)
        }
    }

    struct Complete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Complete a request and carry out its effect (correction --set, restriction, deletion, ...).")

        @Argument(help: "The request's id.") var id: String
        @Option(name: .customLong("set"), help: "Correction: FIELD=VALUE, applied to every entry of the person.")
        var corrections: [String] = []
        @Option(help: "Why it is completed after the due date.") var lateReason: String?
        @Option(help: "Access: where to write the access report (default ./access-ID/).") var out: String?
        @Option(help: "Protection: the measures taken to protect the person's data, as the letter tells them.")
        var measures: String?
        @OptionGroup var at: AtOption
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            for entry in corrections where !entry.contains("=") {
                throw ValidationError("--set takes FIELD=VALUE")
            }
        }

        func run() throws {
            let view = try Output.run {
                let pairs = corrections.map { entry -> (field: String, value: String) in
                    let equals = entry.firstIndex(of: "=")!
                    return (String(entry[..<equals]), String(entry[entry.index(after: equals)...]))
                }
                let now = Date()
                let store = try database.open().store
                var completion = Completion(lateReason: lateReason, corrections: pairs)
                completion.measures = measures
                if try store.request(id).request.type == .access {
                    return try AccessCompletion.complete(
                        id, store: store, completion: completion, at: at.resolved(now), actor: actor.resolved, now: now
                    ) { rendered in
                        let written = try AccessReportWriter.write(rendered, to: out ?? "access-\(id)")
                        Output.error("access report: \(written.directory)/access-report.json and access-report.html")
                        Output.error(
                            "it goes to the person: their data, the letters sent, the purposes, recipients and "
                                + "retention, and no staff logins or internal notes; read it before you send it")
                    }
                }
                return try store.completeRequest(
                    id, completion: completion, at: at.resolved(now), actor: actor.resolved, now: now)
            }
            try RequestOutput.print(view, json: output.json)
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Refuse a request on a legal ground, with its citation.")

        @Argument(help: "The request's id.") var id: String
        @Option(help: "A ground code; rules show lists them and the types each applies to.")
        var ground: RefusalGround
        @Option(help: "What the person is told, e.g. which law requires keeping the data (optional for duplicate).")
        var note: String?
        @Option(help: "For --ground duplicate: the open request it repeats (default: the one found at intake).")
        var of: String?
        @OptionGroup var at: AtOption
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let view = try Output.run {
                let now = Date()
                return try database.open().store.rejectRequest(
                    id, ground: ground, note: note, duplicateOf: of, at: at.resolved(now), actor: actor.resolved,
                    now: now)
            }
            try RequestOutput.print(view, json: output.json)
        }
    }

    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The person withdrew the request.")

        @Argument(help: "The request's id.") var id: String
        @Option(help: "A note.") var note: String?
        @OptionGroup var at: AtOption
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let view = try Output.run {
                let now = Date()
                return try database.open().store.withdrawRequest(
                    id, note: note, at: at.resolved(now), actor: actor.resolved, now: now)
            }
            try RequestOutput.print(view, json: output.json)
        }
    }

    struct Processor: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that a processor or third party was told to act, and when it confirmed.")

        @Argument(help: "The request's id.") var id: String
        @Argument(help: "The processor's id, e.g. its tax code or contract number.") var processorID: String
        @Option(help: "The processor's name.") var name: String
        @Option(help: "When it was told.") var notified: TimeArgument
        @Option(help: "When it confirmed.") var confirmed: TimeArgument?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let detail = try Output.run {
                try database.open().store.recordProcessor(
                    id, processorID: processorID, name: name, notifiedAt: notified.date, confirmedAt: confirmed?.date,
                    actor: actor.resolved, now: Date())
            }
            if output.json {
                try Output.json(detail)
            } else {
                for processor in detail.processorsTold {
                    Output.line(
                        "\(processor.name) (\(processor.id)): told \(processor.notifiedAt), "
                            + "confirmed \(processor.confirmedAt ?? "not yet")")
                }
            }
        }
    }
}

/// Printing a request the same way for every step.
enum RequestOutput {
    static func print(_ view: RequestView, json: Bool) throws {
        if json {
            try Output.json(view)
            return
        }
        Output.line("\(view.id)  \(view.type.rawValue)  \(view.state.rawValue)  (\(view.ruleSet))")
        Output.line("  received \(view.receivedAt); acknowledge by \(view.ackDueDate); complete by \(view.dueDate)")
        if let duplicate = view.duplicateOf { Output.line("  duplicate of open request \(duplicate)") }
        if view.extended { Output.line("  extended once") }
        if view.late { Output.line("  completed late") }
        Output.line("  \(view.citation)")
    }
}
