/// The words a person or an inspector reads for the domain's codes, in Vietnamese and English, keyed by the domain
/// enums: one table for the desk, the letters' reports and the evidence, so that a code is never shown raw inside
/// Vietnamese text and two pages never name one thing differently.
public enum Vocabulary {
    public typealias Language = VietnamDates.Language

    public static func requestType(_ type: RequestType, _ language: Language) -> String {
        let names: [RequestType: (String, String)] = [
            .access: ("Truy cập dữ liệu", "Access"), .correction: ("Chỉnh sửa dữ liệu", "Correction"),
            .deletion: ("Xóa dữ liệu", "Deletion"), .restriction: ("Hạn chế xử lý", "Restriction"),
            .objection: ("Phản đối xử lý", "Objection"), .withdrawConsent: ("Rút lại sự đồng ý", "Consent withdrawal"),
            .protection: ("Biện pháp bảo vệ dữ liệu", "Protection measures"),
        ]
        return pick(names[type], language) ?? type.rawValue
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
            "processor-notified": ("Đã báo bên xử lý", "Processor told"),
            "processor-confirmed": ("Bên xử lý xác nhận", "Processor confirmed"),
        ]
        return pick(names[kind], language) ?? kind
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
