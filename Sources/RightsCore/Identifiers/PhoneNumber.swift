/// A phone number in E.164 form, e.g. "+84912345678".
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    public let e164: String
    public var isVietnamese: Bool { kind != .foreign }

    /// The kind of line a number reaches, as far as its numbering plan tells.
    public enum Kind: String, Sendable {
        case mobile
        case landline
        case foreign
    }

    public let kind: Kind

    public var description: String { e164 }

    @usableFromInline
    init(e164: String, kind: Kind) {
        self.e164 = e164
        self.kind = kind
    }

    /// Parses every common written form (CONTRACT.md "Identifiers"); throws a reason when invalid.
    @inlinable
    public init(parsing text: some StringProtocol) throws(PhoneNumberError) {
        let fast = text.utf8.withContiguousStorageIfAvailable { Self.parse(utf8: $0) }
        let result: Result<PhoneNumber, PhoneNumberError>
        if let fast {
            result = fast
        } else {
            var copy = String(text)
            result = copy.withUTF8 { Self.parse(utf8: $0) }
        }
        switch result {
        case .success(let number): self = number
        case .failure(let error): throw error
        }
    }
}

/// Why a text is not a phone number.
public enum PhoneNumberError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No digits at all.
    case empty
    /// A character that is neither a digit nor a separator.
    case invalidCharacter(Character)
    /// A `+` anywhere but before the first digit.
    case misplacedPlus
    /// A Vietnamese number whose national significant number has `digits` digits; `expected` says how many its
    /// prefix takes ("9", "10" or "9 or 10").
    case wrongLength(digits: Int, expected: String)
    /// A Vietnamese number whose prefix, in national form (`"0123"`), is no mobile or landline range.
    case unassignedPrefix(String)
    /// A foreign number with `digits` digits after the country's `+`, outside 8 to 15.
    case foreignLength(digits: Int)
    /// A `+` or `00` followed by `0`: no country code starts with 0.
    case invalidCountryCode

    public var description: String {
        switch self {
        case .empty:
            return "The phone number has no digits."
        case .invalidCharacter(let character):
            let scalars = character.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }
            return "The phone number contains \"\(character)\" (\(scalars.joined(separator: " "))), "
                + "which is neither a digit nor a separator."
        case .misplacedPlus:
            return "The phone number has a \"+\" that is not at its start."
        case .wrongLength(let digits, let expected):
            return "The Vietnamese number has \(digits) digits after the 0 or +84, "
                + "but numbers with its prefix have \(expected)."
        case .unassignedPrefix(let prefix):
            return "No Vietnamese mobile or landline number starts with \(prefix) under the current numbering plan."
        case .foreignLength(let digits):
            return "An international number has 8 to 15 digits after the \"+\", but this one has \(digits)."
        case .invalidCountryCode:
            return "The phone number starts with \"+0\" or \"000\", and no country code starts with 0."
        }
    }
}

/// Vietnam's mobile and landline ranges, and the 2018 mobile conversion, as data.
enum VietnamNumberingPlan {
    /// One range: national significant numbers that start with `prefix` and have `length` digits.
    struct Assignment: Sendable {
        let prefix: String
        let length: Int
        let kind: PhoneNumber.Kind
        /// The year of the numbering-plan change that made this range, or nil when no recorded change did.
        let since: Int?
    }

    /// An old prefix and the new prefix that replaced it, both in national form ("0162" became "032").
    struct Conversion: Sendable {
        let old: String
        let new: String
        let year: Int
    }

    static let lookup = Lookup(assignments: assignments, conversions: conversions, depth: longestPrefix)

    /// The assignments as flat tables indexed by prefix value, so a parse costs a few array reads.
    struct Lookup: Sendable {
        /// For each prefix of 1 to `depth` digits (the empty prefix at index 0), bit `length` is set when some
        /// mobile range under it has that length and bit `16 + length` when some landline range does.
        let masks: [UInt32]
        let levelStart: [Int]
        let depth: Int
        let conversions: [(old: [UInt8], new: [UInt8])]

        init(assignments: [Assignment], conversions: [Conversion], depth: Int) {
            var levelStart = [0]
            var size = 1
            var width = 1
            for _ in 0..<depth {
                width *= 10
                levelStart.append(size)
                size += width
            }
            var masks = [UInt32](repeating: 0, count: size)
            for assignment in assignments {
                let digits = assignment.prefix.utf8.map { $0 - 0x30 }
                precondition(digits.count <= depth && assignment.length < 16, "assignment outside the table")
                let bit: UInt32 = assignment.kind == .landline ? 1 << (16 + assignment.length) : 1 << assignment.length
                var value = 0
                for digit in digits { value = value * 10 + Int(digit) }
                // Every deeper prefix under this one is covered; every shallower one leads to it.
                var span = 1
                for level in digits.count...depth {
                    for index in value * span..<(value + 1) * span { masks[levelStart[level] + index] |= bit }
                    span *= 10
                }
                var shallower = value
                for level in stride(from: digits.count - 1, through: 0, by: -1) {
                    shallower /= 10
                    masks[levelStart[level] + shallower] |= bit
                }
            }
            self.masks = masks
            self.levelStart = levelStart
            self.depth = depth
            self.conversions = conversions.map { conversion in
                (
                    old: conversion.old.utf8.dropFirst().map { $0 - 0x30 },
                    new: conversion.new.utf8.dropFirst().map { $0 - 0x30 }
                )
            }
        }

        /// The mask of the prefix `digits[start..<start + count]`, `count` at most `depth`.
        @inline(__always)
        func mask(_ digits: UnsafeMutablePointer<UInt8>, start: Int, count: Int) -> UInt32 {
            var value = 0
            for offset in 0..<count { value = value &* 10 &+ Int(digits[start &+ offset]) }
            return masks[levelStart[count] &+ value]
        }

        /// Bit `length` set for every length, mobile or landline, under the prefix `digits[start..<start + count]`.
        func lengths(_ digits: UnsafeMutablePointer<UInt8>, start: Int, count: Int) -> UInt32 {
            let mask = mask(digits, start: start, count: count)
            return (mask | mask >> 16) & 0xFFFF
        }
    }
}

extension PhoneNumber {
    /// Room for `00`, a 15-digit E.164 number and some slack; more digits are counted, not kept.
    private static let digitCapacity = 24

    @usableFromInline
    static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Result<PhoneNumber, PhoneNumberError> {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: digitCapacity) { buffer in
            parse(bytes, digits: buffer.baseAddress!)
        }
    }

    // How the digits are read, in this order, once separators, Unicode spaces and zero-width characters are
    // dropped and full-width digits folded:
    // - `+` or `00`, then `84`: Vietnamese; a `0` right after `84` is the national prefix written out of habit
    //   (`+84 (0) 912 345 678`), so it is dropped. `+` or `00` then anything else: foreign, 8 to 15 digits.
    // - A leading `0`: the national prefix.
    // - `84` and at least 11 digits in all: the country code without `+` (`84912345678`). No Vietnamese number is
    //   11 digits or longer without its `0`, so this never swallows a national number; and `0841234567`
    //   (VinaPhone 084) keeps its national reading because it starts with `0`.
    // - Anything else: a national significant number whose `0` a spreadsheet dropped (`912345678`), as
    //   libphonenumber also reads it. Its lengths (9 or 10) never meet those of the `84` reading (11 or 12).
    // - A number the current plan rejects but whose prefix is a pre-2018 mobile one (`01662345678`, 11 digits with
    //   the `0`) becomes its new form (`+84362345678`). The lengths keep this unambiguous: `0121 012 345` is a
    //   current 9-digit MobiFone number, `0121 012 3456` an old one now `079 012 3456`. Landline codes from before
    //   2017 are not converted: old Ho Chi Minh City `08` + 8 digits reads today as VinaPhone `083`..., so
    //   converting would guess.
    private static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, digits: UnsafeMutablePointer<UInt8>
    ) -> Result<PhoneNumber, PhoneNumberError> {
        var count = 0
        var plus = false
        var index = 0
        let end = bytes.count
        while index < end {
            let byte = bytes[index]
            let digit = byte &- 0x30
            if digit < 10 {
                if count < digitCapacity { digits[count] = digit }
                count &+= 1
                index &+= 1
                continue
            }
            switch byte {
            case 0x20, 0x2E, 0x2D, 0x28, 0x29, 0x09...0x0D:
                index &+= 1
            case 0x2B:
                if count != 0 || plus { return .failure(.misplacedPlus) }
                plus = true
                index &+= 1
            case 0xC2 where index &+ 1 < end && bytes[index &+ 1] == 0xA0:
                index &+= 2
            case 0xE0...0xEF where index &+ 2 < end:
                let scalar =
                    UInt32(byte & 0x0F) << 12 | UInt32(bytes[index &+ 1] & 0x3F) << 6 | UInt32(bytes[index &+ 2] & 0x3F)
                switch scalar {
                case 0xFF10...0xFF19:
                    if count < digitCapacity { digits[count] = UInt8(scalar - 0xFF10) }
                    count &+= 1
                case 0xFF0B:
                    if count != 0 || plus { return .failure(.misplacedPlus) }
                    plus = true
                // Unicode spaces, zero-width characters pasted along with numbers, dashes and full-width
                // parentheses, dots and hyphens all separate digits and nothing else.
                case 0x1680, 0x2000...0x200D, 0x2010...0x2015, 0x2028, 0x2029, 0x202F, 0x205F, 0x2060, 0x2212,
                    0x3000, 0xFEFF, 0xFF08, 0xFF09, 0xFF0D, 0xFF0E:
                    break
                default:
                    return .failure(.invalidCharacter(character(in: bytes, at: index)))
                }
                index &+= 3
            default:
                return .failure(.invalidCharacter(character(in: bytes, at: index)))
            }
        }
        if count == 0 { return .failure(.empty) }
        if plus { return international(digits, start: 0, count: count) }
        if count >= 2 && digits[0] == 0 && digits[1] == 0 { return international(digits, start: 2, count: count) }
        if digits[0] == 0 { return vietnamese(digits, start: 1, count: count) }
        if count >= 11 && digits[0] == 8 && digits[1] == 4 { return afterCountryCode(digits, start: 2, count: count) }
        return vietnamese(digits, start: 0, count: count)
    }

    private static func character(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Character {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[index...]), as: UTF8.self).first!
    }

    private static func international(
        _ digits: UnsafeMutablePointer<UInt8>, start: Int, count: Int
    ) -> Result<PhoneNumber, PhoneNumberError> {
        let length = count - start
        if length >= 2 && digits[start] == 8 && digits[start + 1] == 4 {
            return afterCountryCode(digits, start: start + 2, count: count)
        }
        if length > 0 && digits[start] == 0 { return .failure(.invalidCountryCode) }
        guard length >= 8 && length <= 15 else { return .failure(.foreignLength(digits: length)) }
        let e164 = String(unsafeUninitializedCapacity: length + 1) { out in
            out[0] = 0x2B
            for offset in 0..<length { out[offset + 1] = digits[start + offset] | 0x30 }
            return length + 1
        }
        return .success(PhoneNumber(e164: e164, kind: .foreign))
    }

    private static func afterCountryCode(
        _ digits: UnsafeMutablePointer<UInt8>, start: Int, count: Int
    ) -> Result<PhoneNumber, PhoneNumberError> {
        // "+84 (0) 912 ..." and "+84 0912 ...": the national prefix written after the country code.
        let start = start < count && digits[start] == 0 ? start + 1 : start
        return vietnamese(digits, start: start, count: count)
    }

    /// Validates the national significant number `digits[start..<count]`.
    private static func vietnamese(
        _ digits: UnsafeMutablePointer<UInt8>, start: Int, count: Int
    ) -> Result<PhoneNumber, PhoneNumberError> {
        let plan = VietnamNumberingPlan.lookup
        let length = count - start
        if let kind = kind(plan, digits, start: start, length: length) {
            return .success(PhoneNumber(e164: vietnameseE164(digits, start: start, length: length), kind: kind))
        }
        // An old-form prefix whose number has the wrong length: bit `length` set for each length it would need.
        var oldFormLengths: UInt32 = 0
        for conversion in plan.conversions where length > conversion.old.count {
            var matches = true
            for offset in 0..<conversion.old.count where digits[start + offset] != conversion.old[offset] {
                matches = false
                break
            }
            guard matches else { continue }
            // Rewrite the old prefix in place (the new one is never longer), then judge by the current plan.
            let shift = conversion.old.count - conversion.new.count
            let newStart = start + shift
            for offset in 0..<conversion.new.count { digits[newStart + offset] = conversion.new[offset] }
            let newLength = length - shift
            if let kind = kind(plan, digits, start: newStart, length: newLength) {
                return .success(
                    PhoneNumber(e164: vietnameseE164(digits, start: newStart, length: newLength), kind: kind)
                )
            }
            oldFormLengths =
                plan.lengths(digits, start: newStart, count: min(plan.depth, conversion.new.count)) << shift
            for offset in 0..<conversion.old.count { digits[start + offset] = conversion.old[offset] }
            break
        }
        let failure = reason(plan, digits, start: start, length: length)
        // Calling 0166 + 9 digits "unassigned" would mislead: it is an old prefix with a digit missing.
        if case .unassignedPrefix = failure, oldFormLengths != 0 {
            return .failure(.wrongLength(digits: length, expected: String(oldFormLengths.trailingZeroBitCount)))
        }
        return .failure(failure)
    }

    @inline(__always)
    private static func kind(
        _ plan: VietnamNumberingPlan.Lookup, _ digits: UnsafeMutablePointer<UInt8>, start: Int, length: Int
    ) -> Kind? {
        guard length >= plan.depth && length < 16 && start + length <= digitCapacity else { return nil }
        let mask = plan.mask(digits, start: start, count: plan.depth)
        if mask & (1 << UInt32(length)) != 0 { return .mobile }
        if mask & (1 << UInt32(16 + length)) != 0 { return .landline }
        return nil
    }

    private static func reason(
        _ plan: VietnamNumberingPlan.Lookup, _ digits: UnsafeMutablePointer<UInt8>, start: Int, length: Int
    ) -> PhoneNumberError {
        var mask = plan.masks[0]
        for prefixLength in 1...max(1, min(plan.depth, length)) where prefixLength <= length {
            mask = plan.mask(digits, start: start, count: prefixLength)
            if mask == 0 {
                var national = "0"
                for offset in 0..<prefixLength {
                    national.append(Character(Unicode.Scalar(digits[start + offset] | 0x30)))
                }
                return .unassignedPrefix(national)
            }
        }
        let lengths = (mask | mask >> 16) & 0xFFFF
        let expected = (0..<16).filter { lengths & (1 << UInt32($0)) != 0 }.map(String.init)
        return .wrongLength(digits: length, expected: expected.joined(separator: " or "))
    }

    private static func vietnameseE164(_ digits: UnsafeMutablePointer<UInt8>, start: Int, length: Int) -> String {
        String(unsafeUninitializedCapacity: length + 3) { out in
            out[0] = 0x2B
            out[1] = 0x38
            out[2] = 0x34
            for offset in 0..<length { out[offset + 3] = digits[start + offset] | 0x30 }
            return length + 3
        }
    }
}
