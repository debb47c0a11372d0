/// The words a person or an inspector reads for the domain's codes, in Vietnamese and English, keyed by the domain
/// enums: one table for the desk, the letters' reports and the evidence, so that a code is never shown raw inside
/// Vietnamese text and two pages never name one thing differently.
public enum Vocabulary {
    public typealias Language = VietnamDates.Language

    /// How a request type is worded where it is read.
    public enum TypeWording: Sendable {
        /// A label: the desk's queue, reports, the evidence ("Truy cập dữ liệu").
        case label
        /// A letter's sentence: "yêu cầu xem, cung cấp dữ liệu cá nhân".
        case letter
        /// A letter's few words: "xem dữ liệu".
        case short
        /// What the person asks for, in their own voice on the portal: "Xem, nhận bản sao dữ liệu cá nhân".
        case personal
    }

    public static func requestType(_ type: RequestType, _ language: Language, _ wording: TypeWording = .label)
        -> String
    {
        let names: [RequestType: (String, String)]
        switch wording {
        case .label:
            names = [
                .access: ("Truy cập dữ liệu", "Access"), .correction: ("Chỉnh sửa dữ liệu", "Correction"),
                .deletion: ("Xóa dữ liệu", "Deletion"), .restriction: ("Hạn chế xử lý", "Restriction"),
                .objection: ("Phản đối xử lý", "Objection"),
                .withdrawConsent: ("Rút lại sự đồng ý", "Consent withdrawal"),
                .protection: ("Biện pháp bảo vệ dữ liệu", "Protection measures"),
            ]
        case .letter:
            names = [
                .access: ("yêu cầu xem, cung cấp dữ liệu cá nhân", "request to view or obtain a copy of personal data"),
                .correction: ("yêu cầu chỉnh sửa dữ liệu cá nhân", "request to correct personal data"),
                .deletion: ("yêu cầu xóa dữ liệu cá nhân", "request to delete personal data"),
                .restriction: (
                    "yêu cầu hạn chế xử lý dữ liệu cá nhân", "request to restrict the processing of personal data"
                ),
                .objection: (
                    "yêu cầu phản đối xử lý dữ liệu cá nhân (kể cả để gửi quảng cáo)",
                    "objection to the processing of personal data (including for advertising)"
                ),
                .withdrawConsent: (
                    "yêu cầu rút lại sự đồng ý xử lý dữ liệu cá nhân",
                    "withdrawal of consent to the processing of personal data"
                ),
                .protection: (
                    "yêu cầu thực hiện biện pháp bảo vệ dữ liệu cá nhân",
                    "request for measures to protect personal data"
                ),
            ]
        case .short:
            names = [
                .access: ("xem dữ liệu", "access"), .correction: ("sửa dữ liệu", "correction"),
                .deletion: ("xóa dữ liệu", "deletion"), .restriction: ("hạn chế xử lý", "restriction"),
                .objection: ("phản đối xử lý", "objection"),
                .withdrawConsent: ("rút lại sự đồng ý", "consent withdrawal"),
                .protection: ("bảo vệ dữ liệu", "protection"),
            ]
        case .personal:
            names = [
                .access: ("Xem, nhận bản sao dữ liệu cá nhân", "See or get a copy of my personal data"),
                .correction: ("Chỉnh sửa dữ liệu cá nhân", "Correct my personal data"),
                .deletion: ("Xóa dữ liệu cá nhân", "Delete my personal data"),
                .restriction: ("Hạn chế xử lý dữ liệu cá nhân", "Restrict the processing of my personal data"),
                .objection: (
                    "Phản đối xử lý dữ liệu, kể cả nhận quảng cáo", "Object to processing, including advertising"
                ),
                .withdrawConsent: ("Rút lại sự đồng ý", "Withdraw my consent"),
                .protection: (
                    "Yêu cầu biện pháp bảo vệ dữ liệu cá nhân", "Ask for measures to protect my personal data"
                ),
            ]
        }
        return pick(names[type], language) ?? type.rawValue
    }

    /// A ground for refusing a request, as the desk names it (the letters explain it at length).
    public static func refusalGround(_ ground: RefusalGround, _ language: Language) -> String {
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

    /// What an objection or a withdrawal stops: advertising, or every processing.
    public static func refusalScope(_ scope: SuppressionPurpose, _ language: Language) -> String {
        scope == .all
            ? (language == .vietnamese ? "Mọi xử lý, mọi tin nhắn" : "All processing, every message")
            : (language == .vietnamese ? "Chỉ tin quảng cáo" : "Advertising only")
    }

    /// A staff member's role, as the desk says who is signed in.
    public static func role(_ role: StaffRole, _ language: Language) -> String {
        let names: [StaffRole: (String, String)] = [
            .officer: ("cán bộ xử lý", "officer"), .support: ("chăm sóc khách hàng", "support"),
            .auditor: ("kiểm toán", "auditor"),
        ]
        return pick(names[role], language) ?? role.rawValue
    }

    public static func requestState(_ state: RequestState, _ language: Language) -> String {
        let names: [RequestState: (String, String)] = [
            .received: ("Đã tiếp nhận", "Received"), .acknowledged: ("Đã xác nhận tiếp nhận", "Acknowledged"),
            .verified: ("Đã xác minh danh tính", "Verified"), .completed: ("Hoàn thành", "Completed"),
            .rejected: ("Từ chối", "Rejected"), .withdrawn: ("Đã rút lại", "Withdrawn"),
        ]
        return pick(names[state], language) ?? state.rawValue
    }

    /// In what capacity a representative acts (Law 91 Art. 24).
    public static func relation(_ relation: RepresentativeRelation, _ language: Language) -> String {
        let names: [RepresentativeRelation: (String, String)] = [
            .parent: ("Cha, mẹ", "Parent"), .guardian: ("Người giám hộ", "Guardian"),
            .agent: ("Người đại diện theo ủy quyền", "Authorised representative"),
        ]
        return pick(names[relation], language) ?? relation.rawValue
    }

    public static func intakeChannel(_ channel: IntakeChannel, _ language: Language) -> String {
        let names: [IntakeChannel: (String, String)] = [
            .zalo: ("Zalo", "Zalo"), .sms: ("Tin nhắn SMS", "SMS"), .email: ("Thư điện tử", "Email"),
            .phone: ("Điện thoại", "Phone"), .web: ("Trang web", "Website"), .paper: ("Giấy tờ, thư", "Paper"),
            .inPerson: ("Trực tiếp tại cửa hàng", "In person at a store"),
        ]
        return pick(names[channel], language) ?? channel.rawValue
    }

    /// A sending channel; nil (a suppression's `any`) is every channel.
    public static func channel(_ channel: Channel?, _ language: Language) -> String {
        guard let channel else { return language == .vietnamese ? "Mọi kênh" : "Every channel" }
        let names: [Channel: (String, String)] = [
            .sms: ("Tin nhắn SMS", "SMS"), .zalo: ("Zalo", "Zalo"), .email: ("Thư điện tử", "Email"),
            .call: ("Cuộc gọi", "Calls"),
        ]
        return pick(names[channel], language) ?? channel.rawValue
    }

    /// A channel as stored (`sms`, `any`, …).
    public static func channel(code: String, _ language: Language) -> String {
        code == "any" ? channel(nil, language) : Channel(rawValue: code).map { channel($0, language) } ?? code
    }

    public static func purpose(code: String, _ language: Language) -> String {
        let names: [String: (String, String)] = [
            "marketing": ("Quảng cáo", "Advertising"), "transactional": ("Giao dịch, chăm sóc", "Transactional"),
            "all": ("Mọi xử lý", "All processing"),
        ]
        return pick(names[code], language) ?? code
    }

    /// What a list was collected on, as a person reads the purpose of processing.
    public static func basis(code: String, _ language: Language) -> String {
        let names: [String: (String, String)] = [
            "consent": ("Gửi thông tin, quảng cáo theo sự đồng ý của bạn", "Messages and advertising you consented to"),
            "contract": (
                "Thực hiện hợp đồng, giao dịch với bạn", "Performing a contract or transaction with you"
            ),
            "purchased": ("Danh sách mua từ bên thứ ba", "A list bought from a third party"),
            "other": ("Mục đích khác do đơn vị khai báo", "Another purpose the company declared"),
        ]
        return pick(names[code], language) ?? code
    }

    /// The timeline's event kinds, as the request store writes them.
    public static func event(_ kind: String, _ language: Language) -> String {
        let names: [String: (String, String)] = [
            "received": ("Tiếp nhận", "Received"), "suppressed": ("Ngừng gửi tin", "Suppressed"),
            "acknowledged": ("Xác nhận tiếp nhận", "Acknowledged"), "verified": ("Xác minh danh tính", "Verified"),
            "extended": ("Gia hạn", "Extended"), "completed": ("Hoàn thành", "Completed"),
            "rejected": ("Từ chối", "Rejected"), "withdrawn": ("Rút lại", "Withdrawn"), "late": ("Trễ hạn", "Late"),
            "letter-sent": ("Đã gửi thư", "Letter sent"),
            "letter-delivered": ("Thư đã đến người nhận", "Letter delivered"),
            "letter-delivery-failed": ("Thư chưa gửi được", "Letter not delivered"),
            "processor-notified": ("Đã báo bên xử lý", "Processor told"),
            "processor-confirmed": ("Bên xử lý xác nhận", "Processor confirmed"),
        ]
        return pick(names[kind], language) ?? kind
    }

    /// A timeline note as the desk shows it. The store writes its fixed notes in English for the command line and
    /// the chain; in Vietnamese they are said again from their parts, and what came from outside (a name typed by an
    /// officer, a mail server's reply) is kept as written.
    /// A completion's note (`RequestStore`) said in Vietnamese; nil for one it does not know (kept as written).
    private static func completionNote(_ note: String) -> String? {
        let allProcessing = "suppressed for all processing"
        switch note {
        case allProcessing: return "ngừng mọi xử lý dữ liệu"
        case "refusal confirmed; suppression in force since receipt":
            return "đã xác nhận ngừng gửi; việc ngừng có hiệu lực từ lúc nhận yêu cầu"
        default: break
        }
        // "erased (entries 2, sends 1); suppressed for all processing": the rows erased, counted.
        if note.hasPrefix("erased ("), note.hasSuffix("); " + allProcessing) {
            let inner = note.dropFirst("erased (".count).dropLast(("); " + allProcessing).count)
            let rows = inner.split(separator: ", ").compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
            return "đã xóa \(rows.reduce(0, +)) bản ghi dữ liệu; ngừng mọi xử lý dữ liệu"
        }
        // "access report given (SHA-256 0123456789abcdef…)"
        if note.hasPrefix("access report given (") {
            return "đã giao báo cáo dữ liệu cá nhân (" + note.dropFirst("access report given (".count)
        }
        // "corrected ho_ten, email in 2 entries": the fields are the list's own headers.
        if note.hasPrefix("corrected "), let range = note.range(of: " in ", options: .backwards),
            note.hasSuffix(" entries"), let count = Int(note[range.upperBound...].dropLast(" entries".count))
        {
            return "đã sửa \(note[note.index(note.startIndex, offsetBy: "corrected ".count)..<range.lowerBound]) "
                + "trong \(count) bản ghi"
        }
        return nil
    }

    public static func eventNote(kind: String, note: String, _ language: Language) -> String {
        guard language == .vietnamese else { return note }
        switch (kind, note) {
        case ("suppressed", "marketing on every channel, from receipt"):
            return "ngừng quảng cáo trên mọi kênh, từ lúc nhận yêu cầu"
        case ("suppressed", "all processing, once verified"):
            return "ngừng mọi xử lý, từ lúc xác minh danh tính"
        case ("late", "completed after the due date, no reason given"):
            return "hoàn thành sau thời hạn, không nêu lý do"
        case ("completed", _):
            return completionNote(note) ?? note
        case ("letter-sent", _):
            // "ack (vi)"
            let parts = note.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[1].hasPrefix("("), parts[1].hasSuffix(")") else { return note }
            let code = parts[1].dropFirst().dropLast()
            let languageName = code == "vi" ? "tiếng Việt" : code == "en" ? "tiếng Anh" : String(code)
            return letter(code: String(parts[0]), language) + " (" + languageName + ")"
        case ("verified", _):
            // "+84912345678 by otp-email"
            guard let range = note.range(of: " by ", options: .backwards) else { return note }
            return String(note[..<range.lowerBound]) + ", cách xác minh: " + note[range.upperBound...]
        case ("letter-delivered", _), ("letter-delivery-failed", _):
            // "by mail: 250 OK; next attempt 2026-…": the means and the retry said again, the server's words kept.
            var rest = Substring(note)
            var means = ""
            for (english, vietnamese) in [
                ("by mail: ", "qua thư điện tử"), ("by Zalo OA message: ", "qua tin nhắn Zalo OA"),
            ]
            where rest.hasPrefix(english) {
                means = vietnamese
                rest = rest.dropFirst(english.count)
            }
            guard !means.isEmpty else { return note }
            var retry = ""
            if let range = rest.range(of: "; next attempt ", options: .backwards) {
                retry = "; thử lại lúc " + rest[range.upperBound...]
                rest = rest[..<range.lowerBound]
            } else if rest.hasSuffix("; not retried") {
                retry = "; không thử lại"
                rest = rest.dropLast("; not retried".count)
            }
            return means + ", máy chủ trả lời: " + rest + retry
        default:
            return note
        }
    }

    /// An event of the audit chain by its kind (`request.new`); a kind not named here is shown as its code.
    public static func auditEvent(_ kind: String, _ language: Language) -> String {
        let names: [String: (String, String)] = [
            "installation.init": ("Khởi tạo hệ thống", "Installation created"),
            "request.new": ("Tiếp nhận yêu cầu", "Request received"),
            "request.ack": ("Xác nhận tiếp nhận", "Receipt acknowledged"),
            "request.verify": ("Xác minh danh tính", "Identity verified"),
            "request.extend": ("Gia hạn yêu cầu", "Request extended"),
            "request.complete": ("Hoàn thành yêu cầu", "Request completed"),
            "request.reject": ("Từ chối yêu cầu", "Request rejected"),
            "request.withdraw": ("Rút lại yêu cầu", "Request withdrawn"),
            "request.letter": ("Gửi thư", "Letter sent"), "request.processor": ("Báo bên xử lý", "Processor told"),
            "letter.delivered": ("Thư đã đến", "Letter delivered"),
            "letter.delivery_failed": ("Thư chưa gửi được", "Letter not delivered"),
            "suppress": ("Ngừng gửi tin", "Suppression"), "suppress.lift": ("Gỡ ngừng gửi tin", "Suppression lifted"),
            "lists.import": ("Nhập danh sách", "List imported"), "lists.export": ("Xuất danh sách", "List exported"),
            "lists.delete": ("Xóa danh sách", "List deleted"),
            "lists.import_removed": ("Gỡ lần nhập bị bỏ dở", "Abandoned import removed"),
            "dnc.import": ("Nhập danh sách DNC", "DNC list imported"),
            "sends.import": ("Nhập lịch sử gửi tin", "Sends imported"), "gate.run": ("Lọc lô gửi tin", "Gate run"),
            "evidence.export": ("Xuất bằng chứng", "Evidence exported"),
            "identity.link": ("Liên kết định danh", "Identifiers linked"),
            "identity.unlink": ("Bỏ liên kết định danh", "Identifiers unlinked"),
            "inbox.resolve": ("Xử lý tin nhắn Zalo", "Inbox message resolved"),
            "webhook.zalo": ("Sự kiện Zalo", "Zalo event"), "digest.sent": ("Gửi thư nhắc việc", "Digest sent"),
            "users.add": ("Thêm người dùng", "User added"),
            "users.disable": ("Vô hiệu hóa người dùng", "User disabled"),
            "users.rotate": ("Cấp lại mã truy cập", "Token rotated"),
            "org.set": ("Cập nhật thông tin đơn vị", "Organisation updated"),
            "backup.create": ("Sao lưu", "Backup"), "backup.restore": ("Khôi phục", "Restore"),
            "keys.rotate": ("Đổi khóa", "Keys rotated"), "holidays.add": ("Thêm ngày nghỉ", "Holiday added"),
            "holidays.reading": ("Cách tính ngày nghỉ", "Holiday reading"),
            "rules.policy": ("Chính sách thời hạn", "Deadline policy"),
            "outbox.retry": ("Gửi lại thư", "Delivery retried"),
            "erasure.replay": ("Xóa lại sau khôi phục", "Erasure replayed"),
        ]
        return pick(names[kind], language) ?? kind
    }

    /// Why a list row was not imported, as the desk says it: the command line's reason names the field and the
    /// value in English (`phone: …`, `consent_at: "…" is not a time …`); the Vietnamese desk names the field in
    /// Vietnamese and leaves the details to `lists import`, which prints them.
    public static func invalidRow(_ reason: String, _ language: Language) -> String {
        guard language == .vietnamese else { return reason }
        if reason == IdentifierError.missing.description { return "Dòng không có số điện thoại, email hay Zalo." }
        let field = reason.prefix { $0 != ":" }
        let names: [Substring: String] = [
            "phone": "Số điện thoại không hợp lệ.", "email": "Địa chỉ thư điện tử không hợp lệ.",
            "zalo_id": "Mã Zalo không hợp lệ.",
            "consent_at": "Thời điểm đồng ý không đọc được (viết 2025-08-12T09:15:00+07:00, 2025-08-12 hoặc "
                + "12/08/2025 09:15).",
            "channel": "Kênh không hợp lệ (chỉ nhận sms, zalo, email, call).",
        ]
        return names[field] ?? "Dòng không hợp lệ."
    }

    /// A list entry's status in a `why` answer (`active`, `suppressed`).
    public static func entryStatus(code: String, _ language: Language) -> String {
        let names: [String: (String, String)] = [
            "active": ("Đang dùng", "Active"), "suppressed": ("Đã ngừng gửi tin", "Suppressed"),
        ]
        return pick(names[code], language) ?? code
    }

    /// Why a suppression was recorded, as the store wrote it ("objection request RQ-2026-000001", "unfollowed the
    /// Zalo OA"); a reason an officer typed by hand is kept as written.
    public static func suppressionReason(_ reason: String, _ language: Language) -> String {
        guard language == .vietnamese else { return reason }
        switch reason {
        case "unfollowed the Zalo OA": return "Đã bỏ quan tâm Zalo OA"
        case "erased": return "Dữ liệu của người này đã được xóa"
        case "erasure replayed after a restore": return "Xóa lại sau khi khôi phục bản sao lưu"
        default: break
        }
        let parts = reason.split(separator: " ")
        if parts.count == 3, parts[1] == "request", let type = RequestType(rawValue: String(parts[0])) {
            return "Yêu cầu " + requestType(type, language).lowercased() + " " + parts[2]
        }
        return reason
    }

    /// A letter's kind as stored (`ack`, `extension`, …).
    public static func letter(code: String, _ language: Language) -> String {
        let names: [String: (String, String)] = [
            "ack": ("Thư xác nhận tiếp nhận", "Acknowledgement"), "extension": ("Thư gia hạn", "Extension"),
            "completion": ("Thư thông báo hoàn thành", "Completion"), "rejection": ("Thư từ chối", "Rejection"),
            "refusal-confirmation": ("Thư xác nhận ngừng gửi tin", "Refusal confirmation"),
        ]
        return pick(names[code], language) ?? code
    }

    private static func pick(_ pair: (String, String)?, _ language: Language) -> String? {
        pair.map { language == .vietnamese ? $0.0 : $0.1 }
    }
}
