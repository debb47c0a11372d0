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

/// What is known about one recipient when deciding whether a message may reach them.
public struct ContactFacts: Sendable {
    public var suppressions: [SuppressionScope]
    /// Channels with a current marketing consent.
    public var consentedChannels: ChannelSet
    /// Whether a phone number of the recipient is on the Do-Not-Call list in force.
    public var onDoNotCallList: Bool
    /// Whether the phone paired with the recipient's Zalo id is on that list: it stops Zalo messages only.
    public var zaloDoNotCall = false
    /// Advertising messages the recipient got on the channel in the 24 hours before the send (per campaign the
    /// larger of planned and delivered, Decree 91/2020 Art. 13(5)); nil when caps do not apply (an export).
    public var recentSends: Int?

    public init(
        suppressions: [SuppressionScope] = [], consentedChannels: ChannelSet = [], onDoNotCallList: Bool = false,
        recentSends: Int? = nil
    ) {
        self.suppressions = suppressions
        self.consentedChannels = consentedChannels
        self.onDoNotCallList = onDoNotCallList
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
        if facts.onDoNotCallList && channels.contains(where: { $0 != .email }) { return .dnc }
        if facts.zaloDoNotCall && channels.contains(.zalo) { return .dnc }
        // Advertising needs prior, provable consent per channel (Decree 91 Art. 11(2); Law 91 Art. 9).
        if !channels.allSatisfy({ facts.consentedChannels.contains($0) }) { return .noConsent }
        if let recent = facts.recentSends, let channel, recent >= SendRules.cap(for: channel) { return .frequencyCap }
        return nil
    }
}
