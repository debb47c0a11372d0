import Foundation
import RightsCore
import Testing

@Suite("Timestamps in and out")
struct TimestampTests {
    /// Seconds since 1970 of a UTC time worked out with `date -u -d TIME +%s`.
    private static func utc(_ seconds: Int) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    // MARK: - Reading

    @Test(
        arguments: [
            // 10:00 at +07:00 is 03:00Z: 1772420400.
            ("2026-03-02T10:00:00+07:00", 1_772_420_400),
            ("2026-03-02T03:00:00Z", 1_772_420_400),
            ("2026-03-02T03:00:00z", 1_772_420_400),
            // A space instead of "T", and an offset without its colon.
            ("2026-03-02 10:00:00+0700", 1_772_420_400),
            // Seconds may be left out.
            ("2026-03-02T10:00+07:00", 1_772_420_400),
            // 22:00 the day before at -05:00 is 03:00Z.
            ("2026-03-01T22:00:00-05:00", 1_772_420_400),
            // 17:30Z is 00:30 the next day in Vietnam: 1772386200.
            ("2026-03-01T17:30:00Z", 1_772_386_200),
            ("2026-03-02T00:30:00+07:00", 1_772_386_200),
            // 24:00 is the end of the day: 2026-03-02T24:00+07:00 = 2026-03-02T17:00Z = 1772470800.
            ("2026-03-02T24:00:00+07:00", 1_772_470_800),
            // White space around the text is ignored.
            ("  2026-03-02T03:00:00Z\t", 1_772_420_400),
        ])
    func isoTimesWithAnOffsetAreRead(text: String, seconds: Int) {
        #expect(Timestamp.parse(text) == Self.utc(seconds))
    }

    @Test func fractionalSecondsAreKept() {
        // 03:00:00.25Z is a quarter of a second after 1772420400.
        #expect(Timestamp.parse("2026-03-02T03:00:00.25Z").map(Timestamp.milliseconds) == 1_772_420_400_250)
        #expect(Timestamp.milliseconds(Timestamp.parse("2026-03-02T10:00:00,125+07:00")!) == 1_772_420_400_125)
    }

    @Test func aBareDateIsMidnightVietnamTime() {
        // 2026-03-02 00:00+07:00 is 2026-03-01T17:00Z = 1772384400.
        #expect(Timestamp.parse("2026-03-02") == Self.utc(1_772_384_400))
    }

    @Test func aBareDateAsTheEndOfARangeIsMidnightAtTheEndOfThatDay() {
        // 2026-03-02 24:00+07:00 is 2026-03-02T17:00Z = 1772470800, exactly one day after the start.
        #expect(Timestamp.parse("2026-03-02", endOfDay: true) == Self.utc(1_772_470_800))
        #expect(Timestamp.parse("02/03/2026", endOfDay: true) == Self.utc(1_772_470_800))
    }

    @Test func endOfDayDoesNotMoveATimeThatHasAClock() {
        #expect(Timestamp.parse("2026-03-02T10:00:00+07:00", endOfDay: true) == Self.utc(1_772_420_400))
        #expect(Timestamp.parse("02/03/2026 09:15", endOfDay: true) == Self.utc(1_772_417_700))
    }

    @Test(
        arguments: [
            // dd/mm/yyyy is a Vietnam date: 02/03/2026 is 2 March, 00:00+07:00 = 2026-03-01T17:00Z = 1772384400.
            ("02/03/2026", 1_772_384_400),
            // 09:15+07:00 on 2 March is 02:15Z = 1772417700.
            ("02/03/2026 09:15", 1_772_417_700),
            // 09:15:30+07:00 is 02:15:30Z = 1772417730.
            ("02/03/2026 09:15:30", 1_772_417_730),
            // One-digit day and month when a clock follows: 2/3/2026 09:15 is the same instant.
            ("2/3/2026 09:15", 1_772_417_700),
            // 12/08/2025 09:15+07:00 is 2025-08-12T02:15Z = 1754964900 (day first, never month first).
            ("12/08/2025 09:15", 1_754_964_900),
            // 29 February exists in 2024: 29/02/2024 00:00+07:00 is 2024-02-28T17:00Z = 1709139600.
            ("29/02/2024", 1_709_139_600),
        ])
    func dayFirstDatesAreReadAsVietnamTime(text: String, seconds: Int) {
        #expect(Timestamp.parse(text) == Self.utc(seconds))
    }

    @Test(
        arguments: [
            // Dates that do not exist.
            "31/02/2026", "29/02/2025", "2026-02-30", "2026-04-31", "00/01/2026",
            // Month 13, month 0.
            "2026-13-01", "01/13/2026", "2026-00-10",
            // A time without an offset is ambiguous.
            "2026-03-02T10:00:00", "2026-03-02T10:00", "2026-03-02 10:00:00",
            // Clock out of range: hour 25, minute 60, 24:00 with minutes, seconds 61.
            "2026-03-02T25:00:00Z", "2026-03-02T10:60:00Z", "2026-03-02T24:30:00Z", "2026-03-02T10:00:61Z",
            "02/03/2026 25:00",
            // Offsets beyond ±14:00 or with 60 minutes.
            "2026-03-02T10:00:00+15:00", "2026-03-02T10:00:00+07:60",
            // Trailing text, broken separators, an offset on a day-first time, a "T" in a day-first time.
            "2026-03-02T10:00:00+07:00 x", "2026/03/02", "02/03/2026 09:15+07:00", "02/03/2026T09:15",
            "2026-03-02T10:00:00.Z",
            // Not a time at all.
            "", "   ", "yesterday", "2026-3-2",
        ])
    func invalidTimesAreRefused(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func parsingFromBytesAgreesWithParsingFromText() {
        for text in ["2026-03-02T10:00:00+07:00", "02/03/2026 09:15", "2026-03-02", "31/02/2026"] {
            let bytes = Array(text.utf8)
            let fromBytes = bytes.withUnsafeBufferPointer { Timestamp.parse(bytes: $0) }
            #expect(fromBytes == Timestamp.parse(text), "\(text)")
        }
    }

    // MARK: - Writing

    @Test func vietnamTimeIsWrittenWithItsOffset() {
        // 2026-03-01T17:30:00Z is 2026-03-02T00:30:00+07:00: past midnight, so the next day.
        #expect(Timestamp.vietnam(Self.utc(1_772_386_200)) == "2026-03-02T00:30:00+07:00")
        // 2026-01-01T00:00:00Z is 07:00 the same day in Vietnam.
        #expect(Timestamp.vietnam(Self.utc(1_767_225_600)) == "2026-01-01T07:00:00+07:00")
    }

    @Test func vietnamTimeShowsMillisecondsOnlyWhenThereAreSome() {
        // 1772420400.25 is 2026-03-02T03:00:00.250Z, 10:00:00.250 in Vietnam.
        #expect(Timestamp.vietnam(Date(timeIntervalSince1970: 1_772_420_400.25)) == "2026-03-02T10:00:00.250+07:00")
        #expect(Timestamp.vietnam(Self.utc(1_772_420_400)) == "2026-03-02T10:00:00+07:00")
    }

    @Test func utcIsWrittenWithMillisecondsAndZ() {
        #expect(Timestamp.utc(Self.utc(1_772_386_200)) == "2026-03-01T17:30:00.000Z")
        #expect(Timestamp.utc(Date(timeIntervalSince1970: 1_772_420_400.007)) == "2026-03-02T03:00:00.007Z")
    }

    @Test(
        arguments: [
            // 2026-03-01T16:59:59Z is 23:59:59 on 1 March in Vietnam.
            (1_772_384_399, "2026-03-01"),
            // 2026-03-01T17:00:00Z is midnight starting 2 March.
            (1_772_384_400, "2026-03-02"),
            // 2026-03-01T17:30:00Z is 00:30 on 2 March.
            (1_772_386_200, "2026-03-02"),
            // One second before 1970 (UTC) is still 1 January 1970 in Vietnam (06:59:59).
            (-1, "1970-01-01"),
            // 25201 s before 1970 is 1969-12-31T16:59:59Z, 23:59:59 on 31 December in Vietnam.
            (-25_201, "1969-12-31"),
            // 1709139600 is 2024-02-28T17:00Z, the start of 29 February 2024 in Vietnam.
            (1_709_139_600, "2024-02-29"),
        ])
    func vietnamDateIsTheCalendarDayInVietnam(seconds: Int, expected: String) {
        #expect(Timestamp.vietnamDate(Self.utc(seconds)) == expected)
    }

    @Test(
        arguments: [
            "2026-03-02T10:00:00+07:00", "2026-03-02T00:30:00+07:00", "2024-02-29T23:59:59+07:00",
            "2026-03-02T10:00:00.250+07:00",
        ])
    func vietnamOutputParsesBackToTheSameInstant(text: String) throws {
        let date = try #require(Timestamp.parse(text))
        #expect(Timestamp.vietnam(date) == text)
        #expect(Timestamp.parse(Timestamp.utc(date)).map(Timestamp.milliseconds) == Timestamp.milliseconds(date))
    }

    @Test func civilDayCountsRoundTrip() {
        // 2026-03-02 is day 20514 since 1970-01-01 (1772409600 / 86400).
        #expect(LocalDate(year: 2026, month: 3, day: 2)?.daysSinceEpoch == 20_514)
        #expect(LocalDate(year: 1970, month: 1, day: 1)?.daysSinceEpoch == 0)
        #expect(LocalDate(year: 1969, month: 12, day: 31)?.daysSinceEpoch == -1)
        for days in [-1, 0, 20_514, 19_782] {
            #expect(LocalDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
    }
}
