import Foundation
import GRDB
import RightsCore

/// What `gate` was asked to judge.
public struct GateRequest: Sendable {
    public var channel: Channel
    public var purpose: Purpose
    public var at: Date
    public var until: Date?
    public var campaign: String?
    public var dryRun: Bool
    public var idColumn: String?
    public var zaloOA: String?
    public var fileName: String

    public init(
        channel: Channel, purpose: Purpose, at: Date, until: Date? = nil, campaign: String? = nil, dryRun: Bool,
        idColumn: String? = nil, zaloOA: String? = nil, fileName: String
    ) {
        self.channel = channel
        self.purpose = purpose
        self.at = at
        self.until = until
        self.campaign = campaign
        self.dryRun = dryRun
        self.idColumn = idColumn
        self.zaloOA = zaloOA
        self.fileName = fileName
    }
}

/// `gate --json`.
public struct GateResult: Sendable, Codable {
    public var rows = 0
    public var allowed = 0
    public var excluded: [String: Int] = [:]
    public var inputSHA256 = ""
    public var run: Int64 = 0

    enum CodingKeys: String, CodingKey {
        case rows, allowed, excluded, run
        case inputSHA256 = "input_sha256"
    }
}

extension RightsStore {
    /// The send gate (ARCHITECTURE.md invariant 6): every record of a batch is judged by `ContactDecision` against
    /// suppressions, the Do-Not-Call version in force, consent, caps and hours. Allowed rows go to `clean` with a
    /// `normalized` column; refused ones to `excluded` with the first reason. Every run is on the audit chain; a
    /// non-dry run also records its recipients as the campaign's planned sends, so later caps count them.
    public func runGate(
        _ request: GateRequest, chunks: @escaping () throws -> [UInt8]?, clean: inout CSVWriter,
        excluded: inout CSVWriter, actor: String, at now: Date
    ) throws -> GateResult {
        if request.purpose == .marketing {
            for instant in [request.at] + (request.until.map { [$0] } ?? [])
            where !SendRules.isAllowed(request.channel, at: instant) {
                let next = SendRules.nextAllowed(request.channel, after: instant)
                throw StoreError.refused(
                    "\(Timestamp.vietnam(instant)) is outside the hours advertising by \(request.channel.rawValue) "
                        + "may be sent (\(SendRules.describe(request.channel)), \(SendRules.citation)); "
                        + "the next allowed time is \(Timestamp.vietnam(next))")
            }
        }
        if !request.dryRun && (request.campaign ?? "").isEmpty {
            throw StoreError.refused("a gate run that is not --dry-run records planned sends: give --campaign")
        }
        let input = InputFile(name: request.fileName, chunks: chunks)
        return try perform(actor: actor, at: now) { db in
            var record = CSVRecord()
            let headers = try input.header(into: &record)
            let (column, kind) = try gateColumn(headers, request)
            try clean.write(headers + ["normalized"])
            try excluded.write(["line", "identifier", "reason", "detail"])

            let query = ContactFactsQuery(
                db, at: request.at, dncVersion: try doNotCallVersion(at: request.at, db),
                caps: request.purpose == .marketing ? (request.channel, request.campaign) : nil)
            var result = GateResult()
            var seen: [String: Int] = [:]
            var allowedHashes: [([UInt8], String)] = []
            while try input.next(into: &record) {
                result.rows += 1
                let raw = record.string(at: column)
                func exclude(_ reason: ExclusionReason, _ identifier: String, _ detail: String) throws {
                    result.excluded[reason.rawValue, default: 0] += 1
                    try excluded.write([String(record.line), identifier, reason.rawValue, detail])
                }
                let identifier: Identifier
                do throws(IdentifierError) {
                    switch kind {
                    case .phone: identifier = try Identifier(phone: raw)
                    case .email: identifier = try Identifier(email: raw)
                    case .zalo: identifier = try Identifier(zaloColumn: raw, oa: request.zaloOA)
                    }
                } catch {
                    try exclude(.invalidIdentifier, raw, error.description)
                    continue
                }
                if let first = seen[identifier.normalized] {
                    try exclude(.duplicate, identifier.normalized, "same recipient as line \(first)")
                    continue
                }
                seen[identifier.normalized] = record.line
                let hash = hasher.hash(identifier)
                var facts = try query.facts(hashes: [hash])
                // Do-Not-Call covers phone numbers: SMS, calls, and ZNS addressed by phone (RULES-VN.md §3).
                if identifier.kind != .phone || request.channel == .email { facts.onDoNotCallList = false }
                if let reason = ContactDecision.exclusion(
                    for: facts, channel: request.channel, purpose: request.purpose)
                {
                    try exclude(reason, identifier.normalized, detail(reason, request))
                    continue
                }
                try clean.write(record.fields + [identifier.normalized])
                result.allowed += 1
                if !request.dryRun { allowedHashes.append((hash, identifier.normalized)) }
            }
            result.inputSHA256 = input.sha256()
            let excludedJSON = JSONValue.object(result.excluded.mapValues { .int($0) }).canonicalString
            try db.execute(
                sql: """
                    INSERT INTO gate_runs(at, until, channel, purpose, campaign, dry_run, input_sha256, rows, allowed,
                        excluded, recorded_at, actor)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    ms(request.at), request.until.map(ms), request.channel.rawValue, request.purpose.rawValue,
                    request.campaign, request.dryRun, result.inputSHA256, result.rows, result.allowed, excludedJSON,
                    ms(now), actor,
                ])
            result.run = db.lastInsertedRowID
            let plan = try RawStatement(
                db,
                """
                INSERT INTO sends(id_hash, normalized, campaign, channel, purpose, sent_at, delivered, planned, gate_run_id)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 1, ?7)
                """)
            for (hash, normalized) in allowedHashes {
                plan.bind(1, blob: hash)
                plan.bind(2, normalized)
                plan.bind(3, request.campaign ?? "")
                plan.bind(4, request.channel.rawValue)
                plan.bind(5, request.purpose.rawValue)
                plan.bind(6, ms(request.at))
                plan.bind(7, result.run)
                try plan.run()
            }
            try clean.flush()
            try excluded.flush()
            let draft = AuditDraft(
                kind: "gate.run",
                payload: [
                    "run": .int(result.run), "channel": .string(request.channel.rawValue),
                    "purpose": .string(request.purpose.rawValue), "at": .string(Timestamp.vietnam(request.at)),
                    "campaign": .optional(request.campaign), "dry_run": .bool(request.dryRun),
                    "input_sha256": .string(result.inputSHA256), "rows": .int(result.rows),
                    "allowed": .int(result.allowed), "excluded": .object(result.excluded.mapValues { .int($0) }),
                ])
            return (result, draft)
        }
    }

    /// The identifier column: `phone` for SMS and calls, `email` for email, `zalo_id` for Zalo when present else
    /// `phone` (ZNS); `--id-column` overrides. Headers match as list imports do (Vietnamese names included).
    private func gateColumn(_ headers: [String], _ request: GateRequest) throws -> (Int, Identifier.Kind) {
        func find(_ field: ListField) -> Int? { headers.firstIndex { ListField(header: $0) == field } }
        if let name = request.idColumn {
            guard let index = headers.firstIndex(where: { ColumnName.fold($0) == ColumnName.fold(name) }) else {
                throw StoreError.badInput(
                    file: request.fileName, line: 1, column: nil,
                    message: "no column \"\(name)\" (the header has \(headers.joined(separator: ", ")))")
            }
            let kind: Identifier.Kind =
                switch ListField(header: name) {
                case .email?: .email
                case .zaloID?: .zalo
                default: request.channel == .email ? .email : .phone
                }
            return (index, kind)
        }
        let wanted: [(ListField, Identifier.Kind)] =
            switch request.channel {
            case .sms, .call: [(.phone, .phone)]
            case .email: [(.email, .email)]
            case .zalo: [(.zaloID, .zalo), (.phone, .phone)]
            }
        for (field, kind) in wanted {
            if let index = find(field) { return (index, kind) }
        }
        throw StoreError.badInput(
            file: request.fileName, line: 1, column: nil,
            message: "no \(wanted.map(\.0.rawValue).joined(separator: " or ")) column for \(request.channel.rawValue) "
                + "(the header has \(headers.joined(separator: ", "))); name one with --id-column")
    }

    private func detail(_ reason: ExclusionReason, _ request: GateRequest) -> String {
        switch reason {
        case .suppressed: "a suppression in force stops \(request.purpose.rawValue) by \(request.channel.rawValue)"
        case .dnc: "on the Do-Not-Call list in force (Decree 91/2020 Art. 11(1), 13(1))"
        case .noConsent: "no current marketing consent for \(request.channel.rawValue) (Decree 91/2020 Art. 11(2))"
        case .frequencyCap:
            "\(SendRules.cap(for: request.channel)) advertising \(request.channel.rawValue) in the 24 hours before "
                + "\(Timestamp.vietnam(request.at)) (\(SendRules.citation))"
        case .invalidIdentifier, .duplicate: ""
        }
    }
}
