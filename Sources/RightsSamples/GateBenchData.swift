import RightsCore

/// Deterministic phone numbers for the gate benchmark: number `i` is a valid mobile number, distinct for every
/// `i` below 10^8, spread over ten operator prefixes.
public enum BenchNumbers {
    static let prefixes = ["90", "91", "93", "94", "96", "97", "98", "32", "33", "34"]

    /// The national form, e.g. `0901234567`.
    public static func national(_ index: Int) -> String {
        let rest = String(index / 10)
        return "0" + prefixes[index % 10] + String(repeating: "0", count: max(0, 7 - rest.count)) + rest
    }

    /// A batch CSV (`phone,ten`) of numbers `range`, written in mixed forms as real batches are.
    public static func batchCSV(_ range: Range<Int>, sink: ([UInt8]) throws -> Void) rethrows {
        var buffer = Array("phone,ten\n".utf8)
        buffer.reserveCapacity(1 << 20)
        for index in range {
            let number = national(index)
            let written = index % 3 == 0 ? "84" + number.dropFirst() : number
            buffer += Array("\(written),Khách \(index)\n".utf8)
            if buffer.count >= 1 << 20 {
                try sink(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try sink(buffer)
    }

    /// A consented list (`phone,zalo_id,consent_at,channel`): SMS consent given in 2025; every `linkedEvery`-th
    /// row also carries the person's Zalo id under OA `1` (user `index`), which links it to the phone (0: none).
    public static func consentCSV(
        _ range: Range<Int>, linkedEvery: Int = 0, sink: ([UInt8]) throws -> Void
    ) rethrows {
        var buffer = Array("phone,zalo_id,consent_at,channel\n".utf8)
        buffer.reserveCapacity(1 << 20)
        for index in range {
            let zalo = linkedEvery > 0 && index % linkedEvery == 0 ? zaloUser(index) : ""
            buffer += Array("\(national(index)),\(zalo),2025-05-01T09:00:00+07:00,sms\n".utf8)
            if buffer.count >= 1 << 20 {
                try sink(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try sink(buffer)
    }

    /// The Zalo user id of person `index` under OA `1`.
    public static func zaloUser(_ index: Int) -> String { "58\(index)" }
}
