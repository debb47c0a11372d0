import Foundation

/// The acknowledgement and performance deadlines of one request, fixed at intake or at its extension.
public struct Deadlines: Sendable, Hashable, Codable {
    /// The instant the acknowledgement period ends (24:00 Vietnam time of `ackDueDate`, or `due` under Decree 13).
    public var ackDue: Date
    /// The last day of the acknowledgement period, inclusive, in Vietnam time.
    public var ackDueDate: LocalDate
    /// The instant the performance period ends.
    public var due: Date
    /// The last day of the performance period, inclusive, in Vietnam time.
    public var dueDate: LocalDate
    /// The provisions that set the period and the way it was counted.
    public var citation: String

    public init(ackDue: Date, ackDueDate: LocalDate, due: Date, dueDate: LocalDate, citation: String) {
        self.ackDue = ackDue
        self.ackDueDate = ackDueDate
        self.due = due
        self.dueDate = dueDate
        self.citation = citation
    }

    enum CodingKeys: String, CodingKey {
        case ackDue = "ack_due"
        case ackDueDate = "ack_due_date"
        case due
        case dueDate = "due_date"
        case citation
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ackDue = try container.decodeVietnamInstant(forKey: .ackDue)
        ackDueDate = try container.decode(LocalDate.self, forKey: .ackDueDate)
        due = try container.decodeVietnamInstant(forKey: .due)
        dueDate = try container.decode(LocalDate.self, forKey: .dueDate)
        citation = try container.decode(String.self, forKey: .citation)
    }

    public func encode(to encoder: any Encoder) throws {
        // Written as the command-line contract prints times (ISO 8601, +07:00), whatever the encoder's date strategy.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(VietnamTime.iso8601(ackDue), forKey: .ackDue)
        try container.encode(ackDueDate, forKey: .ackDueDate)
        try container.encode(VietnamTime.iso8601(due), forKey: .due)
        try container.encode(dueDate, forKey: .dueDate)
        try container.encode(citation, forKey: .citation)
    }

}

/// Why a deadline cannot be computed as asked.
public enum DeadlineError: Error, Hashable, CustomStringConvertible {
    /// The rule set allows no extension for that type (Decree 13 allows none at all).
    case extensionNotAllowed(ruleSet: String, type: RequestType)

    public var description: String {
        switch self {
        case .extensionNotAllowed(let ruleSet, let type):
            return "\(ruleSet) allows no extension of a \(type.rawValue) request"
        }
    }
}

/// Computes legal deadlines from a rule set, a receipt instant and a holiday calendar; it never reads the clock.
public struct DeadlineCalculator: Sendable {
    public var calendar: HolidayCalendar

    public init(calendar: HolidayCalendar = .vietnam) {
        self.calendar = calendar
    }

    /// The deadlines of a request received at `receivedAt` under the given rule set.
    public func deadlines(
        for type: RequestType, processors: Bool, receivedAt: Date, under ruleSet: RuleSet
    ) -> Deadlines {
        let rule = ruleSet.rule(for: type)
        let (due, dueDate) = end(of: rule.period(processors: processors), from: receivedAt)
        var citations = [rule.citation]
        var ackDue = due
        var ackDueDate = dueDate
        if let acknowledgement = ruleSet.acknowledgement {
            (ackDue, ackDueDate) = end(of: acknowledgement.period, from: receivedAt)
            citations.append("acknowledgement: " + acknowledgement.citation)
        }
        citations.append(countingCitation(ruleSet))
        return Deadlines(
            ackDue: ackDue, ackDueDate: ackDueDate, due: due, dueDate: dueDate,
            citation: citations.joined(separator: "; "))
    }

    /// The deadlines after the single extension: receipt + period + extension, counted as one period and then
    /// rolled forward, so a day off inside the original period does not push the new end further.
    public func extendedDeadlines(
        for type: RequestType, processors: Bool, receivedAt: Date, under ruleSet: RuleSet
    ) throws -> Deadlines {
        let rule = ruleSet.rule(for: type)
        guard let extensionPeriod = rule.extensionPeriod else {
            throw DeadlineError.extensionNotAllowed(ruleSet: ruleSet.id, type: type)
        }
        let base = rule.period(processors: processors)
        guard base.unit == extensionPeriod.unit else {
            // Shipped data never mixes units; a policy cannot either (it must keep the law's unit).
            preconditionFailure("period and extension of \(type.rawValue) in \(ruleSet.id) differ in unit")
        }
        let original = deadlines(for: type, processors: processors, receivedAt: receivedAt, under: ruleSet)
        let total = Period(amount: base.amount + extensionPeriod.amount, unit: base.unit)
        let (due, dueDate) = end(of: total, from: receivedAt)
        return Deadlines(
            ackDue: original.ackDue, ackDueDate: original.ackDueDate, due: due, dueDate: dueDate,
            citation: original.citation + "; extended once by \(extensionPeriod) (\(rule.citation))")
    }

    /// The instant a period ends and its last day (inclusive), both in Vietnam time.
    public func end(of period: Period, from receivedAt: Date) -> (due: Date, dueDate: LocalDate) {
        let receiptDay = VietnamTime.date(of: receivedAt)
        switch period.unit {
        case .hours:
            let due = receivedAt.addingTimeInterval(Double(period.amount) * 3600)
            // The day holding the period's last moment: a period ending exactly at 00:00 ended with the day before.
            let dueDate = VietnamTime.date(of: due.addingTimeInterval(-0.001))
            return (due, dueDate)
        case .calendarDays:
            // Civil Code Art. 147: the receipt day is not counted, so day 1 is the day after it; Art. 148: a last
            // day that is a weekly day off or a holiday gives way to the next working day.
            let lastDay = calendar.workingDay(onOrAfter: receiptDay.adding(days: period.amount))
            return (VietnamTime.endOfDay(lastDay), lastDay)
        case .workingDays:
            var lastDay = receiptDay
            var counted = 0
            // Bounded like `workingDay(onOrAfter:)`, against a calendar an officer filled with days off.
            while counted < period.amount && lastDay.daysSinceEpoch - receiptDay.daysSinceEpoch < 3660 {
                lastDay = lastDay.adding(days: 1)
                if calendar.isWorkingDay(lastDay) {
                    counted += 1
                }
            }
            return (VietnamTime.endOfDay(lastDay), lastDay)
        }
    }

    private func countingCitation(_ ruleSet: RuleSet) -> String {
        let usesDays =
            ruleSet.requests.contains { $0.period.unit != .hours }
            || ruleSet.acknowledgement.map { $0.period.unit != .hours } ?? false
        return usesDays ? "counted under Civil Code 2015 Art. 147-148" : "counted in hours from receipt"
    }
}
