import RightsCore

/// The fixed phrases a letter takes from the request: type names, refusal grounds and default outcomes.
enum LetterPhrases {
    static func typeName(_ type: RequestType, _ language: LetterLanguage) -> String {
        switch (type, language) {
        case (.access, .vi): "yêu cầu xem, cung cấp dữ liệu cá nhân"
        case (.correction, .vi): "yêu cầu chỉnh sửa dữ liệu cá nhân"
        case (.deletion, .vi): "yêu cầu xóa dữ liệu cá nhân"
        case (.restriction, .vi): "yêu cầu hạn chế xử lý dữ liệu cá nhân"
        case (.objection, .vi): "yêu cầu phản đối xử lý dữ liệu cá nhân (bao gồm nhận quảng cáo)"
        case (.withdrawConsent, .vi): "yêu cầu rút lại sự đồng ý"
        case (.access, .en): "request to view or obtain a copy of personal data"
        case (.correction, .en): "request to correct personal data"
        case (.deletion, .en): "request to delete personal data"
        case (.restriction, .en): "request to restrict the processing of personal data"
        case (.objection, .en): "objection to the processing of personal data (including receiving advertising)"
        case (.withdrawConsent, .en): "withdrawal of consent"
        }
    }

    /// The ground in one plain sentence; the citation and the officer's note follow it in the letter.
    static func groundExplanation(_ ground: RefusalGround, _ language: LetterLanguage) -> String {
        switch (ground, language) {
        case (.identityNotVerified, .vi):
            "Chúng tôi chưa xác minh được Ông/Bà là người có dữ liệu cá nhân liên quan đến yêu cầu, nên không thể "
                + "thực hiện yêu cầu mà không có nguy cơ để lộ dữ liệu cho người không có quyền."
        case (.noData, .vi):
            "Chúng tôi không lưu giữ dữ liệu cá nhân nào của Ông/Bà theo các thông tin mà Ông/Bà đã cung cấp."
        case (.abusive, .vi):
            "Chúng tôi nhận thấy yêu cầu này có dấu hiệu lạm dụng quyền hoặc rõ ràng không có căn cứ, vì những lý do "
                + "được nêu dưới đây."
        case (.legalRetention, .vi):
            "Pháp luật khác (được nêu dưới đây) buộc chúng tôi phải lưu giữ dữ liệu này, nên chưa thể xóa; dữ liệu "
                + "chỉ được lưu giữ và sử dụng cho mục đích đó."
        case (.noConsentNeeded, .vi):
            "Việc xử lý dữ liệu này thuộc trường hợp pháp luật cho phép xử lý mà không cần sự đồng ý của chủ thể "
                + "dữ liệu (trường hợp cụ thể được nêu dưới đây), nên chúng tôi không thể xóa theo yêu cầu."
        case (.harmsOthers, .vi):
            "Việc cung cấp dữ liệu này có thể gây tổn hại đến an ninh quốc gia hoặc quyền và lợi ích hợp pháp của "
                + "người khác, nên chúng tôi không thể cung cấp; thư này cũng không nêu dữ liệu của bất kỳ ai khác."
        case (.identityNotVerified, .en):
            "We could not verify that you are the person whose personal data the request concerns, so we cannot act "
                + "on it without risking disclosure of the data to someone who has no right to it."
        case (.noData, .en):
            "We hold no personal data about you under the details you gave us."
        case (.abusive, .en):
            "We consider this request to be an abuse of the right or manifestly unfounded, for the reasons given below."
        case (.legalRetention, .en):
            "Another law (named below) requires us to keep this data, so we cannot delete it yet; it is kept and used "
                + "for that purpose only."
        case (.noConsentNeeded, .en):
            "This data is processed in a case where the law allows processing without the data subject's consent "
                + "(the case is named below), so we cannot delete it on request."
        case (.harmsOthers, .en):
            "Providing this data could harm national security or the lawful rights and interests of others, so we "
                + "cannot provide it; this letter does not reveal anyone else's data either."
        }
    }

    /// What the person can do next, where the ground leaves them something to do.
    static func groundNextStep(_ ground: RefusalGround, _ language: LetterLanguage) -> String? {
        switch (ground, language) {
        case (.identityNotVerified, .vi):
            "Ông/Bà có thể gửi lại yêu cầu kèm theo giấy tờ hoặc thông tin giúp chúng tôi xác minh danh tính, ví dụ "
                + "số điện thoại hoặc địa chỉ thư điện tử mà Ông/Bà đã cung cấp cho chúng tôi."
        case (.noData, .vi):
            "Nếu Ông/Bà đã dùng thông tin khác khi giao dịch với chúng tôi (số điện thoại, địa chỉ thư điện tử hoặc tài "
                + "khoản Zalo khác), Ông/Bà có thể gửi lại yêu cầu kèm theo thông tin đó."
        case (.identityNotVerified, .en):
            "You may send the request again with a document or details that let us verify your identity, such as the "
                + "phone number or email address you gave us."
        case (.noData, .en):
            "If you used other details with us (another phone number, email address or Zalo account), you may send "
                + "the request again with those details."
        default:
            nil
        }
    }

    /// What was done, when the officer gave no sentence of their own.
    static func defaultOutcome(_ type: RequestType, _ language: LetterLanguage) -> String {
        switch (type, language) {
        case (.access, .vi):
            "Chúng tôi đã cung cấp cho Ông/Bà bản sao dữ liệu cá nhân của Ông/Bà mà chúng tôi đang lưu giữ."
        case (.correction, .vi):
            "Chúng tôi đã chỉnh sửa dữ liệu cá nhân của Ông/Bà theo yêu cầu."
        case (.deletion, .vi):
            "Chúng tôi đã xóa dữ liệu cá nhân của Ông/Bà; chúng tôi chỉ lưu lại thông tin liên hệ ở dạng mã hóa một "
                + "chiều để bảo đảm không liên hệ lại với Ông/Bà."
        case (.restriction, .vi):
            "Chúng tôi đã hạn chế xử lý dữ liệu cá nhân của Ông/Bà: dữ liệu vẫn được lưu giữ nhưng không còn được sử "
                + "dụng để liên hệ với Ông/Bà hay cho bất kỳ mục đích nào khác."
        case (.objection, .vi):
            "Chúng tôi đã ngừng xử lý dữ liệu cá nhân của Ông/Bà cho mục đích mà Ông/Bà phản đối, bao gồm việc gửi "
                + "quảng cáo."
        case (.withdrawConsent, .vi):
            "Chúng tôi đã ngừng xử lý dữ liệu cá nhân của Ông/Bà dựa trên sự đồng ý mà Ông/Bà đã rút lại; việc rút "
                + "lại sự đồng ý không ảnh hưởng đến tính hợp pháp của việc xử lý trước đó."
        case (.access, .en):
            "We have provided you with a copy of the personal data about you that we hold."
        case (.correction, .en):
            "We have corrected your personal data as you asked."
        case (.deletion, .en):
            "We have deleted your personal data; we keep only a one-way coded form of your contact details, so that "
                + "we do not contact you again."
        case (.restriction, .en):
            "We have restricted the processing of your personal data: we still store it but no longer use it to "
                + "contact you or for any other purpose."
        case (.objection, .en):
            "We have stopped processing your personal data for the purposes you objected to, including sending "
                + "advertising."
        case (.withdrawConsent, .en):
            "We have stopped the processing of your personal data that relied on the consent you withdrew; the "
                + "withdrawal does not affect the lawfulness of processing carried out before it."
        }
    }
}
