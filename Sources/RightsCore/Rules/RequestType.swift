/// The kind of data-subject request, as the command-line contract names it (`--type`).
public enum RequestType: String, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    case access
    case correction
    case deletion
    case restriction
    case objection
    case withdrawConsent = "withdraw-consent"
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
