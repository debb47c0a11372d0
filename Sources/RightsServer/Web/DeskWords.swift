import Mustache
import RightsCore

/// The words of the desk's pages, Vietnamese and English side by side so that neither can lack a key. The names of
/// the domain's codes (request types, states, channels, grounds, roles, events) are not here: they come from
/// `Vocabulary`, the one table the pages, the command line, the letters and the reports share.
struct DeskWords: Sendable, MustacheParent {
    let language: WebLanguage

    init(_ language: WebLanguage) { self.language = language }

    /// The word for `key`; the key itself when the table lacks it (a test checks that none is missing).
    subscript(_ key: String) -> String {
        guard let pair = Self.strings[key] else { return key }
        return language == .vi ? pair.vi : pair.en
    }

    /// `%@` and `%d` in a word filled in order.
    func format(_ key: String, _ values: CustomStringConvertible...) -> String {
        var text = self[key]
        for value in values {
            guard let range = text.range(of: "%@") ?? text.range(of: "%d") else { break }
            text.replaceSubrange(range, with: value.description)
        }
        return text
    }

    /// `{{t.key}}` in a template.
    func child(named name: String) -> Any? { Self.strings[name].map { language == .vi ? $0.vi : $0.en } }

    static var keys: Dictionary<String, (vi: String, en: String)>.Keys { strings.keys }

    private static let strings: [String: (vi: String, en: String)] = [
        "navToday": ("Việc hôm nay", "Today"),
        "tooLarge": (
            "Nội dung gửi lên quá lớn. Danh sách lớn hơn 1 GB hãy nhập bằng lệnh rightsdesk lists import.",
            "What was sent is too large. Import lists over 1 GB with rightsdesk lists import."
        ),
        "navInbox": ("Tin nhắn Zalo chờ xử lý", "Zalo inbox"),
        "navAudit": ("Nhật ký kiểm toán", "Audit log"),
        "formUnreadable": (
            "Không đọc được biểu mẫu. Hãy tải lại trang và gửi lại.",
            "The form could not be read. Reload the page and send it again."
        ),
        "search": ("Tìm theo tên hoặc số điện thoại, email, Zalo", "Find by name, phone, email or Zalo"),
        "searchHint": (
            "Không cần gõ dấu; số điện thoại viết kiểu nào cũng được.",
            "Diacritics are optional; numbers in any format."
        ),
        "person": ("Người yêu cầu", "Person"),
        "ackLate": ("trễ xác nhận", "acknowledgement late"),
        "dueLastDay": ("hạn chót", "due by"),
        "daysLeft": ("còn %d ngày", "%d day(s) left"),
        "daysOver": ("quá hạn %d ngày", "%d day(s) overdue"),
        "dueToday": ("hạn là hôm nay", "due today"),
        "noMatch": ("Không có yêu cầu nào khớp với nội dung tìm.", "No request matches the search."),
        "todayTitle": ("Việc hôm nay", "Today"),
        "todayAcks": (
            "Xác nhận tiếp nhận: đã trễ hạn hoặc đến hạn hôm nay", "Acknowledgements late or due today"
        ),
        "todayOverdue": ("Yêu cầu đã quá hạn", "Overdue requests"),
        "todayWeek": ("Đến hạn trong 7 ngày tới", "Due within the next 7 days"),
        "summaryToday": (
            "%d xác nhận tiếp nhận trễ hạn; %d yêu cầu quá hạn; %d yêu cầu đến hạn trong tuần.",
            "%d late acknowledgement(s); %d overdue request(s); %d due this week."
        ),
        "withdraw": ("Ghi nhận người yêu cầu rút lại", "Record that the person withdrew"),
        "withdrawHint": (
            "Người yêu cầu không muốn tiếp tục yêu cầu này. Việc ngừng gửi tin đã ghi nhận vẫn giữ nguyên.",
            "The person no longer wants this request. A suppression already recorded stays in force."
        ),
        "withdrawNote": ("Lời người yêu cầu (không bắt buộc)", "The person's words (optional)"),
        "noteNeeded": (
            "Hãy ghi nội dung báo cho người yêu cầu về lý do từ chối.",
            "Write what the person is told about the refusal."
        ),
        "subjectNeeded": (
            "Hãy ghi ít nhất một số điện thoại, email hoặc Zalo của người yêu cầu.",
            "Give at least one phone, email or Zalo identifier."
        ),
        "notADateTime": ("%@ không phải là ngày giờ hợp lệ.", "%@ is not a date and time."),
        "notADate": ("%@ không phải là ngày hợp lệ (năm-tháng-ngày).", "%@ is not a date (YYYY-MM-DD)."),
        "relationNeeded": (
            "Hãy chọn tư cách của người đại diện %@: cha, mẹ, người giám hộ hoặc người được ủy quyền.",
            "Choose in what capacity %@ acts: parent, guardian or authorised representative."
        ),
        "importTitle": ("Nhập danh sách liên hệ", "Import a contact list"),
        "importHint": (
            "Tệp CSV (UTF-8 hoặc UTF-16; trong Excel, lưu thành CSV UTF-8 hoặc Unicode Text) có cột số điện thoại, email hoặc Zalo. Cả tệp được nhập hoặc "
                + "không có gì được nhập; người đã từ chối vẫn bị chặn. Tệp rất lớn hãy dùng lệnh rightsdesk lists import.",
            "A CSV file (UTF-8 or UTF-16; from Excel, saved as CSV UTF-8 or Unicode Text) with a phone, email or Zalo column. The whole file is imported or "
                + "nothing is; people who refused stay blocked. For very large files use rightsdesk lists import."
        ),
        "listName": ("Tên danh sách", "List name"),
        "importFile": ("Tệp danh sách", "List file"),
        "importButton": ("Tải lên và nhập", "Upload and import"),
        "importRunning": (
            "Trang tự cập nhật mỗi giây; bàn xử lý vẫn nhận phản đối trong lúc nhập.",
            "This page updates itself every second; the desk keeps taking objections meanwhile."
        ),
        "importReading": ("Đang đọc và kiểm tra tệp", "Reading and checking the file"),
        "importApplying": ("Đang ghi vào cơ sở dữ liệu", "Writing to the database"),
        "importDone": ("Đã nhập xong", "Imported"),
        "importFailed": ("Không nhập được; không có gì thay đổi", "Not imported; nothing changed"),
        "importRows": ("Số dòng", "Rows"),
        "importImported": ("Số mục đã nhập", "Entries imported"),
        "importDuplicates": ("Trùng lặp", "Duplicates"),
        "importSuppressed": ("Đã từ chối trước đó (vẫn bị chặn)", "Already refused (still blocked)"),
        "importConsents": ("Sự đồng ý ghi nhận", "Consents recorded"),
        "importInvalid": ("Dòng không hợp lệ", "Invalid rows"),
        "line": ("Dòng", "Line"),
        "uploadUnreadable": ("Không đọc được tệp tải lên", "The upload could not be read"),
        "listNameNeeded": ("Hãy đặt tên cho danh sách.", "Give the list a name."),
        "fileNeeded": ("Hãy chọn một tệp CSV có dữ liệu.", "Choose a CSV file with data in it."),
        "noImport": (
            "Không còn thông tin về lần nhập này (máy chủ đã khởi động lại?). Xem lại trang danh sách.",
            "This import is no longer known (was the server restarted?). See the lists page."
        ),
        "periodNeeded": ("Hãy chọn ngày bắt đầu và ngày kết thúc.", "Choose the first and the last day."),
        "auditTitle": ("Nhật ký kiểm toán", "Audit log"),
        "auditHint": (
            "Chuỗi sự kiện có băm liên kết, đọc lại từ cơ sở dữ liệu. Chỉ hiện các trường không chứa dữ liệu cá nhân; "
                + "phần đã niêm phong vẫn được niêm phong.",
            "The hash-linked chain of events, read back. Only fields without personal data are shown; what was sealed "
                + "stays sealed."
        ),
        "auditKind": ("Loại sự kiện", "Event kind"),
        "auditKindHint": ("Ví dụ: request, request.new, suppress.", "For example: request, request.new, suppress."),
        "verifyChain": ("Kiểm tra toàn bộ chuỗi", "Verify the whole chain"),
        "at": ("Lúc", "At"),
        "auditEvent": ("Sự kiện", "Event"),
        "actor": ("Người thực hiện", "Actor"),
        "details": ("Chi tiết", "Details"),
        "chainWhole": ("Chuỗi nguyên vẹn: %d sự kiện.", "The chain is whole: %d events."),
        "chainBroken": ("Chuỗi bị đứt tại sự kiện %d.", "The chain is broken at event %d."),
        "summaryAudit": ("%d sự kiện (hiện tối đa %d sự kiện mới nhất).", "%d event(s) (the newest %d at most)."),
        "lookupsTitle": ("Nhật ký tra cứu của nhân viên", "Staff lookup log"),
        "lookupsHint": (
            "Ai đã tra cứu ai trên bàn xử lý; định danh được che bớt, và không còn hiện khi người đó đã được xóa.",
            "Who looked up whom on the desk; identifiers are masked, and gone once the person is erased."
        ),
        "staffUser": ("Nhân viên", "Staff member"),
        "erased": ("(đã xóa)", "(erased)"),
        "inboxTitle": ("Tin nhắn Zalo chờ xử lý", "Zalo messages to review"),
        "inboxHint": (
            "Những tin nhắn có thể là lời từ chối (ví dụ “hủy đơn hàng” có thể là hủy đơn, không phải từ chối quảng "
                + "cáo). Ghi nhận phản đối thì việc ngừng gửi tin có hiệu lực từ lúc tin nhắn đến.",
            "Messages that may be refusals (“hủy đơn hàng” may cancel an order, not the advertising). Filing an "
                + "objection stops advertising from when the message arrived."
        ),
        "sender": ("Người gửi", "Sender"),
        "receivedZalo": ("Nhận lúc", "Received"),
        "message": ("Nội dung", "Message"),
        "resolution": ("Đã xử lý", "Resolved"),
        "inboxNote": ("Ghi chú (không bắt buộc)", "Note (optional)"),
        "fileAsObjection": ("Ghi nhận là phản đối", "File as an objection"),
        "dismiss": ("Không phải từ chối", "Not a refusal"),
        "inboxEmpty": ("Không có tin nhắn nào đang chờ.", "No message is waiting."),
        "inboxWaiting": ("Chỉ tin đang chờ", "Waiting only"),
        "inboxAll": ("Xem cả tin đã xử lý", "Show resolved messages too"),
        "inboxFiledBy": ("đã ghi nhận là phản đối (%@)", "filed as an objection (%@)"),
        "inboxDismissedBy": ("không phải từ chối (%@)", "not a refusal (%@)"),
        "summaryInbox": ("%d tin nhắn đang chờ.", "%d message(s) waiting."),
        "inboxFiled": (
            "Đã ghi nhận phản đối; đã ngừng gửi quảng cáo từ lúc tin nhắn đến.",
            "Objection filed; advertising stopped from when the message arrived."
        ),
        "inboxDismissed": ("Đã ghi nhận: tin nhắn không phải lời từ chối.", "Recorded: the message is not a refusal."),
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
}
