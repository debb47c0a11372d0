import Foundation
import Mustache
import RightsCore
import RightsStore
import RightsTemplates

/// What an evidence bundle covers (CONTRACT.md "Evidence").
public enum EvidenceScope: Sendable, Equatable {
    /// One request with all its events.
    case request(String)
    /// The requests received on these Vietnam dates (inclusive) with all their events, and the suppressions and
    /// gate runs recorded in the period.
    case period(from: LocalDate, to: LocalDate)

    var json: JSONValue {
        switch self {
        case .request(let id): ["request": .string(id)]
        case .period(let from, let to): ["from": .string(from.description), "to": .string(to.description)]
        }
    }
}

/// What `evidence export` reports.
public struct EvidenceExportResult: Sendable, Codable {
    public var path: String
    public var requests: Int
    public var events: Int
    public var firstSeq: Int64
    public var lastSeq: Int64
    public var headHash: String
    public var fingerprint: String

    enum CodingKeys: String, CodingKey {
        case path, requests, events, fingerprint
        case firstSeq = "first_seq"
        case lastSeq = "last_seq"
        case headHash = "head_hash"
    }
}

/// Why a bundle cannot be exported.
public enum EvidenceExportError: Error, Sendable, CustomStringConvertible {
    case badPeriod(String)
    case template(String)

    public var description: String {
        switch self {
        case .badPeriod(let reason): reason
        case .template(let reason): "the evidence report template cannot be used: \(reason)"
        }
    }
}

/// Gathers a scope from the installation and writes it as a signed `rightsdesk-evidence/2` bundle. The content is
/// a function of the database state, the scope and the export time (in the manifest, the instructions and the
/// report's date); the export's own audit event comes after the range. A scope with nothing in it exports an
/// attestation that says so.
public struct EvidenceExporter {
    public let installation: Installation

    public init(installation: Installation) { self.installation = installation }

    /// Audit event kinds a period bundle carries besides its requests' events.
    static let periodKinds: Set<String> = ["suppress", "suppress.lift", "gate.run"]

    public func export(_ scope: EvidenceScope, to path: String, actor: String, now: Date) throws
        -> EvidenceExportResult
    {
        let store = installation.store
        let ids: [String]
        var window: Range<Date>?
        switch scope {
        case .request(let id):
            ids = [try store.request(id).request.id]
        case .period(let from, let to):
            guard from <= to else { throw EvidenceExportError.badPeriod("--from \(from) is after --to \(to)") }
            // A bundle attests to what happened: a period not yet over would attest to days no one has seen.
            let today = VietnamTime.date(of: now)
            guard to <= today else {
                throw EvidenceExportError.badPeriod(
                    "--to \(to) is after today (\(today)): a bundle covers days that have passed")
            }
            let range = VietnamTime.startOfDay(from)..<VietnamTime.startOfDay(to.adding(days: 1))
            window = range
            ids = try store.requestIDs(receivedFrom: range.lowerBound, before: range.upperBound)
        }
        let details = try store.requests(ids)
        let wanted = Set(ids)
        let events = try store.auditEvents()
        var inScope = Set<Int64>()
        var suppressionsApplied = 0
        var gateRuns = 0
        for event in events {
            guard case .object(let payload)? = try? JSONValue(parsing: Array(event.payload.utf8)) else { continue }
            if case .string(let id)? = payload["request_id"], wanted.contains(id) {
                inScope.insert(event.seq)
                if case .int(let count)? = payload["suppressions"] { suppressionsApplied += Int(count) }
                continue
            }
            guard let window, Self.periodKinds.contains(event.kind), let at = Timestamp.parse(event.at),
                window.contains(at)
            else { continue }
            inScope.insert(event.seq)
            if event.kind == "gate.run" { gateRuns += 1 }
            if event.kind == "suppress", case .int(let count)? = payload["suppressed"] {
                suppressionsApplied += Int(count)
            }
        }
        // A scope with nothing in it is attested, not refused: the excerpt is then the chain's head alone, which
        // shows how far the record went when the bundle was made.
        let empty = inScope.isEmpty
        guard let head = events.last else { throw EvidenceBundleError.noAuditEvents }
        let (first, last) = (inScope.min() ?? head.seq, inScope.max() ?? head.seq)
        let excerpt = try AuditExcerpt(events: events.filter { (first...last).contains($0.seq) }, inScope: inScope)

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var files = [excerpt.file]
        for detail in details {
            let json = try encoder.encode(detail) + Data("\n".utf8)
            files.append(EvidenceBundle.File(path: "requests/\(detail.request.id).json", bytes: Array(json)))
        }
        let violations = try store.violations().filter { violation in
            guard let window else { return violation.requestID.map(wanted.contains) ?? false }
            return Timestamp.parse(violation.sentAt).map(window.contains) ?? false
        }
        let signingKey = installation.keys.activeSigningKey
        let organization = try store.organizationRecord()
        let report = try EvidenceReport.render(
            organization: organization, scope: scopeText(scope), fingerprint: signingKey.fingerprint, createdAt: now,
            details: details, suppressions: suppressionsApplied, gateRuns: gateRuns, violations: violations,
            empty: empty)
        files.append(EvidenceBundle.File(path: "report.html", text: report))

        var scopeJSON = scope.json
        if empty, case .object(var members) = scopeJSON {
            members["empty"] = .bool(true)
            scopeJSON = .object(members)
        }
        let bundle = EvidenceBundle(
            createdAt: Timestamp.vietnam(now), organization: organization.name, scope: scopeJSON,
            auditRange: excerpt.range, files: files)
        try bundle.write(to: path, signingKey: signingKey)
        let result = EvidenceExportResult(
            path: path, requests: details.count, events: inScope.count, firstSeq: first, lastSeq: last,
            headHash: excerpt.range.headHash, fingerprint: signingKey.fingerprint)
        try store.perform(actor: actor, at: now) { _ in
            let draft = AuditDraft(
                kind: "evidence.export",
                payload: [
                    "scope": scope.json, "requests": .int(result.requests), "events": .int(result.events),
                    "first_seq": .int(first), "last_seq": .int(last), "head_hash": .string(result.headHash),
                    "key_fingerprint": .string(result.fingerprint),
                ])
            return ((), draft)
        }
        return result
    }

    private func scopeText(_ scope: EvidenceScope) -> (vi: String, en: String) {
        switch scope {
        case .request(let id): ("yêu cầu \(id)", "request \(id)")
        case .period(let from, let to):
            (
                "các yêu cầu nhận từ ngày \(VietnamDates.day(from, language: .vietnamese)) đến ngày "
                    + "\(VietnamDates.day(to, language: .vietnamese)) (giờ Việt Nam)",
                "requests received \(VietnamDates.day(from, language: .english)) to "
                    + "\(VietnamDates.day(to, language: .english)) (Vietnam time)"
            )
        }
    }
}

/// The inspector's summary of a bundle: requests by type and outcome, deadlines, time to complete, suppressions
/// and violations, in Vietnamese then English, rendered from `Templates/reports/evidence-report.mustache`.
enum EvidenceReport {
    static func render(
        organization: Organization, scope: (vi: String, en: String), fingerprint: String, createdAt: Date,
        details: [RequestDetail], suppressions: Int, gateRuns: Int, violations: [Violation], empty: Bool
    ) throws -> String {
        let template = try loadTemplate("evidence-report")
        var byType: [[String: Any]] = []
        var maxTotal = 1
        for type in RequestType.allCases {
            let all = details.filter { $0.request.type == type }
            guard !all.isEmpty else { continue }
            func count(_ state: RequestState) -> Int { all.filter { $0.request.state == state }.count }
            let open = all.filter { $0.request.state.isOpen }.count
            maxTotal = max(maxTotal, all.count)
            byType.append([
                "type": type.rawValue, "vi": Vocabulary.requestType(type, .vietnamese),
                "en": Vocabulary.requestType(type, .english),
                "total": all.count, "completed": count(.completed), "rejected": count(.rejected),
                "withdrawn": count(.withdrawn), "open": open,
            ])
        }
        // Acknowledgements: on time when the first `acknowledged` event is no later than the acknowledgement due.
        var ackOnTime = 0
        var ackLate: [[String: Any]] = []
        var ackMissing = 0
        for detail in details {
            guard let due = Timestamp.parse(detail.request.ackDue) else { continue }
            if let acknowledged = detail.events.first(where: { $0.kind == "acknowledged" }),
                let at = Timestamp.parse(acknowledged.at)
            {
                if at <= due {
                    ackOnTime += 1
                } else {
                    ackLate.append([
                        "id": detail.request.id,
                        "dueVi": VietnamDates.day(detail.request.ackDueDate, language: .vietnamese),
                        "dueEn": VietnamDates.day(detail.request.ackDueDate, language: .english),
                        "atVi": VietnamDates.spoken(at, language: .vietnamese),
                        "atEn": VietnamDates.spoken(at, language: .english),
                    ])
                }
            } else if detail.request.state.isOpen && due < createdAt {
                ackMissing += 1
            }
        }
        let closed = details.filter { $0.request.closedAt != nil }
        let days = closed.compactMap { detail -> Double? in
            guard let closedAt = detail.request.closedAt.flatMap({ Timestamp.parse($0) }),
                let received = Timestamp.parse(detail.request.receivedAt)
            else { return nil }
            return closedAt.timeIntervalSince(received) / 86400
        }.sorted()
        let late = details.filter(\.request.late)
        let median: Double? = {
            guard !days.isEmpty else { return nil }
            let middle = days.count / 2
            return days.count % 2 == 1 ? days[middle] : (days[middle - 1] + days[middle]) / 2
        }()
        /// Days to one decimal, with the decimal comma Vietnamese writes.
        func dayCount(_ value: Double?, vietnamese: Bool) -> String {
            guard let value else { return "–" }
            let text = String(format: "%.1f", value)
            return vietnamese ? text.replacingOccurrences(of: ".", with: ",") : text
        }
        let view: [String: Any] = [
            "organization": organization.name, "identity": organization.identityLine,
            "contact": organization.contact ?? "", "dpo": organization.dpo ?? "",
            "createdVi": VietnamDates.spoken(createdAt, language: .vietnamese),
            "createdEn": VietnamDates.spoken(createdAt, language: .english), "empty": empty,
            "scopeVi": scope.vi, "scopeEn": scope.en, "fingerprint": fingerprint,
            "ackOnTime": ackOnTime, "ackLateCount": ackLate.count, "ackLate": ackLate, "hasAckLate": !ackLate.isEmpty,
            "ackMissing": ackMissing,
            "types": byType, "chart": chart(byType, maxTotal: maxTotal),
            "onTime": closed.filter { !$0.request.late }.count, "lateCount": late.count,
            "pending": details.filter { $0.request.closedAt == nil && !$0.request.late }.count,
            "medianDaysVi": dayCount(median, vietnamese: true), "worstDaysVi": dayCount(days.last, vietnamese: true),
            "medianDaysEn": dayCount(median, vietnamese: false), "worstDaysEn": dayCount(days.last, vietnamese: false),
            "hasLate": !late.isEmpty,
            "late": late.map { detail -> [String: Any] in
                [
                    "id": detail.request.id, "dueVi": VietnamDates.day(detail.request.dueDate, language: .vietnamese),
                    "dueEn": VietnamDates.day(detail.request.dueDate, language: .english),
                    "closedVi": detail.request.closedAt.flatMap { VietnamDates.spoken($0, language: .vietnamese) }
                        ?? "–",
                    "closedEn": detail.request.closedAt.flatMap { VietnamDates.spoken($0, language: .english) } ?? "–",
                    "reason": detail.lateReason ?? "–",
                ]
            },
            "suppressions": suppressions, "gateRuns": gateRuns, "violations": violations.count,
            "hasViolations": !violations.isEmpty,
            "violationList": violations.map { violation -> [String: Any] in
                [
                    "identifier": MaskedIdentifier.mask(violation.identifier), "campaign": violation.campaign,
                    "channel": violation.channel, "channelVi": Vocabulary.channel(code: violation.channel, .vietnamese),
                    "ruleVi": ruleNames[violation.rule]?.vi ?? violation.rule,
                    "ruleEn": ruleNames[violation.rule]?.en ?? violation.rule,
                    "sentVi": VietnamDates.spoken(violation.sentAt, language: .vietnamese) ?? violation.sentAt,
                    "sentEn": VietnamDates.spoken(violation.sentAt, language: .english) ?? violation.sentAt,
                    "request": violation.requestID ?? "–",
                ]
            },
            "requests": details.map { detail -> [String: Any] in
                [
                    "id": detail.request.id, "type": detail.request.type.rawValue,
                    "typeVi": Vocabulary.requestType(detail.request.type, .vietnamese),
                    "typeEn": Vocabulary.requestType(detail.request.type, .english),
                    "stateEn": Vocabulary.requestState(detail.request.state, .english),
                    "receivedVi": VietnamDates.spoken(detail.request.receivedAt, language: .vietnamese)
                        ?? detail.request.receivedAt,
                    "receivedEn": VietnamDates.spoken(detail.request.receivedAt, language: .english)
                        ?? detail.request.receivedAt,
                    "dueVi": VietnamDates.day(detail.request.dueDate, language: .vietnamese),
                    "dueEn": VietnamDates.day(detail.request.dueDate, language: .english),
                    "state": detail.request.state.rawValue,
                    "stateVi": Vocabulary.requestState(detail.request.state, .vietnamese),
                ]
            },
        ]
        return template.render(view).precomposedStringWithCanonicalMapping
    }

    /// Requests by type as horizontal bars: inline SVG, readable without scripts or network.
    private static func chart(_ types: [[String: Any]], maxTotal: Int) -> String {
        let rowHeight = 28
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"100%\" viewBox=\"0 0 520 "
            + "\(rowHeight * types.count + 8)\" aria-label=\"Yêu cầu theo loại · Requests by type\">"
        for (row, type) in types.enumerated() {
            let total = type["total"] as? Int ?? 0
            let width = max(2, total * 300 / maxTotal)
            let y = row * rowHeight + 4
            let label = "\(type["vi"] as? String ?? "") · \(type["en"] as? String ?? "")"
            svg += "<text x=\"0\" y=\"\(y + 17)\" font-size=\"12\">\(escape(label))</text>"
            svg += "<rect x=\"200\" y=\"\(y + 4)\" width=\"\(width)\" height=\"18\" fill=\"#2f6f9f\"/>"
            svg += "<text x=\"\(205 + width)\" y=\"\(y + 17)\" font-size=\"12\">\(total)</text>"
        }
        return svg + "</svg>"
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A template of `Templates/reports`, HTML-escaping by default.
    static func loadTemplate(_ name: String) throws -> MustacheTemplate {
        let bundle = templatesBundle
        guard
            let folder = bundle.url(forResource: "reports", withExtension: nil)
                ?? bundle.resourceURL?.appendingPathComponent("reports", isDirectory: true)
        else { throw EvidenceExportError.template("Templates/reports is missing") }
        let file = folder.appendingPathComponent("\(name).mustache")
        guard let data = FileManager.default.contents(atPath: file.path),
            let text = String(validating: data, as: UTF8.self)
        else { throw EvidenceExportError.template("\(file.path) is missing or not UTF-8") }
        do {
            return try MustacheTemplate(string: text)
        } catch {
            throw EvidenceExportError.template(String(describing: error))
        }
    }

    static let ruleNames: [String: (vi: String, en: String)] = [
        "SUPPRESSED": ("Gửi sau khi người nhận đã từ chối", "Sent after the person refused"),
        "DNC": ("Gửi tới số đã đăng ký không nhận quảng cáo", "Sent to a number on the Do-Not-Call list"),
    ]

}
