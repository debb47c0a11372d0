import RightsCore
import RightsSamples
import Testing

/// `CanonicalObject` says "canonical" only of texts that are their own parse written again, and finds the members
/// where they are: checked on random values, each written canonically and then altered one byte at a time.
@Suite("Canonical JSON checked in one pass")
struct CanonicalObjectTests {
    static let pieces = [
        "a", "Lan", "Nguyễn Thị Lan", "\"", "\\", "\n", "\t", "\u{01}", "\u{1F}", "\u{7F}", "😀", "\u{FB33}", "\u{E000}",
        "/", "é", "", " ",
    ]

    /// Keys need no escape: one that does is left to the parser, which the alterations below exercise.
    static let keyPieces = pieces.filter {
        $0.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }
    }

    func text(_ random: inout SplitMix64, from pieces: [String] = Self.pieces) -> String {
        (0..<Int.random(in: 0...3, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    func value(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 2 ? 5 : 7), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2:
            return .int([0, 1, -1, 42, Int64.max, Int64.min, -9_007_199_254_740_993].randomElement(using: &random)!)
        case 3, 4: return .string(text(&random))
        case 5: return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in value(&random, depth: depth + 1) })
        default: return object(&random, depth: depth + 1)
        }
    }

    func object(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            members[text(&random, from: Self.keyPieces)] = value(&random, depth: depth)
        }
        return .object(members)
    }

    /// The slow truth: parsed, an object, and written again byte for byte.
    func canonical(_ bytes: [UInt8]) -> Bool {
        guard let parsed = try? JSONValue(parsing: bytes), case .object = parsed else { return false }
        return parsed.canonicalBytes == bytes
    }

    @Test("agrees with parse-and-write on random objects and on every one-byte alteration of them")
    func agreesWithTheParser() {
        var random = SplitMix64(seed: 20_261_201)
        for _ in 0..<300 {
            let bytes = object(&random, depth: 0).canonicalBytes
            let checked = CanonicalObject(bytes)
            #expect(checked != nil, "\(String(decoding: bytes, as: UTF8.self)) is canonical")
            if let checked, case .object(let members)? = try? JSONValue(parsing: bytes) {
                #expect(
                    checked.members.map(\.key) == members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) })
                for member in checked.members {
                    // The member's bytes are `"key":value` as the writer writes them.
                    var expected: [UInt8] = []
                    JSONValue.object([member.key: members[member.key]!]).write(into: &expected)
                    #expect(Array(bytes[member.range]) == Array(expected.dropFirst().dropLast()))
                }
            }
            for _ in 0..<20 where !bytes.isEmpty {
                var altered = bytes
                let at = Int.random(in: 0..<altered.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0:
                    altered[at] = [0x20, 0x22, 0x5C, 0x2C, 0x30, 0x2D, 0x7D, 0x75, 0xC3, 0x61].randomElement(
                        using: &random)!
                case 1: altered.insert([0x20, 0x5C, 0x30, 0x2C].randomElement(using: &random)!, at: at)
                default: altered.remove(at: at)
                }
                // Never canonical where the parser says it is not; canonical where it is, unless the alteration
                // made a key that holds an escape (such keys are left to the parser).
                let fast = CanonicalObject(altered) != nil
                let slow = canonical(altered)
                if fast { #expect(slow, "\(String(decoding: altered, as: UTF8.self)) passed") }
                if slow && !fast {
                    #expect(
                        String(decoding: altered, as: UTF8.self).contains("\\"),
                        "\(String(decoding: altered, as: UTF8.self)) refused")
                }
            }
        }
    }

    @Test("refuses each way of writing a value that is not the writer's")
    func refusesTheUncanonical() {
        for text in [
            #"{"a":1 }"#, #"{ "a":1}"#, #"{"b":1,"a":2}"#, #"{"a":1,"a":1}"#, #"{"a":01}"#, #"{"a":-0}"#, #"{"a":1.0}"#,
            #"{"a":"\/"}"#, #"{"a":"\u0041"}"#, #"{"a":"\u000a"}"#, #"{"a":"\u001F"}"#, #"{"a":true }"#,
            #"{"a":[1, 2]}"#, #"{"a":nul}"#, #"{"a":9223372036854775808}"#, #"[1]"#, #"{"a":1}x"#, "{\"a\":\"\t\"}",
        ] {
            #expect(CanonicalObject(Array(text.utf8)) == nil, "\(text)")
        }
        let good = CanonicalObject(Array(#"{"a":"\n\u001f","b":-12,"c":null,"d":[true,{}],"e":"Lê"}"#.utf8))
        #expect(good?.members.map(\.key) == ["a", "b", "c", "d", "e"])
        #expect(
            good?["b"]?.value == .int(-12) && good?["e"]?.value == .string("Lê") && good?["a"]?.value == .string(nil))
        #expect(CanonicalObject(Array(#"{"a":-9223372036854775808}"#.utf8))?["a"]?.value == .int(.min))
    }
}
