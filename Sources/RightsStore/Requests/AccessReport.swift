import Foundation
import GRDB
import RightsCore

/// Everything held about the person behind an access request (Law 91/2025 Art. 14; CONTRACT.md), written for the
/// person: for each of their identifiers the list rows with every field as imported, the consent ledger with its
/// texts, the refusals in force, the Do-Not-Call listing and the messages sent; what they are entitled to learn
/// besides (Law 91/2025 Art. 4(1)(a)–(b)): the purposes of processing (each list's basis and source), the
/// recipients and processors told of their requests, how long each kind of data is kept, and how to reach the
/// company; and their requests with each step and every letter as it was sent. Nothing about anyone else (every row
/// is reached by one of their keyed hashes), and nothing internal: no staff logins, no notes staff typed.
public struct AccessReport: Sendable, Codable {
    public var format = "rightsdesk-access-report/2"
    public var organization: Organization
    public var request: String
    public var createdAt: String
    public var subjects: [Subject]
    public var purposes: [PurposeOfProcessing]
    public var recipients: [Recipient]
    public var retention: [Retention]
    public var requests: [PersonRequest]

    enum CodingKeys: String, CodingKey {
        case format, organization, request, subjects, purposes, recipients, retention, requests
        case createdAt = "created_at"
    }

    public struct Subject: Sendable, Codable {
        public var identifier: String
        /// The list rows that carry the identifier, with every field as the file had it.
        public var records: [Record]
        /// Every consent and withdrawal recorded for the identifier, oldest first.
        public var consents: [ConsentEvent]
        /// The refusals recorded for the identifier (or for another identifier of the person), in force or lifted.
        public var suppressions: [Suppression]
        /// Whether the number is on the national Do-Not-Call list in force.
        public var dnc: Bool
        /// The messages sent or planned, with their text where the provider's log had it.
        public var messages: [Message]
    }

    /// A refusal as the person reads it: its scope and times and what caused it, not the staff's words for it.
    public struct Suppression: Sendable, Codable {
        public var channel: String
        public var purpose: String
        public var since: String
        public var liftedAt: String?
        /// `request` (one of the person's requests), or `company` (recorded by the company, an opt-out included).
        public var cause: String
        public var requestID: String?

        enum CodingKeys: String, CodingKey {
            case channel, purpose, since, cause
            case liftedAt = "lifted_at"
            case requestID = "request_id"
        }
    }

    /// Why the company processes the data: a list it holds the person on, with the list's basis and source.
    public struct PurposeOfProcessing: Sendable, Codable, Equatable {
        public var list: String
        public var basis: String
        public var source: String?
    }

    /// A processor or recipient told of the person's request (`request processor`).
    public struct Recipient: Sendable, Codable, Equatable {
        public var name: String
        public var processorID: String
        public var requestID: String
        public var notifiedAt: String
        public var confirmedAt: String?

        enum CodingKeys: String, CodingKey {
            case name
            case processorID = "processor_id"
            case requestID = "request_id"
            case notifiedAt = "notified_at"
            case confirmedAt = "confirmed_at"
        }
    }

    /// How long one kind of data is kept, and the rule that says so.
    public struct Retention: Sendable, Codable, Equatable {
        /// `lists`, `refusals`, `requests` or `messages`.
        public var data: String
        public var citation: String?
    }

    /// One of the person's requests: its steps and letters, without who took them or their notes.
    public struct PersonRequest: Sendable, Codable {
        public var id: String
        public var type: RequestType
        public var state: RequestState
        public var receivedAt: String
        public var dueDate: String
        public var closedAt: String?
        public var steps: [Step]
        public var letters: [RequestDetail.Letter]

        public struct Step: Sendable, Codable, Equatable {
            public var at: String
            public var kind: String
        }

        enum CodingKeys: String, CodingKey {
            case id, type, state, steps, letters
            case receivedAt = "received_at"
            case dueDate = "due_date"
            case closedAt = "closed_at"
        }

        init(_ detail: RequestDetail) {
            id = detail.request.id
            type = detail.request.type
            state = detail.request.state
            receivedAt = detail.request.receivedAt
            dueDate = detail.request.dueDate
            closedAt = detail.request.closedAt
            steps = detail.events.map { Step(at: $0.at, kind: $0.kind) }
            letters = detail.letters
        }
    }

    public struct Record: Sendable, Codable {
        public var list: String
        public var file: String
        public var line: Int
        public var importedAt: String
        public var source: String?
        public var basis: String
        /// `active`, or `suppressed` when a suppression in force stops it.
        public var status: String
        public var fields: [Field]

        enum CodingKeys: String, CodingKey {
            case list, file, line, fields, source, basis, status
            case importedAt = "imported_at"
        }
    }

    public struct Field: Sendable, Codable {
        public var column: String
        public var value: String
    }

    public struct ConsentEvent: Sendable, Codable {
        public var kind: String
        public var channel: String
        public var purpose: String
        public var at: String
        public var method: String?
        public var text: String?
        public var evidence: String?
        public var source: String?
    }

    public struct Message: Sendable, Codable {
        public var campaign: String
        public var channel: String
        public var purpose: String
        public var sentAt: String
        public var delivered: Bool
        public var planned: Bool
        public var error: String?
        public var message: String?

        enum CodingKeys: String, CodingKey {
            case campaign, channel, purpose, delivered, planned, error, message
            case sentAt = "sent_at"
        }
    }
}

extension RightsStore {
    /// The access report for request `id`, as of `now`.
    public func accessReport(_ id: String, now: Date) throws -> AccessReport {
        let detail = try request(id)
        let identifiers = try read { db in
            try String.fetchAll(
                db, sql: "SELECT normalized FROM request_subjects WHERE request_id = ? ORDER BY position",
                arguments: [id])
        }
        var subjects: [AccessReport.Subject] = []
        var requestIDs: [String] = []
        var purposes: [AccessReport.PurposeOfProcessing] = []
        for text in identifiers {
            let identifier = try Identifier(parsing: text)
            let why = try self.why(identifier, now: now)
            requestIDs += why.requests.map(\.id).filter { !requestIDs.contains($0) }
            for list in why.lists {
                let purpose = AccessReport.PurposeOfProcessing(list: list.list, basis: list.basis, source: list.source)
                if !purposes.contains(purpose) { purposes.append(purpose) }
            }
            subjects.append(try read { db in try subjectData(identifier, why: why, db) })
        }
        if !requestIDs.contains(id) { requestIDs.insert(id, at: 0) }
        let requests = try requestIDs.map { try request($0) }
        let recipients = requests.flatMap { request in
            request.processorsTold.map {
                AccessReport.Recipient(
                    name: $0.name, processorID: $0.id, requestID: request.request.id, notifiedAt: $0.notifiedAt,
                    confirmedAt: $0.confirmedAt)
            }
        }
        return AccessReport(
            organization: try organizationRecord(), request: detail.request.id, createdAt: Timestamp.vietnam(now),
            subjects: subjects, purposes: purposes, recipients: recipients,
            retention: [
                AccessReport.Retention(data: "lists", citation: nil),
                AccessReport.Retention(data: "messages", citation: nil),
                AccessReport.Retention(data: "refusals", citation: "Decree 91/2020 Art. 11(7)"),
                AccessReport.Retention(data: "requests", citation: nil),
            ],
            requests: requests.map(AccessReport.PersonRequest.init))
    }

    private func subjectData(_ identifier: Identifier, why: WhyAnswer, _ db: Database) throws -> AccessReport.Subject {
        let hash = Data(hasher.hash(identifier))
        func time(_ milliseconds: Int64) -> String { Timestamp.vietnam(Timestamp.date(milliseconds: milliseconds)) }
        // A record names its file without the folder it was imported from: the person sees the officer's file name,
        // not the layout of the officer's machine.
        var records: [AccessReport.Record] = []
        let entries = try Row.fetchAll(
            db,
            sql: """
                SELECT e.raw, e.line, l.name, i.file_name, i.imported_at, i.delimiter, i.headers, i.source, i.basis
                FROM entries e JOIN lists l ON l.id = e.list_id JOIN imports i ON i.id = e.import_id
                WHERE e.id IN (SELECT id FROM entries WHERE key_hash = ?1
                               UNION SELECT entry_id FROM entry_identifiers WHERE id_hash = ?1)
                    AND NOT i.pending
                ORDER BY i.imported_at, l.name
                """, arguments: [hash])
        for row in entries {
            let delimiter = (row["delimiter"] as String?)?.utf8.first ?? UInt8(ascii: ",")
            var headers: [String] = []
            if case .array(let items)? = try? JSONValue(parsing: (row["headers"] as String?) ?? "[]") {
                headers = items.compactMap(\.stringValue)
            }
            let values = try parseRecord(Array((row["raw"] as String).utf8), delimiter: delimiter)
            let fields = values.enumerated().map { index, value in
                AccessReport.Field(column: index < headers.count ? headers[index] : "column \(index + 1)", value: value)
            }
            let list: String = row["name"]
            let line: Int = row["line"]
            let status = why.lists.first { $0.list == list && $0.line == line }?.status ?? "active"
            records.append(
                AccessReport.Record(
                    list: list, file: (row["file_name"] as String as NSString).lastPathComponent, line: line,
                    importedAt: time(row["imported_at"]),
                    source: row["source"], basis: row["basis"], status: status, fields: fields))
        }
        let consents = try Row.fetchAll(
            db,
            sql: """
                SELECT c.kind, c.channel, c.purpose, c.at, c.method, c.evidence, c.source, t.text
                FROM consent_events c LEFT JOIN consent_texts t ON t.id = c.text_id
                WHERE c.id_hash = ? AND \(PendingImports.published("c.import_id")) ORDER BY c.at, c.id
                """, arguments: [hash]
        ).map { row in
            AccessReport.ConsentEvent(
                kind: row["kind"], channel: row["channel"], purpose: row["purpose"], at: time(row["at"]),
                method: row["method"], text: row["text"], evidence: row["evidence"], source: row["source"])
        }
        let messages = try Row.fetchAll(
            db, sql: "SELECT * FROM sends WHERE id_hash = ? ORDER BY sent_at, id", arguments: [hash]
        ).map { row in
            AccessReport.Message(
                campaign: row["campaign"], channel: row["channel"], purpose: row["purpose"],
                sentAt: time(row["sent_at"]), delivered: row["delivered"], planned: row["planned"], error: row["error"],
                message: row["message"])
        }
        let suppressions = why.suppressions.map { fact in
            AccessReport.Suppression(
                channel: fact.channel, purpose: fact.purpose, since: fact.since, liftedAt: fact.liftedAt,
                cause: fact.requestID == nil ? "company" : "request", requestID: fact.requestID)
        }
        return AccessReport.Subject(
            identifier: identifier.normalized, records: records, consents: consents, suppressions: suppressions,
            dnc: why.dnc, messages: messages)
    }
}
