import Foundation
import GRDB
import RightsCore
import Synchronization

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
    /// The input's size in bytes when known: a large batch reads its sources while it is being parsed.
    public var sizeHint: Int?

    public init(
        channel: Channel, purpose: Purpose, at: Date, until: Date? = nil, campaign: String? = nil, dryRun: Bool,
        idColumn: String? = nil, zaloOA: String? = nil, fileName: String, sizeHint: Int? = nil
    ) {
        self.sizeHint = sizeHint
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
        if let until = request.until, until < request.at {
            throw StoreError.refused(
                "--until \(Timestamp.vietnam(until)) is before --at \(Timestamp.vietnam(request.at)): a batch ends after it starts"
            )
        }
        if request.purpose == .marketing,
            let outside = SendRules.firstDisallowed(
                request.channel, from: request.at, through: request.until ?? request.at)
        {
            let next = SendRules.nextAllowed(request.channel, after: outside)
            let span =
                request.until.map { "the batch from \(Timestamp.vietnam(request.at)) to \(Timestamp.vietnam($0))" }
                ?? "the batch at \(Timestamp.vietnam(request.at))"
            throw StoreError.refused(
                "\(span) reaches \(Timestamp.vietnam(outside)), outside the hours advertising by "
                    + "\(request.channel.rawValue) may be sent (\(SendRules.describe(request.channel)), "
                    + "\(SendRules.citation)); every message must fall inside; the next allowed time is "
                    + "\(Timestamp.vietnam(next))")
        }
        if !request.dryRun && (request.campaign ?? "").isEmpty {
            throw StoreError.refused(
                "a gate run that is not a dry run records planned sends: name their campaign (--campaign; campaign= on the API)"
            )
        }
        let input = InputFile(name: request.fileName, chunks: chunks)
        let preloading = startPreload(request)
        var record = CSVRecord()
        let headers = try input.header(into: &record)
        let (column, kind) = try gateColumn(headers, request)
        // A Zalo batch with both columns mixes OA messages and ZNS: a row without a Zalo id goes to its phone.
        let znsColumn =
            kind == .zalo && request.idColumn == nil
            ? headers.firstIndex { ListField(header: $0) == .phone } : nil
        // Read and identify every row first, keeping the rows compactly, so that the facts of all distinct
        // recipients can be read set-wise (BatchFacts) before any row is written.
        var rows = CSVRecordArena(fieldCount: headers.count)
        var outcomes: [GateRowOutcome] = []
        var invalidReasons: [Int: String] = [:]
        // Per row with a valid identifier, in row order; `outcome.slot` is first its index here.
        var rowKeys: [HashKey] = []
        var rowNormalized: [String] = []
        while try input.next(into: &record) {
            let row = outcomes.count
            rows.append(record)
            let identifier: Identifier
            do throws(IdentifierError) {
                let raw = record.string(at: column)
                switch kind {
                case .phone: identifier = try Identifier(phone: raw)
                case .email: identifier = try Identifier(email: raw)
                case .zalo:
                    if let znsColumn, raw.trimmingWhitespace().isEmpty {
                        identifier = try Identifier(phone: record.string(at: znsColumn))
                    } else {
                        identifier = try Identifier(zaloColumn: raw, oa: request.zaloOA)
                    }
                }
            } catch {
                invalidReasons[row] = error.description
                outcomes.append(GateRowOutcome(line: record.line, slot: GateRowOutcome.invalid))
                continue
            }
            let normalized = identifier.normalized
            outcomes.append(GateRowOutcome(line: record.line, slot: Int32(rowKeys.count)))
            rowKeys.append(hasher.key(normalized))
            rowNormalized.append(normalized)
        }
        // The distinct recipients in key order: the first row of each is the one judged, later ones are
        // duplicates of it.
        let distinct = DistinctKeys(rowKeys)
        rowKeys = []
        let keys = distinct.keys
        let normalized = distinct.first.map { rowNormalized[Int($0)] }
        rowNormalized = []
        var firstLines = [Int](repeating: 0, count: keys.count)
        for index in outcomes.indices where outcomes[index].slot != GateRowOutcome.invalid {
            let valid = Int(outcomes[index].slot)
            let slot = distinct.position[valid]
            outcomes[index].slot = slot
            if distinct.first[Int(slot)] == Int32(valid) {
                firstLines[Int(slot)] = outcomes[index].line
            } else {
                outcomes[index].duplicate = true
            }
        }
        // Do-Not-Call covers phone numbers: SMS, calls, and ZNS addressed by phone (RULES-VN.md §3).
        @Sendable func query(_ db: Database) throws -> BatchFacts.Query {
            BatchFacts.Query(
                at: request.at, channel: request.channel, purpose: request.purpose, campaign: request.campaign,
                doNotCallVersion: kind == .phone && request.channel != .email
                    ? try doNotCallVersion(at: request.at, db) : nil)
        }
        // The linked identifiers that are not in the batch: their Do-Not-Call listing matters only through the
        // Zalo pair, for a Zalo message.
        @Sendable func linkedQuery(_ db: Database) throws -> BatchFacts.Query {
            var linked = try query(db)
            linked.doNotCallVersion = request.channel == .zalo ? try doNotCallVersion(at: request.at, db) : nil
            return linked
        }
        // The person of each recipient first (its linked identifiers' facts count for it), then the facts of the
        // recipients and of their linked identifiers. The sources are read by two connections at once, before the
        // write transaction; if anything was committed in between, that transaction reads them again itself, so
        // the decision is always made on the state the run is recorded in.
        let preloaded = try preloading?.wait()
        let people: (head: Int64, expansion: PersonLinks.Expansion)
        if let preloaded, let table = preloaded.sources.links {
            people = (preloaded.head, PersonLinks.expand(keys, table: table))
        } else {
            people = try pool.read { db in
                (head: try AuditChain.headSeq(db), expansion: try PersonLinks.expand(keys, db))
            }
        }
        let early = try concurrentFacts(
            keys, people.expansion, query, linkedQuery, preload: preloaded, head: people.head)
        return try perform(actor: actor, at: now) { db in
            let facts: (own: BatchFacts, linked: BatchFacts)
            let expansion: PersonLinks.Expansion
            if let early, try AuditChain.headSeq(db) == early.head {
                (facts, expansion) = ((early.own, early.linked), people.expansion)
            } else {
                expansion = try PersonLinks.expand(keys, db)
                var own = BatchFacts(keys: keys, linked: expansion.linkedRecipients)
                var linked = BatchFacts(linkedOnly: expansion.extra)
                let (ownQuery, linkedQuery) = (try query(db), try linkedQuery(db))
                for part in BatchFacts.Part.allCases {
                    try BatchFacts.read(part, own: &own, ownQuery, linked: &linked, linkedQuery, db)
                }
                facts = (own, linked)
            }
            let decisions = Self.decisions(facts.own, facts.linked, expansion, kind: kind, request)
            let details = Dictionary(
                uniqueKeysWithValues: ExclusionReason.allCases.map { ($0, detail($0, request)) })
            try clean.write(headers + ["normalized"])
            try excluded.write(["line", "identifier", "reason", "detail"])

            // Rows are written in two halves at once, each into its own buffers, then appended in order.
            let halves = GateOutput.write(
                rows: rows, outcomes: outcomes, parts: 2
            ) { [rows, invalidReasons, firstLines] row, outcome, writer in
                let slot = Int(outcome.slot)
                if outcome.slot == GateRowOutcome.invalid {
                    try writer.exclude(
                        outcome.line, rows.string(record: row, field: column), .invalidIdentifier,
                        invalidReasons[row] ?? "")
                } else if outcome.duplicate {
                    try writer.exclude(
                        outcome.line, normalized[slot], .duplicate, "same recipient as line \(firstLines[slot])")
                } else if let reason = decisions[slot] {
                    try writer.exclude(outcome.line, normalized[slot], reason, details[reason] ?? "")
                } else {
                    try writer.allow(row, slot: slot, normalized: normalized[slot])
                }
            }
            var result = GateResult()
            var allowedSlots: [Int] = []
            for half in try halves.map({ try $0.get() }) {
                try clean.write(encoded: half.clean)
                try excluded.write(encoded: half.excluded)
                result.rows += half.rows
                result.allowed += half.allowedSlots.count
                result.excluded.merge(half.excluded_counts) { $0 + $1 }
                allowedSlots += half.allowedSlots
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
            // A dry run plans nothing: only a real run's recipients count toward later caps.
            for slot in allowedSlots where !request.dryRun {
                plan.bind(1, blob: keys[slot].bytes)
                plan.bind(2, normalized[slot])
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

    /// For a batch of a megabyte or more, starts reading the suppressions and consents whole on another core while
    /// the batch is parsed (when each is at most `scanRowsPerRecipient` rows per estimated batch row).
    private func startPreload(_ request: GateRequest) -> Pending<(head: Int64, sources: BatchFacts.Preload)>? {
        guard let size = request.sizeHint, size >= 1 << 20 else { return nil }
        let limit = BatchFacts.scanRowsPerRecipient * size / 24
        return Pending.start { [pool] in
            try pool.read { db in
                (
                    try AuditChain.headSeq(db),
                    try BatchFacts.Preload(
                        db, at: request.at, channel: request.channel, purpose: request.purpose, limit: limit)
                )
            }
        }
    }

    /// Reads the batch's facts with two connections at once, each in its own read transaction, and the audit head
    /// both saw (every change appends one audit event, so equal heads mean one state); nil when they differ.
    private func concurrentFacts(
        _ keys: [HashKey], _ expansion: PersonLinks.Expansion,
        _ query: @escaping @Sendable (Database) throws -> BatchFacts.Query,
        _ linkedQuery: @escaping @Sendable (Database) throws -> BatchFacts.Query,
        preload: (head: Int64, sources: BatchFacts.Preload)?, head: Int64
    ) throws -> (own: BatchFacts, linked: BatchFacts, head: Int64)? {
        let parts = BatchFacts.Part.allCases
        typealias Read = (head: Int64, own: BatchFacts, linked: BatchFacts)
        let results = Mutex<[Result<Read, any Error>?]>(Array(repeating: nil, count: parts.count))
        DispatchQueue.concurrentPerform(iterations: parts.count) { index in
            let result = Result {
                try pool.read { db in
                    var own = BatchFacts(keys: keys, linked: expansion.linkedRecipients)
                    own.preload = preload?.sources
                    var linked = BatchFacts(linkedOnly: expansion.extra)
                    linked.preload = preload?.sources
                    try BatchFacts.read(
                        parts[index], own: &own, try query(db), linked: &linked, try linkedQuery(db), db)
                    return (head: try AuditChain.headSeq(db), own: own, linked: linked)
                }
            }
            results.withLock { $0[index] = result }
        }
        // Taken out of the lock's storage, so that the first part's facts are the only reference to their buffers
        // and the others are added in place, not into a copy of a million facts.
        var read = try results.withLock { all in
            defer { all = [] }
            return try all.map { try $0!.get() }
        }
        guard Set(read.map(\.head) + [head] + (preload.map { [$0.head] } ?? [])).count == 1 else { return nil }
        var merged = read.removeFirst()
        for other in read {
            merged.own.absorb(other.own)
            merged.linked.absorb(other.linked)
        }
        return (merged.own, merged.linked, merged.head)
    }

    /// The verdict on each distinct recipient: its own facts, composed with its linked identifiers' when it has
    /// any (`ContactFacts.absorb`, the rule of `ContactFacts.person` that every other path applies too).
    private static func decisions(
        _ own: BatchFacts, _ linked: BatchFacts, _ expansion: PersonLinks.Expansion, kind: Identifier.Kind,
        _ request: GateRequest
    ) -> [ExclusionReason?] {
        let (mine, theirs) = (own.facts, linked.facts)
        let kinds = KindSet(kind)
        return mine.indices.map { slot in
            guard !expansion.isTrivial, expansion.linkStart[slot] != expansion.linkStart[slot + 1] else {
                return ContactDecision.exclusion(for: mine[slot], channel: request.channel, purpose: request.purpose)
            }
            var person = mine[slot]
            for target in expansion.links(of: slot) {
                let (facts, linkedKind) =
                    target >= 0
                    ? (mine[Int(target)], kind) : (theirs[Int(-1 - target)], expansion.extraKinds[Int(-1 - target)])
                person.absorb(linked: facts, kind: linkedKind, into: kinds, channel: request.channel)
            }
            return ContactDecision.exclusion(for: person, channel: request.channel, purpose: request.purpose)
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
                case .phone?: .phone
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

/// What the first pass of a gate learnt about one row: its line and either the recipient's slot in the batch
/// (the first row for that recipient, or a duplicate of it) or that its identifier is invalid.
private struct GateRowOutcome {
    static let invalid: Int32 = -1

    var line: Int
    var slot: Int32
    var duplicate = false
}

/// Writes a gate's decided rows in parts on as many threads, each into its own buffers.
private struct GateOutput {
    private let cleanBytes = ByteSink()
    private let excludedBytes = ByteSink()
    private var clean: CSVWriter
    private var excluded: CSVWriter
    var rows = 0
    var allowedSlots: [Int] = []
    var excluded_counts: [String: Int] = [:]
    let arena: CSVRecordArena

    init(arena: CSVRecordArena) {
        self.arena = arena
        clean = CSVWriter(hashing: false) { [cleanBytes] in cleanBytes.bytes += $0 }
        excluded = CSVWriter(hashing: false) { [excludedBytes] in excludedBytes.bytes += $0 }
        // The refused rows are read by people, in a spreadsheet: an invalid identifier is echoed as typed.
        excluded.neutralizesFormulas = true
    }

    /// Flushes both writers and hands over what they wrote.
    mutating func finish() throws -> (clean: [UInt8], excluded: [UInt8]) {
        try clean.flush()
        try excluded.flush()
        return (cleanBytes.bytes, excludedBytes.bytes)
    }

    mutating func exclude(_ line: Int, _ identifier: String, _ reason: ExclusionReason, _ detail: String) throws {
        excluded_counts[reason.rawValue, default: 0] += 1
        try excluded.write([String(line), identifier, reason.rawValue, detail])
    }

    mutating func allow(_ row: Int, slot: Int, normalized: String) throws {
        try clean.write(arena, record: row, appending: normalized)
        allowedSlots.append(slot)
    }

    struct Part: Sendable {
        var clean: [UInt8]
        var excluded: [UInt8]
        var rows: Int
        var allowedSlots: [Int]
        var excluded_counts: [String: Int]
    }

    static func write(
        rows arena: CSVRecordArena, outcomes: [GateRowOutcome], parts: Int,
        _ each: @Sendable (Int, GateRowOutcome, inout GateOutput) throws -> Void
    ) -> [Result<Part, any Error>] {
        let results = Mutex<[Result<Part, any Error>?]>(Array(repeating: nil, count: parts))
        let size = (outcomes.count + parts - 1) / max(parts, 1)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = min(part * size, outcomes.count)..<min((part + 1) * size, outcomes.count)
            let result = Result { () throws -> Part in
                var output = GateOutput(arena: arena)
                for row in range {
                    output.rows += 1
                    try each(row, outcomes[row], &output)
                }
                let written = try output.finish()
                return Part(
                    clean: written.clean, excluded: written.excluded, rows: output.rows,
                    allowedSlots: output.allowedSlots, excluded_counts: output.excluded_counts)
            }
            results.withLock { $0[part] = result }
        }
        return results.withLock { $0.map { $0! } }
    }
}

/// Bytes a writer hands over, kept in memory.
private final class ByteSink: @unchecked Sendable {
    // Used by one thread at a time: each part of the output has its own.
    var bytes: [UInt8] = []
}
