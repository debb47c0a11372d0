import RightsCore
import Testing

@Suite("The contact decision")
struct ContactDecisionTests {
    static let everyConsent = ChannelSet(Channel.allCases)
    static let marketingAnywhere = SuppressionScope(channel: nil, purpose: .marketing)
    static let everythingAnywhere = SuppressionScope(channel: nil, purpose: .all)

    /// One question to the decision and its worked-out answer.
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var facts: ContactFacts
        var channel: Channel?
        var purpose: Purpose
        var expected: ExclusionReason?

        var testDescription: String { label }
    }

    @Test(
        arguments: [
            // A marketing objection must not stop an OTP or an order notice.
            Case(
                label: "marketing suppression, transactional sms",
                facts: ContactFacts(suppressions: [ContactDecisionTests.marketingAnywhere]),
                channel: .sms, purpose: .transactional, expected: nil),
            Case(
                label: "marketing suppression, transactional on every channel",
                facts: ContactFacts(suppressions: [ContactDecisionTests.marketingAnywhere]), channel: nil,
                purpose: .transactional,
                expected: nil),
            // ...but it stops marketing, consent or not.
            Case(
                label: "marketing suppression, marketing sms with consent",
                facts: ContactFacts(
                    suppressions: [ContactDecisionTests.marketingAnywhere],
                    consentedChannels: ContactDecisionTests.everyConsent), channel: .sms,
                purpose: .marketing, expected: .suppressed),
            // Purpose `all` stops both purposes.
            Case(
                label: "all suppression, transactional email",
                facts: ContactFacts(suppressions: [ContactDecisionTests.everythingAnywhere]),
                channel: .email, purpose: .transactional, expected: .suppressed),
            Case(
                label: "all suppression, marketing zalo with consent",
                facts: ContactFacts(
                    suppressions: [ContactDecisionTests.everythingAnywhere],
                    consentedChannels: ContactDecisionTests.everyConsent),
                channel: .zalo, purpose: .marketing, expected: .suppressed),
        ])
    func suppressionsStopWhatTheirPurposeCovers(_ item: Case) {
        #expect(
            ContactDecision.exclusion(for: item.facts, channel: item.channel, purpose: item.purpose) == item.expected)
    }

    @Test(
        arguments: [
            // An SMS-only marketing suppression leaves Zalo and email open.
            Case(
                label: "sms suppression, marketing sms",
                facts: ContactFacts(
                    suppressions: [SuppressionScope(channel: .sms, purpose: .marketing)],
                    consentedChannels: ContactDecisionTests.everyConsent),
                channel: .sms, purpose: .marketing, expected: .suppressed),
            Case(
                label: "sms suppression, marketing zalo",
                facts: ContactFacts(
                    suppressions: [SuppressionScope(channel: .sms, purpose: .marketing)],
                    consentedChannels: ContactDecisionTests.everyConsent),
                channel: .zalo, purpose: .marketing, expected: nil),
            Case(
                label: "sms suppression, marketing email",
                facts: ContactFacts(
                    suppressions: [SuppressionScope(channel: .sms, purpose: .marketing)],
                    consentedChannels: ContactDecisionTests.everyConsent),
                channel: .email, purpose: .marketing, expected: nil),
            // A message for every channel (an export with channel `any`) is stopped by a suppression on any one.
            Case(
                label: "sms suppression, marketing on every channel",
                facts: ContactFacts(
                    suppressions: [SuppressionScope(channel: .sms, purpose: .marketing)],
                    consentedChannels: ContactDecisionTests.everyConsent),
                channel: nil, purpose: .marketing, expected: .suppressed),
            // A Zalo-only `all` suppression stops transactional Zalo but not transactional SMS.
            Case(
                label: "zalo all-suppression, transactional zalo",
                facts: ContactFacts(suppressions: [SuppressionScope(channel: .zalo, purpose: .all)]), channel: .zalo,
                purpose: .transactional, expected: .suppressed),
            Case(
                label: "zalo all-suppression, transactional sms",
                facts: ContactFacts(suppressions: [SuppressionScope(channel: .zalo, purpose: .all)]), channel: .sms,
                purpose: .transactional, expected: nil),
        ])
    func channelScopedSuppressionsStopOnlyTheirChannel(_ item: Case) {
        #expect(
            ContactDecision.exclusion(for: item.facts, channel: item.channel, purpose: item.purpose) == item.expected)
    }

    @Test(
        arguments: [
            // Do-Not-Call covers advertising SMS, calls and ZNS addressed by phone...
            (Channel.sms, ExclusionReason.dnc),
            (.call, .dnc),
            (.zalo, .dnc),
            // ...but not email.
            (.email, nil),
        ] as [(Channel, ExclusionReason?)])
    func doNotCallExcludesMarketingOnPhoneChannels(channel: Channel, expected: ExclusionReason?) {
        let facts = ContactFacts(consentedChannels: Self.everyConsent, onDoNotCallList: true)
        #expect(ContactDecision.exclusion(for: facts, channel: channel, purpose: .marketing) == expected)
    }

    @Test func doNotCallExcludesMarketingOnEveryChannelAtOnce() {
        // "Every channel" includes SMS, so the listed number is refused.
        let facts = ContactFacts(consentedChannels: Self.everyConsent, onDoNotCallList: true)
        #expect(ContactDecision.exclusion(for: facts, channel: nil, purpose: .marketing) == .dnc)
    }

    @Test(arguments: Channel.allCases)
    func doNotCallDoesNotStopTransactionalMessages(channel: Channel) {
        let facts = ContactFacts(onDoNotCallList: true)
        #expect(ContactDecision.exclusion(for: facts, channel: channel, purpose: .transactional) == nil)
    }

    @Test(
        arguments: [
            // No consent at all: marketing is refused on every channel.
            Case(
                label: "no consent, sms", facts: ContactFacts(), channel: .sms, purpose: .marketing,
                expected: .noConsent),
            Case(
                label: "no consent, email", facts: ContactFacts(), channel: .email, purpose: .marketing,
                expected: .noConsent),
            // Consent is per channel: SMS consent does not cover email.
            Case(
                label: "sms consent, email", facts: ContactFacts(consentedChannels: [.sms]), channel: .email,
                purpose: .marketing, expected: .noConsent),
            Case(
                label: "sms consent, sms", facts: ContactFacts(consentedChannels: [.sms]), channel: .sms,
                purpose: .marketing, expected: nil),
            // Every channel needs every channel's consent: three of four is not enough.
            Case(
                label: "three consents, every channel", facts: ContactFacts(consentedChannels: [.sms, .zalo, .email]),
                channel: nil, purpose: .marketing, expected: .noConsent),
            Case(
                label: "four consents, every channel",
                facts: ContactFacts(consentedChannels: ContactDecisionTests.everyConsent),
                channel: nil, purpose: .marketing, expected: nil),
            // Transactional messages need no marketing consent.
            Case(
                label: "no consent, transactional", facts: ContactFacts(), channel: .zalo, purpose: .transactional,
                expected: nil),
            Case(
                label: "no consent, transactional everywhere", facts: ContactFacts(), channel: nil,
                purpose: .transactional, expected: nil),
        ])
    func marketingNeedsConsentOnEachChannel(_ item: Case) {
        #expect(
            ContactDecision.exclusion(for: item.facts, channel: item.channel, purpose: item.purpose) == item.expected)
    }

    @Test(
        arguments: [
            // Suppressed, on Do-Not-Call and without consent: SUPPRESSED comes first.
            Case(
                label: "suppressed + dnc + no consent",
                facts: ContactFacts(suppressions: [ContactDecisionTests.marketingAnywhere], onDoNotCallList: true),
                channel: .sms,
                purpose: .marketing, expected: .suppressed),
            // On Do-Not-Call and without consent: DNC before NO_CONSENT.
            Case(
                label: "dnc + no consent", facts: ContactFacts(onDoNotCallList: true), channel: .call,
                purpose: .marketing, expected: .dnc),
            // On Do-Not-Call but emailed without consent: DNC does not apply to email, so NO_CONSENT.
            Case(
                label: "dnc + no consent by email", facts: ContactFacts(onDoNotCallList: true), channel: .email,
                purpose: .marketing, expected: .noConsent),
        ])
    func theFirstReasonIsGivenInTheGateOrder(_ item: Case) {
        #expect(
            ContactDecision.exclusion(for: item.facts, channel: item.channel, purpose: item.purpose) == item.expected)
    }

    @Test func reasonsSortInTheOrderTheContractLists() {
        let shuffled: [ExclusionReason] = [
            .frequencyCap, .dnc, .invalidIdentifier, .noConsent, .suppressed, .duplicate,
        ]
        #expect(
            shuffled.sorted().map(\.rawValue) == [
                "INVALID_IDENTIFIER", "DUPLICATE", "SUPPRESSED", "DNC", "NO_CONSENT", "FREQUENCY_CAP",
            ])
        #expect(ExclusionReason.suppressed < .dnc)
        #expect(!(ExclusionReason.dnc < .dnc))
    }

    @Test func aScopeStopsWhatItCovers() {
        let smsMarketing = SuppressionScope(channel: .sms, purpose: .marketing)
        #expect(smsMarketing.stops(channel: .sms, purpose: .marketing))
        #expect(!smsMarketing.stops(channel: .email, purpose: .marketing))
        #expect(!smsMarketing.stops(channel: .sms, purpose: .transactional))
        // A message that may go on any channel is stopped by a suppression on one of them.
        #expect(smsMarketing.stops(channel: nil, purpose: .marketing))
        #expect(Self.everythingAnywhere.stops(channel: .call, purpose: .transactional))
    }
}
