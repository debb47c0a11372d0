import Foundation
import RightsCore
import Testing

@testable import RightsStore

/// The API writes `WhyAnswer.json`, built by hand; the command line writes the `Codable` form. They must say the same.
struct WhyJSONTests {
    static func answer(full: Bool) -> WhyAnswer {
        var answer = WhyAnswer(identifier: "+84912345678")
        answer.dnc = full
        answer.identifiers = [
            .init(identifier: "+84912345678", kind: "phone"), .init(identifier: full ? "zalo:1:2" : nil, kind: "zalo"),
        ]
        answer.channels = [
            .init(channel: "sms", allowed: false, reason: "SUPPRESSED", since: "2026-04-01T10:00:00+07:00"),
            .init(
                channel: "zalo", allowed: full, reason: full ? nil : "NO_CONSENT",
                consentAt: full ? "2026-02-01T08:00:00+07:00" : nil),
        ]
        answer.lists = [
            .init(
                identifier: "+84912345678", list: "Khách hàng thân thiết", source: full ? "Hội chợ \"Xuân\" 2026" : nil,
                file: "loyalty.csv",
                line: 12, importedAt: "2026-03-01T09:00:00+07:00", basis: "consent", status: "suppressed",
                consent: full
                    ? .init(
                        channels: ["sms", "zalo"], at: "2026-02-01T08:00:00+07:00", method: full ? "form" : nil,
                        text: "Tôi đồng ý nhận tin\nkhuyến mãi / ưu đãi")
                    : nil)
        ]
        answer.suppressions = [
            .init(
                identifier: full ? "zalo:1:2" : nil, channel: "any", purpose: "marketing", reason: "objection",
                since: "2026-04-01T10:00:00+07:00",
                requestID: full ? "REQ-2026-000001" : nil, liftedAt: full ? "2026-05-01T10:00:00+07:00" : nil)
        ]
        answer.sends = [
            .init(
                identifier: "+84912345678", campaign: "tet", channel: "zalo", purpose: "marketing",
                sentAt: "2026-04-02T10:00:00+07:00",
                delivered: true, planned: false, error: full ? "-114" : nil,
                signal: full ? "soft-refusal-or-inactive" : nil, afterSuppression: true)
        ]
        answer.requests = [
            .init(id: "REQ-2026-000001", type: "objection", state: "received", identifier: "+84912345678")
        ]
        answer.explanation = ["vi": "Số \\ \u{1}", "en": "We hold"]
        return answer
    }

    @Test(arguments: [true, false])
    func handWrittenJSONSaysWhatTheEncoderSays(full: Bool) throws {
        let answer = Self.answer(full: full)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let encoded = try JSONValue(parsing: [UInt8](try encoder.encode(answer)))
        #expect(answer.json == encoded)
        // And it reads back as the canonical bytes it was written as.
        #expect(try JSONValue(parsing: answer.json.canonicalBytes) == encoded)
        // The contract's keys are there even when empty.
        let list = answer.json["lists"].flatMap { if case .array(let a) = $0 { a.first } else { nil } }
        let expected: JSONValue = full ? .string("Hội chợ \"Xuân\" 2026") : .null
        #expect(list?["source"] == expected)
    }
}
