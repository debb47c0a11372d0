import Foundation
import Testing

@testable import RightsCore

/// The refusal classifier against phrases as Vietnamese customers write them to an Official Account: with and
/// without diacritics, decomposed, in teen-code, in capitals; and the lookalikes that must never file an objection.
@Suite("Refusal text: how people write it")
struct RefusalTextTests {
    static let phrases: [RefusalCase] = [
        // The contract's keywords, alone or with QC/KM.
        .init("STOP", .refusal),
        .init("stop", .refusal),
        .init("STOP QC", .refusal),
        .init("HUY", .refusal),
        .init("HỦY KM", .refusal),
        .init("Huỷ", .refusal),  // the older placement of the tone mark
        .init("TU CHOI", .refusal),
        .init("Tu\u{031B}\u{0300} cho\u{0302}\u{0301}i", .refusal),  // "Từ chối" typed decomposed (NFD)
        .init("Tôi muốn HỦY nhận tin quảng cáo", .refusal),
        // "Stop sending" verb phrases about messages or advertising.
        .init("đừng gửi quảng cáo nữa", .refusal),
        // "đừng gửi qc nữa", typed decomposed (NFD).
        .init("\u{0111}u\u{031B}\u{0300}ng gu\u{031B}\u{0309}i qc nu\u{031B}\u{0303}a", .refusal),
        .init("ngừng gửi tin", .refusal),
        .init("thôi gửi tin đi", .refusal),
        .init("đừng nhắn nữa", .refusal),  // nhắn (text), unlike nhận, refuses without an object
        .init("ngung gui", .refusal),
        .init("dung gui tin nua", .refusal),  // no diacritic anywhere: "dung" is đừng
        .init("xin đừng làm phiền", .refusal),
        .init("đừng spam nữa", .refusal),
        .init("bớt gửi tin", .refusal),
        .init("Ad ơi đừng gửi tin nữa nha", .refusal),  // "ad" is the admin addressed, not advertising
        .init("ngưng gửi tin khuyến mãi giùm em", .refusal),
        .init("Dừng gửi tin nhắn quảng cáo cho tôi", .refusal),
        .init("đừng gửi j nữa", .refusal),  // j = gì
        .init("Mình đã ns là đừng gửi nữa mà", .refusal),  // ns = nói
        .init("Đừng gửi tin nhắn cho tôi nữa, cảm ơn", .refusal),
        .init("đừng có gửi tin km nữa", .refusal),
        .init("Đừng gửi quãng cáo nữa", .refusal),  // the common misspelling quãng
        .init("khỏi gửi tin nữa", .refusal),
        .init("Shop ngừng gửi tin cho mình được không?", .refusal),  // a polite request, not a question
        // "I don't want to receive", with the chat forms of không and muốn.
        .init("Tôi không muốn nhận tin khuyến mãi", .refusal),
        .init("k muốn nhận tin nữa", .refusal),
        .init("ko nhận tin nữa", .refusal),  // no muốn: "nữa" (anymore) makes it a refusal
        .init("không nhận quảng cáo", .refusal),
        .init("k nhận qc", .refusal),
        .init("hok mún nhận tin km nx", .refusal),  // hok = không, mún = muốn, nx = nữa
        .init("khum muốn nhận quảng cáo đâu", .refusal),
        .init("KG MUON NHAN TIN QC", .refusal),
        .init("hông muốn nhận tin nhắn nữa ạ", .refusal),
        .init("ko mun nhan tn nua", .refusal),  // tn = tin nhắn
        .init("ko cần gửi tin nữa", .refusal),
        .init("tôi không muốn bị làm phiền nữa", .refusal),
        .init("Không muốn nhận quảng cáo nữa, hủy đi", .refusal),
        // Unsubscribing, and the keywords used as verbs.
        .init("hủy đăng ký", .refusal),
        .init("huỷ đăng ký nhận tin", .refusal),
        .init("HUỶ ĐĂNG KÝ", .refusal),
        .init("hu\u{0309}y \u{0111}a\u{0306}ng ky\u{0301}", .refusal),  // NFD
        .init("hủy đk nhận tin", .refusal),  // đk = đăng ký
        .init("bỏ theo dõi", .refusal),
        .init("Bỏ quan tâm", .refusal),  // the OA button's older name
        .init("Hủy theo dõi OA", .refusal),
        .init("Tôi đã hủy đăng ký rồi mà vẫn nhận tin", .refusal),
        .init("Không, hủy đăng ký đi", .refusal),  // the comma ends the negation's reach
        .init("hủy nhận tin", .refusal),
        .init("Hủy nhận tin khuyến mại", .refusal),  // the northern khuyến mại
        .init("từ chối nhận tin", .refusal),
        .init("STOP SMS", .refusal),
        .init("stop gửi tin", .refusal),
        .init("unsubscribe", .refusal),
        .init("Unsubscribe please", .refusal),
        .init("Xóa tôi khỏi danh sách nhận tin", .refusal),

        // Cancelling something else: at most an officer's question, never an objection.
        .init("hủy đơn hàng", .possible),
        .init("huỷ đơn", .possible),
        .init("hủy đơn giúp em", .possible),
        .init("tôi muốn hủy đơn hàng số 123", .possible),
        .init("HUY DON HANG", .possible),
        .init("hủy giao hàng", .possible),
        .init("đừng gửi hàng nữa", .possible),
        .init("ngừng gửi hàng", .possible),
        .init("hủy lịch hẹn", .possible),
        .init("hủy đăng ký khóa học", .possible),
        .init("hủy đơn hàng, tin nhắn xác nhận chưa tới", .possible),  // the keyword's object is the order
        .init("Hủy tin đăng bán nhà", .possible),  // tin đăng is a listing, not a message
        // Names, negations and questions.
        .init("Huy ơi, tin nhắn của mình đâu", .possible),
        .init("anh Huy", .possible),
        .init("Huy nhận tin chưa?", .possible),  // bare "Huy" among accented words is the name
        .init("Tôi không muốn hủy quảng cáo", .possible),
        .init("đừng hủy KM nhé", .possible),
        .init("Tôi không muốn hủy đăng ký", .possible),
        .init("Làm sao để hủy đăng ký?", .possible),
        .init("Nếu không muốn nhận tin thì làm sao?", .possible),
        // Half-said or ambiguous.
        .init("Tôi không nhận tin nhắn OTP", .possible),  // "I don't get" or "I don't take": an officer reads it
        .init("dung gửi tin nữa", .possible),  // bare "dung" among accented words may be the name Dung
        .init("bot gui tin nham", .possible),  // bot is also a chatbot; bớt counts only so written
        .init("spam quá", .possible),
        .init("DỪNG", .possible),
        .init("please stop", .possible),

        // No refusal word at all.
        .init("cho mình hỏi giá", .none),
        .init("cảm ơn shop", .none),
        .init("tin nhắn của mình đâu rồi", .none),
        .init("Sao tôi không nhận được tin nhắn?", .none),  // a complaint about not receiving
        .init("ko nhận đc tin nhắn", .none),
        .init("Tôi muốn nhận tin khuyến mãi", .none),
        .init("Đúng, gửi tin cho mình nhé", .none),  // đúng (yes) folds like đừng
        .init("Dung ơi gửi tin nhắn cho chị", .none),  // Dung is called
        .init("đừng lo, shop gửi hàng rồi", .none),
        .init("Thôi, gửi tin cho mình nhé", .none),  // "never mind, send it": the comma parts thôi from gửi
        .init("Xin lỗi đã làm phiền, cho em hỏi", .none),
    ]

    @Test("Each phrase gets its verdict", arguments: phrases)
    func verdict(_ row: RefusalCase) {
        #expect(RefusalText.classify(row.text) == row.verdict)
    }

    @Test("Composed (NFC) and decomposed (NFD) spellings read alike", arguments: phrases)
    func normalisation(_ row: RefusalCase) {
        #expect(RefusalText.classify(row.text.decomposedStringWithCanonicalMapping) == row.verdict)
        #expect(RefusalText.classify(row.text.precomposedStringWithCanonicalMapping) == row.verdict)
    }

    @Test func theTableCoversEveryOutcome() {
        let counts = Dictionary(grouping: Self.phrases, by: \.verdict).mapValues(\.count)
        #expect(Self.phrases.count >= 60)
        #expect(counts[.refusal, default: 0] >= 35)
        #expect(counts[.possible, default: 0] + counts[.none, default: 0] >= 15)
        #expect(Set(counts.keys) == Set(RefusalText.Verdict.allCases))
        // Both NFC and NFD literals are in the table itself (String's == is canonical, so compare scalars).
        func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }
        #expect(Self.phrases.contains { scalars($0.text) != scalars($0.text.precomposedStringWithCanonicalMapping) })
        #expect(Self.phrases.contains { scalars($0.text) != scalars($0.text.decomposedStringWithCanonicalMapping) })
    }

    @Test("The folded word lists are folded: no diacritic, capital or đ left in them")
    func listsAreFolded() {
        let phrases =
            RefusalText.keywords + RefusalText.advertisingWords + RefusalText.advertisingObjects
            + RefusalText.messageObjects + RefusalText.notMessages + RefusalText.subscriptions
            + RefusalText.businessObjects + RefusalText.wants + RefusalText.standaloneRefusals
            + RefusalText.questionPhrases + [RefusalText.offTheList]
        let words =
            phrases.flatMap { $0 } + RefusalText.fillers + RefusalText.linkVerbs + RefusalText.bridges
            + RefusalText.anymore + RefusalText.received + RefusalText.senders + RefusalText.names
            + RefusalText.formsOfAddress + RefusalText.keywordSuffixes
        for word in words { #expect(ColumnName.fold(word) == word, "\(word)") }
    }
}
