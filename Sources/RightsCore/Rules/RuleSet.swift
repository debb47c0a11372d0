import Foundation

/// How a legal period is measured: the law states some periods in days and others in hours.
public enum PeriodUnit: String, Sendable, Hashable, Codable {
    /// Calendar days counted under Civil Code 2015 Art. 147-148, with the roll-forward past days off.
    case calendarDays = "calendar-days"
    /// Days that skip Saturdays, Sundays and public holidays.
    case workingDays = "working-days"
    /// Exact hours from the instant of receipt, with no roll-forward.
    case hours
}

/// A length of time stated by law or by a company policy, with its unit made explicit.
public struct Period: Sendable, Hashable, Codable, CustomStringConvertible {
    public var amount: Int
    public var unit: PeriodUnit

    public init(amount: Int, unit: PeriodUnit) {
        self.amount = amount
        self.unit = unit
    }

    public static func calendarDays(_ amount: Int) -> Period {
        Period(amount: amount, unit: .calendarDays)
    }

    public static func workingDays(_ amount: Int) -> Period {
        Period(amount: amount, unit: .workingDays)
    }

    public static func hours(_ amount: Int) -> Period {
        Period(amount: amount, unit: .hours)
    }

    public var description: String {
        switch unit {
        case .calendarDays: return "\(amount) calendar day\(amount == 1 ? "" : "s")"
        case .workingDays: return "\(amount) working day\(amount == 1 ? "" : "s")"
        case .hours: return "\(amount) hour\(amount == 1 ? "" : "s")"
        }
    }
}

/// The duty to acknowledge a request and tell the person the procedure, before performing it.
public struct AcknowledgementRule: Sendable, Hashable, Codable {
    public var period: Period
    public var citation: String

    public init(period: Period, citation: String) {
        self.period = period
        self.citation = citation
    }
}

/// The periods within which one type of request must be performed, and why.
public struct RequestRule: Sendable, Hashable, Codable {
    public var type: RequestType
    /// The period when the controller can act alone.
    public var period: Period
    /// The longer period when processors or third parties must act (`--processors`).
    public var periodWithProcessors: Period
    /// The length of the single extension the law allows, or nil when it allows none.
    public var extensionPeriod: Period?
    public var citation: String
    public var note: String?

    public init(
        type: RequestType, period: Period, periodWithProcessors: Period, extensionPeriod: Period?,
        citation: String, note: String? = nil
    ) {
        self.type = type
        self.period = period
        self.periodWithProcessors = periodWithProcessors
        self.extensionPeriod = extensionPeriod
        self.citation = citation
        self.note = note
    }

    public func period(processors: Bool) -> Period {
        processors ? periodWithProcessors : period
    }

    enum CodingKeys: String, CodingKey {
        case type
        case period
        case periodWithProcessors = "period_with_processors"
        case extensionPeriod = "extension"
        case citation
        case note
    }
}

/// A ground for refusing a request, with the provision a refusal letter must cite.
public struct RefusalGroundRule: Sendable, Hashable, Codable {
    public var ground: RefusalGround
    public var citation: String
    /// The request types this ground is meant for; a letter for another type should not rely on it.
    public var appliesTo: [RequestType]
    /// True when the officer must name the provision (for example the other law that requires keeping data).
    public var officerNamesProvision: Bool
    /// A narrower citation for some request types (no-consent-needed cites Art. 14(2) for a deletion, Art. 10(1)
    /// for a withdrawal); the others take `citation`.
    public var citationByType: [RequestType: String]
    /// What the person is told beyond the citation: what they can do next.
    public var explanation: String

    public init(
        ground: RefusalGround, citation: String, appliesTo: [RequestType], officerNamesProvision: Bool = false,
        citationByType: [RequestType: String] = [:], explanation: String
    ) {
        self.ground = ground
        self.citation = citation
        self.appliesTo = appliesTo
        self.officerNamesProvision = officerNamesProvision
        self.citationByType = citationByType
        self.explanation = explanation
    }

    /// The provision a refusal of a request of that type cites.
    public func citation(for type: RequestType) -> String {
        citationByType[type] ?? citation
    }

    enum CodingKeys: String, CodingKey {
        case ground
        case citation
        case appliesTo = "applies_to"
        case officerNamesProvision = "officer_names_provision"
        case citationByType = "citation_by_type"
        case explanation
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ground = try container.decode(RefusalGround.self, forKey: .ground)
        citation = try container.decode(String.self, forKey: .citation)
        appliesTo = try container.decode([RequestType].self, forKey: .appliesTo)
        officerNamesProvision = try container.decode(Bool.self, forKey: .officerNamesProvision)
        citationByType = try container.decodeIfPresent([RequestType: String].self, forKey: .citationByType) ?? [:]
        explanation = try container.decode(String.self, forKey: .explanation)
    }
}

/// The legal regime for data-subject requests, kept as data with its id, effective date and citations.
public struct RuleSet: Sendable, Hashable, Codable {
    public var id: String
    public var title: String
    /// The first instant of receipt the regime governs.
    public var effectiveFrom: Date
    /// The instant from which a later regime governs new requests, if any.
    public var effectiveUntil: Date?
    public var instruments: [String]
    /// Nil where the regime has no separate acknowledgement (then `ack_due` equals `due`).
    public var acknowledgement: AcknowledgementRule?
    public var requests: [RequestRule]
    public var refusalGrounds: [RefusalGroundRule]
    /// How the regime's days or hours are counted, with its source.
    public var counting: String
    public var notes: [String]
    /// The name of the company policy that shortened this rule set's periods, if one was applied.
    public var policy: String?

    public init(
        id: String, title: String, effectiveFrom: Date, effectiveUntil: Date?, instruments: [String],
        acknowledgement: AcknowledgementRule?, requests: [RequestRule], refusalGrounds: [RefusalGroundRule],
        counting: String, notes: [String], policy: String? = nil
    ) {
        self.id = id
        self.title = title
        self.effectiveFrom = effectiveFrom
        self.effectiveUntil = effectiveUntil
        self.instruments = instruments
        self.acknowledgement = acknowledgement
        self.requests = requests
        self.refusalGrounds = refusalGrounds
        self.counting = counting
        self.notes = notes
        self.policy = policy
    }

    /// The rule for a request type; every shipped rule set covers every type.
    public func rule(for type: RequestType) -> RequestRule {
        guard let rule = requests.first(where: { $0.type == type }) else {
            preconditionFailure("rule set \(id) has no rule for \(type.rawValue)")
        }
        return rule
    }

    /// The refusal ground's rule, or nil when this rule set does not offer the ground.
    public func refusal(_ ground: RefusalGround) -> RefusalGroundRule? {
        refusalGrounds.first { $0.ground == ground }
    }

    /// Every rule set the product knows, oldest first.
    public static let all: [RuleSet] = [.decree13, .pdpl2026]

    /// The rule set governing a request received at that instant: the regime in force at receipt stays with it.
    public static func forReceipt(at instant: Date) -> RuleSet {
        // A request received before Decree 13 took effect is still judged under the oldest known regime,
        // since the product has nothing older to offer.
        all.last { $0.effectiveFrom <= instant } ?? all[0]
    }

    /// The shipped rule set with that id, for requests that recorded it at intake.
    public static func named(_ id: String) -> RuleSet? {
        all.first { $0.id == id }
    }

    enum CodingKeys: String, CodingKey {
        case id
        case title
        case effectiveFrom = "effective_from"
        case effectiveUntil = "effective_until"
        case instruments
        case acknowledgement
        case requests
        case refusalGrounds = "refusal_grounds"
        case counting
        case notes
        case policy
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        title = try container.decode(String.self, forKey: .title)
        effectiveFrom = try container.decodeVietnamInstant(forKey: .effectiveFrom)
        if try container.decodeNil(forKey: .effectiveUntil) {
            effectiveUntil = nil
        } else {
            effectiveUntil = try container.decodeVietnamInstant(forKey: .effectiveUntil)
        }
        instruments = try container.decode([String].self, forKey: .instruments)
        acknowledgement = try container.decodeIfPresent(AcknowledgementRule.self, forKey: .acknowledgement)
        requests = try container.decode([RequestRule].self, forKey: .requests)
        refusalGrounds = try container.decode([RefusalGroundRule].self, forKey: .refusalGrounds)
        counting = try container.decode(String.self, forKey: .counting)
        notes = try container.decode([String].self, forKey: .notes)
        policy = try container.decodeIfPresent(String.self, forKey: .policy)
    }

    public func encode(to encoder: any Encoder) throws {
        // Instants are written as ISO 8601 in Vietnam time, as the command-line contract prints every time,
        // rather than as whatever date strategy the caller's encoder happens to use.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(title, forKey: .title)
        try container.encode(VietnamTime.iso8601(effectiveFrom), forKey: .effectiveFrom)
        if let effectiveUntil {
            try container.encode(VietnamTime.iso8601(effectiveUntil), forKey: .effectiveUntil)
        } else {
            try container.encodeNil(forKey: .effectiveUntil)
        }
        try container.encode(instruments, forKey: .instruments)
        if let acknowledgement {
            try container.encode(acknowledgement, forKey: .acknowledgement)
        } else {
            try container.encodeNil(forKey: .acknowledgement)
        }
        try container.encode(requests, forKey: .requests)
        try container.encode(refusalGrounds, forKey: .refusalGrounds)
        try container.encode(counting, forKey: .counting)
        try container.encode(notes, forKey: .notes)
        if let policy {
            try container.encode(policy, forKey: .policy)
        } else {
            try container.encodeNil(forKey: .policy)
        }
    }

}

extension VietnamTime {
    /// Parses an ISO 8601 time with an offset or `Z` (fractional seconds allowed); nil otherwise.
    public static func parseISO8601(_ text: String) -> Date? {
        // A time with an offset only: a bare date here would be a silent guess about which instant was meant.
        guard text.contains("T") || text.contains("t") || text.contains(" ") else { return nil }
        return Timestamp.parse(text)
    }
}

extension KeyedDecodingContainer {
    /// Decodes an instant written as ISO 8601 with an offset, as rule sets and deadlines print them.
    func decodeVietnamInstant(forKey key: Key) throws -> Date {
        let text = try decode(String.self, forKey: key)
        guard let instant = VietnamTime.parseISO8601(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "expected an ISO 8601 time with an offset, got \(text)")
        }
        return instant
    }
}
