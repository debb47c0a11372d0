import Testing

@testable import RightsCore

/// What the Vietnamese desk shows of the English words the record keeps: said again in Vietnamese, or kept as
/// written when it is not a phrase the record writes.
struct VocabularyTests {
    @Test(
        "a completion's note is said in Vietnamese",
        arguments: [
            ("suppressed for all processing", "ngừng mọi xử lý dữ liệu"),
            (
                "refusal confirmed; suppression in force since receipt",
                "đã xác nhận ngừng gửi; việc ngừng có hiệu lực từ lúc nhận yêu cầu"
            ),
            (
                "erased (entries 2, request_subjects 1, sends 3); suppressed for all processing",
                "đã xóa 6 bản ghi dữ liệu; ngừng mọi xử lý dữ liệu"
            ),
            (
                "access report given (SHA-256 0123456789abcdef…)",
                "đã giao báo cáo dữ liệu cá nhân (SHA-256 0123456789abcdef…)"
            ),
            ("corrected ho_ten, email in 2 entries", "đã sửa ho_ten, email trong 2 bản ghi"),
        ])
    func completionNotes(english: String, vietnamese: String) {
        #expect(Vocabulary.eventNote(kind: "completed", note: english, .vietnamese) == vietnamese)
        #expect(Vocabulary.eventNote(kind: "completed", note: english, .english) == english)
    }

    @Test func aNoteItDoesNotKnowIsKeptAsWritten() {
        // An officer's measures for a protection request, typed in their own words.
        let typed = "Đã đổi mật khẩu hệ thống CRM"
        #expect(Vocabulary.eventNote(kind: "completed", note: typed, .vietnamese) == typed)
        #expect(
            Vocabulary.eventNote(kind: "late", note: "completed after the due date, no reason given", .vietnamese)
                == "hoàn thành sau thời hạn, không nêu lý do")
        #expect(
            Vocabulary.suppressionReason("erased", .vietnamese) == "Dữ liệu của người này đã được xóa"
                && Vocabulary.suppressionReason("erased", .english) == "erased")
    }
}
