import Foundation
import RightsCore
import Testing

@Suite("Allowed hours and frequency caps (Decree 91/2020 Art. 13(5)-(6))")
struct SendRulesTests {
    @Test(arguments: [
        // (channel, Vietnam time, allowed) — windows are half-open: [07:00, 22:00) for SMS and Zalo, [08:00, 17:00)
        // for calls, any time for email.
        (Channel.sms, "2026-06-02T06:59:00+07:00", false),
        (.sms, "2026-06-02T07:00:00+07:00", true),
        (.sms, "2026-06-02T21:59:59+07:00", true),
        (.sms, "2026-06-02T22:00:00+07:00", false),
        (.zalo, "2026-06-02T22:00:00+07:00", false),
        (.call, "2026-06-02T07:59:00+07:00", false),
        (.call, "2026-06-02T08:00:00+07:00", true),
        (.call, "2026-06-02T16:59:00+07:00", true),
        (.call, "2026-06-02T17:00:00+07:00", false),
        (.email, "2026-06-02T03:00:00+07:00", true),
        // 23:30 UTC on 1 June is 06:30 on 2 June in Vietnam: outside, though 23:30 would be inside in UTC terms.
        (.sms, "2026-06-01T23:30:00Z", false),
    ])
    func allowedHoursAreHalfOpenWindowsInVietnamTime(channel: Channel, time: String, allowed: Bool) throws {
        #expect(SendRules.isAllowed(channel, at: try #require(Timestamp.parse(time))) == allowed)
    }

    @Test func theNextAllowedTimeIsTheWindowsNextOpening() throws {
        // 22:00 on 2 June → 07:00 on 3 June; 06:00 on 2 June → 07:00 the same day.
        let late = try #require(Timestamp.parse("2026-06-02T22:00:00+07:00"))
        #expect(Timestamp.vietnam(SendRules.nextAllowed(.sms, after: late)) == "2026-06-03T07:00:00+07:00")
        let early = try #require(Timestamp.parse("2026-06-02T06:00:00+07:00"))
        #expect(Timestamp.vietnam(SendRules.nextAllowed(.sms, after: early)) == "2026-06-02T07:00:00+07:00")
        #expect(SendRules.nextAllowed(.email, after: late) == late)
    }

    @Test func capsCountOtherCampaignsInTheLast24Hours() {
        let consented = ContactFacts(consentedChannels: [.sms, .call])
        var facts = consented
        facts.recentSends = 2
        #expect(ContactDecision.exclusion(for: facts, channel: .sms, purpose: .marketing) == nil)
        facts.recentSends = 3
        #expect(ContactDecision.exclusion(for: facts, channel: .sms, purpose: .marketing) == .frequencyCap)
        facts.recentSends = 1
        #expect(ContactDecision.exclusion(for: facts, channel: .call, purpose: .marketing) == .frequencyCap)
        // Caps govern advertising only.
        #expect(ContactDecision.exclusion(for: facts, channel: .call, purpose: .transactional) == nil)
    }
}
