import Foundation
import GRDB
import RightsCore

extension RightsStore {
    // MARK: Intake

    /// Logs a request received from any channel, fixes its deadlines, and — for an objection or a withdrawal of
    /// consent — suppresses its identifiers for marketing at once, from the time of receipt (invariant 7).
    public func createRequest(_ new: NewRequest, actor: String, at now: Date) throws -> RequestView {
        guard !new.subjects.isEmpty else { throw StoreError.refused("a request names at least one --subject") }
        if let representative = new.representative, representative.name.trimmingWhitespace().isEmpty {
            throw StoreError.refused("a representative is named: --representative NAME may not be blank")
        }
        if new.restrictionCondition != nil && new.type != .restriction {
            throw StoreError.refused(
                "--restriction-condition belongs to a restriction request, not \(new.type.rawValue)")
        }
        try Self.refuseFuture(
            new.receivedAt, now: now, "the receipt time", "a request is logged when or after it arrives")
        return try perform(actor: actor, at: now) { db in try createRequest(new, actor: actor, at: now, db) }
    }

    /// The body of `createRequest` inside a caller's unit of work (the Zalo webhook records its event with it).
    func createRequest(_ new: NewRequest, actor: String, at now: Date, _ db: Database) throws -> (
        RequestView, AuditDraft
    ) {
        let ruleSet = try activeRuleSet(for: new.receivedAt, db)
        let calculator = DeadlineCalculator(calendar: try holidayCalendar(db))
        let deadlines = calculator.deadlines(
            for: new.type, processors: new.processors, receivedAt: new.receivedAt, under: ruleSet)
        let hashes = new.subjects.map { hasher.hash($0) }
        let duplicateOf = try openRequest(ofType: new.type, matching: hashes, db)
        // Never a number the record already names: a restore can take away requests made after its backup while
        // the erasures it replays still cite them (`RequestNumbers.retire`).
        let seq =
            max(try Int.fetchOne(db, sql: "SELECT count(*) FROM requests") ?? 0, try RequestNumbers.retired(db)) + 1
        let year = VietnamTime.date(of: new.receivedAt).year
        var id = "RQ-\(year)-\(String(format: "%06d", seq))"
        while try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM requests WHERE id = ?)", arguments: [id])
            == true
        {
            id += "b"
        }
        try db.execute(
            sql: """
                INSERT INTO requests(id, type, state, rule_set, channel, received_at, processors, scope,
                    ack_due, ack_due_date, due, due_date, citation, original_due, original_due_date, duplicate_of,
                    name, address, note, representative_name, representative_relation, representative_evidence,
                    restriction_condition, evidence, created_at, created_by)
                VALUES (?, ?, 'received', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                id, new.type.rawValue, ruleSet.id, new.channel.rawValue, ms(new.receivedAt), new.processors,
                new.scope.rawValue, ms(deadlines.ackDue), deadlines.ackDueDate.description, ms(deadlines.due),
                deadlines.dueDate.description, deadlines.citation, ms(deadlines.due),
                deadlines.dueDate.description, duplicateOf, new.name, new.address, new.note,
                new.representative?.name, new.representative?.relation.rawValue, new.representative?.evidence,
                new.restrictionCondition, new.evidence, ms(now), actor,
            ])
        for (position, (subject, hash)) in zip(new.subjects, hashes).enumerated() {
            try db.execute(
                sql: """
                    INSERT INTO request_subjects(request_id, position, kind, normalized, id_hash)
                    VALUES (?, ?, ?, ?, ?)
                    """, arguments: [id, position, subject.kind.rawValue, subject.normalized, Data(hash)])
        }
        try addEvent(id, at: new.receivedAt, kind: "received", actor: actor, note: new.note, now: now, db)
        // Identifiers named together on one request are one person's.
        try linkSubjects(new.subjects, requestID: id, actor: actor, now: now, db)
        var suppressed = 0
        if new.type.stopsMarketingAtIntake {
            // Decree 91/2020 Art. 13(4): a refusal stops advertising immediately, before identity checks; Law 91
            // Art. 28(5) and invariant 7: so does a request to erase or restrict, while it is being handled. The
            // suppression holds for every identifier linked to these (read through the person links).
            for hash in hashes {
                suppressed += try insertSuppression(
                    hash, purpose: .marketing, reason: "\(new.type.rawValue) request \(id)", since: new.receivedAt,
                    requestID: id, actor: actor, now: now, db)
            }
            try addEvent(
                id, at: new.receivedAt, kind: "suppressed", actor: actor,
                note: "marketing on every channel, from receipt", now: now, db)
        }
        let view = try requestView(id, db)
        let draft = AuditDraft(
            kind: "request.new",
            payload: [
                "request_id": .string(id), "type": .string(new.type.rawValue), "rule_set": .string(ruleSet.id),
                "channel": .string(new.channel.rawValue), "received_at": .string(view.receivedAt),
                "ack_due": .string(view.ackDue), "due": .string(view.due), "processors": .bool(new.processors),
                "subjects": .int(new.subjects.count), "suppressions": .int(suppressed),
                "duplicate_of": .optional(duplicateOf),
                "representative": .optional(new.representative?.relation.rawValue),
            ],
            subject: hashes[0],
            pii: [
                "subjects": .array(new.subjects.map { .string($0.normalized) }), "name": .optional(new.name),
                "address": .optional(new.address), "note": .optional(new.note),
                "representative": .optional(new.representative?.name),
                "representative_evidence": .optional(new.representative?.evidence),
                "restriction_condition": .optional(new.restrictionCondition), "evidence": .optional(new.evidence),
            ])
        return (view, draft)
    }

    /// A stated time more than five minutes ahead of now is a typo: accepted, it would start the duty to stop
    /// sending late (a suppression from 2062 lets every batch through until then). `what` names the time and
    /// `why` says when it should have been.
    static func refuseFuture(_ time: Date, now: Date, _ what: String, _ why: String) throws {
        if let ahead = future(time, now: now, what) { throw StoreError.refused("\(ahead); \(why)") }
    }

    /// `what TIME is in the future (now is NOW)` when `time` is past the tolerance, else nil.
    static func future(_ time: Date, now: Date, _ what: String) -> String? {
        time.timeIntervalSince(now) <= futureTolerance
            ? nil : "\(what) \(Timestamp.vietnam(time)) is in the future (now is \(Timestamp.vietnam(now)))"
    }

    /// How far ahead of this machine's clock a stated time may be (another machine's clock may run a little ahead).
    public static let futureTolerance: TimeInterval = 5 * 60

    // MARK: Steps

    /// Acknowledges receipt (Decree 356 Art. 5: within 2 working days).
    public func acknowledgeRequest(_ id: String, at: Date, actor: String, now: Date) throws -> RequestView {
        try step(id, .acknowledge, at: at, actor: actor, now: now) { request, db in
            try db.execute(sql: "UPDATE requests SET acknowledged_at = ? WHERE id = ?", arguments: [ms(at), id])
            return ("acknowledged", nil, [:], nil)
        }
    }

    /// Records the verification of one identifier (or all, when `subject` is nil) with its method; the request is
    /// verified when every identifier is. An objection with `--scope all` widens its suppression then.
    public func verifyRequest(
        _ id: String, subject: Identifier?, method: String, at: Date, actor: String, now: Date
    ) throws -> RequestView {
        try perform(actor: actor, at: now) { db in
            try verifyRequest(id, subject: subject, method: method, at: at, actor: actor, now: now, db)
        }
    }

    /// The body of `verifyRequest` inside a caller's unit of work (the portal files and verifies in one).
    func verifyRequest(
        _ id: String, subject: Identifier?, method: String, at: Date, actor: String, now: Date, _ db: Database
    ) throws -> (RequestView, AuditDraft) {
        let request = try snapshot(id, db)
        let subjects = try Row.fetchAll(
            db, sql: "SELECT position, normalized, id_hash, verified_at FROM request_subjects WHERE request_id = ?",
            arguments: [id])
        var targets = subjects.filter { ($0["verified_at"] as Int64?) == nil }
        if let subject {
            guard let match = subjects.first(where: { ($0["normalized"] as String) == subject.normalized }) else {
                throw StoreError.step(.unknownSubject(subject.normalized))
            }
            guard (match["verified_at"] as Int64?) == nil else {
                throw StoreError.step(.alreadyVerified(subject.normalized))
            }
            targets = [match]
        }
        if targets.isEmpty { throw StoreError.step(.allVerified(id)) }
        let remaining = subjects.count - subjects.filter { ($0["verified_at"] as Int64?) != nil }.count
        let newState = try transition(
            .verify, request, at: at, now: now, allVerifiedAfter: remaining == targets.count)
        for target in targets {
            try db.execute(
                sql:
                    "UPDATE request_subjects SET verified_at = ?, method = ? WHERE request_id = ? AND position = ?",
                arguments: [ms(at), method, id, target["position"] as Int])
            try addEvent(
                id, at: at, kind: "verified", actor: actor, note: "\(target["normalized"] as String) by \(method)",
                now: now, db)
        }
        try db.execute(sql: "UPDATE requests SET state = ? WHERE id = ?", arguments: [newState.rawValue, id])
        var widened = 0
        let scope: String =
            try String.fetchOne(db, sql: "SELECT scope FROM requests WHERE id = ?", arguments: [id]) ?? ""
        if newState == .verified, scope == "all", request.type == .objection || request.type == .withdrawConsent {
            // An unverified claim must not block someone's OTPs; a verified objection to all processing does.
            for row in subjects {
                widened += try insertSuppression(
                    Array(row["id_hash"] as Data), purpose: .all, reason: "\(request.type.rawValue) request \(id)",
                    since: at, requestID: id, actor: actor, now: now, db)
            }
            try addEvent(
                id, at: at, kind: "suppressed", actor: actor, note: "all processing, once verified", now: now, db)
        }
        let draft = AuditDraft(
            kind: "request.verify",
            payload: [
                "request_id": .string(id), "at": .string(Timestamp.vietnam(at)),
                "verified": .int(targets.count), "state": .string(newState.rawValue), "suppressions": .int(widened),
            ],
            subject: Array(subjects[0]["id_hash"] as Data),
            // The method is what staff typed ("CCCD 079… của …"): sealed with the person's data.
            pii: [
                "identifiers": .array(targets.map { .string($0["normalized"] as String) }),
                "method": .string(method),
            ])
        return (try requestView(id, db), draft)
    }

    /// The one extension the law allows, with its reason; the new due date is fixed now.
    public func extendRequest(_ id: String, reason: String, at: Date, actor: String, now: Date) throws -> RequestView {
        try step(id, .extend, at: at, actor: actor, now: now) { request, db in
            let row = try Row.fetchOne(
                db, sql: "SELECT processors, received_at FROM requests WHERE id = ?", arguments: [id])!
            let calculator = DeadlineCalculator(calendar: try holidayCalendar(db))
            let deadlines = try calculator.extendedDeadlines(
                for: request.type, processors: row["processors"],
                receivedAt: Timestamp.date(milliseconds: row["received_at"]),
                under: request.ruleSet)
            try db.execute(
                sql: """
                    UPDATE requests SET extended = 1, extension_reason = ?, due = ?, due_date = ?, citation = ?
                    WHERE id = ?
                    """,
                arguments: [reason, ms(deadlines.due), deadlines.dueDate.description, deadlines.citation, id])
            return (
                "extended", "\(reason) (new due date \(deadlines.dueDate))",
                ["due": .string(Timestamp.vietnam(deadlines.due)), "due_date": .string(deadlines.dueDate.description)],
                ["reason": .string(reason)]
            )
        }
    }

    /// Completes a request and carries out its effect: correction applies its values to every entry of the
    /// person; restriction and deletion suppress every identifier for all processing; objection and withdrawal
    /// confirm the suppression made at intake. A completion after the due date is recorded as late.
    public func completeRequest(
        _ id: String, completion: Completion, at: Date, actor: String, now: Date
    ) throws -> RequestView {
        let view = try step(id, .complete, at: at, actor: actor, now: now) { request, db in
            let hashes = try Data.fetchAll(
                db, sql: "SELECT id_hash FROM request_subjects WHERE request_id = ? ORDER BY position", arguments: [id]
            ).map { Array($0) }
            var payload: [String: JSONValue] = [:]
            var pii: [String: JSONValue] = [:]
            var note: String?
            switch request.type {
            case .correction:
                guard !completion.corrections.isEmpty else {
                    throw StoreError.step(.correctionNeedsValues)
                }
                let changed = try applyCorrections(completion.corrections, to: hashes, db)
                payload["entries_corrected"] = .int(changed)
                payload["fields"] = .array(completion.corrections.map { .string($0.field) })
                pii["values"] = .object(
                    Dictionary(
                        completion.corrections.map { ($0.field, JSONValue.string($0.value)) }, uniquingKeysWith: { $1 })
                )
                note = "corrected \(completion.corrections.map(\.field).joined(separator: ", ")) in \(changed) entries"
            case .deletion:
                // Erased at the end of the step, below.
                break
            case .restriction:
                var added = 0
                for hash in hashes {
                    added += try insertSuppression(
                        hash, purpose: .all, reason: "\(request.type.rawValue) request \(id)", since: at, requestID: id,
                        actor: actor, now: now, db)
                }
                payload["suppressions"] = .int(added)
                note = "suppressed for all processing"
            case .objection, .withdrawConsent:
                note = "refusal confirmed; suppression in force since receipt"
            case .protection:
                guard let measures = completion.measures, !measures.trimmingWhitespace().isEmpty else {
                    throw StoreError.step(.protectionNeedsMeasures)
                }
                // The officer's words about the person's data: sealed with it, and erased with it.
                pii["measures"] = .string(measures)
                note = measures
            case .access:
                guard let digest = completion.reportSHA256 else {
                    throw StoreError.refused("an access request completes with its report: give --out DIR")
                }
                payload["report_sha256"] = .string(digest)
                note = "access report given (SHA-256 \(digest.prefix(16))…)"
            }
            let late = at > request.due
            try db.execute(
                sql: "UPDATE requests SET closed_at = ?, late = ?, late_reason = ? WHERE id = ?",
                arguments: [ms(at), late, late ? completion.lateReason : nil, id])
            if late {
                try addEvent(
                    id, at: at, kind: "late", actor: actor,
                    note: completion.lateReason ?? "completed after the due date, no reason given", now: now, db)
            }
            payload["late"] = .bool(late)
            // Free text staff typed: sealed with the person's data, never in the plain payload.
            if late, let reason = completion.lateReason { pii["late_reason"] = .string(reason) }
            if request.type == .deletion {
                // Last, so that nothing typed in this step outlives the erasure: its counts are the step's note,
                // and no personal data is sealed under a key made after the person's keys were shredded.
                let counts = try erase(
                    hashes: hashes, requestID: id, reason: "deletion request \(id)", at: at, actor: actor, now: now, db)
                payload["erased"] = .object(counts.mapValues { .int($0) })
                note =
                    "erased (\(counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))); suppressed for all processing"
                return ("completed", note, payload, nil)
            }
            return ("completed", note, payload, pii.isEmpty ? nil : pii)
        }
        // Deleted means gone from the files: the erased pages leave the WAL too (invariant 4).
        if view.type == .deletion { try checkpointTruncating() }
        return view
    }

    /// Refuses a request on a ground the law gives, with its citation. A `duplicate` closing names the open request
    /// of the same type it repeats (`duplicateOf`, else the one found at intake); it is answered there.
    public func rejectRequest(
        _ id: String, ground: RefusalGround, note: String?, duplicateOf: String? = nil, at: Date, actor: String,
        now: Date
    ) throws -> RequestView {
        try step(id, .reject, at: at, actor: actor, now: now) { request, db in
            guard let rule = request.ruleSet.refusal(ground), rule.appliesTo.contains(request.type) else {
                let offered = request.ruleSet.refusal(ground)?.appliesTo ?? []
                throw StoreError.step(
                    .groundNotOffered(ground, request.type, ruleSet: request.ruleSet.id, offeredFor: offered))
            }
            var original: String?
            if ground == .duplicate {
                let recorded = try String.fetchOne(
                    db, sql: "SELECT duplicate_of FROM requests WHERE id = ?", arguments: [id])
                guard let target = duplicateOf ?? recorded else {
                    throw StoreError.step(.duplicateNeedsOriginal)
                }
                try checkDuplicateTarget(target, of: id, type: request.type, db)
                original = target
            } else if note?.trimmingWhitespace().isEmpty ?? true {
                throw StoreError.refused("a refusal tells the person why: --note TEXT")
            }
            let citation = rule.citation(for: request.type)
            try db.execute(
                sql: """
                    UPDATE requests SET closed_at = ?, ground = ?, ground_citation = ?, closing_note = ?,
                        duplicate_of = coalesce(?, duplicate_of)
                    WHERE id = ?
                    """,
                arguments: [ms(at), ground.rawValue, citation, note, original, id])
            var payload: [String: JSONValue] = ["ground": .string(ground.rawValue), "citation": .string(citation)]
            if let original { payload["duplicate_of"] = .string(original) }
            let summary =
                original.map { "\(ground.rawValue) of \($0) (\(citation))" } ?? "\(ground.rawValue) (\(citation))"
            return (
                "rejected", note.map { summary + ": " + $0 } ?? summary, payload, note.map { ["note": .string($0)] }
            )
        }
    }

    /// The request a duplicate is closed into: another one, of the same type, still open.
    private func checkDuplicateTarget(_ target: String, of id: String, type: RequestType, _ db: Database) throws {
        guard target != id else { throw StoreError.step(.duplicateOfItself) }
        guard let row = try Row.fetchOne(db, sql: "SELECT type, state FROM requests WHERE id = ?", arguments: [target])
        else {
            throw StoreError.notFound(.request, target)
        }
        let targetType = RequestType(rawValue: row["type"]) ?? type
        guard targetType == type else {
            throw StoreError.step(.duplicateOfOtherType(target, targetType))
        }
        let state = RequestState(rawValue: row["state"]) ?? .received
        guard state.isOpen else {
            throw StoreError.step(.duplicateOfClosed(target, state))
        }
    }

    /// The person withdrew the request. A suppression made at intake stays: the refusal itself was not withdrawn.
    public func withdrawRequest(_ id: String, note: String?, at: Date, actor: String, now: Date) throws -> RequestView {
        try step(id, .withdraw, at: at, actor: actor, now: now) { _, db in
            try db.execute(
                sql: "UPDATE requests SET closed_at = ?, closing_note = ? WHERE id = ?", arguments: [ms(at), note, id])
            return ("withdrawn", note, [:], note.map { ["note": .string($0)] })
        }
    }

    /// Records that a processor or third party was told to act, and when it confirmed.
    public func recordProcessor(
        _ id: String, processorID: String, name: String, notifiedAt: Date, confirmedAt: Date?, actor: String, now: Date
    ) throws -> RequestDetail {
        try perform(actor: actor, at: now) { db in
            _ = try snapshot(id, db)
            try db.execute(
                sql: """
                    INSERT INTO request_processors(request_id, processor_id, name, notified_at, confirmed_at)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(request_id, processor_id) DO UPDATE SET name = excluded.name,
                        notified_at = excluded.notified_at, confirmed_at = excluded.confirmed_at
                    """, arguments: [id, processorID, name, ms(notifiedAt), confirmedAt.map(ms)])
            try addEvent(
                id, at: notifiedAt, kind: "processor-notified", actor: actor, note: "\(name) (\(processorID))",
                now: now, db)
            if let confirmedAt {
                try addEvent(
                    id, at: confirmedAt, kind: "processor-confirmed", actor: actor, note: "\(name) (\(processorID))",
                    now: now, db)
            }
            let draft = AuditDraft(
                kind: "request.processor",
                payload: [
                    "request_id": .string(id), "processor_id": .string(processorID), "processor": .string(name),
                    "notified_at": .string(Timestamp.vietnam(notifiedAt)),
                    "confirmed_at": .optional(confirmedAt.map(Timestamp.vietnam)),
                ])
            return (try requestDetail(id, db), draft)
        }
    }

    /// Records a letter as sent, with its exact text (sealed on the chain, kept for the access report).
    /// Records a letter as sent, with its exact text (for the access report and the evidence); nothing to deliver.
    public func recordLetter(
        _ id: String, kind: String, language: String, text: String, actor: String, now: Date
    ) throws {
        try recordLetter(id, kind: kind, language: language, text: text, deliveries: [], actor: actor, now: now)
    }

    // MARK: Reading

    public func request(_ id: String) throws -> RequestDetail { try read { try requestDetail(id, $0) } }

    /// Several requests read in one transaction: an evidence bundle of a year holds thousands.
    public func requests(_ ids: [String]) throws -> [RequestDetail] {
        try read { db in try ids.map { try requestDetail($0, db) } }
    }

    /// The requests received in `[start, end)`, oldest first: the requests an evidence bundle for a period covers.
    public func requestIDs(receivedFrom start: Date, before end: Date) throws -> [String] {
        try read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM requests WHERE received_at >= ? AND received_at < ? ORDER BY received_at, id",
                arguments: [ms(start), ms(end)])
        }
    }

    /// Requests matching `filter`, sorted by due instant: an officer's morning starts with what is about to breach.
    public func requests(_ filter: RequestFilter) throws -> [RequestView] {
        try read { db in try matchingIDs(filter, db).map { try requestView($0, db) } }
    }

    /// The queue as `request list` shows it: each request with its person's name and identifiers, the days left
    /// and whether the acknowledgement is late.
    public func requestList(_ filter: RequestFilter) throws -> [RequestListItem] {
        try read { db in
            let today = VietnamTime.date(of: filter.asOf)
            return try matchingIDs(filter, db).map { id in
                let view = try requestView(id, db)
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT name, acknowledged_at, ack_due, closed_at FROM requests WHERE id = ?"),
                    arguments: [id])!
                let subjects = try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT normalized, verified_at, method FROM request_subjects WHERE request_id = ?
                            ORDER BY position
                            """), arguments: [id]
                ).map {
                    RequestDetail.Subject(
                        identifier: $0["normalized"],
                        verifiedAt: ($0["verified_at"] as Int64?).map {
                            Timestamp.vietnam(Timestamp.date(milliseconds: $0))
                        },
                        method: $0["method"])
                }
                let ackDue: Int64 = row["ack_due"]
                let acknowledged: Int64? = row["acknowledged_at"]
                let late: Bool
                if let acknowledged {
                    late = acknowledged > ackDue
                } else {
                    late = ((row["closed_at"] as Int64?) ?? ms(filter.asOf)) > ackDue
                }
                let due = LocalDate(view.dueDate) ?? today
                return RequestListItem(
                    request: view, name: row["name"], subjects: subjects, daysLeft: today.days(until: due),
                    ackLate: late,
                    acknowledgedAt: acknowledged.map { Timestamp.vietnam(Timestamp.date(milliseconds: $0)) })
            }
        }
    }

    /// The ids `filter` selects, by due instant.
    private func matchingIDs(_ filter: RequestFilter, _ db: Database) throws -> [String] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let state = filter.state {
            conditions.append("state = ?")
            arguments.append(state.rawValue)
        }
        if let type = filter.type {
            conditions.append("type = ?")
            arguments.append(type.rawValue)
        }
        let open = "state IN ('received', 'acknowledged', 'verified')"
        if filter.overdue {
            conditions.append("\(open) AND due < ?")
            arguments.append(ms(filter.asOf))
        }
        if let days = filter.dueWithinDays {
            conditions.append("\(open) AND due >= ? AND due <= ?")
            arguments.append(ms(filter.asOf))
            arguments.append(ms(filter.asOf.addingTimeInterval(Double(days) * 86400)))
        }
        if filter.ackOverdue {
            conditions.append("\(open) AND acknowledged_at IS NULL AND ack_due < ?")
            arguments.append(ms(filter.asOf))
        }
        if let from = filter.receivedFrom {
            conditions.append("received_at >= ?")
            arguments.append(ms(VietnamTime.startOfDay(from)))
        }
        if let through = filter.receivedThrough {
            conditions.append("received_at < ?")
            arguments.append(ms(VietnamTime.startOfDay(through.adding(days: 1))))
        }
        if let search = filter.search?.trimmingWhitespace(), !search.isEmpty {
            let found = try searchMatches(search, db)
            guard !found.isEmpty else { return [] }
            conditions.append("id IN (\(found.map { _ in "?" }.joined(separator: ", ")))")
            arguments += found.map { $0 as any DatabaseValueConvertible }
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try String.fetchAll(
            db, sql: "SELECT id FROM requests \(whereClause) ORDER BY due, id",
            arguments: StatementArguments(arguments.map { $0.databaseValue }))
    }

    /// Requests whose name contains `text` (case and diacritics ignored: "nguyen thi" finds "Nguyễn Thị Lan"), or
    /// whose person has `text` as an identifier in any written form, linked identifiers included.
    private func searchMatches(_ text: String, _ db: Database) throws -> [String] {
        var found = Set<String>()
        let wanted = SearchFolding.fold(text)
        for row in try Row.fetchAll(db, sql: "SELECT id, name FROM requests WHERE name IS NOT NULL") {
            if SearchFolding.fold(row["name"] as String).contains(wanted) { found.insert(row["id"]) }
        }
        if let identifier = try? Identifier(parsing: text), let key = HashKey(hasher.hash(identifier)) {
            let person = try PersonLinks.person(of: [PersonLinks.Member(key: key, kind: identifier.kind)], db)
            for member in person {
                for id in try String.fetchAll(
                    db.cachedStatement(sql: "SELECT request_id FROM request_subjects WHERE id_hash = ?"),
                    arguments: [Data(member.key.bytes)])
                {
                    found.insert(id)
                }
            }
        }
        return found.sorted()
    }

    // MARK: Holidays and rules

    /// The shipped calendar plus the days an officer added.
    public func holidays() throws -> HolidayCalendar { try read { try holidayCalendar($0) } }

    /// Which days end a period late (`holidays reading`): the Civil Code as written unless the company chose the
    /// government's announced schedule. Deadlines fixed earlier do not move.
    public func setCalendarReading(_ reading: CalendarReading, actor: String, now: Date) throws {
        try perform(actor: actor, at: now) { db in
            let before = try calendarReading(db)
            try db.execute(
                sql: """
                    INSERT INTO meta(key, value) VALUES ('calendar_reading', ?)
                    ON CONFLICT(key) DO UPDATE SET value = excluded.value
                    """, arguments: [reading.rawValue])
            return (
                (),
                AuditDraft(
                    kind: "holidays.reading",
                    payload: ["reading": .string(reading.rawValue), "before": .string(before.rawValue)])
            )
        }
    }

    func calendarReading(_ db: Database) throws -> CalendarReading {
        let stored = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'calendar_reading'")
        return stored.flatMap(CalendarReading.init(rawValue:)) ?? .statutory
    }

    public func addHoliday(_ date: LocalDate, name: String, working: Bool, actor: String, now: Date) throws {
        try perform(actor: actor, at: now) { db in
            try db.execute(
                sql: """
                    INSERT INTO holidays(date, name, working, added_by, added_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(date) DO UPDATE SET name = excluded.name, working = excluded.working,
                        added_by = excluded.added_by, added_at = excluded.added_at
                    """, arguments: [date.description, name, working, actor, ms(now)])
            return (
                (),
                AuditDraft(
                    kind: "holidays.add",
                    payload: ["date": .string(date.description), "name": .string(name), "working": .bool(working)])
            )
        }
    }

    /// Stores a company policy that shortens legal periods; refused when it would lengthen any.
    public func setPolicy(_ policy: CompanyPolicy, json: String, actor: String, now: Date) throws {
        for ruleSet in RuleSet.all { _ = try ruleSet.applying(policy) }
        try perform(actor: actor, at: now) { db in
            try db.execute(
                sql:
                    "INSERT INTO meta(key, value) VALUES ('policy', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [json])
            return ((), AuditDraft(kind: "rules.policy", payload: ["policy_sha256": .string(Digest.sha256Hex(json))]))
        }
    }

    /// The rule sets in force here: the law, with the company's stricter policy applied when one is loaded.
    public func ruleSets() throws -> [RuleSet] {
        try read { db in try RuleSet.all.map { try applyPolicy(to: $0, db) } }
    }
}

// MARK: - Internals

extension RightsStore {
    typealias StepOutcome = (kind: String, note: String?, payload: [String: JSONValue], pii: [String: JSONValue]?)

    /// One state-machine step as a unit of work: judge it, apply it, record its event and its audit event.
    fileprivate func step(
        _ id: String, _ step: RequestStep, at: Date, actor: String, now: Date,
        _ apply: (RequestSnapshot, Database) throws -> StepOutcome
    ) throws -> RequestView {
        try perform(actor: actor, at: now) { db in
            let request = try snapshot(id, db)
            let newState = try transition(step, request, at: at, now: now)
            let outcome = try apply(request, db)
            try db.execute(sql: "UPDATE requests SET state = ? WHERE id = ?", arguments: [newState.rawValue, id])
            try addEvent(id, at: at, kind: outcome.kind, actor: actor, note: outcome.note, now: now, db)
            var payload = outcome.payload
            payload["request_id"] = .string(id)
            payload["at"] = .string(Timestamp.vietnam(at))
            payload["state"] = .string(newState.rawValue)
            let subject = try Data.fetchOne(
                db, sql: "SELECT id_hash FROM request_subjects WHERE request_id = ? ORDER BY position", arguments: [id])
            let draft = AuditDraft(
                kind: "request.\(step.rawValue)", payload: payload, subject: subject.map { Array($0) },
                pii: outcome.pii.map { .object($0) })
            return (try requestView(id, db), draft)
        }
    }

    fileprivate func transition(
        _ step: RequestStep, _ request: RequestSnapshot, at: Date, now: Date, allVerifiedAfter: Bool = false
    ) throws -> RequestState {
        // A step dated ahead would also bar every real step until then (each follows the one before).
        try Self.refuseFuture(at, now: now, "the step's time", "a step is recorded when or after it happens")
        do {
            return try RequestWorkflow.next(after: step, on: request, at: at, allVerifiedAfter: allVerifiedAfter)
        } catch {
            throw StoreError.step(error)
        }
    }

    func snapshot(_ id: String, _ db: Database) throws -> RequestSnapshot {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT type, state, rule_set, due, extended FROM requests WHERE id = ?", arguments: [id])
        else { throw StoreError.notFound(.request, id) }
        let last = try Int64.fetchOne(
            db, sql: "SELECT max(at) FROM request_events WHERE request_id = ?", arguments: [id])
        guard let type = RequestType(rawValue: row["type"]), let state = RequestState(rawValue: row["state"]),
            let base = RuleSet.named(row["rule_set"])
        else { throw StoreError.refused("request \(id) is damaged") }
        return RequestSnapshot(
            type: type, state: state, ruleSet: try applyPolicy(to: base, db),
            due: Timestamp.date(milliseconds: row["due"]), extended: row["extended"],
            lastEventAt: Timestamp.date(milliseconds: last ?? 0))
    }

    fileprivate func activeRuleSet(for receivedAt: Date, _ db: Database) throws -> RuleSet {
        try applyPolicy(to: RuleSet.forReceipt(at: receivedAt), db)
    }

    fileprivate func applyPolicy(to ruleSet: RuleSet, _ db: Database) throws -> RuleSet {
        guard let json = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'policy'") else {
            return ruleSet
        }
        let policy = try JSONDecoder().decode(CompanyPolicy.self, from: Data(json.utf8))
        return try ruleSet.applying(policy)
    }

    func holidayCalendar(_ db: Database) throws -> HolidayCalendar {
        var calendar = HolidayCalendar.vietnam
        calendar.reading = try calendarReading(db)
        for row in try Row.fetchAll(db, sql: "SELECT date, name, working FROM holidays ORDER BY date") {
            guard let date = LocalDate(row["date"] as String) else { continue }
            calendar = calendar.adding(date: date, name: row["name"], working: row["working"])
        }
        return calendar
    }

    fileprivate func openRequest(ofType type: RequestType, matching hashes: [[UInt8]], _ db: Database) throws -> String?
    {
        for hash in hashes {
            if let id = try String.fetchOne(
                db,
                sql: """
                    SELECT r.id FROM request_subjects s JOIN requests r ON r.id = s.request_id
                    WHERE s.id_hash = ? AND r.type = ? AND r.state IN ('received', 'acknowledged', 'verified')
                    ORDER BY r.received_at LIMIT 1
                    """, arguments: [Data(hash), type.rawValue])
            {
                return id
            }
        }
        return nil
    }

    func addEvent(
        _ id: String, at: Date, kind: String, actor: String, note: String?, now: Date, _ db: Database
    ) throws {
        try db.execute(
            sql: "INSERT INTO request_events(request_id, at, kind, actor, note, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [id, ms(at), kind, actor, note, ms(now)])
    }

    /// Adds a suppression unless the same one is already active; returns how many rows it added (0 or 1).
    func insertSuppression(
        _ hash: [UInt8], channel: String = "any", purpose: SuppressionPurpose, reason: String, since: Date,
        requestID: String?, source: String? = nil, actor: String, now: Date, _ db: Database
    ) throws -> Int {
        let exists = try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM suppressions WHERE id_hash = ? AND channel = ? AND purpose = ?
                    AND lifted_at IS NULL AND since <= ?)
                """, arguments: [Data(hash), channel, purpose.rawValue, ms(since)])
        if exists == true { return 0 }
        try db.execute(
            sql: """
                INSERT INTO suppressions(id_hash, channel, purpose, reason, since, request_id, source, created_at, actor)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [Data(hash), channel, purpose.rawValue, reason, ms(since), requestID, source, ms(now), actor])
        return 1
    }

    fileprivate func requestView(_ id: String, _ db: Database) throws -> RequestView {
        guard
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM requests WHERE id = ?"), arguments: [id])
        else {
            throw StoreError.notFound(.request, id)
        }
        return RequestView(
            id: row["id"], type: RequestType(rawValue: row["type"]) ?? .access,
            state: RequestState(rawValue: row["state"]) ?? .received, ruleSet: row["rule_set"],
            channel: IntakeChannel(rawValue: row["channel"]) ?? .web,
            receivedAt: Timestamp.vietnam(Timestamp.date(milliseconds: row["received_at"])),
            ackDue: Timestamp.vietnam(Timestamp.date(milliseconds: row["ack_due"])), ackDueDate: row["ack_due_date"],
            due: Timestamp.vietnam(Timestamp.date(milliseconds: row["due"])), dueDate: row["due_date"],
            citation: row["citation"], duplicateOf: row["duplicate_of"], processors: row["processors"],
            scope: SuppressionPurpose(rawValue: row["scope"]) ?? .marketing, extended: row["extended"],
            late: row["late"],
            closedAt: (row["closed_at"] as Int64?).map { Timestamp.vietnam(Timestamp.date(milliseconds: $0)) })
    }

    fileprivate func requestDetail(_ id: String, _ db: Database) throws -> RequestDetail {
        let view = try requestView(id, db)
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM requests WHERE id = ?"), arguments: [id])!
        func time(_ value: Int64?) -> String? { value.map { Timestamp.vietnam(Timestamp.date(milliseconds: $0)) } }
        let events = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT at, kind, actor, note FROM request_events WHERE request_id = ? ORDER BY at, id"),
            arguments: [id]
        ).map { RequestDetail.Event(at: time($0["at"])!, kind: $0["kind"], actor: $0["actor"], note: $0["note"]) }
        let subjects = try Row.fetchAll(
            db.cachedStatement(
                sql:
                    "SELECT normalized, verified_at, method FROM request_subjects WHERE request_id = ? ORDER BY position"
            ),
            arguments: [id]
        ).map {
            RequestDetail.Subject(
                identifier: $0["normalized"], verifiedAt: time($0["verified_at"]), method: $0["method"])
        }
        let processors = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM request_processors WHERE request_id = ? ORDER BY notified_at"),
            arguments: [id]
        ).map {
            RequestDetail.Processor(
                id: $0["processor_id"], name: $0["name"], notifiedAt: time($0["notified_at"])!,
                confirmedAt: time($0["confirmed_at"]))
        }
        let letters = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT kind, lang, text, sent_at FROM letters WHERE request_id = ? ORDER BY id"),
            arguments: [id]
        ).map {
            RequestDetail.Letter(kind: $0["kind"], lang: $0["lang"], sentAt: time($0["sent_at"])!, text: $0["text"])
        }
        let representative = (row["representative_name"] as String?).map { name in
            Representative(
                name: name,
                relation: RepresentativeRelation(rawValue: row["representative_relation"] ?? "") ?? .agent,
                evidence: row["representative_evidence"])
        }
        return RequestDetail(
            request: view, name: row["name"], address: row["address"], note: row["note"],
            representative: representative, restrictionCondition: row["restriction_condition"],
            evidence: row["evidence"], extensionReason: row["extension_reason"],
            originalDueDate: row["original_due_date"],
            lateReason: row["late_reason"], ground: row["ground"], groundCitation: row["ground_citation"],
            closingNote: row["closing_note"], events: events, subjects: subjects, processorsTold: processors,
            letters: letters)
    }
}

func ms(_ date: Date) -> Int64 { Timestamp.milliseconds(date) }
