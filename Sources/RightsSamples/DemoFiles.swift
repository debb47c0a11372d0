import RightsCore

/// The files `rightsdesk demo` imports: the three kinds of export a Vietnamese retailer really has, with the same
/// people appearing in several of them under different written forms of their numbers.
public enum DemoFiles {
    /// A file to write and how to import it.
    public struct File: Sendable {
        public let name: String
        public let list: String
        public let source: String
        public let basis: LegalBasis
        public let consentChannel: Channel?
        public let bytes: [UInt8]
        public let describe: String
    }

    /// The first people of the sample lists, with a phone number as their loyalty export writes it.
    public static func samplePeople() -> [(phone: String, name: String)] {
        var generator = SampleContacts(seed: 2026)
        return (0..<3).map { _ in
            let person = generator.person()
            return ("0" + person.nsn, person.name)
        }
    }

    public static func make(people count: Int = 2000) -> [File] {
        var generator = SampleContacts(seed: 2026)
        let people = (0..<count).map { _ in generator.person() }
        var format = SampleContacts(seed: 91)

        var loyalty = Array("phone,name,email,consent_at,channel,tier\n".utf8)
        for person in people {
            var line = format.written(person.nsn) + ","
            line += format.chance(5) ? "\"\(person.name), \(format.pick(SampleContacts.cities))\"" : person.name
            line += "," + person.email + ","
            line +=
                format.chance(70)
                ? format.consentTime() + "," + format.pick(["sms", "zalo", "sms;zalo", "email"]) : ","
            line += "," + format.pick(SampleContacts.tiers) + "\n"
            loyalty += Array(line.utf8)
        }
        // Two rows a real export always has: a typo'd number and a pre-2018 11-digit mobile number.
        loyalty += Array("12345,Số sai,,,,Thường\n01662345678,Lê Thị Hồng Gấm,gam.le@example.vn,,,Bạc\n".utf8)

        // Excel's "Unicode Text": UTF-16LE with BOM, tab-separated, CRLF, Vietnamese headers.
        var followers = "Số điện thoại\tHọ và tên\tNgày đồng ý\tKênh\r\n"
        for person in people.prefix(count / 4) {
            let consent = format.chance(60) ? format.consentTime() : ""
            followers +=
                "\(format.written(person.nsn))\t\(person.name)\t\(consent)\t\(consent.isEmpty ? "" : "zalo")\r\n"
        }
        var unicodeText: [UInt8] = [0xFF, 0xFE]
        for unit in followers.utf16 { unicodeText += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }

        // A CRM export: UTF-8 with BOM, `;`-separated, the exact consent text shown to the person.
        var crm = "\u{FEFF}Số điện thoại;Họ tên;Thư điện tử;Ngày đồng ý;Kênh;Nội dung đồng ý\n"
        for person in people.suffix(count / 3) {
            let consent = format.chance(50)
            crm += "\(format.written(person.nsn));\"\(person.name)\";\(person.email);"
            crm +=
                consent
                ? "\(format.consentTime());email;\"Tôi đồng ý nhận tin khuyến mãi qua email, tối đa 4 tin/tháng (v2)\"\n"
                : ";;\n"
        }

        return [
            File(
                name: "khach-hang-than-thiet.csv", list: "khach-hang-than-thiet", source: "Loyalty programme export",
                basis: .consent, consentChannel: nil, bytes: loyalty,
                describe: "loyalty members, UTF-8 CSV, mixed phone formats, consent per channel"),
            File(
                name: "zalo-oa-followers.txt", list: "zalo-oa-followers", source: "Zalo OA follower export (Excel)",
                basis: .consent, consentChannel: .zalo, bytes: unicodeText,
                describe: "Zalo OA followers, Excel Unicode Text (UTF-16, tab)"),
            File(
                name: "crm-tet-2025.csv", list: "crm-tet-2025", source: "CRM export, Tết 2025 campaign",
                basis: .contract, consentChannel: nil, bytes: Array(crm.utf8),
                describe: "CRM export, `;`-separated with BOM, Vietnamese headers"),
        ]
    }
}
