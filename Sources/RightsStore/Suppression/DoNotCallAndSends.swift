import Foundation
import GRDB
import RightsCore

/// `dnc import --json`.
public struct DoNotCallImportResult: Sendable, Codable {
    public var numbers = 0
    public var invalid: [InvalidRow] = []
    public var version: Int64 = 0
    public var asOf = ""

    enum CodingKeys: String, CodingKey {
        case numbers, invalid, version
        case asOf = "as_of"
    }
}

/// `sends import --json`.
public struct SendImportResult: Sendable, Codable {
    public var rows = 0
    public var recorded = 0
    public var delivered = 0
    public var notDelivered = 0
    public var transactional = 0
    public var invalid: [InvalidRow] = []

    enum CodingKeys: String, CodingKey {
        case rows, recorded, delivered, invalid, transactional
        case notDelivered = "not_delivered"
    }
}

/// One row of a provider's send log, parsed.
public struct SendLogRow: Sendable {
    public var line: Int
    public var identifier: Identifier
    public var sentAt: Date
    public var purpose: Purpose
    public var tag: String?
    public var error: String?
    public var message: String?

    public init(
        line: Int, identifier: Identifier, sentAt: Date, purpose: Purpose, tag: String?, error: String?,
        message: String?
    ) {
        self.line = line
        self.identifier = identifier
        self.sentAt = sentAt
        self.purpose = purpose
        self.tag = tag
        self.error = error
        self.message = message
    }

    /// A non-zero provider error means the message was not delivered (ZNS -114 soft refusal, -118 unreachable).
    public var delivered: Bool {
        guard let error = error?.trimmingWhitespace(), !error.isEmpty else { return true }
        return error == "0"
    }
}

extension RightsStore {
    /// Imports a version of the national Do-Not-Call list, in force from `asOf`.
    public func importDoNotCall(
        numbers: [(line: Int, number: Identifier, kind: DoNotCallKind)], invalid: [InvalidRow], fileName: String,
        fileSHA256: String,
        asOf: Date, actor: String, at now: Date
    ) throws -> DoNotCallImportResult {
        try perform(actor: actor, at: now) { db in
            try db.execute(
                sql: """
                    INSERT INTO dnc_versions(as_of, file_name, file_sha256, numbers, imported_at, actor)
                    VALUES (?, ?, ?, 0, ?, ?)
                    """, arguments: [ms(asOf), fileName, fileSHA256, ms(now), actor])
            let version = db.lastInsertedRowID
            let count = try DoNotCallBlocks.write(
                numbers.map { (hasher.key($0.number.normalized), $0.kind) }, version: version, db)
            var kinds: [String: JSONValue] = [:]
            for kind in DoNotCallKind.allCases {
                let listed = numbers.count { $0.kind == kind }
                if listed > 0 { kinds[kind.rawValue] = .int(listed) }
            }
            try db.execute(sql: "UPDATE dnc_versions SET numbers = ? WHERE id = ?", arguments: [count, version])
            var result = DoNotCallImportResult(numbers: count, invalid: invalid, version: version)
            result.asOf = Timestamp.vietnam(asOf)
            let draft = AuditDraft(
                kind: "dnc.import",
                payload: [
                    "version": .int(version), "as_of": .string(result.asOf), "numbers": .int(count),
                    "invalid": .int(invalid.count), "file_name": .string(fileName), "file_sha256": .string(fileSHA256),
                    "rows_by_kind": .object(kinds),
                ])
            return (result, draft)
        }
    }

    /// Records a provider's send log (ZNS, SMS brand name, email) for caps, `why` and `violations`.
    public func importSends(
        _ rows: [SendLogRow], invalid: [InvalidRow], rowCount: Int, campaign: String, channel: Channel,
        purpose: Purpose, fileName: String, fileSHA256: String, actor: String, at now: Date
    ) throws -> SendImportResult {
        try perform(actor: actor, at: now) { db in
            try db.execute(
                sql: """
                    INSERT INTO send_imports(file_name, file_sha256, campaign, channel, purpose, rows, imported_at, actor)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    fileName, fileSHA256, campaign, channel.rawValue, purpose.rawValue, rowCount, ms(now), actor,
                ])
            let importID = db.lastInsertedRowID
            let insert = try RawStatement(
                db,
                """
                INSERT INTO sends(id_hash, normalized, campaign, channel, purpose, sent_at, delivered, error, message, tag,
                    send_import_id, line)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                """)
            var result = SendImportResult(rows: rowCount, invalid: invalid)
            for row in rows {
                insert.bind(1, blob: hasher.hash(row.identifier))
                insert.bind(2, row.identifier.normalized)
                insert.bind(3, campaign)
                insert.bind(4, channel.rawValue)
                insert.bind(5, row.purpose.rawValue)
                insert.bind(6, ms(row.sentAt))
                insert.bind(7, row.delivered ? 1 : 0)
                insert.bind(8, row.error)
                insert.bind(9, row.message)
                insert.bind(10, row.tag)
                insert.bind(11, importID)
                insert.bind(12, row.line)
                try insert.run()
                result.recorded += 1
                if row.delivered { result.delivered += 1 } else { result.notDelivered += 1 }
                if row.purpose == .transactional { result.transactional += 1 }
            }
            let draft = AuditDraft(
                kind: "sends.import",
                payload: [
                    "campaign": .string(campaign), "channel": .string(channel.rawValue),
                    "purpose": .string(purpose.rawValue),
                    "rows": .int(rowCount), "recorded": .int(result.recorded), "delivered": .int(result.delivered),
                    "invalid": .int(invalid.count), "file_sha256": .string(fileSHA256),
                ])
            return (result, draft)
        }
    }

    /// The Do-Not-Call version in force at `instant`, if any.
    func doNotCallVersion(at instant: Date, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(
                sql: "SELECT id FROM dnc_versions WHERE as_of <= ? ORDER BY as_of DESC, id DESC LIMIT 1"),
            arguments: [ms(instant)])
    }
}

extension RightsStore {
    /// Reads a provider's send log (CSV with `phone`, `email` or `zalo_id`, and `sent_at`; optional `tag`, `error`,
    /// `message`) and records it. A ZNS `tag` of 1 or 2 is transactional and 3 marketing, overriding `purpose`.
    public func importSendLog(
        fileName: String, chunks: @escaping () throws -> [UInt8]?, campaign: String, channel: Channel, purpose: Purpose,
        zaloOA: String?, actor: String, at now: Date
    ) throws -> SendImportResult {
        let input = InputFile(name: fileName, chunks: chunks)
        let badInput = input.badInput
        var record = CSVRecord()
        let headers = try input.header(into: &record)
        func column(_ names: String...) -> Int? {
            headers.firstIndex { header in names.contains(ColumnName.fold(header)) }
        }
        let idColumn =
            headers.firstIndex { ListField(header: $0) == .phone } ?? headers.firstIndex {
                ListField(header: $0) == .email
            }
            ?? headers.firstIndex { ListField(header: $0) == .zaloID }
        guard let idColumn else { throw badInput(1, nil, "no phone, email or zalo_id column") }
        guard let sentColumn = column("sentat", "thoigiangui", "sendtime", "time") else {
            throw badInput(1, nil, "no sent_at column")
        }
        let tagColumn = column("tag", "templatetag")
        let errorColumn = column("error", "errorcode", "status")
        let messageColumn = column("message", "errormessage")
        let kind = ListField(header: headers[idColumn])
        var rows: [SendLogRow] = []
        var invalid: [InvalidRow] = []
        var count = 0
        while try input.next(into: &record) {
            count += 1
            let raw = record.string(at: idColumn)
            let identifier: Identifier
            do throws(IdentifierError) {
                switch kind {
                case .email?: identifier = try Identifier(email: raw)
                case .zaloID?: identifier = try Identifier(zaloColumn: raw, oa: zaloOA)
                default: identifier = try Identifier(phone: raw)
                }
            } catch {
                invalid.append(InvalidRow(line: record.line, reason: error.description))
                continue
            }
            guard let sentAt = Timestamp.parse(record.string(at: sentColumn)) else {
                invalid.append(InvalidRow(line: record.line, reason: "sent_at: not a time"))
                continue
            }
            // A log records sends made; one dated ahead is a typo (or another clock), not a violation yet.
            if let ahead = Self.future(sentAt, now: now, "sent_at:") {
                invalid.append(InvalidRow(line: record.line, reason: ahead))
                continue
            }
            let tag = tagColumn.map { record.string(at: $0).trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
            let rowPurpose: Purpose =
                switch tag {
                case "1", "2": .transactional
                case "3": .marketing
                default: purpose
                }
            rows.append(
                SendLogRow(
                    line: record.line, identifier: identifier, sentAt: sentAt, purpose: rowPurpose, tag: tag,
                    error: errorColumn.map { record.string(at: $0) },
                    message: messageColumn.map { record.string(at: $0) }))
        }
        return try importSends(
            rows, invalid: invalid, rowCount: count, campaign: campaign, channel: channel, purpose: purpose,
            fileName: fileName, fileSHA256: input.sha256(), actor: actor, at: now)
    }
}
