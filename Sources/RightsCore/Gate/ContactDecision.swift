/// Why a recipient may not be contacted, in the order the gate checks (CONTRACT.md "The gate").
public enum ExclusionReason: String, Sendable, Codable, CaseIterable, Comparable {
    case invalidIdentifier = "INVALID_IDENTIFIER"
    case duplicate = "DUPLICATE"
    case suppressed = "SUPPRESSED"
    case dnc = "DNC"
    case noConsent = "NO_CONSENT"
    case frequencyCap = "FREQUENCY_CAP"

    public static func < (lhs: ExclusionReason, rhs: ExclusionReason) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A suppression as the decision sees it: which channel (nil for any) and what it stops.
public struct SuppressionScope: Sendable, Hashable {
    public var channel: Channel?
    public var purpose: SuppressionPurpose

    public init(channel: Channel?, purpose: SuppressionPurpose) {
        self.channel = channel
        self.purpose = purpose
    }

    /// Whether this suppression stops a message of `purpose` on `channel` (nil: the message may go on any channel).
    public func stops(channel target: Channel?, purpose messagePurpose: Purpose) -> Bool {
        // A marketing objection must not stop transactional notices; an objection to all processing stops both.
        if messagePurpose == .transactional && purpose != .all { return false }
        guard let channel, let target else { return true }
        return channel == target
    }
}

/// A set of channels in one byte: a million-recipient batch keeps one per recipient.
public struct ChannelSet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public init(_ channels: some Sequence<Channel>) {
        self = []
        for channel in channels { insert(channel) }
    }

    public static let sms = ChannelSet(.sms)
    public static let zalo = ChannelSet(.zalo)
    public static let email = ChannelSet(.email)
    public static let call = ChannelSet(.call)

    private init(_ channel: Channel) { rawValue = ChannelSet.bit(channel) }

    private static func bit(_ channel: Channel) -> UInt8 {
        switch channel {
        case .sms: 1
        case .zalo: 2
        case .email: 4
        case .call: 8
        }
    }

    public func contains(_ channel: Channel) -> Bool { rawValue & ChannelSet.bit(channel) != 0 }

    public mutating func insert(_ channel: Channel) { formUnion(ChannelSet(rawValue: ChannelSet.bit(channel))) }
}

/// A registration on the national Do-Not-Call list (Circular 22/2021 Art. 6(2)): DNC S refuses advertising SMS,
/// DNC V advertising calls, DNC both. Product policy (RULES-VN.md section 3) treats Zalo messages addressed by
/// phone as SMS.
public enum DoNotCallKind: String, Sendable, Hashable, Codable, CaseIterable {
    case sms, call, both

    /// The channels the registration stops advertising on.
    public var channels: ChannelSet {
        switch self {
        case .sms: [.sms, .zalo]
        case .call: .call
        case .both: [.sms, .zalo, .call]
        }
    }

    /// A kind as a file writes it: `sms`, `S`, `DNC S`; `call`, `V`, `DNC V`, `voice`; `both`, `DNC`. Nil for
    /// anything else (an unknown kind is an invalid row, never silently `both`).
    public init?(parsing text: String) {
        let folded = text.trimmingWhitespace().lowercased().replacingOccurrences(of: " ", with: "")
        switch folded {
        case "sms", "s", "dncs": self = .sms
        case "call", "calls", "v", "dncv", "voice": self = .call
        case "both", "dnc", "all", "sv": self = .both
        default: return nil
        }
    }

    /// The registration of a number listed under both kinds, or under one kind twice.
    public func union(_ other: DoNotCallKind) -> DoNotCallKind { self == other ? self : .both }

    /// The kinds whose listing stops advertising on `channel`.
    public static func kinds(stopping channel: Channel) -> [DoNotCallKind] {
        allCases.filter { $0.channels.contains(channel) }
    }
}

/// What is known about one recipient when deciding whether a message may reach them.
public struct ContactFacts: Sendable {
    public var suppressions: [SuppressionScope]
    /// Channels with a current marketing consent.
    public var consentedChannels: ChannelSet
    /// The channels a phone number of the recipient is registered against on the Do-Not-Call list in force: its
    /// kind's channels (Circular 22/2021 Art. 6(2): DNC S stops SMS, DNC V calls, DNC both).
    public var doNotCall: ChannelSet
    /// Whether the phone paired with the recipient's Zalo id is on that list for Zalo: it stops Zalo messages only.
    public var zaloDoNotCall = false

    /// Whether a phone number of the recipient is on the Do-Not-Call list in force, for any kind.
    public var onDoNotCallList: Bool { !doNotCall.isEmpty }
    /// Advertising messages the recipient got on the channel in the 24 hours before the send (per campaign the
    /// larger of planned and delivered, Decree 91/2020 Art. 13(5)); nil when caps do not apply (an export).
    public var recentSends: Int?

    public init(
        suppressions: [SuppressionScope] = [], consentedChannels: ChannelSet = [], onDoNotCallList: Bool = false,
        recentSends: Int? = nil
    ) {
        self.suppressions = suppressions
        self.consentedChannels = consentedChannels
        self.doNotCall = onDoNotCallList ? DoNotCallKind.both.channels : []
        self.recentSends = recentSends
    }
}

/// The one decision every path that produces recipients asks (ARCHITECTURE.md invariant 6).
public enum ContactDecision {
    /// The first reason `facts` forbids a message of `purpose` on `channel` (nil: every channel), or nil if allowed.
    public static func exclusion(for facts: ContactFacts, channel: Channel?, purpose: Purpose) -> ExclusionReason? {
        if facts.suppressions.contains(where: { $0.stops(channel: channel, purpose: purpose) }) { return .suppressed }
        guard purpose == .marketing else { return nil }
        // Decree 91/2020 Art. 7(3), 11(1): no advertising SMS or call to a listed number; product policy extends
        // this to ZNS addressed by phone (RULES-VN.md section 3).
        let channels = channel.map { [$0] } ?? Channel.allCases
        if channels.contains(where: { facts.doNotCall.contains($0) }) { return .dnc }
        if facts.zaloDoNotCall && channels.contains(.zalo) { return .dnc }
        // Advertising needs prior, provable consent per channel (Decree 91 Art. 11(2); Law 91 Art. 9).
        if !channels.allSatisfy({ facts.consentedChannels.contains($0) }) { return .noConsent }
        if let recent = facts.recentSends, let channel, recent >= SendRules.cap(for: channel) { return .frequencyCap }
        return nil
    }
}
