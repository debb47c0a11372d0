import Foundation
import RightsCore

/// What an officer logs at intake.
public struct NewRequest: Sendable {
    public var type: RequestType
    public var subjects: [Identifier]
    public var channel: IntakeChannel
    public var receivedAt: Date
    public var processors: Bool
    /// What an objection stops once verified: marketing (the default) or all processing.
    public var scope: SuppressionPurpose
    public var name: String?
    public var address: String?
    public var note: String?
    /// Who acts for the person, if someone does (Law 91 Art. 24).
    public var representative: Representative?
    /// A restriction's condition as the person stated it: what may still be done with the data (Law 91 Art. 10(1)).
    public var restrictionCondition: String?
    /// Where the written or verifiable form of the request is kept: a scan's reference, an email's Message-ID, a
    /// call recording (Law 91 Art. 10(2)).
    public var evidence: String?

    public init(
        type: RequestType, subjects: [Identifier], channel: IntakeChannel, receivedAt: Date, processors: Bool = false,
        scope: SuppressionPurpose = .marketing, name: String? = nil, address: String? = nil, note: String? = nil,
        representative: Representative? = nil, restrictionCondition: String? = nil, evidence: String? = nil
    ) {
        self.type = type
        self.subjects = subjects
        self.channel = channel
        self.receivedAt = receivedAt
        self.processors = processors
        self.scope = scope
        self.name = name
        self.address = address
        self.note = note
        self.representative = representative
        self.restrictionCondition = restrictionCondition
        self.evidence = evidence
    }
}

/// A request as `request new`, `show` and `list` print it (CONTRACT.md field names).
public struct RequestView: Sendable, Codable, Equatable {
    public var id: String
    public var type: RequestType
    public var state: RequestState
    public var ruleSet: String
    public var channel: IntakeChannel
    public var receivedAt: String
    public var ackDue: String
    public var ackDueDate: String
    public var due: String
    public var dueDate: String
    public var citation: String
    public var duplicateOf: String?
    public var processors: Bool
    public var scope: SuppressionPurpose
    public var extended: Bool
    public var late: Bool
    public var closedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, type, state, channel, citation, processors, scope, extended, late, due
        case ruleSet = "rule_set"
        case receivedAt = "received_at"
        case ackDue = "ack_due"
        case ackDueDate = "ack_due_date"
        case dueDate = "due_date"
        case duplicateOf = "duplicate_of"
        case closedAt = "closed_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(state, forKey: .state)
        try container.encode(ruleSet, forKey: .ruleSet)
        try container.encode(channel, forKey: .channel)
        try container.encode(receivedAt, forKey: .receivedAt)
        try container.encode(ackDue, forKey: .ackDue)
        try container.encode(ackDueDate, forKey: .ackDueDate)
        try container.encode(due, forKey: .due)
        try container.encode(dueDate, forKey: .dueDate)
        try container.encode(citation, forKey: .citation)
        // `duplicate_of` is promised as null when there is none, so it is always present.
        try container.encode(duplicateOf, forKey: .duplicateOf)
        try container.encode(processors, forKey: .processors)
        try container.encode(scope, forKey: .scope)
        try container.encode(extended, forKey: .extended)
        try container.encode(late, forKey: .late)
        try container.encodeIfPresent(closedAt, forKey: .closedAt)
    }
}

/// `request show`: the request with its timeline, identifiers, processors and letters.
public struct RequestDetail: Sendable, Codable {
    public var request: RequestView
    public var name: String?
    public var address: String?
    public var note: String?
    public var representative: Representative?
    public var restrictionCondition: String?
    public var evidence: String?
    public var extensionReason: String?
    /// The due date fixed at intake, before any extension.
    public var originalDueDate: String
    public var lateReason: String?
    public var ground: String?
    public var groundCitation: String?
    /// What the officer told the person when rejecting, or the person's note when withdrawing.
    public var closingNote: String?
    public var events: [Event]
    public var subjects: [Subject]
    public var processorsTold: [Processor]
    public var letters: [Letter]

    public struct Event: Sendable, Codable, Equatable {
        public var at: String
        public var kind: String
        public var actor: String
        public var note: String?
    }

    public struct Subject: Sendable, Codable, Equatable {
        /// As written by the person, or `erasedIdentifier` once they are erased.
        public var identifier: String
        public var verifiedAt: String?
        public var method: String?

        /// What an erasure leaves in place of an identifier it removed: a word that names no one.
        public static let erasedIdentifier = "erased"

        public var isErased: Bool { identifier == Self.erasedIdentifier }

        enum CodingKeys: String, CodingKey {
            case identifier, method
            case verifiedAt = "verified_at"
        }
    }

    public struct Processor: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        public var notifiedAt: String
        public var confirmedAt: String?

        enum CodingKeys: String, CodingKey {
            case id, name
            case notifiedAt = "notified_at"
            case confirmedAt = "confirmed_at"
        }
    }

    public struct Letter: Sendable, Codable, Equatable {
        public var kind: String
        public var lang: String
        public var sentAt: String
        public var text: String

        enum CodingKeys: String, CodingKey {
            case kind, lang, text
            case sentAt = "sent_at"
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, address, note, events, subjects, letters, representative, evidence
        case restrictionCondition = "restriction_condition"
        case extensionReason = "extension_reason"
        case originalDueDate = "original_due_date"
        case lateReason = "late_reason"
        case ground
        case groundCitation = "ground_citation"
        case closingNote = "closing_note"
        case processorsTold = "processors_told"
    }

    public func encode(to encoder: any Encoder) throws {
        // The request's own fields at the top level, as CONTRACT.md shows `request show`.
        try request.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(address, forKey: .address)
        try container.encodeIfPresent(note, forKey: .note)
        // Promised as null when no one acts for the person, so it is always present.
        try container.encode(representative, forKey: .representative)
        try container.encodeIfPresent(restrictionCondition, forKey: .restrictionCondition)
        try container.encodeIfPresent(evidence, forKey: .evidence)
        try container.encodeIfPresent(extensionReason, forKey: .extensionReason)
        try container.encode(originalDueDate, forKey: .originalDueDate)
        try container.encodeIfPresent(lateReason, forKey: .lateReason)
        try container.encodeIfPresent(ground, forKey: .ground)
        try container.encodeIfPresent(groundCitation, forKey: .groundCitation)
        try container.encodeIfPresent(closingNote, forKey: .closingNote)
        try container.encode(events, forKey: .events)
        try container.encode(subjects, forKey: .subjects)
        try container.encode(processorsTold, forKey: .processorsTold)
        try container.encode(letters, forKey: .letters)
    }

    public init(from decoder: any Decoder) throws {
        request = try RequestView(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        address = try container.decodeIfPresent(String.self, forKey: .address)
        note = try container.decodeIfPresent(String.self, forKey: .note)
        representative = try container.decodeIfPresent(Representative.self, forKey: .representative)
        restrictionCondition = try container.decodeIfPresent(String.self, forKey: .restrictionCondition)
        evidence = try container.decodeIfPresent(String.self, forKey: .evidence)
        extensionReason = try container.decodeIfPresent(String.self, forKey: .extensionReason)
        originalDueDate = try container.decode(String.self, forKey: .originalDueDate)
        lateReason = try container.decodeIfPresent(String.self, forKey: .lateReason)
        ground = try container.decodeIfPresent(String.self, forKey: .ground)
        groundCitation = try container.decodeIfPresent(String.self, forKey: .groundCitation)
        closingNote = try container.decodeIfPresent(String.self, forKey: .closingNote)
        events = try container.decode([Event].self, forKey: .events)
        subjects = try container.decode([Subject].self, forKey: .subjects)
        processorsTold = try container.decode([Processor].self, forKey: .processorsTold)
        letters = try container.decode([Letter].self, forKey: .letters)
    }

    init(
        request: RequestView, name: String?, address: String?, note: String?, representative: Representative?,
        restrictionCondition: String?, evidence: String?, extensionReason: String?,
        originalDueDate: String, lateReason: String?, ground: String?, groundCitation: String?, closingNote: String?,
        events: [Event], subjects: [Subject], processorsTold: [Processor], letters: [Letter]
    ) {
        self.request = request
        self.name = name
        self.address = address
        self.note = note
        self.representative = representative
        self.restrictionCondition = restrictionCondition
        self.evidence = evidence
        self.extensionReason = extensionReason
        self.originalDueDate = originalDueDate
        self.lateReason = lateReason
        self.ground = ground
        self.groundCitation = groundCitation
        self.closingNote = closingNote
        self.events = events
        self.subjects = subjects
        self.processorsTold = processorsTold
        self.letters = letters
    }
}

/// `request list` filters; all optional, combined with AND.
public struct RequestFilter: Sendable {
    public var state: RequestState?
    public var type: RequestType?
    public var overdue = false
    public var dueWithinDays: Int?
    /// Open requests not acknowledged whose `ack_due` is before `asOf`.
    public var ackOverdue = false
    /// A name (case and diacritics ignored) or an identifier of the person, in any written form.
    public var search: String?
    /// Requests received on these Vietnam dates (inclusive), for an export.
    public var receivedFrom: LocalDate?
    public var receivedThrough: LocalDate?
    public var asOf: Date

    public init(
        state: RequestState? = nil, type: RequestType? = nil, overdue: Bool = false, dueWithinDays: Int? = nil,
        ackOverdue: Bool = false, search: String? = nil, receivedFrom: LocalDate? = nil,
        receivedThrough: LocalDate? = nil, asOf: Date
    ) {
        self.state = state
        self.type = type
        self.overdue = overdue
        self.dueWithinDays = dueWithinDays
        self.ackOverdue = ackOverdue
        self.search = search
        self.receivedFrom = receivedFrom
        self.receivedThrough = receivedThrough
        self.asOf = asOf
    }
}

/// `request list --json`: a request with who it is for and how much time is left (CONTRACT.md "Requests").
public struct RequestListItem: Sendable, Encodable, Equatable {
    public var request: RequestView
    public var name: String?
    public var subjects: [RequestDetail.Subject]
    /// Whole Vietnam days from the day of `asOf` to `due_date`; negative when overdue.
    public var daysLeft: Int
    /// The acknowledgement was recorded after `ack_due`, or is still missing after it.
    public var ackLate: Bool
    public var acknowledgedAt: String?

    enum CodingKeys: String, CodingKey {
        case name, subjects
        case daysLeft = "days_left"
        case ackLate = "ack_late"
        case acknowledgedAt = "acknowledged_at"
    }

    public func encode(to encoder: any Encoder) throws {
        try request.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        // `name` is promised as null when unknown, so it is always present.
        try container.encode(name, forKey: .name)
        try container.encode(subjects, forKey: .subjects)
        try container.encode(daysLeft, forKey: .daysLeft)
        try container.encode(ackLate, forKey: .ackLate)
        try container.encodeIfPresent(acknowledgedAt, forKey: .acknowledgedAt)
    }
}

/// What `complete` carries beyond the time.
public struct Completion: Sendable {
    public var lateReason: String?
    /// Correction: field name → new value, applied to every entry of the person.
    public var corrections: [(field: String, value: String)]
    /// Access: the SHA-256 of the report given to the person, recorded on the chain.
    public var reportSHA256: String?
    /// Protection: the measures taken (Decree 356 Art. 5(5)), in the officer's words.
    public var measures: String?

    public init(
        lateReason: String? = nil, corrections: [(field: String, value: String)] = [], reportSHA256: String? = nil
    ) {
        self.lateReason = lateReason
        self.corrections = corrections
        self.reportSHA256 = reportSHA256
    }
}
