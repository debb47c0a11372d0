import RightsCore
import RightsStore

/// Every word of the portal, in Vietnamese and in English: a person reads one language at a time.
struct PortalText: Sendable {
    var title: String
    var intro: String
    var otherLanguage: String
    var typeField: String
    var identifierField: String
    var identifierHint: String
    var nameField: String
    var detailsField: String
    var detailsHint: String
    var sendCode: String
    var codeField: String
    var codeHint: String
    var confirm: String
    var doneTitle: String
    var privacy: String
    var startAgain: String
    var forged: String
    var chooseType: String
    var badIdentifier: String
    var emailOnly: String
    var cannotSend: String
    var tooMany: String
    var ended: String
    var contactLabel: String
    private var language: Vocabulary.Language
    private var sentFormat: @Sendable (String) -> String
    private var doneFormat: @Sendable (String, String) -> String
    private var wrongFormat: @Sendable (Int) -> String
    private var subjectFormat: @Sendable (String) -> String
    private var mailFormat: @Sendable (String, Organization) -> String

    func typeLabel(_ type: RequestType) -> String { Vocabulary.requestType(type, language, .personal) }
    func sent(_ to: String) -> String { sentFormat(to) }
    func done(_ id: String, _ due: String) -> String { doneFormat(id, due) }
    func wrongCode(_ remaining: Int) -> String { wrongFormat(remaining) }
    func codeSubject(_ organization: String) -> String { subjectFormat(organization) }
    func codeMail(_ code: String, _ organization: Organization) -> String { mailFormat(code, organization) }

    static let vietnamese = PortalText(
        title: "Gửi yêu cầu về dữ liệu cá nhân",
        intro: "Ông/Bà có thể yêu cầu xem, chỉnh sửa, xóa dữ liệu cá nhân của mình, phản đối hoặc rút lại sự đồng ý "
            + "xử lý dữ liệu, kể cả việc nhận quảng cáo. Chúng tôi gửi một mã xác minh đến địa chỉ thư điện tử của "
            + "Ông/Bà để bảo đảm yêu cầu do chính Ông/Bà gửi.",
        otherLanguage: "English",
        typeField: "Nội dung yêu cầu",
        identifierField: "Địa chỉ thư điện tử của Ông/Bà",
        identifierHint: "Địa chỉ mà Ông/Bà đã cung cấp cho chúng tôi; mã xác minh được gửi đến địa chỉ này.",
        nameField: "Họ và tên (không bắt buộc)",
        detailsField: "Nội dung chi tiết (không bắt buộc)",
        detailsHint: "Ví dụ: thông tin cần chỉnh sửa, hoặc kênh Ông/Bà không muốn nhận tin nhắn.",
        sendCode: "Gửi mã xác minh",
        codeField: "Mã xác minh gồm 6 chữ số",
        codeHint: "Mã có hiệu lực trong 10 phút. Nhập sai 5 lần thì phải yêu cầu mã mới.",
        confirm: "Xác nhận và gửi yêu cầu",
        doneTitle: "Chúng tôi đã nhận được yêu cầu",
        privacy: "Chúng tôi chỉ dùng thông tin này để giải quyết yêu cầu của Ông/Bà.",
        startAgain: "Gửi yêu cầu khác",
        forged: "Biểu mẫu đã hết hạn. Vui lòng tải lại trang và gửi lại.",
        chooseType: "Vui lòng chọn nội dung yêu cầu.",
        badIdentifier: "Địa chỉ thư điện tử không hợp lệ. Vui lòng kiểm tra lại.",
        emailOnly: "Mã xác minh chỉ gửi được qua thư điện tử. Vui lòng nhập địa chỉ thư điện tử của Ông/Bà.",
        cannotSend: "Hiện chưa gửi được mã xác minh. Vui lòng thử lại sau ít phút.",
        tooMany: "Ông/Bà đã yêu cầu quá nhiều mã trong một giờ. Vui lòng thử lại sau.",
        ended: "Mã xác minh đã hết hạn hoặc đã nhập sai quá 5 lần. Vui lòng gửi lại yêu cầu để nhận mã mới.",
        contactLabel: "Liên hệ",
        language: .vietnamese,
        sentFormat: { "Chúng tôi đã gửi mã xác minh đến \($0). Nếu không thấy thư, vui lòng kiểm tra hộp thư rác." },
        doneFormat: { id, due in
            "Mã yêu cầu của Ông/Bà là \(id). Chúng tôi sẽ giải quyết và trả lời chậm nhất \(due). Thư xác nhận đã "
                + "được gửi đến địa chỉ thư điện tử của Ông/Bà."
        },
        wrongFormat: { "Mã xác minh không đúng. Ông/Bà còn \($0) lần nhập." },
        subjectFormat: { "\($0): mã xác minh yêu cầu về dữ liệu cá nhân" },
        mailFormat: { code, organization in
            "Mã xác minh của Ông/Bà là: \(code)\n\nMã có hiệu lực trong 10 phút. Vui lòng nhập mã này trên trang gửi "
                + "yêu cầu của \(organization.name).\n\nNếu Ông/Bà không gửi yêu cầu nào, xin bỏ qua thư này; "
                + "không có yêu cầu nào được ghi nhận khi chưa nhập mã.\n\n\(organization.name)\nBộ phận bảo vệ dữ "
                + "liệu cá nhân\n"
        })

    static let english = PortalText(
        title: "Make a request about your personal data",
        intro: "You can ask to see, correct or delete your personal data, object to its processing or withdraw your "
            + "consent, including to advertising. We send a code to your email address to make sure the request is "
            + "yours.",
        otherLanguage: "Tiếng Việt",
        typeField: "Your request",
        identifierField: "Your email address",
        identifierHint: "The address you gave us; the code is sent there.",
        nameField: "Full name (optional)",
        detailsField: "Details (optional)",
        detailsHint: "For example, what to correct, or which messages you no longer want.",
        sendCode: "Send me a code",
        codeField: "The 6-digit code",
        codeHint: "The code is valid for 10 minutes. After 5 wrong codes, ask for a new one.",
        confirm: "Confirm and send the request",
        doneTitle: "We have received your request",
        privacy: "We use these details only to handle your request.",
        startAgain: "Make another request",
        forged: "The form has expired. Please reload the page and send it again.",
        chooseType: "Please choose what you are asking for.",
        badIdentifier: "That email address is not valid. Please check it.",
        emailOnly: "Codes can only be sent by email. Please enter your email address.",
        cannotSend: "We cannot send a code just now. Please try again in a few minutes.",
        tooMany: "Too many codes were asked for in the last hour. Please try again later.",
        ended: "The code has expired or was entered wrongly 5 times. Please send the request again for a new code.",
        contactLabel: "Contact",
        language: .english,
        sentFormat: { "We sent a code to \($0). If you do not see it, please check your spam folder." },
        doneFormat: { id, due in
            "Your request's reference is \(id). We will handle it and reply by \(due) at the latest. An "
                + "acknowledgement has been sent to your email address."
        },
        wrongFormat: { "That code is not right. You have \($0) tries left." },
        subjectFormat: { "\($0): your personal data request code" },
        mailFormat: { code, organization in
            "Your code is: \(code)\n\nIt is valid for 10 minutes. Please enter it on \(organization.name)'s request "
                + "page.\n\nIf you did not make a request, please ignore this email; no request is recorded until "
                + "the code is entered.\n\n\(organization.name)\nData Protection Office\n"
        })
}
