/// One identifier of a person, as the person-level decision sees it: what kind it is and what is known about it.
public struct LinkedFacts: Sendable {
    public var kind: Identifier.Kind
    public var facts: ContactFacts

    public init(kind: Identifier.Kind, facts: ContactFacts) {
        self.kind = kind
        self.facts = facts
    }
}

/// A set of identifier kinds in one byte: the kinds a recipient is made of.
public struct KindSet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public init(_ kind: Identifier.Kind) {
        switch kind {
        case .phone: rawValue = 1
        case .email: rawValue = 2
        case .zalo: rawValue = 4
        }
    }

    public static let phone = KindSet(.phone)
    public static let email = KindSet(.email)
    public static let zalo = KindSet(.zalo)
}

extension ContactFacts {
    /// The facts the decision needs about a recipient who is one person with other identifiers (CONTRACT.md "One
    /// person, several identifiers"; ARCHITECTURE.md invariant 6).
    ///
    /// - A suppression of any identifier holds for all of them: over-suppressing is harmless, a refusal that
    ///   misses the person's other identifier is a violation.
    /// - Consent does not spread, except between a Zalo id and a phone for channel `zalo`: ZNS reaches the Zalo
    ///   account of that phone, so a Zalo consent on either counts for the other. The same pair carries the
    ///   Do-Not-Call listing of the phone to a Zalo message (RULES-VN.md section 3: Do-Not-Call covers ZNS).
    /// - Caps count the person's messages on the channel, whichever identifier they went to.
    ///
    /// `recipient` are the identifiers addressed (one for a batch row; every identifier of a list row for an
    /// export), `linked` the person's other identifiers. `channel` nil means every channel (an export for `any`).
    public static func person(recipient: [LinkedFacts], linked: [LinkedFacts], channel: Channel?) -> ContactFacts {
        var combined = ContactFacts()
        var kinds = KindSet()
        for own in recipient {
            combined.suppressions += own.facts.suppressions
            combined.consentedChannels.formUnion(own.facts.consentedChannels)
            combined.doNotCall.formUnion(own.facts.doNotCall)
            if let sent = own.facts.recentSends { combined.recentSends = (combined.recentSends ?? 0) + sent }
            kinds.insert(KindSet(own.kind))
        }
        for other in linked { combined.absorb(linked: other.facts, kind: other.kind, into: kinds, channel: channel) }
        return combined
    }

    /// Adds what one linked identifier of the person (of `kind`) contributes to the facts of a recipient made of
    /// identifiers of `kinds`: the rule of `person(recipient:linked:channel:)`, in place, for a gate that composes
    /// a million recipients without building arrays for each.
    public mutating func absorb(
        linked other: ContactFacts, kind: Identifier.Kind, into kinds: KindSet, channel: Channel?
    ) {
        if !other.suppressions.isEmpty { suppressions += other.suppressions }
        if let sent = other.recentSends { recentSends = (recentSends ?? 0) + sent }
        guard channel == nil || channel == .zalo, ZaloPair.pairs(kind, with: kinds) else { return }
        if other.consentedChannels.contains(.zalo) { consentedChannels.insert(.zalo) }
        if other.doNotCall.contains(.zalo) { zaloDoNotCall = true }
    }
}

/// The one exception to "consent does not spread": a phone and a Zalo id of the same person, for Zalo.
public enum ZaloPair {
    /// Whether an identifier of `kind` shares Zalo consent with a recipient made of identifiers of `kinds`.
    public static func pairs(_ kind: Identifier.Kind, with kinds: KindSet) -> Bool {
        switch kind {
        case .phone: kinds.contains(.zalo)
        case .zalo: kinds.contains(.phone)
        case .email: false
        }
    }
}
