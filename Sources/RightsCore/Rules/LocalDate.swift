import Foundation

/// A day of the solar calendar with no time or zone, as the law counts days (Civil Code 2015 Art. 147).
public struct LocalDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Creates a date, or returns nil when the day does not exist (30 February, month 13).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= LocalDate.daysIn(month: month, year: year) else {
            return nil
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `yyyy-MM-dd`; anything else, or a day that does not exist, gives nil.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else {
            return nil
        }
        self.init(year: year, month: month, day: day)
    }

    /// The date `dayNumber` days after 1970-01-01 (negative before it).
    public init(daysSinceEpoch dayNumber: Int) {
        // Howard Hinnant's civil_from_days: exact proleptic Gregorian arithmetic without Foundation's Calendar,
        // so deadline results cannot depend on the machine's locale or time zone database.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public func adding(days: Int) -> LocalDate {
        LocalDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// Whole days from this date to `other`: negative when `other` is earlier.
    public func days(until other: LocalDate) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }

    public var weekday: Weekday {
        // 1970-01-01 was a Thursday.
        let index = ((daysSinceEpoch + 3) % 7 + 7) % 7
        return Weekday(rawValue: index + 1)!
    }

    /// Saturday or Sunday, the weekly days off of the public sector's five-day week.
    public var isWeekend: Bool {
        weekday == .saturday || weekday == .sunday
    }

    public var description: String {
        let paddedYear = String(year).count < 4 ? String(repeating: "0", count: 4 - String(year).count) : ""
        return paddedYear + String(year) + "-" + LocalDate.twoDigits(month) + "-" + LocalDate.twoDigits(day)
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a date as yyyy-MM-dd, got \(text)")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0" + String(value) : String(value)
    }

    static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// A day of the week, numbered as ISO 8601 does (Monday is 1).
public enum Weekday: Int, Sendable, Codable, CaseIterable {
    case monday = 1
    case tuesday
    case wednesday
    case thursday
    case friday
    case saturday
    case sunday
}

/// Conversions between instants and Vietnam's civil time, UTC+07:00 all year (Vietnam has no daylight saving).
public enum VietnamTime {
    /// Seconds east of UTC; fixed because `Asia/Ho_Chi_Minh` has not changed offset since 1975.
    public static let offsetSeconds = 7 * 3600

    /// The Vietnam calendar day in which the instant falls.
    public static func date(of instant: Date) -> LocalDate {
        let local = Int((instant.timeIntervalSince1970 + Double(offsetSeconds)).rounded(.down))
        return LocalDate(daysSinceEpoch: floorDivide(local, 86_400))
    }

    /// 00:00 Vietnam time at the start of the day.
    public static func startOfDay(_ day: LocalDate) -> Date {
        Date(timeIntervalSince1970: Double(day.daysSinceEpoch * 86_400 - offsetSeconds))
    }

    /// 24:00 Vietnam time at the end of the day, which is the same instant as 00:00 of the next day.
    public static func endOfDay(_ day: LocalDate) -> Date {
        startOfDay(day.adding(days: 1))
    }

    /// The instant at a Vietnam wall-clock time, for tests and for parsing dates given without an offset.
    public static func instant(_ day: LocalDate, hour: Int = 0, minute: Int = 0, second: Int = 0) -> Date {
        startOfDay(day).addingTimeInterval(Double(hour * 3600 + minute * 60 + second))
    }

    /// ISO 8601 with the `+07:00` offset, to whole seconds, as the command-line contract prints times.
    public static func iso8601(_ instant: Date) -> String {
        Timestamp.vietnam(Date(timeIntervalSince1970: instant.timeIntervalSince1970.rounded(.down)))
    }

    private static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }
}
