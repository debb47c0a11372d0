/// The kind of data-subject request, as the command-line contract names it (`--type`).
public enum RequestType: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    case access
    case correction
    case deletion
    case restriction
    case objection
    case withdrawConsent = "withdraw-consent"

    /// Whether the request stops marketing to the person from its receipt, before identity verification: a refusal
    /// (Decree 91/2020 Art. 13(4): "immediately"), and a request to erase or restrict, during which advertising
    /// must not go on (Law 91 Art. 28(5); ARCHITECTURE.md invariant 7).
    public var stopsMarketingAtIntake: Bool {
        switch self {
        case .objection, .withdrawConsent, .deletion, .restriction: true
        case .access, .correction: false
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
}
