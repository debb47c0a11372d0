import Foundation

/// Times written as a person reads them in a message, in Vietnam time (+07:00), to the minute:
/// `09:00 ngày 05/01/2025` in Vietnamese, `09:00 on 5 January 2025` in English. Computed from the fixed offset,
/// with no `DateFormatter`, so the words cannot depend on the machine's locale or time zone database.
public enum VietnamDates {
    public enum Language: Sendable {
        case vietnamese, english
    }

    private static let englishMonths = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// The instant as a sentence would say it: `09:00 ngày 05/01/2025` or `09:00 on 5 January 2025`.
    public static func spoken(_ date: Date, language: Language) -> String {
        let local = Int((date.timeIntervalSince1970 + Double(VietnamTime.offsetSeconds)).rounded(.down))
        let secondsOfDay = ((local % 86_400) + 86_400) % 86_400
        let day = LocalDate(daysSinceEpoch: (local - secondsOfDay) / 86_400)
        let clock = twoDigits(secondsOfDay / 3600) + ":" + twoDigits(secondsOfDay / 60 % 60)
        switch language {
        case .vietnamese:
            return "\(clock) ngày \(twoDigits(day.day))/\(twoDigits(day.month))/\(day.year)"
        case .english:
            return "\(clock) on \(day.day) \(englishMonths[day.month - 1]) \(day.year)"
        }
    }

    /// A contract time (`2025-01-05T09:00:00+07:00`) as `spoken` says it, or nil when it does not parse.
    public static func spoken(_ text: some StringProtocol, language: Language) -> String? {
        Timestamp.parse(text).map { spoken($0, language: language) }
    }

    /// A calendar date as a letter writes it: `05/01/2025` in Vietnamese, `5 January 2025` in English.
    public static func day(_ date: LocalDate, language: Language) -> String {
        switch language {
        case .vietnamese: "\(twoDigits(date.day))/\(twoDigits(date.month))/\(date.year)"
        case .english: "\(date.day) \(englishMonths[date.month - 1]) \(date.year)"
        }
    }

    /// A contract date (`2025-01-05`) as `day` writes it; the text itself when it does not parse.
    public static func day(_ text: String, language: Language) -> String {
        LocalDate(text).map { day($0, language: language) } ?? text
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}
