import Foundation

/// Reads and writes the times of CONTRACT.md: ISO 8601 with an offset, a bare date (00:00 Vietnam time), and in
/// CSV files also `dd/mm/yyyy[ HH:MM[:SS]]` read as Vietnam time. Vietnam has kept UTC+07:00 since 1975.
public enum Timestamp {
    public static let vietnamOffsetSeconds = VietnamTime.offsetSeconds

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
        if bytes.count >= 8, bytes[2] == UInt8(ascii: "/") || bytes[1] == UInt8(ascii: "/") {
            return parseDayFirst(&cursor, endOfDay: endOfDay)
        }
        guard let year = cursor.number(digits: 4), cursor.take(UInt8(ascii: "-")),
            let month = cursor.number(digits: 2), cursor.take(UInt8(ascii: "-")),
            let day = cursor.number(digits: 2), let date = LocalDate(year: year, month: month, day: day)
        else { return nil }
        if cursor.atEnd { return endOfDay ? VietnamTime.endOfDay(date) : VietnamTime.startOfDay(date) }
        guard cursor.take(UInt8(ascii: "T")) || cursor.take(UInt8(ascii: " ")) || cursor.take(UInt8(ascii: "t")),
            let clock = parseClock(&cursor)
        else { return nil }
        var seconds = Double(date.daysSinceEpoch * 86400) + clock
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
            let year = cursor.number(digits: 4), let date = LocalDate(year: year, month: month, day: day)
        else { return nil }
        if cursor.atEnd { return endOfDay ? VietnamTime.endOfDay(date) : VietnamTime.startOfDay(date) }
        var seconds = VietnamTime.startOfDay(date).timeIntervalSince1970
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

    /// ISO 8601 in Vietnam time, `2026-03-02T10:00:00+07:00` (milliseconds only when there are some).
    public static func vietnam(_ date: Date) -> String { format(date, offsetSeconds: vietnamOffsetSeconds) }

    /// ISO 8601 in Vietnam time with milliseconds, `2026-03-02T10:00:00.000+07:00`: the form the audit chain stores
    /// (and so evidence bundles show) from format 2 of the bundles on; earlier events keep their UTC form.
    public static func vietnamPrecise(_ date: Date) -> String {
        format(date, offsetSeconds: vietnamOffsetSeconds, alwaysMillis: true)
    }

    /// ISO 8601 in UTC with milliseconds, the form files outside the chain keep (key files, backups, journals).
    public static func utc(_ date: Date) -> String { format(date, offsetSeconds: 0, alwaysMillis: true) }

    /// The Vietnam calendar date, `2026-03-02`.
    public static func vietnamDate(_ date: Date) -> String { VietnamTime.date(of: date).description }

    public static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    public static func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    private static func format(_ date: Date, offsetSeconds: Int, alwaysMillis: Bool = false) -> String {
        let local = milliseconds(date) + Int64(offsetSeconds) * 1000
        let millisOfDay = Int(((local % 86_400_000) + 86_400_000) % 86_400_000)
        let day = LocalDate(daysSinceEpoch: Int((local - Int64(millisOfDay)) / 86_400_000))
        let seconds = millisOfDay / 1000
        var text = "\(day)T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2))"
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
