/// A JSON object checked to be exactly what `JSONValue.canonicalBytes` writes (RFC 8785 for the values `JSONValue`
/// models) in one pass over its bytes, without building it: the top-level members' keys, where each member and its
/// value lie, and the scalar values. A text is canonical when it is its own parse serialised again; this checks the
/// properties that make it so (no white space, keys in strictly increasing UTF-16 order, the writer's minimal
/// escapes and nothing else escaped, integers without sign or leading zero beyond `-` and `0`, valid UTF-8), so a
/// verifier reading thousands of audit lines need not parse and write each one. Nil means "not shown canonical
/// here": the caller then parses the text to say what is wrong with it.
public struct CanonicalObject {
    public enum Scalar: Equatable {
        case null
        case bool(Bool)
        case int(Int64)
        /// A string, decoded when it held no escape (nil then means it did: parse the text for its value).
        case string(String?)
        case array
        case object
    }

    public struct Member {
        public let key: String
        /// From the key's opening quote to the end of the value.
        public let range: Range<Int>
        public let value: Scalar
    }

    public let members: [Member]

    public subscript(key: String) -> Member? { members.first { $0.key == key } }

    public init?(_ bytes: [UInt8]) {
        guard String(validating: bytes, as: UTF8.self) != nil else { return nil }
        let found: [Member]? = bytes.withUnsafeBufferPointer { buffer in
            var scanner = Scanner(bytes: buffer)
            guard let members = scanner.topObject(), scanner.index == buffer.count else { return nil }
            return members
        }
        guard let found else { return nil }
        members = found
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func expect(_ byte: UInt8) -> Bool {
            guard peek() == byte else { return false }
            index += 1
            return true
        }

        mutating func topObject() -> [Member]? {
            var members: [Member] = []
            guard expect(UInt8(ascii: "{")) else { return nil }
            if expect(UInt8(ascii: "}")) { return members }
            var previousKey: Range<Int>?
            repeat {
                let start = index
                guard let key = string(), ordered(previousKey, key.range) else { return nil }
                previousKey = key.range
                guard expect(UInt8(ascii: ":")), let value = value(depth: 1), let name = key.text else { return nil }
                members.append(Member(key: name, range: start..<index, value: value))
            } while expect(UInt8(ascii: ","))
            return expect(UInt8(ascii: "}")) ? members : nil
        }

        mutating func value(depth: Int) -> Scalar? {
            guard depth < 64, let byte = peek() else { return nil }
            switch byte {
            case UInt8(ascii: "{"):
                index += 1
                if expect(UInt8(ascii: "}")) { return .object }
                var previousKey: Range<Int>?
                repeat {
                    guard let key = string(), ordered(previousKey, key.range), expect(UInt8(ascii: ":")),
                        value(depth: depth + 1) != nil
                    else { return nil }
                    previousKey = key.range
                } while expect(UInt8(ascii: ","))
                return expect(UInt8(ascii: "}")) ? .object : nil
            case UInt8(ascii: "["):
                index += 1
                if expect(UInt8(ascii: "]")) { return .array }
                repeat {
                    guard value(depth: depth + 1) != nil else { return nil }
                } while expect(UInt8(ascii: ","))
                return expect(UInt8(ascii: "]")) ? .array : nil
            case UInt8(ascii: "\""):
                return string().map { .string($0.text) }
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
            default: return integer().map { .int($0) }
            }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            index += count
            return true
        }

        /// `0`, or an optional `-` and digits without a leading zero, within Int64; `-0` is written `0`.
        mutating func integer() -> Int64? {
            let negative = expect(UInt8(ascii: "-"))
            let digits = index
            var magnitude: UInt64 = 0
            while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                let (times, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, carry) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
                guard !overflow, !carry else { return nil }
                magnitude = sum
                index += 1
            }
            let count = index - digits
            guard count > 0, !(count > 1 && bytes[digits] == UInt8(ascii: "0")), !(negative && magnitude == 0) else {
                return nil
            }
            if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
            return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
        }

        /// A string in the writer's form: raw bytes but `"`, `\` and controls; those escaped as `\"`, `\\`, `\b`,
        /// `\t`, `\n`, `\f`, `\r`, or `\u00xx` in lower case for the other controls. `text` is nil when it held an
        /// escape. `range` is its content, between the quotes.
        mutating func string() -> (range: Range<Int>, text: String?)? {
            guard expect(UInt8(ascii: "\"")) else { return nil }
            let start = index
            var escaped = false
            while let byte = peek() {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    let range = start..<(index - 1)
                    if escaped { return (range, nil) }
                    return (range, String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
                case UInt8(ascii: "\\"):
                    escaped = true
                    guard let escape = peek() else { return nil }
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "t"),
                        UInt8(ascii: "n"),
                        UInt8(ascii: "f"), UInt8(ascii: "r"):
                        continue
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count, bytes[index] == UInt8(ascii: "0"),
                            bytes[index + 1] == UInt8(ascii: "0"), let high = hex(bytes[index + 2]),
                            let low = hex(bytes[index + 3]), high <= 1
                        else { return nil }
                        // Only the controls without a short form are written this way.
                        guard ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(high << 4 | low) else { return nil }
                        index += 4
                    default: return nil
                    }
                case 0x00..<0x20: return nil
                default: continue
                }
            }
            return nil
        }

        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
            default: nil
            }
        }

        /// Whether a key comes strictly after the one before it, in UTF-16 code unit order. Keys that held an
        /// escape are not compared here (nil: the caller parses the text).
        func ordered(_ previous: Range<Int>?, _ key: Range<Int>) -> Bool {
            guard let previous else { return true }
            let first = UnsafeBufferPointer(rebasing: bytes[previous])
            let second = UnsafeBufferPointer(rebasing: bytes[key])
            guard !first.contains(UInt8(ascii: "\\")), !second.contains(UInt8(ascii: "\\")) else { return false }
            if !first.contains(where: { $0 >= 0xEE }) && !second.contains(where: { $0 >= 0xEE }) {
                return first.lexicographicallyPrecedes(second)
            }
            let a = String(decoding: first, as: UTF8.self)
            let b = String(decoding: second, as: UTF8.self)
            return a.utf16.lexicographicallyPrecedes(b.utf16)
        }
    }
}
