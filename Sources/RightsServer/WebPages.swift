import Foundation
import Hummingbird
import Mustache
import RightsCore
import RightsEvidence
import RightsStore
import RightsTemplates

/// The language of the desk's pages: Vietnamese unless `?lang=en` or the `lang` cookie asks for English.
enum WebLanguage: String, Sendable, CaseIterable {
    case vi, en

    /// The language of the shared vocabulary (`Vocabulary`).
    var vocabulary: Vocabulary.Language { self == .vi ? .vietnamese : .english }

    static let cookieName = "lang"

    /// The language a request asks for, and whether the choice came from the query (and should be remembered).
    static func of(_ request: Request, cookies: [String: String]) -> (language: WebLanguage, chosen: Bool) {
        if let query = request.uri.queryParameters["lang"], let language = WebLanguage(rawValue: String(query)) {
            return (language, true)
        }
        return (cookies[cookieName].flatMap(WebLanguage.init(rawValue:)) ?? .vi, false)
    }

    var other: WebLanguage { self == .vi ? .en : .vi }
}

/// A decoded `application/x-www-form-urlencoded` body. Decoded by hand so that a Vietnamese name comes back byte for
/// byte as the browser sent it (UTF-8, percent-encoded, `+` for a space), with no normalisation on the way.
struct WebForm: Sendable, Equatable {
    private(set) var fields: [(name: String, value: String)] = []

    static func == (left: WebForm, right: WebForm) -> Bool {
        left.fields.elementsEqual(right.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    init() {}

    /// Decodes a body; nil when a name or value is not UTF-8 once decoded.
    init?(decoding bytes: some Collection<UInt8>) {
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else { return nil }
            guard let value = parts.count > 1 ? Self.decode(parts[1]) : "" else { return nil }
            fields.append((name, value))
        }
    }

    /// The first value of `name`, nil when absent.
    subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// The first value of `name` trimmed, nil when absent or blank: optional text fields of the forms.
    func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingWhitespace(), !value.isEmpty else { return nil }
        return value
    }

    /// Percent-decoding with `+` as a space. A `%` not followed by two hex digits is kept as it is, as browsers do.
    static func decode(_ bytes: some Collection<UInt8>) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                let first = bytes.index(after: index)
                if first != bytes.endIndex, bytes.index(after: first) != bytes.endIndex,
                    let high = hexValue(bytes[first]), let low = hexValue(bytes[bytes.index(after: first)])
                {
                    output.append(high << 4 | low)
                    index = bytes.index(after: bytes.index(after: first))
                    continue
                }
                output.append(byte)
            } else {
                output.append(byte)
            }
            index = bytes.index(after: index)
        }
        return String(validating: output, as: UTF8.self)
    }

    /// Encodes fields as a browser would (for tests and redirects): unreserved bytes as they are, space as `+`.
    static func encode(_ fields: [(String, String)]) -> String {
        func escape(_ text: String) -> String {
            var output = ""
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                    UInt8(ascii: "*"):
                    output.unicodeScalars.append(Unicode.Scalar(byte))
                case UInt8(ascii: " "): output += "+"
                default: output += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
                }
            }
            return output
        }
        return fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// The Mustache templates of `Templates/web`, loaded once when the routes are added. A missing or broken template
/// is remembered rather than thrown, so that `makeRouter()` keeps its shape; every page then answers 500 with the
/// reason, and the tests catch it before anyone ships it.
struct WebPages: Sendable {
    static let pageNames = ["layout", "login", "error", "queue", "request", "new-request", "why", "lists", "evidence"]

    private let library: Result<MustacheLibrary, WebTemplateError>

    struct WebTemplateError: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    init() {
        library = Self.load()
    }

    private static func load() -> Result<MustacheLibrary, WebTemplateError> {
        let bundle = templatesBundle
        guard
            let folder = bundle.url(forResource: "web", withExtension: nil)
                ?? bundle.resourceURL?.appendingPathComponent("web", isDirectory: true)
        else { return .failure(WebTemplateError(description: "Templates/web is missing")) }
        var library = MustacheLibrary()
        for name in pageNames {
            let file = folder.appendingPathComponent("\(name).mustache")
            guard let data = FileManager.default.contents(atPath: file.path),
                let text = String(validating: data, as: UTF8.self)
            else { return .failure(WebTemplateError(description: "Templates/web/\(name).mustache is missing")) }
            do {
                try library.register(text, named: name)
            } catch {
                return .failure(WebTemplateError(description: "Templates/web/\(name).mustache: \(error)"))
            }
        }
        return .success(library)
    }

    /// Renders page `name` with `view` into an HTML response. The view is completed with what every page shows:
    /// the strings of the language, the signed-in user, the navigation and the CSRF token for the sign-out form.
    func render(
        _ name: String, _ view: [String: Any], page: WebPage, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let library = try library.get()
        var full = page.common
        full.merge(view) { $1 }
        guard let html = library.render(full, withTemplate: name) else {
            throw WebTemplateError(description: "Templates/web/\(name).mustache is not loaded")
        }
        return page.html(html.precomposedStringWithCanonicalMapping, status: status)
    }
}

/// One request to a page, as the handlers see it: who is signed in (from the session cookie, never from a bearer
/// token), in which language, and the posted form once its CSRF token has been checked.
struct WebPage: Sendable {
    var user: StaffUser?
    var session: WebSession?
    var language: WebLanguage
    /// The language came from `?lang=`: the response remembers it in the `lang` cookie.
    var rememberLanguage: Bool
    var secure: Bool
    var form = WebForm()
    var path: String
    /// Where the language switch leads: this page in the other language.
    var languageLink = "?lang=en"
    var organization: String
    /// Cookies the response sets besides the language (sign-in, sign-out).
    var cookies: [String] = []
    /// The copy button's script, on the pages that have one.
    var script: String?

    func may(_ action: StaffAction) -> Bool { user?.role.may(action) ?? false }

    var text: [String: String] { WebText.table(language) }

    /// What the layout needs on every page.
    var common: [String: Any] {
        var view: [String: Any] = [
            "lang": language.rawValue, "otherLang": language.other.rawValue, "languageLink": languageLink, "t": text,
            "organization": organization,
            "csrf": session?.csrf ?? "",
        ]
        if let user {
            let links: [(String, String, StaffAction)] = [
                ("/queue", "navQueue", .readRequests), ("/requests/new", "navNew", .manageRequests),
                ("/why", "navWhy", .lookUp), ("/lists", "navLists", .readRequests),
                ("/evidence", "navEvidence", .exportEvidence),
            ]
            view["user"] = [
                "name": user.name, "roleName": WebText.roleName(user.role, language),
                "nav": links.filter { user.role.may($0.2) }.map { link -> [String: Any] in
                    ["href": link.0, "label": text[link.1] ?? link.1, "current": path == link.0]
                },
            ]
        }
        if let script { view["script"] = "<script>\(script)</script>" }
        return view
    }

    /// An HTML response that no cache keeps (pages hold personal data) and no other site may frame or script.
    func html(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = WebPage.contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "no-referrer"
        addCookies(to: &headers)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// A 303 to `location`, with the cookies of this page.
    func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        addCookies(to: &headers)
        return Response(status: .seeOther, headers: headers)
    }

    private func addCookies(to headers: inout HTTPFields) {
        var values = cookies
        if rememberLanguage {
            values.append(
                WebCookies.value(
                    name: WebLanguage.cookieName, value: language.rawValue, maxAge: 365 * 86400, secure: secure))
        }
        // One Set-Cookie field per cookie: they must never be folded into one line.
        if !values.isEmpty { headers[values: .setCookie] = values }
    }

    /// Styles inline, no external assets, forms only to the desk itself, and only the copy script (by its hash).
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        + "base-uri 'none'; script-src 'sha256-\(Data(Digest.sha256(Array(copyScript.utf8))).base64EncodedString())'"

    /// The copy buttons: hidden until this script shows them, so without JavaScript the agent selects the text in
    /// the read-only box instead.
    static let copyScript = """
        document.querySelectorAll("button[data-copy]").forEach(function (button) {
          if (!navigator.clipboard) { return; }
          button.hidden = false;
          button.addEventListener("click", function () {
            var box = document.getElementById(button.getAttribute("data-copy"));
            navigator.clipboard.writeText(box.value).then(function () {
              var done = document.querySelector("[data-copied='" + button.getAttribute("data-copy") + "']");
              if (done) { done.hidden = false; }
            });
          });
        });
        """
}

extension HTTPFields.Element.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
}

/// A refusal on a page that re-renders the form with its message rather than an error page.
struct WebFormError: Error {
    var status: HTTPResponse.Status
    var message: String
}

/// The words of the pages, Vietnamese and English side by side so that neither can lack a key.
enum WebText {
    static func table(_ language: WebLanguage) -> [String: String] {
        language == .vi ? vietnamese : english
    }

    private static let vietnamese = strings.mapValues(\.vi)
    private static let english = strings.mapValues(\.en)

    private static let strings: [String: (vi: String, en: String)] = [
        "app": ("Bàn xử lý quyền dữ liệu", "Data rights desk"),
        "skip": ("Bỏ qua, đến nội dung chính", "Skip to the main content"),
        "navigation": ("Điều hướng", "Navigation"),
        "navQueue": ("Hàng chờ yêu cầu", "Request queue"),
        "navNew": ("Yêu cầu mới", "New request"),
        "navWhy": ("Tra cứu “vì sao”", "“Why” lookup"),
        "navLists": ("Danh sách", "Lists"),
        "navEvidence": ("Bằng chứng", "Evidence"),
        "signedInAs": ("Đăng nhập:", "Signed in:"),
        "signOut": ("Đăng xuất", "Sign out"),
        "otherLanguage": ("English", "Tiếng Việt"),
        "footer": (
            "Mọi thao tác được ghi vào nhật ký kiểm toán dưới tên người thực hiện.",
            "Every action is recorded on the audit chain under the name of whoever took it."
        ),
        "back": ("Quay lại", "Go back"),
        "saved": ("Đã lưu thao tác vào nhật ký.", "Done, and recorded on the audit chain."),
        "loginTitle": ("Đăng nhập bàn xử lý", "Sign in to the desk"),
        "token": ("Mã truy cập", "Access token"),
        "tokenHint": (
            "Mã 64 ký tự do quản trị viên cấp bằng lệnh rightsdesk users add.",
            "The 64-character token an administrator issued with rightsdesk users add."
        ),
        "signIn": ("Đăng nhập", "Sign in"),
        "badToken": (
            "Mã truy cập không đúng hoặc đã bị vô hiệu hóa.", "The token is wrong or has been disabled."
        ),
        "signedOut": ("Bạn đã đăng xuất.", "You are signed out."),
        "queueTitle": ("Hàng chờ yêu cầu", "Request queue"),
        "queueCaption": (
            "Sắp xếp theo hạn hoàn thành; đỏ: quá hạn, vàng: đến hạn trong 2 ngày.",
            "Sorted by due date; red: overdue, amber: due within 2 days."
        ),
        "filters": ("Bộ lọc", "Filters"),
        "filter": ("Lọc", "Filter"),
        "allOpen": ("Đang mở (chưa đóng)", "Open (not closed)"),
        "allStates": ("Mọi trạng thái", "Every state"),
        "allTypes": ("Mọi loại", "Every type"),
        "noRequests": ("Không có yêu cầu nào khớp bộ lọc.", "No request matches the filters."),
        "id": ("Mã", "ID"),
        "type": ("Loại yêu cầu", "Type"),
        "state": ("Trạng thái", "State"),
        "received": ("Nhận lúc", "Received"),
        "ackDue": ("Hạn xác nhận", "Acknowledge by"),
        "due": ("Hạn hoàn thành", "Due"),
        "overdue": ("Quá hạn", "Overdue"),
        "dueSoon": ("Sắp đến hạn", "Due soon"),
        "extended": ("đã gia hạn", "extended"),
        "request": ("Yêu cầu", "Request"),
        "requests": ("Yêu cầu", "Requests"),
        "channel": ("Kênh", "Channel"),
        "ruleSet": ("Căn cứ", "Rule set"),
        "duplicateOf": ("Trùng với yêu cầu đang mở", "Duplicate of open request"),
        "processors": ("Bên xử lý / bên thứ ba phải thực hiện", "Processors or third parties must act"),
        "scope": ("Phạm vi ngừng xử lý", "What it stops"),
        "name": ("Họ và tên", "Name"),
        "address": ("Địa chỉ", "Address"),
        "note": ("Ghi chú", "Note"),
        "measures": ("Biện pháp bảo vệ đã áp dụng", "Measures taken"),
        "representative": ("Người đại diện", "Representative"),
        "representativeHint": (
            "Cha, mẹ, người giám hộ hoặc người được ủy quyền gửi yêu cầu thay cho chủ thể dữ liệu; thư sẽ gửi cho "
                + "người này.",
            "A parent, guardian or authorised person acting for the data subject; letters are addressed to them."
        ),
        "relation": ("Tư cách đại diện", "Capacity"),
        "representativeEvidence": ("Giấy tờ chứng minh tư cách đại diện", "Proof of that capacity"),
        "restrictionCondition": ("Điều kiện hạn chế xử lý", "Condition of the restriction"),
        "evidence": ("Nơi lưu bản yêu cầu (văn bản, thư điện tử, ghi âm)", "Where the written request is kept"),
        "duplicateOfField": ("Trùng với yêu cầu số", "Repeats request"),
        "extensionReason": ("Lý do gia hạn", "Reason for the extension"),
        "closedAt": ("Đóng lúc", "Closed"),
        "late": ("trễ hạn", "late"),
        "lateReason": ("Lý do trễ hạn", "Reason for lateness"),
        "lateReasonHint": (
            "Bắt buộc khi đã quá hạn; được ghi vào nhật ký.", "Required once overdue; recorded on the chain."
        ),
        "ground": ("Căn cứ từ chối", "Ground for refusal"),
        "closingNote": ("Nội dung báo cho người yêu cầu", "What the person was told"),
        "subjects": ("Định danh của người yêu cầu", "The person's identifiers"),
        "verifiedAt": ("đã xác minh lúc", "verified at"),
        "notVerified": ("chưa xác minh", "not verified"),
        "timeline": ("Diễn biến", "Timeline"),
        "processorsTold": ("Bên xử lý đã được thông báo", "Processors told"),
        "actions": ("Thao tác", "Actions"),
        "acknowledge": ("Xác nhận đã tiếp nhận", "Acknowledge receipt"),
        "acknowledgeHint": (
            "Ghi nhận việc đã báo cho người yêu cầu rằng yêu cầu đã được tiếp nhận.",
            "Records that the person was told their request was received."
        ),
        "verify": ("Xác minh danh tính", "Verify identity"),
        "identifier": ("Định danh", "Identifier"),
        "allUnverified": ("Tất cả định danh chưa xác minh", "Every unverified identifier"),
        "method": ("Cách xác minh", "How it was verified"),
        "methodHint": ("Ví dụ: OTP qua SMS, CCCD tại cửa hàng.", "For example: OTP by SMS, ID card at the store."),
        "extend": ("Gia hạn (một lần)", "Extend (once)"),
        "extendHint": (
            "Lý do này được báo cho người yêu cầu trong thư gia hạn.",
            "This reason is told to the person in the extension letter."
        ),
        "complete": ("Hoàn thành", "Complete"),
        "accessReportHint": (
            "Khi hoàn thành, trình duyệt tải về bản báo cáo dữ liệu của người yêu cầu (tệp ZIP gồm JSON và HTML); "
                + "hãy gửi bản này cho họ. Bản báo cáo được gửi tới chính người đó: nó gồm dữ liệu của họ, các thư đã "
                + "gửi, mục đích xử lý, bên nhận và thời gian lưu giữ, không có tên đăng nhập hay ghi chú nội bộ của "
                + "nhân viên; hãy đọc lại trước khi gửi. Máy chủ không giữ bản sao. Dòng lệnh tương đương:",
            "Completing downloads the person's access report (a ZIP of JSON and HTML); send it to them. The report "
                + "goes to the person: it holds their data, the letters sent, the purposes, recipients and retention, "
                + "and no staff logins or internal notes; read it before sending. The server keeps no copy. The same "
                + "from the command line:"
        ),
        "corrections": ("Giá trị đã chỉnh sửa", "Corrected values"),
        "correctionsHint": (
            "Mỗi dòng một giá trị, dạng TRƯỜNG=GIÁ TRỊ, ví dụ ho_ten=Nguyễn Thị Hồng.",
            "One per line as FIELD=VALUE, e.g. ho_ten=Nguyễn Thị Hồng."
        ),
        "reject": ("Từ chối", "Reject"),
        "rejectNote": ("Nội dung báo cho người yêu cầu", "What the person is told"),
        "rejectNoteHint": (
            "Bắt buộc, trừ khi yêu cầu trùng với một yêu cầu đang giải quyết. Ví dụ: luật nào buộc phải lưu giữ dữ "
                + "liệu.",
            "Required, except for a request that repeats one still open. For example: which law requires keeping "
                + "the data."
        ),
        "letters": ("Thư gửi người yêu cầu", "Letters to the person"),
        "letterKind": ("Loại thư", "Letter"),
        "letterLanguage": ("Ngôn ngữ thư", "Language of the letter"),
        "preview": ("Xem trước", "Preview"),
        "previewOf": ("Xem trước:", "Preview:"),
        "sendLetter": ("Ghi nhận đã gửi thư này", "Record this letter as sent"),
        "sendLetterHint": (
            "Nội dung thư được lưu nguyên văn và niêm phong trong nhật ký kiểm toán.",
            "The exact text is kept and sealed on the audit chain."
        ),
        "lettersSent": ("Thư đã gửi", "Letters sent"),
        "yes": ("có", "yes"),
        "no": ("không", "no"),
        "newRequest": ("Ghi nhận yêu cầu mới", "Log a new request"),
        "newRequestHint": (
            "Yêu cầu nhận qua điện thoại, tại cửa hàng hay bằng giấy: hạn xử lý được tính từ lúc nhận.",
            "A request taken by phone, at a store or on paper: its deadlines run from when it was received."
        ),
        "subjectsField": ("Số điện thoại, email hoặc Zalo của người yêu cầu", "The person's phone, email or Zalo"),
        "subjectsHint": (
            "Mỗi dòng một định danh, viết kiểu nào cũng được: 0912 345 678, +84912345678, ten@vidu.vn, zalo:OA:USER.",
            "One per line, in any format: 0912 345 678, +84912345678, name@example.vn, zalo:OA:USER."
        ),
        "receivedAt": ("Nhận lúc (giờ Việt Nam)", "Received at (Vietnam time)"),
        "receivedAtHint": ("Để trống nếu là bây giờ.", "Leave empty for now."),
        "scopeHint": (
            "Với phản đối hoặc rút lại đồng ý: ngừng gì sau khi xác minh danh tính.",
            "For an objection or a withdrawal of consent: what stops once identity is verified."
        ),
        "processorsField": (
            "Bên xử lý hoặc bên thứ ba phải thực hiện (thời hạn dài hơn)",
            "Processors or third parties must act (the longer period)"
        ),
        "fileRequest": ("Ghi nhận yêu cầu", "Log the request"),
        "filed": ("Đã ghi nhận yêu cầu", "Logged request"),
        "whyTitle": ("Vì sao tôi nhận được tin này?", "Why did I get this message?"),
        "whyField": ("Số điện thoại, email hoặc Zalo", "Phone, email or Zalo"),
        "whyHint": (
            "Gõ theo bất kỳ cách viết nào, ví dụ (+84) 912-345-678 hoặc 0912 345 678.",
            "Type it any way, e.g. (+84) 912-345-678 or 0912 345 678."
        ),
        "lookUp": ("Tra cứu", "Look up"),
        "answerFor": ("Câu trả lời cho", "The answer for"),
        "answerVi": ("Câu trả lời tiếng Việt (gửi cho khách)", "The answer in Vietnamese (to send the person)"),
        "answerEn": ("Câu trả lời tiếng Anh", "The answer in English"),
        "copy": ("Sao chép", "Copy"),
        "copied": ("Đã sao chép.", "Copied."),
        "recordObjection": ("Ghi nhận phản đối ngay", "Record an objection now"),
        "recordObjectionHint": (
            "Khách không muốn nhận quảng cáo nữa: ghi nhận yêu cầu phản đối, tin quảng cáo dừng ngay trên mọi kênh.",
            "The person wants no more advertising: this logs an objection and stops advertising on every channel at once."
        ),
        "objectionChannel": ("Khách yêu cầu qua kênh", "The person asked by"),
        "objectionFiled": (
            "Đã ghi nhận phản đối %@; đã ngừng gửi quảng cáo từ bây giờ.",
            "Objection %@ recorded; advertising stopped from now."
        ),
        "facts": ("Chi tiết", "Details"),
        "lists": ("Danh sách liên hệ", "Contact lists"),
        "list": ("Danh sách", "List"),
        "source": ("Nguồn", "Source"),
        "importedAt": ("Nhập lúc", "Imported"),
        "basis": ("Cơ sở pháp lý", "Legal basis"),
        "status": ("Tình trạng", "Status"),
        "consent": ("Sự đồng ý", "Consent"),
        "suppressions": ("Ngừng gửi tin", "Suppressions"),
        "since": ("Từ", "Since"),
        "reason": ("Lý do", "Reason"),
        "liftedAt": ("Đã gỡ lúc", "Lifted"),
        "dnc": ("Danh sách không quảng cáo (DNC)", "Do-Not-Call list"),
        "sends": ("Tin đã gửi", "Messages sent"),
        "campaign": ("Chiến dịch", "Campaign"),
        "sentAt": ("Gửi lúc", "Sent"),
        "delivered": ("đã đến", "delivered"),
        "notDelivered": ("không đến", "not delivered"),
        "afterSuppression": ("gửi sau khi đã từ chối", "sent after a refusal"),
        "none": ("Không có.", "None."),
        "listsTitle": ("Danh sách liên hệ", "Contact lists"),
        "entries": ("Số mục", "Entries"),
        "active": ("Đang dùng", "Active"),
        "suppressedMarketing": ("Ngừng quảng cáo", "No advertising"),
        "suppressedAll": ("Ngừng mọi tin", "No messages"),
        "imports": ("Lần nhập", "Imports"),
        "flagged": ("cần xem lại", "to review"),
        "total": ("Tổng", "Total"),
        "noLists": ("Chưa có danh sách nào.", "No lists yet."),
        "evidenceTitle": ("Xuất bằng chứng", "Export evidence"),
        "evidenceHint": (
            "Gói bằng chứng có chữ ký (rightsdesk-evidence/2) cho cơ quan quản lý; việc xuất được ghi vào nhật ký.",
            "A signed evidence bundle (rightsdesk-evidence/2) for a regulator; the export is recorded on the chain."
        ),
        "evidenceOne": ("Một yêu cầu", "One request"),
        "evidencePeriod": ("Các yêu cầu nhận trong một khoảng thời gian", "Requests received in a period"),
        "requestID": ("Mã yêu cầu", "Request ID"),
        "from": ("Từ ngày", "From"),
        "to": ("Đến ngày (tính cả ngày này)", "To (inclusive)"),
        "download": ("Xuất và tải về", "Export and download"),
        "evidenceVerify": ("Kiểm tra gói đã tải:", "To check a downloaded bundle:"),
        "unauthorized": ("Cần đăng nhập", "Sign-in needed"),
        "unauthorizedDetail": ("Vui lòng đăng nhập lại.", "Please sign in again."),
        "forbidden": ("Không có quyền", "Not allowed"),
        "forbiddenDetail": (
            "Vai trò %@ không được thực hiện thao tác này.", "The %@ role may not do this."
        ),
        "csrfDetail": (
            "Biểu mẫu đã hết hạn hoặc không đến từ bàn xử lý. Hãy tải lại trang và thử lại.",
            "The form has expired or did not come from the desk. Reload the page and try again."
        ),
        "notFound": ("Không tìm thấy", "Not found"),
        "badRequest": ("Thông tin chưa hợp lệ", "Something is not right"),
        "conflict": ("Không thực hiện được", "Could not be done"),
        "serverError": ("Lỗi hệ thống", "Something went wrong"),
        "serverErrorDetail": (
            "Đã có lỗi; không có gì bị thay đổi. Hãy thử lại hoặc báo quản trị viên.",
            "Something failed; nothing was changed. Try again or tell an administrator."
        ),
        "busyDetail": (
            "Cơ sở dữ liệu đang bận với một thao tác ghi dài (đang nhập danh sách); chưa có gì được ghi nhận. "
                + "Hãy gửi lại sau vài giây.",
            "The database is busy with a long write (a list import); nothing was recorded. Send it again in a few "
                + "seconds."
        ),
        "summaryRequests": (
            "%d yêu cầu; %d quá hạn; %d sắp đến hạn.", "%d request(s); %d overdue; %d due within 2 days."
        ),
        "summaryLists": ("%d danh sách; %d mục.", "%d list(s); %d entries."),
        "completeHint": (
            "Thực hiện yêu cầu và đóng lại.", "Carries out the request and closes it."
        ),
        "completeHintDeletion": (
            "Xóa dữ liệu của người này khỏi mọi danh sách và ngừng mọi tin nhắn; không thể hoàn tác.",
            "Erases the person from every list and stops every message; this cannot be undone."
        ),
        "completeHintRefusal": (
            "Xác nhận việc ngừng gửi tin đã có hiệu lực từ lúc nhận yêu cầu.",
            "Confirms the suppression in force since the request was received."
        ),
        "completeHintRestriction": (
            "Ngừng mọi xử lý dữ liệu của người này trên mọi kênh.",
            "Stops all processing of the person on every channel."
        ),
        "completeHintCorrection": (
            "Áp dụng giá trị đã chỉnh sửa cho mọi mục của người này.", "Applies the corrected values to every entry."
        ),
    ]

    static func typeName(_ type: RequestType, _ language: WebLanguage) -> String {
        Vocabulary.requestType(type, language.vocabulary)
    }

    static func stateName(_ state: RequestState, _ language: WebLanguage) -> String {
        Vocabulary.requestState(state, language.vocabulary)
    }

    static func channelName(_ channel: IntakeChannel, _ language: WebLanguage) -> String {
        let names: [IntakeChannel: (String, String)] = [
            .zalo: ("Zalo", "Zalo"), .sms: ("SMS", "SMS"), .email: ("Email", "Email"),
            .phone: ("Điện thoại", "Phone"), .web: ("Trang web", "Website"), .paper: ("Giấy tờ, thư", "Paper"),
            .inPerson: ("Trực tiếp tại cửa hàng", "In person at a store"),
        ]
        return pick(names[channel], language) ?? channel.rawValue
    }

    static func groundName(_ ground: RefusalGround, _ language: WebLanguage) -> String {
        let names: [RefusalGround: (String, String)] = [
            .identityNotVerified: ("Không xác minh được danh tính", "Identity could not be verified"),
            .noData: ("Không lưu giữ dữ liệu của người này", "We hold no data about the person"),
            .abusive: (
                "Không vì lợi ích của chính mình, cản trở nghĩa vụ hoặc xâm phạm quyền của người khác",
                "Not in the person's own interest, obstructs legal duties or infringes others' rights"
            ),
            .legalRetention: ("Pháp luật buộc phải lưu giữ", "The law requires keeping the data"),
            .noConsentNeeded: ("Việc xử lý không cần sự đồng ý", "The processing needs no consent"),
            .harmsOthers: (
                "Gây tổn hại quốc phòng, an ninh hoặc tính mạng, sức khỏe, tài sản của người khác",
                "Would harm defence, security, or others' life, health or property"
            ),
            .duplicate: ("Trùng với yêu cầu đang giải quyết", "Repeats a request still open"),
        ]
        return pick(names[ground], language) ?? ground.rawValue
    }

    static func relationName(_ relation: RepresentativeRelation, _ language: WebLanguage) -> String {
        Vocabulary.relation(relation, language.vocabulary)
    }

    static func letterName(_ kind: LetterKind, _ language: WebLanguage) -> String {
        Vocabulary.letter(code: kind.rawValue, language.vocabulary)
    }

    static func scopeName(_ scope: SuppressionPurpose, _ language: WebLanguage) -> String {
        scope == .all
            ? (language == .vi ? "Mọi xử lý, mọi tin nhắn" : "All processing, every message")
            : (language == .vi ? "Chỉ tin quảng cáo" : "Advertising only")
    }

    static func roleName(_ role: StaffRole, _ language: WebLanguage) -> String {
        let names: [StaffRole: (String, String)] = [
            .officer: ("cán bộ xử lý", "officer"), .support: ("chăm sóc khách hàng", "support"),
            .auditor: ("kiểm toán", "auditor"),
        ]
        return pick(names[role], language) ?? role.rawValue
    }

    /// The timeline's event kinds, as `addEvent` writes them.
    static func eventName(_ kind: String, _ language: WebLanguage) -> String {
        Vocabulary.event(kind, language.vocabulary)
    }

    private static func pick(_ pair: (String, String)?, _ language: WebLanguage) -> String? {
        pair.map { language == .vi ? $0.0 : $0.1 }
    }
}
