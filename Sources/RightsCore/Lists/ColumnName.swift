import Foundation

/// A field of a contact-list row that RightsDesk understands; every other column is kept as an attribute.
public enum ListField: String, Sendable, CaseIterable, Hashable {
    case phone, email
    case zaloID = "zalo_id"
    case name
    case consentAt = "consent_at"
    case consentMethod = "consent_method"
    case consentText = "consent_text"
    case consentEvidence = "consent_evidence"
    case channel

    /// Header spellings real exports carry, folded (see `ColumnName.fold`).
    static let aliases: [String: ListField] = {
        var table: [String: ListField] = [:]
        let spellings: [ListField: [String]] = [
            .phone: [
                "phone", "phonenumber", "mobile", "mobilephone", "tel", "telephone", "msisdn", "sodienthoai",
                "sdt", "dienthoai", "didong", "sodidong", "sodt", "dienthoaididong",
            ],
            .email: ["email", "emailaddress", "mail", "thudientu", "diachiemail", "diachithudientu"],
            .zaloID: ["zaloid", "zalouserid", "zalo", "idzalo"],
            .name: ["name", "fullname", "customername", "hovaten", "hoten", "ten", "tenkhachhang", "khachhang"],
            .consentAt: ["consentat", "consentdate", "consenttime", "ngaydongy", "thoigiandongy", "ngaychapthuan"],
            .consentMethod: ["consentmethod", "hinhthucdongy", "phuongthucdongy", "cachthucdongy"],
            .consentText: ["consenttext", "noidungdongy", "vanbandongy", "loidongy"],
            .consentEvidence: ["consentevidence", "evidence", "bangchung", "bangchungdongy"],
            .channel: ["channel", "channels", "kenh", "kenhlienhe"],
        ]
        for (field, names) in spellings {
            for name in names { table[name] = field }
        }
        return table
    }()

    /// The field a header names, ignoring case, diacritics, spaces and underscores; nil for an attribute.
    public init?(header: some StringProtocol) {
        guard let field = ListField.aliases[ColumnName.fold(header)] else { return nil }
        self = field
    }

    /// Reads a `--map` target: the contract's field names (`zalo_id`, `consent_at`, …).
    public init?(mapTarget: String) {
        guard let field = ListField(rawValue: mapTarget) ?? ListField(header: mapTarget) else { return nil }
        self = field
    }
}

/// Header comparison: NFC text in files, compared without case, diacritics, spaces, underscores or dashes.
public enum ColumnName {
    public static func fold(_ text: some StringProtocol) -> String {
        var out = String.UnicodeScalarView()
        for scalar in String(text).decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0x0300...0x036F: continue  // combining diacritics
            case 0x20, 0x5F, 0x2D, 0x2E, 0x09, 0xA0, 0xFEFF: continue  // space, _, -, ., tab, nbsp, stray BOM
            case 0x0110, 0x0111: out.append("d")  // Đ and đ do not decompose
            default: out.append(contentsOf: String(scalar).lowercased().unicodeScalars)
            }
        }
        return String(out)
    }
}
