import RightsCore

/// The fixed phrases a letter takes from the request: type names, refusal grounds, default outcomes and the capacity
/// of a representative. The phrases never say "your data": a letter may go to a representative (Law 91 Art. 24),
/// so they speak of the data the request concerns.
enum LetterPhrases {
    /// The ground in plain sentences fitted to the request type; the officer's note and the citation follow it.
    static func groundExplanation(_ ground: RefusalGround, _ type: RequestType, _ language: LetterLanguage) -> String {
        switch (ground, language) {
        case (.identityNotVerified, .vi):
            "Chúng tôi chưa xác minh được Ông/Bà là chủ thể dữ liệu cá nhân hoặc là người có quyền đại diện cho chủ "
                + "thể dữ liệu. Vì vậy, để bảo vệ dữ liệu cá nhân, chúng tôi chưa thể thực hiện yêu cầu này."
        case (.noData, .vi):
            "Theo các thông tin nhận diện nêu trong yêu cầu, chúng tôi không lưu giữ dữ liệu cá nhân nào."
        case (.abusive, .vi):
            "Yêu cầu này không đáp ứng điều kiện pháp luật đặt ra đối với việc thực hiện quyền của chủ thể dữ liệu "
                + "cá nhân, vì thuộc một trong các trường hợp sau: yêu cầu không vì lợi ích hợp pháp của chính chủ thể "
                + "dữ liệu; yêu cầu gây cản trở việc chúng tôi thực hiện nghĩa vụ theo quy định của pháp luật; yêu cầu "
                + "xâm phạm quyền, lợi ích hợp pháp của người khác. Trường hợp áp dụng được nêu dưới đây."
        case (.legalRetention, .vi):
            "Một quy định của luật khác (được nêu dưới đây) buộc chúng tôi phải lưu giữ dữ liệu này, nên chúng tôi "
                + (type == .deletion ? "chưa thể xóa dữ liệu. " : "chưa thể thực hiện yêu cầu. ")
                + "Trong thời gian lưu giữ, dữ liệu chỉ được sử dụng cho mục đích mà quy định đó yêu cầu."
        case (.noConsentNeeded, .vi):
            "Việc xử lý dữ liệu nêu trong yêu cầu thuộc trường hợp pháp luật cho phép xử lý mà không cần sự đồng ý "
                + "của chủ thể dữ liệu (trường hợp cụ thể được nêu dưới đây). " + noConsentConsequence(type, .vi)
        case (.harmsOthers, .vi):
            "Việc cung cấp dữ liệu này gây phương hại đến quốc phòng, an ninh quốc gia, trật tự, an toàn xã hội hoặc "
                + "tính mạng, sức khỏe, tài sản của người khác, nên chúng tôi không cung cấp. Thư này cũng không nêu "
                + "dữ liệu của bất kỳ người nào khác."
        case (.duplicate, .vi):
            "Yêu cầu này có cùng nội dung với một yêu cầu gửi trước đó đang được giải quyết, nên được giải quyết "
                + "cùng với yêu cầu đó."
        case (.identityNotVerified, .en):
            "We could not verify that you are the data subject or a person entitled to act for the data subject. To "
                + "protect the personal data, we therefore cannot carry out this request."
        case (.noData, .en):
            "We hold no personal data under the identifying details given in the request."
        case (.abusive, .en):
            "The request does not meet the conditions the law sets for exercising a data subject's rights, because it "
                + "falls within one of these cases: it does not serve the data subject's own lawful interests; it "
                + "obstructs us in performing our duties under the law; or it infringes the lawful rights and "
                + "interests of others. The case that applies is stated below."
        case (.legalRetention, .en):
            "A provision of another law (stated below) requires us to keep this data, so we "
                + (type == .deletion ? "cannot delete it yet. " : "cannot carry out the request yet. ")
                + "While it is kept, the data is used only for the purpose that provision requires."
        case (.noConsentNeeded, .en):
            "The processing of the data the request concerns is a case in which the law allows processing without "
                + "the data subject's consent (the case is stated below). " + noConsentConsequence(type, .en)
        case (.harmsOthers, .en):
            "Providing this data would harm national defence, national security, social order and safety, or the "
                + "life, health or property of others, so we do not provide it. This letter does not reveal anyone "
                + "else's data either."
        case (.duplicate, .en):
            "This request repeats an earlier request that is still being handled, so it is handled together with "
                + "that request."
        }
    }

    /// What the no-consent ground means for this kind of request (Law 91 Art. 10(1), 14(2), 19; Decree 356 Art. 5(2)).
    private static func noConsentConsequence(_ type: RequestType, _ language: LetterLanguage) -> String {
        switch (type, language) {
        case (.deletion, .vi):
            "Vì vậy, chúng tôi không xóa dữ liệu này trong thời gian trường hợp đó còn áp dụng."
        case (.withdrawConsent, .vi):
            "Vì vậy, việc rút lại sự đồng ý không làm chấm dứt việc xử lý này trong thời gian trường hợp đó còn áp "
                + "dụng."
        case (.restriction, .vi):
            "Vì vậy, chúng tôi không hạn chế việc xử lý này trong thời gian trường hợp đó còn áp dụng."
        case (.objection, .vi):
            "Vì vậy, chúng tôi tiếp tục việc xử lý này trong thời gian trường hợp đó còn áp dụng."
        case (.access, .vi), (.correction, .vi), (.protection, .vi):
            "Vì vậy, chúng tôi không thể thực hiện yêu cầu này."
        case (.deletion, .en):
            "We therefore do not delete this data while that case applies."
        case (.withdrawConsent, .en):
            "Withdrawing consent therefore does not end this processing while that case applies."
        case (.restriction, .en):
            "We therefore do not restrict this processing while that case applies."
        case (.objection, .en):
            "We therefore continue this processing while that case applies."
        case (.access, .en), (.correction, .en), (.protection, .en):
            "We therefore cannot carry out this request."
        }
    }

    /// What the person can do next, where the ground leaves them something to do.
    static func groundNextStep(_ ground: RefusalGround, _ language: LetterLanguage) -> String? {
        switch (ground, language) {
        case (.identityNotVerified, .vi):
            "Ông/Bà có thể gửi lại yêu cầu kèm theo thông tin hoặc giấy tờ giúp chúng tôi xác minh danh tính, ví dụ "
                + "số điện thoại hoặc địa chỉ thư điện tử đã dùng khi giao dịch với chúng tôi. Trường hợp gửi yêu cầu "
                + "thay cho người khác, Ông/Bà vui lòng gửi kèm giấy tờ chứng minh tư cách đại diện, ví dụ giấy khai "
                + "sinh, giấy tờ về việc giám hộ hoặc văn bản ủy quyền."
        case (.noData, .vi):
            "Nếu đã dùng thông tin khác khi giao dịch với chúng tôi (số điện thoại, địa chỉ thư điện tử hoặc tài khoản "
                + "Zalo khác), Ông/Bà có thể gửi lại yêu cầu kèm theo thông tin đó."
        case (.identityNotVerified, .en):
            "You may send the request again with details or a document that let us verify your identity, such as the "
                + "phone number or email address you used with us. If you act for someone else, please also send a "
                + "document that shows your capacity to act, such as a birth certificate, a guardianship document or "
                + "a power of attorney."
        case (.noData, .en):
            "If you used other details with us (another phone number, email address or Zalo account), you may send "
                + "the request again with those details."
        default:
            nil
        }
    }

    /// What was done, when the officer gave no sentence of their own. A deletion letter adds, in its template, what is
    /// kept as proof that advertising must not be sent (Decree 91/2020 Art. 11(7)).
    static func defaultOutcome(_ type: RequestType, _ language: LetterLanguage) -> String {
        switch (type, language) {
        case (.access, .vi):
            "Chúng tôi đã cung cấp cho Ông/Bà bản sao dữ liệu cá nhân nêu trong yêu cầu mà chúng tôi đang lưu giữ."
        case (.correction, .vi):
            "Chúng tôi đã chỉnh sửa dữ liệu cá nhân theo nội dung yêu cầu."
        case (.deletion, .vi):
            "Chúng tôi đã xóa dữ liệu cá nhân nêu trong yêu cầu."
        case (.restriction, .vi):
            "Chúng tôi đã hạn chế xử lý dữ liệu cá nhân nêu trong yêu cầu. Dữ liệu chỉ được lưu giữ, không được sử "
                + "dụng để liên hệ, gửi quảng cáo hay cho bất kỳ mục đích nào khác."
        case (.objection, .vi):
            "Chúng tôi đã ngừng xử lý dữ liệu cá nhân nêu trong yêu cầu cho các mục đích mà Ông/Bà phản đối, bao gồm "
                + "việc gửi quảng cáo."
        case (.withdrawConsent, .vi):
            "Chúng tôi đã ngừng các hoạt động xử lý dữ liệu cá nhân dựa trên sự đồng ý đã được rút lại. Việc rút lại "
                + "sự đồng ý không ảnh hưởng đến tính hợp pháp của việc xử lý dữ liệu đã thực hiện trước đó."
        case (.protection, .vi):
            "Chúng tôi đã áp dụng biện pháp bảo vệ đối với dữ liệu cá nhân nêu trong yêu cầu."
        case (.access, .en):
            "We have provided you with a copy of the personal data covered by the request that we hold."
        case (.correction, .en):
            "We have corrected the personal data as the request asked."
        case (.deletion, .en):
            "We have deleted the personal data covered by the request."
        case (.restriction, .en):
            "We have restricted the processing of the personal data covered by the request. The data is only stored: "
                + "it is not used to contact anyone, to send advertising or for any other purpose."
        case (.objection, .en):
            "We have stopped processing the personal data covered by the request for the purposes you objected to, "
                + "including sending advertising."
        case (.withdrawConsent, .en):
            "We have stopped the processing of personal data that relied on the consent withdrawn. The withdrawal "
                + "does not affect the lawfulness of processing carried out before it."
        case (.protection, .en):
            "We have applied protection measures to the personal data covered by the request."
        }
    }

    /// The capacity in which a representative acts (Law 91 Art. 24; Civil Code 2015 Art. 136, 138), as a letter says
    /// it after "với tư cách là" / "as the".
    static func relation(_ relation: RepresentativeRelation, _ language: LetterLanguage) -> String {
        switch (relation, language) {
        case (.parent, .vi): "cha hoặc mẹ"
        case (.guardian, .vi): "người giám hộ"
        case (.agent, .vi): "người đại diện theo ủy quyền"
        case (.parent, .en): "parent"
        case (.guardian, .en): "guardian"
        case (.agent, .en): "authorised representative"
        }
    }
}
