import Foundation
import RightsSamples
import Testing

@testable import RightsCore

struct PhoneNumberTests {
    // MARK: The contract's examples

    @Test(
        "Every written form in CONTRACT.md normalises to E.164",
        arguments: [
            ("0912345678", "+84912345678"),
            ("0912 345 678", "+84912345678"),
            ("091.234.5678", "+84912345678"),
            ("+84 912 345 678", "+84912345678"),
            ("84912345678", "+84912345678"),
            ("0084912345678", "+84912345678"),
            ("(+84) 912-345-678", "+84912345678"),
            ("(028) 3823 4567", "+842838234567"),  // Ho Chi Minh City, 028 + 8 digits
            ("01662345678", "+84362345678"),  // Viettel 0166 became 036 in 2018
        ]
    )
    func contractExamplesNormalise(input: String, expected: String) throws {
        #expect(try PhoneNumber(parsing: input).e164 == expected)
    }

    @Test(
        "Other written forms normalise to the same E.164",
        arguments: [
            ("+841662345678", "+84362345678"),  // old form with the country code
            ("841662345678", "+84362345678"),  // old form, country code without +
            ("0084 1662 345 678", "+84362345678"),
            ("01202345678", "+84702345678"),  // MobiFone 0120 became 070
            ("01992345678", "+84592345678"),  // Gmobile 0199 became 059
            ("+84 (0) 912 345 678", "+84912345678"),  // national prefix kept after the country code
            ("+840912345678", "+84912345678"),
            ("912345678", "+84912345678"),  // a spreadsheet dropped the 0
            ("0841234567", "+84841234567"),  // VinaPhone 084, not "0" + country code 84
            ("84841234567", "+84841234567"),  // the same number with the country code
            ("024 3823 4567", "+842438234567"),  // Hanoi
            ("0236.3823.456", "+842363823456"),  // Da Nang, 3-digit code + 7 digits
            ("0912\u{00A0}345\u{00A0}678", "+84912345678"),  // non-breaking spaces
            ("0912\u{202F}345\u{202F}678", "+84912345678"),  // narrow non-breaking spaces
            ("0912\u{3000}345\u{2009}678", "+84912345678"),  // ideographic and thin spaces
            ("\u{200B}0912345678\u{FEFF}", "+84912345678"),  // zero-width characters pasted along
            ("0912\u{2013}345\u{2013}678", "+84912345678"),  // en dashes from a word processor
            ("\u{FF10}\u{FF19}\u{FF11}\u{FF12}\u{FF13}\u{FF14}\u{FF15}\u{FF16}\u{FF17}\u{FF18}", "+84912345678"),
            (" 0912345678\r", "+84912345678"),
            ("+1 202 555 0123", "+12025550123"),  // foreign: + and 11 digits
            ("0044 20 7946 0958", "+442079460958"),  // foreign with 00
            ("+855 12 345 678", "+85512345678"),  // Cambodia, 11 digits
        ]
    )
    func otherFormsNormalise(input: String, expected: String) throws {
        #expect(try PhoneNumber(parsing: input).e164 == expected)
    }

    @Test("A number knows its kind and whether it is Vietnamese")
    func kindsAreReported() throws {
        let mobile = try PhoneNumber(parsing: "0912345678")
        #expect(mobile.kind == .mobile && mobile.isVietnamese)
        let landline = try PhoneNumber(parsing: "(028) 3823 4567")
        #expect(landline.kind == .landline && landline.isVietnamese)
        let foreign = try PhoneNumber(parsing: "+44 20 7946 0958")
        #expect(foreign.kind == .foreign && !foreign.isVietnamese)
        #expect(foreign.description == "+442079460958")
    }

    @Test("Parsing a substring gives the same number as parsing a string")
    func substringsParse() throws {
        let line = "name,0912 345 678,x"
        let field = line.split(separator: ",")[1]
        #expect(try PhoneNumber(parsing: field) == PhoneNumber(parsing: "0912345678"))
    }

    // MARK: Invalid input and its reasons

    @Test(
        "Invalid input is rejected with the reason",
        arguments: [
            ("", PhoneNumberError.empty),
            (" - ", .empty),
            ("abc", .invalidCharacter("a")),
            ("0912 345 67a", .invalidCharacter("a")),
            ("0912/345/678", .invalidCharacter("/")),  // two numbers in one cell must not merge
            ("0912345678 ext 12", .invalidCharacter("e")),
            ("0912_345_678", .invalidCharacter("_")),
            ("09123é45678", .invalidCharacter("é")),
            ("0912345678+", .misplacedPlus),
            ("+84+912345678", .misplacedPlus),
            ("091234567", .wrongLength(digits: 8, expected: "9")),  // 091 takes 9 digits after the 0
            ("09123456789", .wrongLength(digits: 10, expected: "9")),
            ("+84", .wrongLength(digits: 0, expected: "9 or 10")),
            ("028 3823 456", .wrongLength(digits: 9, expected: "10")),  // landlines take 10
            ("0166234567", .wrongLength(digits: 9, expected: "10")),  // old 0166 needed 10 digits after the 0
            ("0123456789", .wrongLength(digits: 9, expected: "10")),  // old VinaPhone 0123 took 10 digits after the 0
            ("0133456789", .unassignedPrefix("013")),
            ("0438234567", .unassignedPrefix("04")),  // Hanoi's code before 2017
            ("0612345678", .unassignedPrefix("06")),
            ("1800 1234", .unassignedPrefix("018")),  // toll-free: not a mobile or landline number
            ("1900 123 456", .unassignedPrefix("019")),  // premium rate
            ("+1234567", .foreignLength(digits: 7)),
            ("+1234567890123456", .foreignLength(digits: 16)),
            ("+", .empty),
            ("+0123456789", .invalidCountryCode),
            ("000123456789", .invalidCountryCode),
        ]
    )
    func invalidInputIsRejected(input: String, expected: PhoneNumberError) {
        #expect(throws: expected) { try PhoneNumber(parsing: input) }
    }

    @Test("Every reason reads as one English sentence")
    func reasonsAreSentences() {
        let reasons: [PhoneNumberError] = [
            .empty, .invalidCharacter("x"), .misplacedPlus, .wrongLength(digits: 8, expected: "9"),
            .unassignedPrefix("0123"), .foreignLength(digits: 5), .invalidCountryCode,
        ]
        for reason in reasons {
            let text = reason.description
            #expect(text.first?.isUppercase == true && text.hasSuffix(".") && !text.contains("\n"), "\(text)")
        }
    }

    // MARK: Vectors generated from libphonenumber

    @Test("Every vector generated from libphonenumber parses as expected")
    func generatedVectorsPass() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/vn-phone-vectors.tsv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.first == "input\texpected")
        var failures: [String] = []
        for line in lines.dropFirst() {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            try #require(columns.count == 2, "malformed vector line: \(line)")
            let input = unescape(columns[0])
            let expected = String(columns[1])
            let actual: String
            do {
                actual = try PhoneNumber(parsing: input).e164
            } catch {
                actual = "invalid"
            }
            if actual != expected { failures.append("\(input.debugDescription): expected \(expected), got \(actual)") }
        }
        #expect(lines.count > 2000)
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.prefix(10).joined(separator: "; "))")
    }

    private func unescape(_ field: Substring) -> String {
        var result = ""
        var escaped = false
        for character in field {
            if escaped {
                result.append(character == "t" ? "\t" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }

    // MARK: Properties over random numbers

    @Test("Every written form of a random valid number normalises to the same E.164", arguments: [1, 2, 3, 4])
    func writtenFormsAgree(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<500 {
            let (nsn, assignment) = randomValidNumber(&random)
            let expected = "+84" + nsn
            for form in writtenForms(of: nsn, kind: assignment.kind) {
                let number = try PhoneNumber(parsing: form)
                #expect(number.e164 == expected, "seed \(seed): \(form.debugDescription)")
                #expect(number.kind == assignment.kind, "seed \(seed): \(form.debugDescription)")
            }
        }
    }

    @Test("Old 11-digit mobile numbers become their 2018 form", arguments: VietnamNumberingPlan.conversions.indices)
    func oldMobileNumbersConvert(index: Int) throws {
        let conversion = VietnamNumberingPlan.conversions[index]
        var random = SplitMix64(seed: UInt64(index))
        for _ in 0..<50 {
            let subscriber = randomDigits(7, &random)
            let expected = "+84" + conversion.new.dropFirst() + subscriber
            for form in [conversion.old + subscriber, "+84" + conversion.old.dropFirst() + subscriber] {
                #expect(try PhoneNumber(parsing: form).e164 == expected, "\(form)")
            }
        }
    }

    @Test("Random digit strings are accepted exactly when the plan assigns them", arguments: [5, 6])
    func randomNationalNumbersFollowThePlan(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0..<20_000 {
            let nsn = String(random.next(below: 9) + 1) + randomDigits(Int(random.next(below: 11)), &random)
            do {
                let number = try PhoneNumber(parsing: "0" + nsn)
                #expect(planAccepts(nsn), "seed \(seed): 0\(nsn) accepted as \(number)")
            } catch {
                #expect(!planAccepts(nsn), "seed \(seed): 0\(nsn) rejected: \(error)")
            }
        }
    }

    @Test("Invalid numbers are rejected with a reason, never silently", arguments: [7, 8])
    func invalidNumbersCarryAReason(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0..<2_000 {
            let (nsn, _) = randomValidNumber(&random)
            let damaged =
                random.next(below: 2) == 0
                ? String(nsn.dropLast()) : nsn + randomDigits(1, &random)
            // A 9-digit 0121x number with a digit added is an old MobiFone 0121 number, which is valid.
            if planAccepts(damaged) { continue }
            do {
                let number = try PhoneNumber(parsing: "0" + damaged)
                Issue.record("seed \(seed): 0\(damaged) accepted as \(number)")
            } catch {
                switch error {
                case .wrongLength, .unassignedPrefix: #expect(!error.description.isEmpty)
                default: Issue.record("seed \(seed): 0\(damaged) rejected for \(error)")
                }
            }
        }
    }

    // MARK: The numbering-plan data

    @Test("Every converted prefix is a current mobile range from 2018")
    func conversionTargetsAreMobileRanges() {
        for conversion in VietnamNumberingPlan.conversions {
            let nsnPrefix = conversion.new.dropFirst()
            let ranges = VietnamNumberingPlan.assignments.filter { $0.prefix.hasPrefix(nsnPrefix) }
            #expect(!ranges.isEmpty, "\(conversion.new)")
            #expect(ranges.allSatisfy { $0.kind == .mobile && $0.since == conversion.year }, "\(conversion.new)")
        }
    }

    @Test("No assignment lies inside another, so the table is unambiguous")
    func assignmentsDoNotOverlap() {
        let assignments = VietnamNumberingPlan.assignments
        for (index, first) in assignments.enumerated() {
            for second in assignments[(index + 1)...] where first.length == second.length {
                #expect(!first.prefix.hasPrefix(second.prefix) && !second.prefix.hasPrefix(first.prefix))
            }
        }
    }
}

// MARK: Helpers

private func randomDigits(_ count: Int, _ random: inout SplitMix64) -> String {
    String((0..<count).map { _ in Character(String(random.next(below: 10))) })
}

private func randomValidNumber(_ random: inout SplitMix64) -> (String, VietnamNumberingPlan.Assignment) {
    let assignments = VietnamNumberingPlan.assignments
    let assignment = assignments[random.next(below: assignments.count)]
    return (assignment.prefix + randomDigits(assignment.length - assignment.prefix.count, &random), assignment)
}

/// Whether the data tables alone accept a national significant number, old 2018 forms included.
private func planAccepts(_ nsn: String) -> Bool {
    let assigned = VietnamNumberingPlan.assignments.contains { $0.length == nsn.count && nsn.hasPrefix($0.prefix) }
    let converted = VietnamNumberingPlan.conversions.contains { conversion in
        let old = conversion.old.dropFirst()
        let new = conversion.new.dropFirst()
        guard nsn.hasPrefix(old) else { return false }
        let current = new + nsn.dropFirst(old.count)
        return VietnamNumberingPlan.assignments.contains { $0.length == current.count && current.hasPrefix($0.prefix) }
    }
    return assigned || converted
}

private func grouped(_ digits: String, _ sizes: [Int], _ separator: String) -> String {
    var parts: [Substring] = []
    var rest = Substring(digits)
    for size in sizes where !rest.isEmpty {
        parts.append(rest.prefix(size))
        rest = rest.dropFirst(size)
    }
    if !rest.isEmpty { parts.append(rest) }
    return parts.joined(separator: separator)
}

private func writtenForms(of nsn: String, kind: PhoneNumber.Kind) -> [String] {
    let national = "0" + nsn
    var forms = [
        national, nsn, "+84" + nsn, "84" + nsn, "0084" + nsn, "+84 0" + nsn, "+84 (0) " + nsn,
        grouped(national, [4, 3, 3], " "), grouped(national, [3, 3, 4], "."), grouped(national, [4, 3, 3], "-"),
        "+84 " + grouped(nsn, [3, 3, 3], " "), "(+84) " + grouped(nsn, [3, 3, 3], "-"),
        grouped(national, [4, 3, 3], "\u{00A0}"), grouped(national, [4, 3, 3], "\u{202F}"),
        "\t" + national + " ",
    ]
    if kind == .landline {
        let codeLength = nsn.hasPrefix("24") || nsn.hasPrefix("28") ? 3 : 4
        forms.append(
            "(" + national.prefix(codeLength) + ") " + grouped(String(national.dropFirst(codeLength)), [4], " "))
    }
    return forms
}
