/// Who works at the desk (CONTRACT.md "The web desk"): officers handle requests end to end, support agents answer
/// "why did I get this?" and take objections, auditors read and export evidence.
public enum StaffRole: String, Sendable, Codable, CaseIterable {
    case officer, support, auditor

    /// What the role may do; the API and the pages ask the same question.
    public func may(_ action: StaffAction) -> Bool {
        switch self {
        case .officer: true
        case .support: [.lookUp, .fileObjection].contains(action)
        case .auditor: [.lookUp, .readRequests, .exportEvidence, .readAudit].contains(action)
        }
    }
}

/// Actions the role matrix decides.
public enum StaffAction: String, Sendable, CaseIterable {
    /// `why` for an identifier.
    case lookUp
    /// File an objection for a person on the spot (support takes them by phone and chat).
    case fileObjection
    /// See the queue and requests with their events.
    case readRequests
    /// Take and move requests through their workflow, letters, suppressions, consents, gate runs.
    case manageRequests
    /// Export evidence bundles.
    case exportEvidence
    /// Read the audit chain back and the staff lookup log (officers and auditors; support agents may not).
    case readAudit
    /// See access reports (the person's whole data).
    case readAccessReports
}
