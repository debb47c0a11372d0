import Foundation

/// A company's own, stricter periods laid over a legal rule set: it may shorten periods, never lengthen them.
public struct CompanyPolicy: Sendable, Hashable, Codable {
    /// The periods a policy sets for one request type; nil keeps the legal one.
    public struct Periods: Sendable, Hashable, Codable {
        public var period: Period?
        public var periodWithProcessors: Period?
        /// A length of zero removes the extension altogether.
        public var extensionPeriod: Period?

        public init(period: Period? = nil, periodWithProcessors: Period? = nil, extensionPeriod: Period? = nil) {
            self.period = period
            self.periodWithProcessors = periodWithProcessors
            self.extensionPeriod = extensionPeriod
        }

        enum CodingKeys: String, CodingKey {
            case period
            case periodWithProcessors = "period_with_processors"
            case extensionPeriod = "extension"
        }
    }

    public var name: String
    public var acknowledgement: Period?
    public var requests: [RequestType: Periods]

    public init(name: String, acknowledgement: Period? = nil, requests: [RequestType: Periods] = [:]) {
        self.name = name
        self.acknowledgement = acknowledgement
        self.requests = requests
    }
}

/// Why a company policy cannot be laid over a rule set.
public enum RuleSetError: Error, Hashable, CustomStringConvertible {
    /// The policy asks for more time than the law allows; `legalMaximum` is nil where the law allows none.
    case policyLengthensPeriod(
        policy: String, ruleSet: String, type: RequestType?, what: String, requested: Period, legalMaximum: Period?)
    /// The policy states a period in another unit than the law's (days against hours), which cannot be compared.
    case policyUnitMismatch(
        policy: String, ruleSet: String, type: RequestType?, what: String, requested: Period, legal: Period)
    /// The policy sets a period of zero or less where a period is required.
    case policyPeriodNotPositive(policy: String, type: RequestType?, what: String, requested: Period)
    /// The policy sets a period the rule set does not have (an acknowledgement under Decree 13).
    case policyNotApplicable(policy: String, ruleSet: String, what: String)

    public var description: String {
        switch self {
        case .policyLengthensPeriod(let policy, let ruleSet, let type, let what, let requested, let legalMaximum):
            let maximum = legalMaximum.map { "the legal maximum of \($0)" } ?? "the law, which allows none"
            return "company policy '\(policy)' sets the \(Self.subject(type, what)) to \(requested), longer than "
                + "\(maximum) under \(ruleSet); a policy may shorten periods, never lengthen them"
        case .policyUnitMismatch(let policy, let ruleSet, let type, let what, let requested, let legal):
            return "company policy '\(policy)' sets the \(Self.subject(type, what)) to \(requested), but \(ruleSet) "
                + "states it as \(legal); give the policy's period in the same unit"
        case .policyPeriodNotPositive(let policy, let type, let what, let requested):
            return "company policy '\(policy)' sets the \(Self.subject(type, what)) to \(requested); "
                + "a period must be at least 1"
        case .policyNotApplicable(let policy, let ruleSet, let what):
            return "company policy '\(policy)' sets \(what), which \(ruleSet) does not have"
        }
    }

    private static func subject(_ type: RequestType?, _ what: String) -> String {
        type.map { "\($0.rawValue) \(what)" } ?? what
    }
}

extension RuleSet {
    /// This rule set with the policy's shorter periods; throws when the policy would lengthen any of them.
    public func applying(_ policy: CompanyPolicy) throws -> RuleSet {
        var result = self
        if let requested = policy.acknowledgement {
            guard let legal = acknowledgement else {
                throw RuleSetError.policyNotApplicable(
                    policy: policy.name, ruleSet: id, what: "an acknowledgement period")
            }
            try check(requested, against: legal.period, policy: policy.name, type: nil, what: "acknowledgement period")
            result.acknowledgement = AcknowledgementRule(
                period: requested, citation: legal.citation + "; shortened by company policy '\(policy.name)'")
        }
        // Sorted so that, of several offending entries, the same one is reported every time.
        for (type, periods) in policy.requests.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let legal = rule(for: type)
            var rule = legal
            if let requested = periods.period {
                try check(requested, against: legal.period, policy: policy.name, type: type, what: "performance period")
                rule.period = requested
            }
            if let requested = periods.periodWithProcessors {
                try check(
                    requested, against: legal.periodWithProcessors, policy: policy.name, type: type,
                    what: "period when processors must act")
                rule.periodWithProcessors = requested
            }
            if let requested = periods.extensionPeriod {
                if requested.amount == 0 {
                    rule.extensionPeriod = nil
                } else if let legalExtension = legal.extensionPeriod {
                    try check(
                        requested, against: legalExtension, policy: policy.name, type: type, what: "extension")
                    rule.extensionPeriod = requested
                } else {
                    throw RuleSetError.policyLengthensPeriod(
                        policy: policy.name, ruleSet: id, type: type, what: "extension", requested: requested,
                        legalMaximum: nil)
                }
            }
            if rule != legal {
                let shortened = "Shortened by company policy '\(policy.name)'."
                rule.note = rule.note.map { $0 + " " + shortened } ?? shortened
                result.requests = result.requests.map { $0.type == type ? rule : $0 }
            }
        }
        result.policy = policy.name
        return result
    }

    private func check(_ requested: Period, against legal: Period, policy: String, type: RequestType?, what: String)
        throws
    {
        guard requested.amount > 0 else {
            throw RuleSetError.policyPeriodNotPositive(policy: policy, type: type, what: what, requested: requested)
        }
        guard requested.unit == legal.unit else {
            throw RuleSetError.policyUnitMismatch(
                policy: policy, ruleSet: id, type: type, what: what, requested: requested, legal: legal)
        }
        guard requested.amount <= legal.amount else {
            throw RuleSetError.policyLengthensPeriod(
                policy: policy, ruleSet: id, type: type, what: what, requested: requested, legalMaximum: legal)
        }
    }
}
