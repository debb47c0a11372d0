import Foundation
import RightsCore
import Testing

/// A Vietnam wall-clock time, e.g. `vn("2026-06-01", 9)` for 2026-06-01T09:00+07:00.
private func vn(_ day: String, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Date {
    VietnamTime.instant(LocalDate(day)!, hour: hour, minute: minute, second: second)
}

private func date(_ text: String) -> LocalDate {
    LocalDate(text)!
}

private let calculator = DeadlineCalculator()

/// One intake under `vn-pdpl-2026` with its deadlines worked out by hand.
struct PDPLCase: CustomTestStringConvertible, Sendable {
    var type: RequestType
    var processors: Bool
    var received: Date
    var ackDueDate: String
    var dueDate: String
    var why: String

    var testDescription: String { why }
}

@Suite("Deadlines under vn-pdpl-2026")
struct PDPLDeadlineTests {
    static let cases: [PDPLCase] = [
        // Mon 1 Jun 2026 09:00. Ack: Tue 2 (1), Wed 3 (2). Perform: day 1 is Tue 2, day 10 is Thu 11 Jun, a working day.
        PDPLCase(
            type: .access, processors: false, received: vn("2026-06-01", 9), ackDueDate: "2026-06-03",
            dueDate: "2026-06-11", why: "access, Monday receipt, plain weekdays"),
        // Same receipt, 15 days: 1 + 15 = Tue 16 Jun, a working day.
        PDPLCase(
            type: .access, processors: true, received: vn("2026-06-01", 9), ackDueDate: "2026-06-03",
            dueDate: "2026-06-16", why: "access with processors"),
        // Fri 24 Apr 2026. Counting starts Sat 25; 10 days ends Mon 4 May, a working day (30 Apr and 1 May are
        // inside the period, not at its end). Ack: Sat 25, Sun 26 off, Mon 27 is the day off for Giỗ Tổ Hùng Vương
        // (Sun 26), so Tue 28 (1), Wed 29 (2).
        PDPLCase(
            type: .correction, processors: false, received: vn("2026-04-24", 10), ackDueDate: "2026-04-29",
            dueDate: "2026-05-04", why: "correction across Hung Kings' substitute day and 30 April"),
        // Fri 24 Apr + 15 = Sat 9 May; Sat and Sun 10 are off, so Mon 11 May.
        PDPLCase(
            type: .correction, processors: true, received: vn("2026-04-24", 10), ackDueDate: "2026-04-29",
            dueDate: "2026-05-11", why: "correction with processors ending on a weekend"),
        // Fri 10 Apr + 20 = Thu 30 Apr (holiday); Fri 1 May (holiday), Sat 2, Sun 3 off; Mon 4 May.
        // Ack: Mon 13 (1), Tue 14 (2).
        PDPLCase(
            type: .deletion, processors: false, received: vn("2026-04-10", 16), ackDueDate: "2026-04-14",
            dueDate: "2026-05-04", why: "deletion ending on 30 April rolls past 1 May and the weekend"),
        // Fri 10 Apr + 30 = Sun 10 May; Mon 11 May.
        PDPLCase(
            type: .deletion, processors: true, received: vn("2026-04-10", 16), ackDueDate: "2026-04-14",
            dueDate: "2026-05-11", why: "deletion with processors ending on a Sunday"),
        // Thu 16 Apr + 15 = Fri 1 May (holiday); Sat 2, Sun 3 off; Mon 4 May. Ack: Fri 17 (1), Mon 20 (2).
        PDPLCase(
            type: .restriction, processors: false, received: vn("2026-04-16", 15), ackDueDate: "2026-04-20",
            dueDate: "2026-05-04", why: "restriction ending on 1 May"),
        // Thu 16 Apr + 20 = Wed 6 May, a working day.
        PDPLCase(
            type: .restriction, processors: true, received: vn("2026-04-16", 15), ackDueDate: "2026-04-20",
            dueDate: "2026-05-06", why: "restriction with processors"),
        // Tue 18 Aug + 15 = Wed 2 Sep (Quốc khánh); Thu 3 Sep is a working day. Ack: Wed 19 (1), Thu 20 (2).
        PDPLCase(
            type: .objection, processors: false, received: vn("2026-08-18", 8), ackDueDate: "2026-08-20",
            dueDate: "2026-09-03", why: "objection ending on 2 September"),
        // Tue 18 Aug + 20 = Mon 7 Sep, a working day.
        PDPLCase(
            type: .objection, processors: true, received: vn("2026-08-18", 8), ackDueDate: "2026-08-20",
            dueDate: "2026-09-07", why: "objection with processors"),
        // Mon 17 Aug + 15 = Tue 1 Sep (the day next to Quốc khánh), Wed 2 Sep (Quốc khánh); Thu 3 Sep.
        // Ack: Tue 18 (1), Wed 19 (2).
        PDPLCase(
            type: .withdrawConsent, processors: false, received: vn("2026-08-17", 11), ackDueDate: "2026-08-19",
            dueDate: "2026-09-03", why: "withdrawal ending on the day next to 2 September"),
        // Mon 17 Aug + 20 = Sun 6 Sep; Mon 7 Sep.
        PDPLCase(
            type: .withdrawConsent, processors: true, received: vn("2026-08-17", 11), ackDueDate: "2026-08-19",
            dueDate: "2026-09-07", why: "withdrawal with processors ending on a Sunday"),
        // Wed 4 Feb 2026 + 10 = Sat 14 Feb, the first day of the Tết break (14-22 Feb: weekend, Tết 16-20,
        // weekend); Mon 23 Feb. Ack: Thu 5 (1), Fri 6 (2).
        PDPLCase(
            type: .access, processors: false, received: vn("2026-02-04", 9), ackDueDate: "2026-02-06",
            dueDate: "2026-02-23", why: "access ending at the start of the Tết break"),
        // Fri 13 Feb 2026. Ack: 14-22 Feb are all off, so Mon 23 (1), Tue 24 (2). Perform: 13 + 10 = Mon 23 Feb,
        // a working day, so the acknowledgement falls due after the request itself.
        PDPLCase(
            type: .access, processors: false, received: vn("2026-02-13", 11), ackDueDate: "2026-02-24",
            dueDate: "2026-02-23", why: "acknowledgement across the whole Tết break"),
        // Thu 1 Jan 2026 00:00, the first instant of the PDPL regime and a holiday. The receipt day is not counted
        // anyway: 1 + 10 = Sun 11 Jan; Mon 12 Jan. Ack (statutory reading): Fri 2 Jan is a working day by statute,
        // the bridging day off being the government's arrangement for its offices (1), Sat 3, Sun 4 off; Mon 5 (2).
        PDPLCase(
            type: .access, processors: false, received: vn("2026-01-01"), ackDueDate: "2026-01-05",
            dueDate: "2026-01-12", why: "received at 00:00 on New Year's Day 2026"),
        // Thu 8 Jan 2026. Ack: Fri 9 (1); Sat 10 Jan is a weekend day by statute (public offices work it to pay back
        // Fri 2 Jan); Mon 12 (2). Perform: 8 + 10 = Sun 18 Jan; Mon 19 Jan.
        PDPLCase(
            type: .access, processors: false, received: vn("2026-01-08", 14), ackDueDate: "2026-01-12",
            dueDate: "2026-01-19", why: "a swapped Saturday is a weekend day by statute"),
        // 2026-06-01T18:00Z is Tue 2 Jun 01:00 in Vietnam, so counting starts Wed 3: + 10 = Fri 12 Jun.
        // Ack: Wed 3 (1), Thu 4 (2).
        PDPLCase(
            type: .access, processors: false, received: Date(timeIntervalSince1970: 1_780_336_800),
            ackDueDate: "2026-06-04", dueDate: "2026-06-12", why: "receipt day is the Vietnam date, not UTC's"),
    ]

    @Test("deadline dates", arguments: cases)
    func deadlineDates(_ example: PDPLCase) {
        let ruleSet = RuleSet.forReceipt(at: example.received)
        #expect(ruleSet.id == "vn-pdpl-2026")
        let result = calculator.deadlines(
            for: example.type, processors: example.processors, receivedAt: example.received, under: ruleSet)
        #expect(result.ackDueDate == date(example.ackDueDate))
        #expect(result.dueDate == date(example.dueDate))
        // The instants are 24:00 Vietnam time of the last days, i.e. 00:00 of the next day.
        #expect(result.due == VietnamTime.endOfDay(date(example.dueDate)))
        #expect(result.ackDue == VietnamTime.endOfDay(date(example.ackDueDate)))
    }

    /// The same two requests under the government's announced schedule (`holidays reading announced`): Fri 2 Jan
    /// 2026 is off and Sat 10 Jan worked.
    @Test func theAnnouncedReadingCountsBridgingDaysAndSwappedSaturdays() {
        var announced = HolidayCalendar.vietnam
        announced.reading = .announced
        let calculator = DeadlineCalculator(calendar: announced)
        let newYear = calculator.deadlines(
            for: .access, processors: false, receivedAt: vn("2026-01-01"), under: .pdpl2026)
        #expect(newYear.ackDueDate == date("2026-01-06"))
        let swapped = calculator.deadlines(
            for: .access, processors: false, receivedAt: vn("2026-01-08", 14), under: .pdpl2026)
        #expect(swapped.ackDueDate == date("2026-01-10"))
        #expect(swapped.dueDate == date("2026-01-19"))
    }

    /// Decree 356 Art. 5(5): a request for protective measures, 2 working days to acknowledge and 15 days to act.
    @Test func aProtectionRequestHasItsOwnClock() {
        let result = calculator.deadlines(
            for: .protection, processors: true, receivedAt: vn("2026-03-06", 10), under: .pdpl2026)
        #expect(result.ackDueDate == date("2026-03-10"))  // Fri 6: Mon 9 (1), Tue 10 (2)
        #expect(result.dueDate == date("2026-03-23"))  // 6 + 15 = Sat 21, rolled to Mon 23; no longer with processors
        #expect(RuleSet.pdpl2026.rule(for: .protection).extensionPeriod == .calendarDays(15))
        #expect(result.citation.contains("Decree 356 Art. 5(5)"))
    }

    @Test func dueInstantIsMidnightAfterTheLastDayInVietnamTime() {
        let result = calculator.deadlines(
            for: .access, processors: false, receivedAt: vn("2026-06-01", 9), under: .pdpl2026)
        #expect(VietnamTime.iso8601(result.due) == "2026-06-12T00:00:00+07:00")
        #expect(VietnamTime.iso8601(result.ackDue) == "2026-06-04T00:00:00+07:00")
    }

    @Test func citationNamesTheProvisionsAndTheCountingRule() {
        let result = calculator.deadlines(
            for: .deletion, processors: false, receivedAt: vn("2026-06-01", 9), under: .pdpl2026)
        #expect(result.citation.contains("Law 91 Art. 14; Decree 356 Art. 5(4)"))
        #expect(result.citation.contains("Decree 356 Art. 5"))
        #expect(result.citation.contains("Civil Code 2015 Art. 147-148"))
    }

    @Test func deadlinesEncodeWithTheContractsFieldNames() throws {
        let result = calculator.deadlines(
            for: .access, processors: false, receivedAt: vn("2026-06-01", 9), under: .pdpl2026)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(result)) as? [String: Any]
        #expect(Set(json?.keys.map { $0 } ?? []) == ["ack_due", "ack_due_date", "due", "due_date", "citation"])
        #expect(json?["due_date"] as? String == "2026-06-11")
        #expect(json?["due"] as? String == "2026-06-12T00:00:00+07:00")
        #expect(json?["ack_due"] as? String == "2026-06-04T00:00:00+07:00")
        let decoded = try JSONDecoder().decode(Deadlines.self, from: JSONEncoder().encode(result))
        #expect(decoded == result)
    }
}

/// One intake under `vn-decree13` with its deadlines worked out by hand.
struct Decree13Case: CustomTestStringConvertible, Sendable {
    var type: RequestType
    var processors: Bool
    var received: Date
    var due: String
    var dueDate: String
    var why: String

    var testDescription: String { why }
}

@Suite("Deadlines under vn-decree13")
struct Decree13DeadlineTests {
    // Fri 5 Dec 2025 14:00 + 72 h = Mon 8 Dec 14:00, whatever the type and with or without processors.
    static let everyType: [Decree13Case] = RequestType.allCases.flatMap { type in
        [false, true].map { processors in
            Decree13Case(
                type: type, processors: processors, received: vn("2025-12-05", 14), due: "2025-12-08T14:00:00+07:00",
                dueDate: "2025-12-08", why: "\(type.rawValue), processors \(processors)")
        }
    }

    static let edges: [Decree13Case] = [
        // Wed 31 Dec 2025 23:30, the last half hour of Decree 13: + 72 h = Sat 3 Jan 2026 23:30. Hours do not roll
        // past weekends or holidays, so the last day is a Saturday.
        Decree13Case(
            type: .access, processors: false, received: vn("2025-12-31", 23, 30), due: "2026-01-03T23:30:00+07:00",
            dueDate: "2026-01-03", why: "received 31 Dec 2025 23:30"),
        // Thu 4 Dec 2025 10:00 + 72 h = Sun 7 Dec 10:00: no roll-forward.
        Decree13Case(
            type: .deletion, processors: false, received: vn("2025-12-04", 10), due: "2025-12-07T10:00:00+07:00",
            dueDate: "2025-12-07", why: "72 hours ending on a Sunday"),
        // Wed 10 Dec 2025 00:00 + 72 h = Sat 13 Dec 00:00, which is 24:00 of Fri 12 Dec: the last day is the 12th.
        Decree13Case(
            type: .objection, processors: false, received: vn("2025-12-10"), due: "2025-12-13T00:00:00+07:00",
            dueDate: "2025-12-12", why: "72 hours from midnight end with the day before"),
        // Tue 29 Apr 2025 16:00 + 72 h = Fri 2 May 16:00, across 30 April and 1 May.
        Decree13Case(
            type: .restriction, processors: true, received: vn("2025-04-29", 16), due: "2025-05-02T16:00:00+07:00",
            dueDate: "2025-05-02", why: "72 hours across 30 April and 1 May"),
    ]

    @Test("72 hours from receipt", arguments: everyType + edges)
    func seventyTwoHours(_ example: Decree13Case) {
        let ruleSet = RuleSet.forReceipt(at: example.received)
        #expect(ruleSet.id == "vn-decree13")
        let result = calculator.deadlines(
            for: example.type, processors: example.processors, receivedAt: example.received, under: ruleSet)
        #expect(VietnamTime.iso8601(result.due) == example.due)
        #expect(result.due == example.received.addingTimeInterval(72 * 3600))
        #expect(result.dueDate == date(example.dueDate))
        // No separate acknowledgement under Decree 13: the ack pair equals the due pair.
        #expect(result.ackDue == result.due)
        #expect(result.ackDueDate == result.dueDate)
    }

    @Test func noExtensionUnderDecree13() {
        for type in RequestType.allCases {
            #expect(throws: DeadlineError.extensionNotAllowed(ruleSet: "vn-decree13", type: type)) {
                try calculator.extendedDeadlines(
                    for: type, processors: false, receivedAt: vn("2025-12-05", 14), under: .decree13)
            }
        }
    }
}

@Suite("Choosing the regime")
struct RegimeSwitchTests {
    @Test(
        "rule set by receipt instant",
        arguments: [
            // The last second of 2025 in Vietnam, written in UTC: still Decree 13.
            ("2025-12-31T16:59:59Z", "vn-decree13"),
            // 00:00 on 1 Jan 2026 in Vietnam is 17:00 UTC on 31 Dec: the PDPL.
            ("2025-12-31T17:00:00Z", "vn-pdpl-2026"),
            ("2025-12-31T23:30:00+07:00", "vn-decree13"),
            ("2026-01-01T00:00:00+07:00", "vn-pdpl-2026"),
            ("2024-03-02T10:00:00+07:00", "vn-decree13"),
            // Before Decree 13 took effect there is nothing older to apply: the oldest rule set is used.
            ("2023-01-15T10:00:00+07:00", "vn-decree13"),
            ("2030-06-01T10:00:00+07:00", "vn-pdpl-2026"),
        ])
    func ruleSetByReceipt(_ received: String, _ expected: String) throws {
        let instant = try #require(VietnamTime.parseISO8601(received))
        #expect(RuleSet.forReceipt(at: instant).id == expected)
    }

    @Test func ruleSetsAreFoundByTheirIds() {
        #expect(RuleSet.named("vn-pdpl-2026") == .pdpl2026)
        #expect(RuleSet.named("vn-decree13") == .decree13)
        #expect(RuleSet.named("vn-gdpr") == nil)
    }
}

/// One extension with its new due date worked out by hand.
struct ExtensionCase: CustomTestStringConvertible, Sendable {
    var type: RequestType
    var processors: Bool
    var received: Date
    var dueDate: String
    var extendedDueDate: String
    var why: String

    var testDescription: String { why }
}

@Suite("Extensions")
struct ExtensionTests {
    static let cases: [ExtensionCase] = [
        // Mon 1 Jun 2026: 10 days ends Thu 11 Jun; extended, 10 + 10 = 20 days ends Sun 21 Jun; Mon 22 Jun.
        ExtensionCase(
            type: .access, processors: false, received: vn("2026-06-01", 9), dueDate: "2026-06-11",
            extendedDueDate: "2026-06-22", why: "access extended into a weekend"),
        // Thu 16 Apr 2026: 15 days ends on 1 May, rolled to Mon 4 May. Extended: 15 + 15 = 30 days from receipt
        // ends Sat 16 May; Mon 18 May. Counted from receipt, not from the rolled 4 May (which would give 19 May).
        ExtensionCase(
            type: .restriction, processors: false, received: vn("2026-04-16", 15), dueDate: "2026-05-04",
            extendedDueDate: "2026-05-18", why: "restriction extended from receipt, not from the rolled due"),
        // Fri 10 Apr 2026 with processors: 30 days ends Sun 10 May, rolled to Mon 11 May. Extended: 30 + 20 = 50
        // days ends Sat 30 May; Mon 1 Jun.
        ExtensionCase(
            type: .deletion, processors: true, received: vn("2026-04-10", 16), dueDate: "2026-05-11",
            extendedDueDate: "2026-06-01", why: "deletion with processors extended"),
        // Mon 17 Aug 2026: 15 days ends Thu 3 Sep. Extended: 15 + 15 = 30 days ends Wed 16 Sep, a working day.
        ExtensionCase(
            type: .withdrawConsent, processors: false, received: vn("2026-08-17", 11), dueDate: "2026-09-03",
            extendedDueDate: "2026-09-16", why: "withdrawal extended"),
        // Fri 24 Apr 2026: 10 days ends Mon 4 May. Extended: 10 + 10 = 20 days ends Thu 14 May.
        ExtensionCase(
            type: .correction, processors: false, received: vn("2026-04-24", 10), dueDate: "2026-05-04",
            extendedDueDate: "2026-05-14", why: "correction extended"),
        // Tue 18 Aug 2026 with processors: 20 days ends Mon 7 Sep. Extended: 20 + 15 = 35 days ends Tue 22 Sep.
        ExtensionCase(
            type: .objection, processors: true, received: vn("2026-08-18", 8), dueDate: "2026-09-07",
            extendedDueDate: "2026-09-22", why: "objection with processors extended"),
    ]

    @Test("extended due dates", arguments: cases)
    func extendedDueDates(_ example: ExtensionCase) throws {
        let original = calculator.deadlines(
            for: example.type, processors: example.processors, receivedAt: example.received, under: .pdpl2026)
        let extended = try calculator.extendedDeadlines(
            for: example.type, processors: example.processors, receivedAt: example.received, under: .pdpl2026)
        #expect(original.dueDate == date(example.dueDate))
        #expect(extended.dueDate == date(example.extendedDueDate))
        #expect(extended.due == VietnamTime.endOfDay(date(example.extendedDueDate)))
        // An extension moves performance only; the acknowledgement was due long before.
        #expect(extended.ackDue == original.ackDue)
        #expect(extended.ackDueDate == original.ackDueDate)
        #expect(extended.citation.contains("extended once"))
    }
}

@Suite("Officer-added days")
struct AddedDayTests {
    @Test func addedHolidayMovesTheDeadline() {
        // Mon 1 Jun 2026: due Thu 11 Jun. An officer adds Thu 11 Jun as a day off, so the period ends Fri 12 Jun.
        let calendar = HolidayCalendar.vietnam.adding(
            date: date("2026-06-11"), name: "Ngày nghỉ bổ sung", working: false)
        let result = DeadlineCalculator(calendar: calendar)
            .deadlines(for: .access, processors: false, receivedAt: vn("2026-06-01", 9), under: .pdpl2026)
        #expect(result.dueDate == date("2026-06-12"))
        #expect(result.ackDueDate == date("2026-06-03"))
    }

    @Test func addedDayOffDelaysTheAcknowledgement() {
        // Mon 1 Jun 2026: Tue 2 Jun added as a day off, so Wed 3 (1), Thu 4 (2).
        let calendar = HolidayCalendar.vietnam.adding(
            date: date("2026-06-02"), name: "Ngày nghỉ bổ sung", working: false)
        let result = DeadlineCalculator(calendar: calendar)
            .deadlines(for: .access, processors: false, receivedAt: vn("2026-06-01", 9), under: .pdpl2026)
        #expect(result.ackDueDate == date("2026-06-04"))
        #expect(result.dueDate == date("2026-06-11"))
    }

    @Test func addedWorkingSaturdayEndsThePeriodThatDay() {
        // Wed 3 Jun 2026 + 10 = Sat 13 Jun, normally rolled to Mon 15 Jun; with Sat 13 a swapped working day
        // the period ends on it.
        let received = vn("2026-06-03", 9)
        let plain = calculator.deadlines(for: .access, processors: false, receivedAt: received, under: .pdpl2026)
        #expect(plain.dueDate == date("2026-06-15"))
        let calendar = HolidayCalendar.vietnam.adding(date: date("2026-06-13"), name: "Làm bù", working: true)
        let swapped = DeadlineCalculator(calendar: calendar)
            .deadlines(for: .access, processors: false, receivedAt: received, under: .pdpl2026)
        #expect(swapped.dueDate == date("2026-06-13"))
    }

    @Test func officerCanCorrectAShippedGuess() {
        // 1 Sep 2026 ships as a low-confidence guess for the day next to Quốc khánh. Mon 17 Aug + 15 = Tue 1 Sep:
        // off as shipped (rolled to Thu 3 Sep), but if the officer marks 1 Sep a working day the period ends on it.
        let calendar = HolidayCalendar.vietnam.adding(date: date("2026-09-01"), name: "Ngày làm việc", working: true)
        let result = DeadlineCalculator(calendar: calendar)
            .deadlines(for: .withdrawConsent, processors: false, receivedAt: vn("2026-08-17", 11), under: .pdpl2026)
        #expect(result.dueDate == date("2026-09-01"))
    }
}

@Suite("Company policy overlay")
struct CompanyPolicyTests {
    @Test func shorterPeriodsAreAccepted() throws {
        let policy = CompanyPolicy(
            name: "Stricter SLA", acknowledgement: .workingDays(1),
            requests: [.access: .init(period: .calendarDays(7), periodWithProcessors: .calendarDays(12))])
        let ruleSet = try RuleSet.pdpl2026.applying(policy)
        #expect(ruleSet.id == "vn-pdpl-2026")
        #expect(ruleSet.policy == "Stricter SLA")
        #expect(ruleSet.rule(for: .access).period == .calendarDays(7))
        #expect(ruleSet.rule(for: .access).periodWithProcessors == .calendarDays(12))
        #expect(ruleSet.rule(for: .access).note?.contains("Stricter SLA") == true)
        // Other types keep the law's periods.
        #expect(ruleSet.rule(for: .deletion) == RuleSet.pdpl2026.rule(for: .deletion))
        // Mon 1 Jun 2026: ack 1 working day = Tue 2 Jun; 7 days = Mon 8 Jun.
        let result = calculator.deadlines(
            for: .access, processors: false, receivedAt: vn("2026-06-01", 9), under: ruleSet)
        #expect(result.ackDueDate == date("2026-06-02"))
        #expect(result.dueDate == date("2026-06-08"))
    }

    @Test func equalPeriodsAreAccepted() throws {
        let policy = CompanyPolicy(name: "Same", requests: [.deletion: .init(period: .calendarDays(20))])
        #expect(try RuleSet.pdpl2026.applying(policy).rule(for: .deletion).period == .calendarDays(20))
    }

    @Test func longerPeriodIsRefusedNamingTheTypeAndTheLegalMaximum() {
        let policy = CompanyPolicy(name: "Lax", requests: [.access: .init(period: .calendarDays(12))])
        let expected = RuleSetError.policyLengthensPeriod(
            policy: "Lax", ruleSet: "vn-pdpl-2026", type: .access, what: "performance period",
            requested: .calendarDays(12), legalMaximum: .calendarDays(10))
        #expect(throws: expected) { try RuleSet.pdpl2026.applying(policy) }
        #expect(expected.description.contains("access performance period"))
        #expect(expected.description.contains("legal maximum of 10 calendar days"))
    }

    @Test func longerAcknowledgementIsRefused() {
        let policy = CompanyPolicy(name: "Lax", acknowledgement: .workingDays(3))
        #expect(throws: RuleSetError.self) { try RuleSet.pdpl2026.applying(policy) }
    }

    @Test func longerExtensionIsRefused() {
        let policy = CompanyPolicy(name: "Lax", requests: [.deletion: .init(extensionPeriod: .calendarDays(25))])
        #expect(throws: RuleSetError.self) { try RuleSet.pdpl2026.applying(policy) }
    }

    @Test func extensionWhereTheLawAllowsNoneIsRefused() {
        let policy = CompanyPolicy(name: "Lax", requests: [.access: .init(extensionPeriod: .hours(24))])
        let expected = RuleSetError.policyLengthensPeriod(
            policy: "Lax", ruleSet: "vn-decree13", type: .access, what: "extension", requested: .hours(24),
            legalMaximum: nil)
        #expect(throws: expected) { try RuleSet.decree13.applying(policy) }
        #expect(expected.description.contains("the law, which allows none"))
    }

    @Test func periodInAnotherUnitIsRefused() {
        // 5 working days can be longer than 10 calendar days (across Tết), so they cannot be compared.
        let policy = CompanyPolicy(name: "Mixed", requests: [.access: .init(period: .workingDays(5))])
        #expect(throws: RuleSetError.self) { try RuleSet.pdpl2026.applying(policy) }
    }

    @Test func zeroPeriodIsRefused() {
        let policy = CompanyPolicy(name: "Zero", requests: [.access: .init(period: .calendarDays(0))])
        #expect(throws: RuleSetError.self) { try RuleSet.pdpl2026.applying(policy) }
    }

    @Test func acknowledgementUnderDecree13IsNotApplicable() {
        let policy = CompanyPolicy(name: "Ack", acknowledgement: .workingDays(1))
        #expect(
            throws: RuleSetError.policyNotApplicable(
                policy: "Ack", ruleSet: "vn-decree13", what: "an acknowledgement period")
        ) {
            try RuleSet.decree13.applying(policy)
        }
    }

    @Test func shorterHoursUnderDecree13AreAccepted() throws {
        let policy = CompanyPolicy(name: "48h", requests: [.deletion: .init(period: .hours(48))])
        let ruleSet = try RuleSet.decree13.applying(policy)
        let result = calculator.deadlines(
            for: .deletion, processors: false, receivedAt: vn("2025-12-05", 14), under: ruleSet)
        #expect(VietnamTime.iso8601(result.due) == "2025-12-07T14:00:00+07:00")
    }

    @Test func zeroExtensionRemovesTheExtension() throws {
        let policy = CompanyPolicy(name: "No extensions", requests: [.access: .init(extensionPeriod: .calendarDays(0))])
        let ruleSet = try RuleSet.pdpl2026.applying(policy)
        #expect(ruleSet.rule(for: .access).extensionPeriod == nil)
        #expect(throws: DeadlineError.extensionNotAllowed(ruleSet: "vn-pdpl-2026", type: .access)) {
            try calculator.extendedDeadlines(
                for: .access, processors: false, receivedAt: vn("2026-06-01", 9), under: ruleSet)
        }
    }

    @Test func shorterExtensionShortensTheExtendedDeadline() throws {
        // Mon 1 Jun 2026: 10 + 5 = 15 days ends Tue 16 Jun.
        let policy = CompanyPolicy(name: "Short", requests: [.access: .init(extensionPeriod: .calendarDays(5))])
        let ruleSet = try RuleSet.pdpl2026.applying(policy)
        let result = try calculator.extendedDeadlines(
            for: .access, processors: false, receivedAt: vn("2026-06-01", 9), under: ruleSet)
        #expect(result.dueDate == date("2026-06-16"))
    }
}

@Suite("Rule sets as data")
struct RuleSetDataTests {
    @Test func everyRuleSetCoversEveryTypeOnce() {
        for ruleSet in RuleSet.all {
            #expect(
                ruleSet.requests.map(\.type).sorted { $0.rawValue < $1.rawValue }
                    == RequestType.allCases.sorted { $0.rawValue < $1.rawValue })
            #expect(Set(ruleSet.refusalGrounds.map(\.ground)) == Set(RefusalGround.allCases))
            #expect(ruleSet.requests.allSatisfy { !$0.citation.isEmpty })
        }
    }

    @Test(
        "PDPL periods from RULES-VN.md section 2",
        arguments: [
            (RequestType.objection, 15, 20, 15),
            (.restriction, 15, 20, 15),
            (.withdrawConsent, 15, 20, 15),
            (.access, 10, 15, 10),
            (.correction, 10, 15, 10),
            (.deletion, 20, 30, 20),
        ])
    func pdplPeriods(_ type: RequestType, _ days: Int, _ withProcessors: Int, _ extensionDays: Int) {
        let rule = RuleSet.pdpl2026.rule(for: type)
        #expect(rule.period == .calendarDays(days))
        #expect(rule.periodWithProcessors == .calendarDays(withProcessors))
        #expect(rule.extensionPeriod == .calendarDays(extensionDays))
    }

    @Test func decree13HasHoursNoAcknowledgementNoExtension() {
        #expect(RuleSet.decree13.acknowledgement == nil)
        for rule in RuleSet.decree13.requests {
            #expect(rule.period == .hours(72))
            #expect(rule.periodWithProcessors == .hours(72))
            #expect(rule.extensionPeriod == nil)
        }
        // Correction and withdrawal are 72 hours by product policy, and the rule set must say so.
        #expect(RuleSet.decree13.rule(for: .correction).note?.contains("Product policy") == true)
        #expect(RuleSet.decree13.rule(for: .withdrawConsent).note?.contains("Product policy") == true)
    }

    @Test(
        "refusal ground citations",
        arguments: [
            (RefusalGround.abusive, "Law 91 Art. 4(3)(a)-(c)"),
            (.noConsentNeeded, "Law 91 Art. 10(1), 14(2), 19"),
            (.harmsOthers, "Law 91 Art. 15(2)(a)"),
            (.legalRetention, "Law 91 Art. 14(2), 19(1)(đ)"),
            (.identityNotVerified, "Law 91 Art. 3(4), 7(7), 15(2)(b); Decree 356 Art. 5(1)"),
            (.noData, "Law 91 Art. 4(1)(a)"),
            (.duplicate, "Decree 356 Art. 5"),
        ])
    func refusalCitations(_ ground: RefusalGround, _ citation: String) throws {
        let rule = try #require(RuleSet.pdpl2026.refusal(ground))
        #expect(rule.citation.contains(citation))
        #expect(rule.officerNamesProvision == (ground == .legalRetention))
    }

    /// RULES-VN.md: Law 91 Art. 26 concerns health and insurance data; no shipped citation may name it, in the
    /// rule sets or in any letter a person reads.
    @Test func noShippedCitationNamesLaw91Article26() throws {
        let json = String(decoding: try JSONEncoder().encode(RuleSet.all), as: UTF8.self)
        #expect(!json.contains("Art. 26"))
        for ruleSet in RuleSet.all {
            let citations =
                ruleSet.requests.map(\.citation)
                + ruleSet.refusalGrounds.flatMap { [$0.citation] + $0.citationByType.values }
            #expect(!citations.contains { $0.range(of: #"Law 91[^;]*\b26\b"#, options: .regularExpression) != nil })
        }
    }

    /// no-consent-needed answers deletion, withdrawal, restriction and objection, each with its own clause; the
    /// others are not offered it (Law 91 Art. 10(1), 14(2), 19; Decree 356 Art. 5(2)).
    @Test func noConsentNeededCitesTheClauseOfItsRequestType() throws {
        let rule = try #require(RuleSet.pdpl2026.refusal(.noConsentNeeded))
        #expect(Set(rule.appliesTo) == [.deletion, .withdrawConsent, .restriction, .objection])
        #expect(rule.citation(for: .deletion) == "Law 91 Art. 14(2), 19")
        for type in [RequestType.withdrawConsent, .restriction, .objection] {
            #expect(rule.citation(for: type).contains("Art. 10(1)"))
            #expect(rule.citation(for: type).contains("Decree 356 Art. 5(2)"))
        }
        let harms = try #require(RuleSet.pdpl2026.refusal(.harmsOthers))
        #expect(harms.appliesTo == [.access])
    }

    /// Decree 13 Art. 14(4) and 16(2) list the grounds for refusing to provide data and to delete it.
    @Test func decree13RefusalsCiteTheDecreesOwnLists() throws {
        let identity = try #require(RuleSet.decree13.refusal(.identityNotVerified))
        #expect(identity.citation(for: .access) == "Decree 13 Art. 14(4)(a)-(c)")
        #expect(identity.citation(for: .deletion) == "Decree 13 Art. 16(2)(a)-(e)")
        let retention = try #require(RuleSet.decree13.refusal(.legalRetention))
        #expect(retention.citation(for: .deletion) == "Decree 13 Art. 16(2)(a)-(e)")
    }

    /// Citations the rule sets name: objection is not Art. 10 alone, access is not Art. 13.
    @Test func requestCitationsNameTheRightArticles() {
        #expect(RuleSet.pdpl2026.rule(for: .objection).citation.contains("Law 91 Art. 4(1)(d), 28(3), 28(5)"))
        #expect(RuleSet.pdpl2026.rule(for: .access).citation.hasPrefix("Law 91 Art. 4(1)(c)-(d), 15(2)(a)"))
        #expect(!RuleSet.pdpl2026.rule(for: .access).citation.contains("Art. 13"))
    }

    @Test func rulesShowJSONUsesSnakeCaseAndVietnamTimes() throws {
        let data = try JSONEncoder().encode(RuleSet.pdpl2026)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(json["id"] as? String == "vn-pdpl-2026")
        #expect(json["effective_from"] as? String == "2026-01-01T00:00:00+07:00")
        #expect(json["effective_until"] is NSNull)
        #expect(json["refusal_grounds"] != nil)
        let requests = try #require(json["requests"] as? [[String: Any]])
        let access = try #require(requests.first { $0["type"] as? String == "access" })
        #expect((access["period"] as? [String: Any])?["unit"] as? String == "calendar-days")
        #expect((access["period_with_processors"] as? [String: Any])?["amount"] as? Int == 15)
        #expect((access["extension"] as? [String: Any])?["amount"] as? Int == 10)
        let decree13 = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(RuleSet.decree13)) as? [String: Any])
        #expect(decree13["acknowledgement"] is NSNull)
        #expect(decree13["effective_until"] as? String == "2026-01-01T00:00:00+07:00")
    }

    @Test func ruleSetsSurviveAJSONRoundTrip() throws {
        for ruleSet in RuleSet.all {
            let decoded = try JSONDecoder().decode(RuleSet.self, from: JSONEncoder().encode(ruleSet))
            #expect(decoded == ruleSet)
        }
    }
}
