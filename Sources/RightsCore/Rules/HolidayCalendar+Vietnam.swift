import Foundation

// Vietnam's days off for 2025-2030, as the public sector observes them (Monday-Friday week).
//
// Fixed-date holidays come from Labour Code 2019 Art. 112(1) (high). Lunar dates (Tết, Giỗ Tổ Hùng Vương) were
// computed for UTC+07:00 by scripts/holidays/derive_lunar_dates.py and committed here (medium). Breaks, swaps and
// adjacent National Day days announced for 2025-2026 are taken from news reports of the government's notices
// (medium), and years not yet announced are projected by rule (low):
// - Tết: 29 tháng Chạp and the four days after it, weekend ones taken on the next working days, which gives five
//   weekdays off from 29 tháng Chạp: the pattern of the 2023, 2024 and 2026 announcements;
// - Quốc khánh: the adjacent day that joins 2 September to a weekend, else the weekday next to it (2021-2025
//   practice; Labour Code Art. 112(3) leaves the choice to the Prime Minister each year);
// - a holiday on a Saturday or Sunday gives a day off on the next working day (Labour Code Art. 111(3)).
// An officer corrects or completes a year with `holidays add`; nothing here is computed at run time.

extension HolidayCalendar {
    /// The shipped Vietnamese calendar, 2025-2030, with no officer entries.
    public static let vietnam = HolidayCalendar(shipped: vietnamEntries)

    private static let newYear = "Tết Dương lịch"
    private static let tet = "Tết Nguyên đán"
    private static let hungKings = "Giỗ Tổ Hùng Vương"
    private static let victoryDay = "Ngày Chiến thắng"
    private static let labourDay = "Ngày Quốc tế Lao động"
    private static let nationalDay = "Quốc khánh"

    private static let fixedDate = "Labour Code 2019 Art. 112(1)"
    private static let lunarDate =
        "Labour Code 2019 Art. 112(1); lunar date computed for UTC+07:00 (scripts/holidays/derive_lunar_dates.py)"
    private static let substitute =
        "Labour Code 2019 Art. 111(3): a holiday on a weekly day off is taken on the next working day"
    private static let tetProjection =
        "Not yet announced: projected as 29 tháng Chạp and the four days after it, weekend ones taken on the next "
        + "working days (Labour Code 2019 Art. 111(3), 112(1), (3); lunar dates from "
        + "scripts/holidays/derive_lunar_dates.py)"
    private static let nationalDayProjection =
        "Not yet announced: adjacent day chosen by the 2021-2025 practice (Labour Code 2019 Art. 112(1), (3) "
        + "leaves it to the Prime Minister)"

    private static func day(
        _ text: String, _ name: String, _ kind: CalendarEntry.Kind, _ confidence: CalendarEntry.Confidence,
        _ source: String
    ) -> CalendarEntry {
        guard let date = LocalDate(text) else {
            preconditionFailure("bad date in the shipped holiday data: \(text)")
        }
        return CalendarEntry(date: date, name: name, kind: kind, confidence: confidence, source: source)
    }

    private static let vietnamEntries: [CalendarEntry] =
        year2025 + year2026 + year2027 + year2028 + year2029 + year2030 + vietnameseCultureDay

    /// Ngày Văn hóa Việt Nam (24 November) was announced as a planned day off; it is not among Labour Code 2019
    /// Art. 112(1)'s holidays, so it is listed as planned and counts only once an officer confirms it.
    private static let vietnameseCultureDay: [CalendarEntry] = (2026...2030).map { year in
        day(
            "\(year)-11-24", "Ngày Văn hóa Việt Nam (dự kiến)", .plannedHoliday, .low,
            "Planned, not yet law: reported as a new day off from 2026; not in Labour Code 2019 Art. 112(1). "
                + "Counted only after `holidays add \(year)-11-24 --name ...` confirms it")
    }

    private static let year2025: [CalendarEntry] = {
        let tetNotice =
            "Government Office notice of 26 Nov 2024 approving MoLISA's plan: break 25 Jan-2 Feb, "
            + "statutory days 27-31 Jan (28 tháng Chạp-mùng 3), no swap (reported by SGGP, 27 Nov 2024)"
        let mayNotice =
            "Government-approved swap for 30 April-1 May: off 30 Apr-4 May, Fri 2 May worked on "
            + "Sat 26 Apr (reported by Thời Đại)"
        let nationalDayNotice =
            "Announced for 2025: National Day break 30 Aug-2 Sep, adjacent day 1 Sep (reported by Thời Đại)"
        return [
            day("2025-01-01", newYear, .holiday, .high, fixedDate),
            day("2025-01-27", tet, .holiday, .medium, tetNotice),
            day("2025-01-28", tet, .holiday, .medium, tetNotice),
            day("2025-01-29", tet, .holiday, .medium, tetNotice),
            day("2025-01-30", tet, .holiday, .medium, tetNotice),
            day("2025-01-31", tet, .holiday, .medium, tetNotice),
            day("2025-04-07", hungKings, .holiday, .medium, lunarDate),
            day("2025-04-26", "Làm bù cho ngày 02/05/2025", .swappedWorkingDay, .medium, mayNotice),
            day("2025-04-30", victoryDay, .holiday, .high, fixedDate),
            day("2025-05-01", labourDay, .holiday, .high, fixedDate),
            day("2025-05-02", "Nghỉ hoán đổi dịp 30/4-1/5", .bridgingDayOff, .medium, mayNotice),
            day("2025-09-01", nationalDay, .holiday, .medium, nationalDayNotice),
            day("2025-09-02", nationalDay, .holiday, .high, fixedDate),
        ]
    }()

    private static let year2026: [CalendarEntry] = {
        let newYearNotice =
            "Government Office letter 12729/VPCP-KGVX of 25 Dec 2025: off 1-4 Jan, Fri 2 Jan "
            + "worked on Sat 10 Jan (reported by VietNamNet, 26 Dec 2025)"
        let tetNotice =
            "Announced for civil servants: break 14-22 Feb, statutory days 16-20 Feb (29 tháng Chạp "
            + "Ất Tỵ-mùng 4 Bính Ngọ) (reported by VNA, 17 Oct 2025, and Công an TP.HCM)"
        let hungKingsNotice =
            "10/3 lunar falls on Sunday 26 Apr; day off on Monday 27 Apr (Labour Code 2019 "
            + "Art. 111(3); reported by Thanh Niên, 23 Feb 2026)"
        let nationalDayGuess =
            "Not established: a 5-day National Day break was proposed (reported Oct 2025) "
            + "but the adjacent day and any swap were not found; 1 Sep assumed"
        return [
            day("2026-01-01", newYear, .holiday, .high, fixedDate),
            day("2026-01-02", "Nghỉ hoán đổi dịp Tết Dương lịch", .bridgingDayOff, .medium, newYearNotice),
            day("2026-01-10", "Làm bù cho ngày 02/01/2026", .swappedWorkingDay, .medium, newYearNotice),
            day("2026-02-16", tet, .holiday, .medium, tetNotice),
            day("2026-02-17", tet, .holiday, .medium, tetNotice),
            day("2026-02-18", tet, .holiday, .medium, tetNotice),
            day("2026-02-19", tet, .holiday, .medium, tetNotice),
            day("2026-02-20", tet, .holiday, .medium, tetNotice),
            day("2026-04-26", hungKings, .holiday, .medium, lunarDate),
            day("2026-04-27", "Nghỉ bù Giỗ Tổ Hùng Vương", .substituteDayOff, .medium, hungKingsNotice),
            day("2026-04-30", victoryDay, .holiday, .high, fixedDate),
            day("2026-05-01", labourDay, .holiday, .high, fixedDate),
            day("2026-09-01", nationalDay, .holiday, .low, nationalDayGuess),
            day("2026-09-02", nationalDay, .holiday, .high, fixedDate),
        ]
    }()

    private static let year2027: [CalendarEntry] = [
        day("2027-01-01", newYear, .holiday, .high, fixedDate),
        // Tết is Saturday 6 Feb; 29 tháng Chạp is Friday 5 Feb. The two statutory days on the weekend are taken on
        // the Wednesday and Thursday after, so five weekdays are off as the projection rule says.
        day("2027-02-05", tet, .holiday, .low, tetProjection),
        day("2027-02-06", tet, .holiday, .low, tetProjection),
        day("2027-02-07", tet, .holiday, .low, tetProjection),
        day("2027-02-08", tet, .holiday, .low, tetProjection),
        day("2027-02-09", tet, .holiday, .low, tetProjection),
        day("2027-02-10", "Nghỉ bù Tết Nguyên đán", .substituteDayOff, .low, substitute),
        day("2027-02-11", "Nghỉ bù Tết Nguyên đán", .substituteDayOff, .low, substitute),
        day("2027-04-16", hungKings, .holiday, .medium, lunarDate),
        day("2027-04-30", victoryDay, .holiday, .high, fixedDate),
        day("2027-05-01", labourDay, .holiday, .high, fixedDate),
        day("2027-05-03", "Nghỉ bù Ngày Quốc tế Lao động", .substituteDayOff, .medium, substitute),
        day("2027-09-02", nationalDay, .holiday, .high, fixedDate),
        day("2027-09-03", nationalDay, .holiday, .low, nationalDayProjection),
    ]

    private static let year2028: [CalendarEntry] = [
        day("2028-01-01", newYear, .holiday, .high, fixedDate),
        day("2028-01-03", "Nghỉ bù Tết Dương lịch", .substituteDayOff, .medium, substitute),
        // Tết is Wednesday 26 Jan; 29 tháng Chạp is Tuesday 25 Jan.
        day("2028-01-25", tet, .holiday, .low, tetProjection),
        day("2028-01-26", tet, .holiday, .low, tetProjection),
        day("2028-01-27", tet, .holiday, .low, tetProjection),
        day("2028-01-28", tet, .holiday, .low, tetProjection),
        day("2028-01-29", tet, .holiday, .low, tetProjection),
        day("2028-01-31", "Nghỉ bù Tết Nguyên đán", .substituteDayOff, .low, substitute),
        day("2028-04-04", hungKings, .holiday, .medium, lunarDate),
        day("2028-04-30", victoryDay, .holiday, .high, fixedDate),
        day("2028-05-01", labourDay, .holiday, .high, fixedDate),
        // 30 April is a Sunday and 1 May (Monday) is itself a holiday, so the day off moves to Tuesday.
        day("2028-05-02", "Nghỉ bù Ngày Chiến thắng", .substituteDayOff, .medium, substitute),
        day("2028-09-01", nationalDay, .holiday, .low, nationalDayProjection),
        day("2028-09-02", nationalDay, .holiday, .high, fixedDate),
        day("2028-09-04", "Nghỉ bù Quốc khánh", .substituteDayOff, .medium, substitute),
    ]

    private static let year2029: [CalendarEntry] = [
        day("2029-01-01", newYear, .holiday, .high, fixedDate),
        // Tết is Tuesday 13 Feb; 29 tháng Chạp is Monday 12 Feb.
        day("2029-02-12", tet, .holiday, .low, tetProjection),
        day("2029-02-13", tet, .holiday, .low, tetProjection),
        day("2029-02-14", tet, .holiday, .low, tetProjection),
        day("2029-02-15", tet, .holiday, .low, tetProjection),
        day("2029-02-16", tet, .holiday, .low, tetProjection),
        day("2029-04-23", hungKings, .holiday, .medium, lunarDate),
        day("2029-04-30", victoryDay, .holiday, .high, fixedDate),
        day("2029-05-01", labourDay, .holiday, .high, fixedDate),
        // 2 September is a Sunday: whichever adjacent day is chosen, 3 and 4 September end up off.
        day("2029-09-02", nationalDay, .holiday, .high, fixedDate),
        day("2029-09-03", nationalDay, .holiday, .low, nationalDayProjection),
        day("2029-09-04", "Nghỉ bù Quốc khánh", .substituteDayOff, .medium, substitute),
    ]

    private static let year2030: [CalendarEntry] = [
        day("2030-01-01", newYear, .holiday, .high, fixedDate),
        // Tết is Saturday 2 Feb in Vietnam (3 Feb in the UTC+08:00 Chinese calendar); 29 tháng Chạp is Friday 1 Feb.
        // As in 2027, the two statutory days on the weekend are taken on the Wednesday and Thursday after.
        day("2030-02-01", tet, .holiday, .low, tetProjection),
        day("2030-02-02", tet, .holiday, .low, tetProjection),
        day("2030-02-03", tet, .holiday, .low, tetProjection),
        day("2030-02-04", tet, .holiday, .low, tetProjection),
        day("2030-02-05", tet, .holiday, .low, tetProjection),
        day("2030-02-06", "Nghỉ bù Tết Nguyên đán", .substituteDayOff, .low, substitute),
        day("2030-02-07", "Nghỉ bù Tết Nguyên đán", .substituteDayOff, .low, substitute),
        day("2030-04-12", hungKings, .holiday, .medium, lunarDate),
        day("2030-04-30", victoryDay, .holiday, .high, fixedDate),
        day("2030-05-01", labourDay, .holiday, .high, fixedDate),
        day("2030-09-02", nationalDay, .holiday, .high, fixedDate),
        day("2030-09-03", nationalDay, .holiday, .low, nationalDayProjection),
    ]
}
