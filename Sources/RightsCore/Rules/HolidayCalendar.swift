import Foundation

/// One dated entry of the holiday calendar: a day off, or a weekend day made a working day.
public struct CalendarEntry: Sendable, Hashable, Codable {
    /// What the government made of the day.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A public holiday named in Labour Code 2019 Art. 112(1), or one the government adds.
        case holiday
        /// A day off in place of a holiday that fell on a weekly day off (Labour Code 2019 Art. 111(3)).
        case substituteDayOff = "substitute-day-off"
        /// A working day given off to bridge a holiday, paid back by a swapped working day.
        case bridgingDayOff = "bridging-day-off"
        /// A Saturday or Sunday worked to pay back a bridging day off.
        case swappedWorkingDay = "swapped-working-day"
        /// A holiday announced as planned but not yet law (Ngày Văn hóa Việt Nam, 24 November): listed, never
        /// counted as a day off until an officer confirms it with `holidays add`.
        case plannedHoliday = "planned-holiday"
    }

    /// How far the entry can be trusted, on the scale of RULES-VN.md.
    public enum Confidence: String, Sendable, Hashable, Codable, CaseIterable {
        /// Read in the official text.
        case high
        /// Consistent secondary sources (news reports of the announcement).
        case medium
        /// Projected by rule for a year not yet announced, or a proposal not yet confirmed.
        case low
        /// Entered by a privacy officer (`holidays add`).
        case officer
    }

    public var date: LocalDate
    /// The Vietnamese name, with full diacritics.
    public var name: String
    public var kind: Kind
    public var confidence: Confidence
    public var source: String

    public init(date: LocalDate, name: String, kind: Kind, confidence: Confidence, source: String) {
        self.date = date
        self.name = name
        self.kind = kind
        self.confidence = confidence
        self.source = source
    }

    /// Whether people work that day (only swapped working days say yes).
    public var isWorking: Bool {
        kind == .swappedWorkingDay
    }
}

/// Which days end a period late, a choice the company makes (`holidays reading`). Civil Code 2015 Art. 148(5)
/// names only weekends and public holidays; the government's yearly notices also give bridging days off, paid
/// back on a Saturday, to civil servants.
public enum CalendarReading: String, Sendable, Hashable, Codable, CaseIterable {
    /// The Civil Code as written (the default): Saturdays, Sundays, the Labour Code's public holidays and their
    /// substitute days off (Art. 111(3), 112). A bridging day off is a working day; a swapped Saturday stays a
    /// weekend day.
    case statutory
    /// The government's announced schedule: bridging days off are days off and swapped Saturdays working days,
    /// as public offices keep them.
    case announced

    /// Whether an entry of that kind decides the day under this reading.
    public func counts(_ kind: CalendarEntry.Kind) -> Bool {
        switch kind {
        case .holiday, .substituteDayOff: true
        case .bridgingDayOff, .swappedWorkingDay: self == .announced
        case .plannedHoliday: false
        }
    }
}

/// Vietnam's public holidays, substitute days off and swapped working days, extendable by an officer.
public struct HolidayCalendar: Sendable, Hashable, Codable {
    /// Which entries count (the company's choice; statutory by default).
    public var reading: CalendarReading = .statutory
    /// The shipped entries, one per date.
    public private(set) var shipped: [CalendarEntry]
    /// The entries an officer added, in the order added; a later one for a date wins over anything earlier.
    public private(set) var added: [CalendarEntry]

    public init(shipped: [CalendarEntry], added: [CalendarEntry] = []) {
        self.shipped = shipped.sorted { $0.date < $1.date }
        self.added = added
    }

    /// A calendar with one more officer entry: a day off, or with `working` a swapped working day.
    public func adding(date: LocalDate, name: String, working: Bool) -> HolidayCalendar {
        var copy = self
        copy.added.append(
            CalendarEntry(
                date: date, name: name, kind: working ? .swappedWorkingDay : .holiday, confidence: .officer,
                source: "Added by a privacy officer"))
        return copy
    }

    /// The entry listed for the day: the latest officer entry, else the shipped one.
    public func entry(on day: LocalDate) -> CalendarEntry? {
        added.last { $0.date == day } ?? shipped.first { $0.date == day }
    }

    /// The entry that decides the day under the calendar's reading, if any. An officer's own entry always does:
    /// it is the company's statement about that day.
    public func decidingEntry(on day: LocalDate) -> CalendarEntry? {
        if let officer = added.last(where: { $0.date == day }) { return officer }
        return shipped.first { $0.date == day && reading.counts($0.kind) }
    }

    /// Every entry in force, one per date, in date order; optionally only one year's.
    public func entries(year: Int? = nil) -> [CalendarEntry] {
        var byDate: [LocalDate: CalendarEntry] = [:]
        for entry in shipped + added {
            byDate[entry.date] = entry
        }
        return byDate.values
            .filter { year == nil || $0.date.year == year }
            .sorted { $0.date < $1.date }
    }

    /// Whether offices work that day: Monday to Friday unless a day off, weekends only when swapped.
    public func isWorkingDay(_ day: LocalDate) -> Bool {
        if let entry = decidingEntry(on: day) {
            return entry.isWorking
        }
        return !day.isWeekend
    }

    /// The years whose holidays the calendar ships; outside them only weekends and added days are known.
    public var coveredYears: ClosedRange<Int>? {
        guard let first = shipped.first?.date.year, let last = shipped.last?.date.year else {
            return nil
        }
        return first...last
    }

    /// The first working day on or after the given day.
    public func workingDay(onOrAfter day: LocalDate) -> LocalDate {
        var candidate = day
        var steps = 0
        // Every shipped break is under two weeks; the bound only guards against a calendar where an officer
        // marked a whole year off, which would otherwise loop for ever.
        while !isWorkingDay(candidate) && steps < 366 {
            candidate = candidate.adding(days: 1)
            steps += 1
        }
        return candidate
    }
}
