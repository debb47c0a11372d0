/// Byte-level helpers for the CSV reader: UTF-8 validation and locating an offset as a line and a column.
enum CSVBytes {
    static let quote: UInt8 = 0x22
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A

    /// The offset of the first byte of the first invalid UTF-8 sequence in `p[0..<count]`, or nil if there is none.
    ///
    /// With `partial`, a sequence cut short by the end of the range is not an error, because more bytes may follow.
    static func firstInvalidUTF8(_ p: UnsafePointer<UInt8>, count: Int, partial: Bool) -> Int? {
        var i = 0
        while i < count {
            // Contact lists are mostly ASCII (digits, e-mail addresses, dates): test eight bytes at a time.
            while i + 8 <= count {
                let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            guard i < count else { return nil }
            let lead = p[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF:
                length = 2
            case 0xE0:
                length = 3
                low = 0xA0  // no overlong forms
            case 0xE1...0xEC, 0xEE...0xEF:
                length = 3
            case 0xED:
                length = 3
                high = 0x9F  // no surrogates
            case 0xF0:
                length = 4
                low = 0x90  // no overlong forms
            case 0xF1...0xF3:
                length = 4
            case 0xF4:
                length = 4
                high = 0x8F  // nothing above U+10FFFF
            default:
                return i
            }
            if i + 1 >= count { return partial ? nil : i }
            let second = p[i + 1]
            if second < low || second > high { return i }
            var k = 2
            while k < length {
                if i + k >= count { return partial ? nil : i }
                if p[i + k] & 0xC0 != 0x80 { return i }
                k += 1
            }
            i += length
        }
        return nil
    }

    /// The 1-based line and column (in Unicode scalars) of `offset` in text that starts a record on `firstLine`.
    static func position(of offset: Int, in p: UnsafePointer<UInt8>, firstLine: Int) -> (line: Int, column: Int) {
        var line = firstLine
        var lineStart = 0
        var i = 0
        while i < offset {
            let byte = p[i]
            if byte == cr {
                line += 1
                lineStart = i + 1
            } else if byte == lf {
                if i == 0 || p[i - 1] != cr { line += 1 }
                lineStart = i + 1
            }
            i += 1
        }
        var column = 1
        i = lineStart
        while i < offset {
            if p[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (line, column)
    }
}
