import Foundation

/// Reads and writes the times of CONTRACT.md: ISO 8601 with an offset, a bare date (00:00 Vietnam time), and in
/// CSV files also `dd/mm/yyyy[ HH:MM[:SS]]` read as Vietnam time. Vietnam has kept UTC+07:00 since 1975.
public enum Timestamp {
    public static let vietnamOffsetSeconds = 7 * 3600

    /// Parses a time as a person writes it; `endOfDay` reads a bare date as 24:00 of that day (the end of a range).
    public static func parse(_ text: some StringProtocol, endOfDay: Bool = false) -> Date? {
        var bytes = Array(text.utf8)
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes.removeFirst() }
        return bytes.withUnsafeBufferPointer { parse(bytes: $0, endOfDay: endOfDay) }
    }

    /// The byte-level parser behind `parse`, fast enough for a consent column on millions of rows.
    public static func parse(bytes: UnsafeBufferPointer<UInt8>, endOfDay: Bool = false) -> Date? {
        var cursor = Cursor(bytes: bytes)
        if bytes.count >= 10, bytes[2] == UInt8(ascii: "/") || bytes[1] == UInt8(ascii: "/") {
            return parseDayFirst(&cursor, endOfDay: endOfDay)
        }
        guard let year = cursor.number(digits: 4), cursor.take(UInt8(ascii: "-")),
            let month = cursor.number(digits: 2), cursor.take(UInt8(ascii: "-")),
            let day = cursor.number(digits: 2), isValidDate(year: year, month: month, day: day)
        else { return nil }
        if cursor.atEnd {
            let days = daysFromCivil(year: year, month: month, day: day) + (endOfDay ? 1 : 0)
            return Date(timeIntervalSince1970: TimeInterval(days * 86400 - vietnamOffsetSeconds))
        }
        guard cursor.take(UInt8(ascii: "T")) || cursor.take(UInt8(ascii: " ")) || cursor.take(UInt8(ascii: "t")),
            let clock = parseClock(&cursor)
        else { return nil }
        var seconds = Double(daysFromCivil(year: year, month: month, day: day) * 86400) + clock
        if cursor.take(UInt8(ascii: "Z")) || cursor.take(UInt8(ascii: "z")) {
            // UTC as written.
        } else if let sign = cursor.peek, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            cursor.advance()
            guard let hours = cursor.number(digits: 2), hours <= 14 else { return nil }
            _ = cursor.take(UInt8(ascii: ":"))
            guard let minutes = cursor.number(digits: 2), minutes < 60 else { return nil }
            let offset = Double(hours * 3600 + minutes * 60)
            seconds -= sign == UInt8(ascii: "+") ? offset : -offset
        } else {
            return nil  // an ISO time without an offset is ambiguous: refuse rather than guess
        }
        guard cursor.atEnd else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    private static func parseDayFirst(_ cursor: inout Cursor, endOfDay: Bool) -> Date? {
        guard let day = cursor.number(minDigits: 1, maxDigits: 2), cursor.take(UInt8(ascii: "/")),
            let month = cursor.number(minDigits: 1, maxDigits: 2), cursor.take(UInt8(ascii: "/")),
            let year = cursor.number(digits: 4), isValidDate(year: year, month: month, day: day)
        else { return nil }
        var seconds = Double(daysFromCivil(year: year, month: month, day: day) * 86400 - vietnamOffsetSeconds)
        if cursor.atEnd { return Date(timeIntervalSince1970: seconds + (endOfDay ? 86400 : 0)) }
        guard cursor.take(UInt8(ascii: " ")), let clock = parseClock(&cursor), cursor.atEnd else { return nil }
        seconds += clock
        return Date(timeIntervalSince1970: seconds)
    }

    private static func parseClock(_ cursor: inout Cursor) -> Double? {
        guard let hour = cursor.number(digits: 2), hour <= 24, cursor.take(UInt8(ascii: ":")),
            let minute = cursor.number(digits: 2), minute < 60
        else { return nil }
        var second = 0.0
        if cursor.take(UInt8(ascii: ":")) {
            guard let whole = cursor.number(digits: 2), whole <= 60 else { return nil }
            second = Double(whole)
            if cursor.take(UInt8(ascii: ".")) || cursor.take(UInt8(ascii: ",")) {
                var scale = 0.1
                var any = false
                while let byte = cursor.peek, byte >= 0x30, byte <= 0x39 {
                    second += Double(byte - 0x30) * scale
                    scale /= 10
                    any = true
                    cursor.advance()
                }
                guard any else { return nil }
            }
        }
        if hour == 24 && (minute != 0 || second != 0) { return nil }
        return Double(hour * 3600 + minute * 60) + second
    }

    static func isValidDate(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return day <= (month == 2 && leap ? 29 : lengths[month - 1])
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The civil date of a day count since 1970-01-01.
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (month <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, month, day)
    }

    /// ISO 8601 in Vietnam time, `2026-03-02T10:00:00+07:00` (milliseconds only when there are some).
    public static func vietnam(_ date: Date) -> String { format(date, offsetSeconds: vietnamOffsetSeconds) }

    /// ISO 8601 in UTC with milliseconds, the form stored on the audit chain.
    public static func utc(_ date: Date) -> String { format(date, offsetSeconds: 0, alwaysMillis: true) }

    /// The Vietnam calendar date, `2026-03-02`.
    public static func vietnamDate(_ date: Date) -> String {
        let millis = milliseconds(date) + Int64(vietnamOffsetSeconds) * 1000
        let days = Int((millis - ((millis % 86_400_000) + 86_400_000) % 86_400_000) / 86_400_000)
        let (y, m, d) = civilFromDays(days)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    public static func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    private static func format(_ date: Date, offsetSeconds: Int, alwaysMillis: Bool = false) -> String {
        let local = milliseconds(date) + Int64(offsetSeconds) * 1000
        let millisOfDay = Int(((local % 86_400_000) + 86_400_000) % 86_400_000)
        let days = Int((local - Int64(millisOfDay)) / 86_400_000)
        let (y, m, d) = civilFromDays(days)
        let seconds = millisOfDay / 1000
        var text = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2))"
        text += ":\(pad(seconds % 60, 2))"
        if alwaysMillis || millisOfDay % 1000 != 0 { text += ".\(pad(millisOfDay % 1000, 3))" }
        if offsetSeconds == 0 { return text + "Z" }
        return text + "+\(pad(offsetSeconds / 3600, 2)):\(pad(offsetSeconds / 60 % 60, 2))"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    var atEnd: Bool { index == bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func advance() { index += 1 }

    mutating func take(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    mutating func number(digits: Int) -> Int? { number(minDigits: digits, maxDigits: digits) }

    mutating func number(minDigits: Int, maxDigits: Int) -> Int? {
        var value = 0
        var count = 0
        while count < maxDigits, let byte = peek, byte >= 0x30, byte <= 0x39 {
            value = value * 10 + Int(byte - 0x30)
            count += 1
            index += 1
        }
        return count >= minDigits ? value : nil
    }
}
