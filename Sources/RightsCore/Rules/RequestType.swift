/// The kind of data-subject request, as the command-line contract names it (`--type`).
public enum RequestType: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    case access
    case correction
    case deletion
    case restriction
    case objection
    case withdrawConsent = "withdraw-consent"
    /// A request for measures to protect the person's data (Law 91 Art. 4(1)(e); Decree 356 Art. 5(5)).
    case protection

    /// Whether the request stops marketing to the person from its receipt, before identity verification: a refusal
    /// (Decree 91/2020 Art. 13(4): "immediately"), and a request to erase or restrict, during which advertising
    /// must not go on (Law 91 Art. 28(5); ARCHITECTURE.md invariant 7).
    public var stopsMarketingAtIntake: Bool {
        switch self {
        case .objection, .withdrawConsent, .deletion, .restriction: true
        case .access, .correction, .protection: false
        }
    }
}

/// A ground on which a controller may refuse a request, as the command-line contract names it (`--ground`).
public enum RefusalGround: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    case identityNotVerified = "identity-not-verified"
    case noData = "no-data"
    case abusive
    case legalRetention = "legal-retention"
    case noConsentNeeded = "no-consent-needed"
    case harmsOthers = "harms-others"
    /// The request repeats one of the same type still open for the same person: it is handled there. Not a
    /// refusal of the right, and the letter says so without blaming the person.
    case duplicate
}

/// In what capacity someone acts for the data subject (Law 91 Art. 24; `--relation`).
public enum RepresentativeRelation: String, Sendable, Codable, CaseIterable {
    /// A parent of a child, or of a person without legal capacity.
    case parent
    /// A guardian of a child or of a person without legal capacity.
    case guardian
    /// A person authorised by the data subject (a power of attorney).
    case agent
}
