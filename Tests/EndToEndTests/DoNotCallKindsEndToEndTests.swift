import Foundation
import Testing

/// Circular 22/2021 Art. 6(2): a number registers against SMS (DNC S), calls (DNC V) or both; the gate, `why` and
/// `violations` judge each channel by the kinds that stop it.
extension SuppressionEndToEndTests {
    @Test func eachDoNotCallKindStopsItsOwnChannels() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        // A calls only (by --kind), B SMS only and C both (by the kind column), D a control.
        let people =
            "phone,ten,consent_at\n0903000111,A,\(Self.consentAt)\n0904000222,B,\(Self.consentAt)\n"
            + "0905000333,C,\(Self.consentAt)\n0906000444,D,\(Self.consentAt)\n"
        try importList(desk, "sms", people, "--consent-channel", "sms")
        try importList(desk, "calls", people, "--consent-channel", "call")
        try importList(desk, "zalo", people, "--consent-channel", "zalo")
        let callsOnly = try desk.file("dnc-v.txt", "0903000111\n")
        let imported = try json(
            desk, "dnc", "import", callsOnly, "--kind", "call", "--as-of", "2026-01-01T00:00:00+07:00")
        #expect(imported["numbers"] as? Int == 1)
        let mixed = try desk.file(
            "dnc-mixed.csv", "so_dien_thoai,loai\n0903000111,DNC V\n0904000222,DNC S\n0905000333,DNC\n0906000444,X\n")
        let second = try json(desk, "dnc", "import", mixed, "--as-of", "2026-02-01T00:00:00+07:00")
        #expect(second["numbers"] as? Int == 3)
        let invalid = second["invalid"] as? [[String: Any]] ?? []
        #expect(invalid.count == 1 && (invalid.first?["reason"] as? String)?.contains("kind") == true, "\(invalid)")

        let batch = try desk.file("batch.csv", people)
        let at = "2026-06-10T10:00:00+07:00"
        let sms = try gate(desk, batch, channel: "sms", at: at)
        #expect(try sms.allowed() == ["+84903000111", "+84906000444"], "\(sms.result.stderr)")
        #expect(try sms.reasons() == [3: "DNC", 4: "DNC"])
        let calls = try gate(desk, batch, channel: "call", at: at)
        #expect(try calls.allowed() == ["+84904000222", "+84906000444"], "\(calls.result.stderr)")
        #expect(try calls.reasons() == [2: "DNC", 4: "DNC"])
        // Zalo messages addressed by phone are judged as SMS (RULES-VN.md section 3, product policy).
        let zalo = try gate(desk, batch, channel: "zalo", at: at)
        #expect(try zalo.allowed() == ["+84903000111", "+84906000444"], "\(zalo.result.stderr)")

        #expect(try why(desk, "0903000111")["dnc_kind"] as? String == "call")
        #expect(try why(desk, "0904000222")["dnc_kind"] as? String == "sms")
        #expect(try why(desk, "0906000444")["dnc"] as? Bool == false)

        // An SMS to the calls-only number is no violation; a call to it is.
        try sends(desk, "phone,sent_at\n0903000111,2026-06-10T09:00:00+07:00\n", campaign: "tin")
        #expect(try violations(desk).isEmpty)
        try sends(desk, "phone,sent_at\n0903000111,2026-06-10T09:30:00+07:00\n", campaign: "goi", channel: "call")
        let found = try violations(desk)
        #expect(found.count == 1 && found.first?["channel"] as? String == "call", "\(found)")
    }
}
