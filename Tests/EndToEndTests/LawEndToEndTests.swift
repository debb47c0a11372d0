import Foundation
import Testing

/// The law as the rule sets and letters state it (issue: citations, protection requests, representatives,
/// duplicate closings, the calendar reading), driven through the built binary.
@Suite("the law, end to end")
struct LawEndToEndTests {
    @Test func rulesShowCitesNoHealthDataArticleAndOffersEachGroundForItsTypes() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let rules = try desk.run("rules", "show", "--json")
        #expect(rules.status == 0)
        #expect(!rules.stdout.contains("Art. 26"))
        let sets = try #require(try JSONSerialization.jsonObject(with: Data(rules.stdout.utf8)) as? [String: Any])
        let text = String(describing: sets)
        #expect(text.contains("Law 91 Art. 3(4), 7(7), 15(2)(b)"))
        #expect(text.contains("protection"))

        // harms-others is for access alone: refusing a deletion on it is refused, and nothing changes.
        let id =
            try json(desk, "request", "new", "--type", "deletion", "--subject", "0903000111", "--channel", "web")[
                "id"] as! String
        let wrong = try desk.run("request", "reject", id, "--ground", "harms-others", "--note", "x")
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("harms-others") && wrong.stderr.contains("access"), "\(wrong.stderr)")
        #expect(try json(desk, "request", "show", id)["state"] as? String == "received")
        // no-consent-needed on a withdrawal cites Art. 10(1), not the deletion clause.
        let withdrawal =
            try json(
                desk, "request", "new", "--type", "withdraw-consent", "--subject", "0904000222", "--channel", "web")[
                "id"]
            as! String
        _ = try json(
            desk, "request", "reject", withdrawal, "--ground", "no-consent-needed", "--note", "Thực hiện hợp đồng")
        let citation = try json(desk, "request", "show", withdrawal)["ground_citation"] as? String
        #expect(citation == "Law 91 Art. 10(1), 19; Decree 356 Art. 5(2)")
        let letter = try desk.run("request", "letter", withdrawal, "--kind", "rejection", "--lang", "vi")
        #expect(letter.status == 0, "\(letter.stderr)")
        #expect(!letter.stdout.contains("không thể xóa") && letter.stdout.contains("khoản 1 Điều 10"))
    }

    @Test func aProtectionRequestRunsItsOwnClockAndCompletesWithItsMeasures() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let request = try json(
            desk, "request", "new", "--type", "protection", "--subject", "0912345678", "--channel", "email",
            "--received-at", "2026-03-06T10:00:00+07:00")
        #expect(request["ack_due_date"] as? String == "2026-03-10")
        #expect(request["due_date"] as? String == "2026-03-23")
        #expect((request["citation"] as? String)?.contains("Decree 356 Art. 5(5)") == true)
        let id = try #require(request["id"] as? String)
        // Not a refusal of advertising: nothing is suppressed at intake.
        #expect((try json(desk, "why", "0912345678")["suppressions"] as? [Any])?.isEmpty == true)
        _ = try json(desk, "request", "verify", id, "--method", "otp-email", "--at", "2026-03-06T11:00:00+07:00")
        let bare = try desk.run("request", "complete", id, "--at", "2026-03-07T09:00:00+07:00")
        #expect(bare.status == 1 && bare.stderr.contains("--measures"), "\(bare.stderr)")
        _ = try json(
            desk, "request", "complete", id, "--measures", "Đã khóa tài khoản và đổi mật khẩu", "--at",
            "2026-03-07T09:00:00+07:00")
        let show = try json(desk, "request", "show", id)
        #expect(show["state"] as? String == "completed")
        let letter = try desk.run("request", "letter", id, "--kind", "completion", "--lang", "vi")
        #expect(letter.stdout.contains("yêu cầu thực hiện biện pháp bảo vệ dữ liệu cá nhân"), "\(letter.stdout)")
        #expect(letter.stdout.contains("Kết quả: Đã khóa tài khoản và đổi mật khẩu"), "\(letter.stdout)")
    }

    @Test func aRepresentativeIsRecordedShownAndAddressed() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let request = try json(
            desk, "request", "new", "--type", "access", "--subject", "0987654321", "--channel", "in-person",
            "--name", "Nguyễn Minh Anh", "--representative", "Nguyễn Văn Hùng", "--relation", "parent",
            "--representative-evidence", "Giấy khai sinh số 123/2015")
        let id = try #require(request["id"] as? String)
        let show = try json(desk, "request", "show", id)
        let representative = try #require(show["representative"] as? [String: Any])
        #expect(representative["name"] as? String == "Nguyễn Văn Hùng")
        #expect(representative["relation"] as? String == "parent")
        #expect(representative["evidence"] as? String == "Giấy khai sinh số 123/2015")
        let letter = try desk.run("request", "letter", id, "--kind", "ack", "--lang", "vi")
        #expect(letter.stdout.contains("Kính gửi Ông/Bà Nguyễn Văn Hùng,"))
        #expect(letter.stdout.contains("cha hoặc mẹ của Nguyễn Minh Anh"))
        // Without one, the field is null; a relation without a name is a usage error.
        let plain = try json(desk, "request", "new", "--type", "access", "--subject", "0911111111", "--channel", "web")
        #expect(try json(desk, "request", "show", plain["id"] as! String)["representative"] is NSNull)
        let half = try desk.run(
            "request", "new", "--type", "access", "--subject", "0911111112", "--channel", "web", "--relation", "agent")
        #expect(half.status == 64)
        let unnamed = try desk.run(
            "request", "new", "--type", "access", "--subject", "0911111113", "--channel", "web", "--representative",
            "Trần Văn B")
        #expect(unnamed.status == 64 && unnamed.stderr.contains("--relation"))
    }

    @Test func aRestrictionRecordsItsConditionAndTheFormItCameIn() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let request = try json(
            desk, "request", "new", "--type", "restriction", "--subject", "0903000111", "--channel", "paper",
            "--restriction-condition", "Chỉ lưu trữ, không dùng để gửi tin", "--evidence", "Đơn giấy số 17/2026")
        let show = try json(desk, "request", "show", request["id"] as! String)
        #expect(show["restriction_condition"] as? String == "Chỉ lưu trữ, không dùng để gửi tin")
        #expect(show["evidence"] as? String == "Đơn giấy số 17/2026")
        let misplaced = try desk.run(
            "request", "new", "--type", "access", "--subject", "0903000112", "--channel", "web",
            "--restriction-condition", "x")
        #expect(misplaced.status == 1 && misplaced.stderr.contains("restriction"))
    }

    @Test func aDuplicateIsClosedIntoTheOpenRequestWithoutBlame() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let first = try json(
            desk, "request", "new", "--type", "deletion", "--subject", "0903000111", "--channel", "web")
        let firstID = try #require(first["id"] as? String)
        let second = try json(
            desk, "request", "new", "--type", "deletion", "--subject", "+84 903 000 111", "--channel", "zalo")
        let secondID = try #require(second["id"] as? String)
        #expect(second["duplicate_of"] as? String == firstID)
        // Without --note: the duplicate names its original, found at intake.
        let closed = try json(desk, "request", "reject", secondID, "--ground", "duplicate")
        #expect(closed["state"] as? String == "rejected")
        let show = try json(desk, "request", "show", secondID)
        #expect(show["ground"] as? String == "duplicate")
        let letter = try desk.run("request", "letter", secondID, "--kind", "rejection", "--lang", "vi")
        #expect(letter.status == 0, "\(letter.stderr)")
        #expect(letter.stdout.contains(firstID) && !letter.stdout.contains("lạm dụng"))
        // The first stays open; a request with no open twin cannot be closed as a duplicate of nothing, of
        // itself, or of another type.
        #expect(try json(desk, "request", "show", firstID)["state"] as? String == "received")
        let lone = try json(desk, "request", "new", "--type", "access", "--subject", "0909999999", "--channel", "web")
        let loneID = try #require(lone["id"] as? String)
        #expect(try desk.run("request", "reject", loneID, "--ground", "duplicate").status == 1)
        #expect(try desk.run("request", "reject", loneID, "--ground", "duplicate", "--of", loneID).status == 1)
        let otherType = try desk.run("request", "reject", loneID, "--ground", "duplicate", "--of", firstID)
        #expect(otherType.status == 1 && otherType.stderr.contains("same type"), "\(otherType.stderr)")
        // Any other ground still needs a note for the person.
        #expect(try desk.run("request", "reject", loneID, "--ground", "no-data").status == 1)
    }

    @Test func theCalendarReadingIsTheCompanysChoiceAndDoesNotMoveFixedDeadlines() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        // Thu 1 Jan 2026: by statute Fri 2 Jan is a working day (ack Mon 5); as announced it is off (ack Tue 6).
        let before = try json(
            desk, "request", "new", "--type", "access", "--subject", "0903000111", "--channel", "web",
            "--received-at", "2026-01-01T08:00:00+07:00")
        #expect(before["ack_due_date"] as? String == "2026-01-05")
        let listed = try json(desk, "holidays", "list", "--year", "2026")
        #expect(listed["reading"] as? String == "statutory")
        let days = listed["holidays"] as? [[String: Any]] ?? []
        let bridging = days.first { $0["date"] as? String == "2026-01-02" }
        #expect(bridging?["counts"] as? Bool == false)
        let planned = days.first { $0["date"] as? String == "2026-11-24" }
        #expect(planned?["kind"] as? String == "planned-holiday" && planned?["counts"] as? Bool == false)

        #expect(try desk.run("holidays", "reading", "announced").status == 0)
        #expect(try desk.run("holidays", "reading", "lunar").status == 64)
        let after = try json(
            desk, "request", "new", "--type", "access", "--subject", "0904000222", "--channel", "web",
            "--received-at", "2026-01-01T08:00:00+07:00")
        #expect(after["ack_due_date"] as? String == "2026-01-06")
        #expect(try json(desk, "request", "show", before["id"] as! String)["ack_due_date"] as? String == "2026-01-05")
        let audit = try desk.run("audit", "verify")
        #expect(audit.status == 0)
    }
}
