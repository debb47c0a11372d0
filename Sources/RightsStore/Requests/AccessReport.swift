import Foundation
import GRDB
import RightsCore

/// Everything held about the person behind an access request (Law 91/2025 Art. 14; CONTRACT.md): for each of
/// their identifiers, what `why` knows (lists and their sources, consents, suppressions, Do-Not-Call, sends,
/// requests) plus the data itself — each list row's fields as imported, the whole consent ledger with its texts,
/// the messages sent — and their requests with events and letters. Nothing about anyone else: every row is
/// reached by one of their keyed hashes.
public struct AccessReport: Sendable, Codable {
    public var format = "rightsdesk-access-report/1"
    public var organization: String
    public var request: String
    public var subjects: [Subject]
    public var requests: [RequestDetail]

    public struct Subject: Sendable, Codable {
        public var identifier: String
        /// What `why` answers for this identifier, whole.
        public var why: WhyAnswer
        /// The list rows that carry the identifier, with every field as the file had it.
        public var records: [Record]
        /// Every consent and withdrawal recorded for the identifier, oldest first.
        public var consents: [ConsentEvent]
        /// The messages sent or planned, with their text where the provider's log had it.
        public var messages: [Message]
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
        for text in identifiers {
            let identifier = try Identifier(parsing: text)
            let why = try self.why(identifier, now: now)
            requestIDs += why.requests.map(\.id).filter { !requestIDs.contains($0) }
            subjects.append(try read { db in try subjectData(identifier, why: why, db) })
        }
        if !requestIDs.contains(id) { requestIDs.insert(id, at: 0) }
        return AccessReport(
            organization: organization, request: detail.request.id, subjects: subjects,
            requests: try requestIDs.map { try request($0) })
    }

    private func subjectData(_ identifier: Identifier, why: WhyAnswer, _ db: Database) throws -> AccessReport.Subject {
        let hash = Data(hasher.hash(identifier))
        func time(_ milliseconds: Int64) -> String { Timestamp.vietnam(Timestamp.date(milliseconds: milliseconds)) }
        var records: [AccessReport.Record] = []
        let entries = try Row.fetchAll(
            db,
            sql: """
                SELECT e.raw, e.line, l.name, i.file_name, i.imported_at, i.delimiter, i.headers, i.source, i.basis
                FROM entries e JOIN lists l ON l.id = e.list_id JOIN imports i ON i.id = e.import_id
                WHERE e.id IN (SELECT id FROM entries WHERE key_hash = ?1
                               UNION SELECT entry_id FROM entry_identifiers WHERE id_hash = ?1)
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
                    list: list, file: row["file_name"], line: line, importedAt: time(row["imported_at"]),
                    source: row["source"], basis: row["basis"], status: status, fields: fields))
        }
        let consents = try Row.fetchAll(
            db,
            sql: """
                SELECT c.kind, c.channel, c.purpose, c.at, c.method, c.evidence, c.source, t.text
                FROM consent_events c LEFT JOIN consent_texts t ON t.id = c.text_id
                WHERE c.id_hash = ? ORDER BY c.at, c.id
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
        return AccessReport.Subject(
            identifier: identifier.normalized, why: why, records: records, consents: consents, messages: messages)
    }
}
