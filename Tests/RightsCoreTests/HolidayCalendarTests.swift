import Foundation
import RightsCore
import Testing

private func date(_ text: String) -> LocalDate {
    LocalDate(text)!
}

@Suite("Holiday calendar")
struct HolidayCalendarTests {
    @Test(
        "working days",
        arguments: [
            // 2025
            ("2025-01-01", false),  // Wed, Tết Dương lịch
            ("2025-01-24", true),  // Fri before the Tết break
            ("2025-01-27", false),  // Mon, Tết (28 tháng Chạp), break 25 Jan-2 Feb
            ("2025-01-31", false),  // Fri, Tết (mùng 3)
            ("2025-02-03", true),  // Mon after the break
            ("2025-04-07", false),  // Mon, Giỗ Tổ Hùng Vương (10/3 lunar)
            ("2025-04-26", false),  // Sat: worked by public offices to pay back Fri 2 May, a weekend day by statute
            ("2025-05-02", true),  // Fri: a bridging day off for public offices, a working day by statute
            ("2025-09-01", false),  // Mon, the day next to Quốc khánh
            ("2025-09-03", true),  // Wed after Quốc khánh
            // 2026
            ("2026-01-01", false),  // Thu, Tết Dương lịch
            ("2026-01-02", true),  // Fri: a bridging day off for public offices, a working day by statute
            ("2026-01-03", false),  // Sat
            ("2026-01-05", true),  // Mon
            ("2026-01-10", false),  // Sat: worked by public offices to pay back Fri 2 Jan, a weekend day by statute
            ("2026-02-13", true),  // Fri before the Tết break
            ("2026-02-14", false),  // Sat, start of the break
            ("2026-02-17", false),  // Tue, mùng 1 Tết Bính Ngọ
            ("2026-02-20", false),  // Fri, mùng 4
            ("2026-02-22", false),  // Sun, end of the break
            ("2026-02-23", true),  // Mon after the break
            ("2026-04-26", false),  // Sun, Giỗ Tổ Hùng Vương
            ("2026-04-27", false),  // Mon, its substitute day off
            ("2026-04-28", true),  // Tue
            ("2026-04-30", false),  // Thu, Ngày Chiến thắng
            ("2026-05-01", false),  // Fri, Ngày Quốc tế Lao động
            ("2026-05-04", true),  // Mon
            ("2026-09-01", false),  // Tue, assumed day next to Quốc khánh
            ("2026-09-02", false),  // Wed, Quốc khánh
            ("2026-09-03", true),  // Thu
            ("2026-12-31", true),  // Thu
            // Projected years
            ("2027-02-06", false),  // Sat, Tết Đinh Mùi
            ("2027-02-11", false),  // Thu, substitute for Tết on Sun 7 Feb
            ("2027-02-12", true),  // Fri
            ("2027-05-03", false),  // Mon, substitute for 1 May on a Saturday
            ("2028-01-03", false),  // Mon, substitute for 1 Jan on a Saturday
            ("2028-05-02", false),  // Tue, substitute for 30 Apr on a Sunday (Mon 1 May is itself a holiday)
            ("2028-09-04", false),  // Mon, substitute for 2 Sep on a Saturday
            ("2029-09-04", false),  // Tue, substitute for 2 Sep on a Sunday
            ("2030-02-02", false),  // Sat, Tết Canh Tuất in Vietnam (3 Feb in China)
            ("2030-02-07", false),  // Thu, last substitute day
            ("2030-02-08", true),  // Fri
            // Beyond the shipped years only weekends are known.
            ("2031-01-01", true),  // Wed: Tết Dương lịch, but 2031 is not shipped
            ("2031-01-04", false),  // Sat
        ])
    func workingDays(_ day: String, _ working: Bool) {
        #expect(HolidayCalendar.vietnam.reading == .statutory, "the Civil Code's reading is the default")
        #expect(HolidayCalendar.vietnam.isWorkingDay(date(day)) == working)
    }

    /// The government's announced schedule: bridging days off are off, swapped Saturdays worked; everything else
    /// reads as under the statute.
    @Test(
        "working days as announced",
        arguments: [
            ("2025-04-26", true), ("2025-05-02", false), ("2026-01-02", false), ("2026-01-10", true),
            ("2026-01-01", false), ("2026-01-03", false), ("2026-04-27", false), ("2026-05-04", true),
        ])
    func workingDaysAsAnnounced(_ day: String, _ working: Bool) {
        var calendar = HolidayCalendar.vietnam
        calendar.reading = .announced
        #expect(calendar.isWorkingDay(date(day)) == working)
    }

    /// Ngày Văn hóa Việt Nam is listed as planned, never counted until an officer confirms it.
    @Test func aPlannedHolidayIsListedButNotADayOff() throws {
        for reading in CalendarReading.allCases {
            var calendar = HolidayCalendar.vietnam
            calendar.reading = reading
            let planned = try #require(calendar.entry(on: date("2026-11-24")))
            #expect(planned.kind == .plannedHoliday && planned.confidence == .low)
            #expect(calendar.decidingEntry(on: date("2026-11-24")) == nil)
            #expect(calendar.isWorkingDay(date("2026-11-24")))
            let confirmed = calendar.adding(date: date("2026-11-24"), name: "Ngày Văn hóa Việt Nam", working: false)
            #expect(!confirmed.isWorkingDay(date("2026-11-24")))
        }
    }

    @Test("eleven statutory holiday days a year, Labour Code 2019 Art. 112(1)", arguments: 2025...2030)
    func elevenHolidaysAYear(_ year: Int) {
        let holidays = HolidayCalendar.vietnam.entries(year: year).filter { $0.kind == .holiday }
        #expect(holidays.count == 11)
        let names = Dictionary(grouping: holidays, by: \.name).mapValues(\.count)
        #expect(
            names == [
                "Tết Dương lịch": 1, "Tết Nguyên đán": 5, "Giỗ Tổ Hùng Vương": 1, "Ngày Chiến thắng": 1,
                "Ngày Quốc tế Lao động": 1, "Quốc khánh": 2,
            ])
    }

    @Test(
        "lunar dates from scripts/holidays/derive_lunar_dates.py",
        arguments: [
            // (year, mùng 1 Tết, 10/3 lunar)
            (2025, "2025-01-29", "2025-04-07"),
            (2026, "2026-02-17", "2026-04-26"),
            (2027, "2027-02-06", "2027-04-16"),
            (2028, "2028-01-26", "2028-04-04"),
            (2029, "2029-02-13", "2029-04-23"),
            (2030, "2030-02-02", "2030-04-12"),
        ])
    func lunarDates(_ year: Int, _ tet: String, _ hungKings: String) {
        let calendar = HolidayCalendar.vietnam
        #expect(calendar.entry(on: date(tet))?.name == "Tết Nguyên đán")
        #expect(calendar.entry(on: date(hungKings))?.name == "Giỗ Tổ Hùng Vương")
    }

    @Test func fixedDateHolidaysAreInEveryShippedYear() {
        let calendar = HolidayCalendar.vietnam
        #expect(calendar.coveredYears == 2025...2030)
        for year in 2025...2030 {
            let fixed =
                [(1, 1, "Tết Dương lịch"), (4, 30, "Ngày Chiến thắng"), (5, 1, "Ngày Quốc tế Lao động")]
                + [(9, 2, "Quốc khánh")]
            for (month, day, name) in fixed {
                let entry = calendar.entry(on: LocalDate(year: year, month: month, day: day)!)
                #expect(entry?.name == name)
                #expect(entry?.kind == .holiday)
                #expect(entry?.confidence == .high)
            }
        }
    }

    @Test func nationalDayHasOneAdjacentDayEachYear() {
        for year in 2025...2030 {
            let adjacent = HolidayCalendar.vietnam.entries(year: year).filter {
                $0.name == "Quốc khánh" && ($0.date.day == 1 || $0.date.day == 3) && $0.date.month == 9
            }
            #expect(adjacent.count == 1)
        }
    }

    @Test func everySwapIsPaidBack() {
        // Each bridging day off is matched by a swapped working day in the same year, and a swapped working day
        // is always a weekend day.
        let entries = HolidayCalendar.vietnam.entries()
        for year in 2025...2030 {
            let bridging = entries.filter { $0.date.year == year && $0.kind == .bridgingDayOff }
            let swapped = entries.filter { $0.date.year == year && $0.kind == .swappedWorkingDay }
            #expect(bridging.count == swapped.count)
            #expect(swapped.allSatisfy { $0.date.isWeekend })
            #expect(bridging.allSatisfy { !$0.date.isWeekend })
        }
    }

    @Test func substituteDaysAreWeekdays() {
        let substitutes = HolidayCalendar.vietnam.entries().filter { $0.kind == .substituteDayOff }
        #expect(!substitutes.isEmpty)
        #expect(substitutes.allSatisfy { !$0.date.isWeekend })
    }

    @Test func everyEntryHasASource() {
        #expect(HolidayCalendar.vietnam.entries().allSatisfy { !$0.source.isEmpty && !$0.name.isEmpty })
    }

    @Test func officerCanAddADayOffAndAWorkingDay() {
        let calendar = HolidayCalendar.vietnam
            .adding(date: date("2026-11-24"), name: "Ngày Văn hóa Việt Nam", working: false)
            .adding(date: date("2026-11-28"), name: "Làm bù", working: true)
        #expect(!calendar.isWorkingDay(date("2026-11-24")))  // a Tuesday made a day off
        #expect(calendar.isWorkingDay(date("2026-11-28")))  // a Saturday made a working day
        #expect(HolidayCalendar.vietnam.isWorkingDay(date("2026-11-24")))  // shipped as planned only, not a day off
        let added = calendar.entry(on: date("2026-11-24"))
        #expect(added?.confidence == .officer)
        #expect(added?.kind == .holiday)
        #expect(calendar.entry(on: date("2026-11-28"))?.kind == .swappedWorkingDay)
        // 24 November was listed (planned); the officer's entry replaces it, and 28 November is new.
        #expect(calendar.entries(year: 2026).count == HolidayCalendar.vietnam.entries(year: 2026).count + 1)
    }

    @Test func laterOfficerEntryWinsOverShippedAndEarlierOnes() {
        let calendar = HolidayCalendar.vietnam
            .adding(date: date("2026-09-01"), name: "Ngày làm việc", working: true)
        #expect(calendar.isWorkingDay(date("2026-09-01")))
        let again = calendar.adding(date: date("2026-09-01"), name: "Quốc khánh", working: false)
        #expect(!again.isWorkingDay(date("2026-09-01")))
        // One entry per date in the listing, whatever was added.
        #expect(again.entries(year: 2026).filter { $0.date == date("2026-09-01") }.count == 1)
    }

    @Test func calendarSurvivesAJSONRoundTrip() throws {
        let calendar = HolidayCalendar.vietnam.adding(date: date("2026-11-24"), name: "Ngày Văn hóa", working: false)
        let decoded = try JSONDecoder().decode(HolidayCalendar.self, from: JSONEncoder().encode(calendar))
        #expect(decoded == calendar)
        let entry =
            try JSONSerialization.jsonObject(
                with: JSONEncoder().encode(calendar.entry(on: date("2026-04-27")))) as? [String: Any]
        #expect(entry?["date"] as? String == "2026-04-27")
        #expect(entry?["kind"] as? String == "substitute-day-off")
    }
}

@Suite("Local dates and Vietnam time")
struct LocalDateTests {
    @Test(
        "parsing",
        arguments: [
            ("2026-02-28", true), ("2026-02-29", false), ("2028-02-29", true), ("2100-02-29", false),
            ("2000-02-29", true), ("2026-13-01", false), ("2026-1-01", false), ("26-01-01", false),
            ("2026-01-01T00:00", false), ("", false),
        ])
    func parsing(_ text: String, _ valid: Bool) {
        #expect((LocalDate(text) != nil) == valid)
        if valid {
            #expect(LocalDate(text)?.description == text)
        }
    }

    @Test(
        "weekdays",
        arguments: [
            ("1970-01-01", Weekday.thursday), ("2026-06-01", .monday), ("2026-04-24", .friday),
            ("2026-01-10", .saturday), ("2025-12-31", .wednesday), ("2030-02-02", .saturday),
            ("1969-12-31", .wednesday),
        ])
    func weekdays(_ text: String, _ weekday: Weekday) {
        #expect(date(text).weekday == weekday)
    }

    @Test func addingDaysCrossesMonthsYearsAndLeapDays() {
        #expect(date("2026-04-24").adding(days: 10) == date("2026-05-04"))
        #expect(date("2025-12-31").adding(days: 1) == date("2026-01-01"))
        #expect(date("2028-02-28").adding(days: 1) == date("2028-02-29"))
        #expect(date("2026-03-01").adding(days: -1) == date("2026-02-28"))
        #expect(date("2026-01-01").adding(days: 365) == date("2027-01-01"))
        #expect(LocalDate(daysSinceEpoch: date("2029-09-04").daysSinceEpoch) == date("2029-09-04"))
    }

    @Test func ordering() {
        #expect(date("2025-12-31") < date("2026-01-01"))
        #expect(date("2026-02-01") < date("2026-02-10"))
        #expect(!(date("2026-02-10") < date("2026-02-10")))
    }

    @Test func codableAsAPlainDateString() throws {
        let data = try JSONEncoder().encode([date("2026-06-11")])
        #expect(String(decoding: data, as: UTF8.self) == "[\"2026-06-11\"]")
        #expect(try JSONDecoder().decode([LocalDate].self, from: data) == [date("2026-06-11")])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([LocalDate].self, from: Data("[\"2026-02-30\"]".utf8))
        }
    }

    @Test func vietnamDateOfAnInstant() throws {
        // 16:59:59Z is 23:59:59 in Vietnam; 17:00Z is already the next day.
        let before = try #require(VietnamTime.parseISO8601("2025-12-31T16:59:59Z"))
        let after = try #require(VietnamTime.parseISO8601("2025-12-31T17:00:00Z"))
        #expect(VietnamTime.date(of: before) == date("2025-12-31"))
        #expect(VietnamTime.date(of: after) == date("2026-01-01"))
        #expect(VietnamTime.startOfDay(date("2026-01-01")) == after)
        #expect(VietnamTime.endOfDay(date("2025-12-31")) == after)
    }

    @Test func iso8601InVietnamTime() throws {
        let instant = try #require(VietnamTime.parseISO8601("2026-03-02T03:04:05Z"))
        #expect(VietnamTime.iso8601(instant) == "2026-03-02T10:04:05+07:00")
        let withFraction = try #require(VietnamTime.parseISO8601("2026-03-02T10:00:00.250+07:00"))
        #expect(VietnamTime.iso8601(withFraction) == "2026-03-02T10:00:00+07:00")
        #expect(VietnamTime.parseISO8601("2026-03-02") == nil)
        #expect(VietnamTime.instant(date("2026-06-01"), hour: 9) == VietnamTime.parseISO8601("2026-06-01T02:00:00Z"))
    }
}
