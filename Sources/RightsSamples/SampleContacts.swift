import RightsCore

/// Deterministic, realistic Vietnamese contact rows: full-diacritic names, phone numbers in the mixed written
/// forms real exports carry, emails, consent times and channels. The same seed always gives the same rows.
public struct SampleContacts {
    private var random: SplitMix64

    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    static let surnames = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
        "Dương", "Lý",
    ]
    static let middleNames = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu", "Gia", "Bảo"]
    static let givenNames = [
        "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai",
        "Nam", "Nga", "Nhung", "Phúc", "Phương", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Việt", "Yến", "Đào",
        "Ánh", "Hùng", "Hằng", "Thủy", "Kiên",
    ]
    static let asciiGiven = [
        "an", "binh", "chi", "dung", "giang", "ha", "hai", "hanh", "huong", "khanh", "lan", "linh", "long", "mai",
        "nam", "nga", "nhung", "phuc", "phuong", "quan", "son", "thao", "trang", "tuan", "viet", "yen", "dao",
        "anh", "hung", "hang", "thuy", "kien",
    ]
    /// Mobile prefixes assigned under the 2018 numbering plan (national significant number, 9 digits).
    static let mobilePrefixes = [
        "32", "33", "34", "35", "36", "37", "38", "39", "70", "76", "77", "78", "79", "81", "82", "83", "84", "85",
        "86", "88", "90", "91", "93", "94", "96", "97", "98",
    ]
    static let tiers = ["Thường", "Bạc", "Vàng", "Kim cương"]
    static let cities = ["Hà Nội", "TP. Hồ Chí Minh", "Đà Nẵng", "Hải Phòng", "Cần Thơ", "Huế", "Nha Trang"]

    /// A person: a national significant mobile number (9 digits) and a name.
    public mutating func person() -> (nsn: String, name: String, email: String) {
        let prefix = Self.mobilePrefixes[random.next(below: Self.mobilePrefixes.count)]
        var digits = prefix
        for _ in 0..<7 { digits.append(Character(UnicodeScalar(UInt8(48 + random.next(below: 10))))) }
        let givenIndex = random.next(below: Self.givenNames.count)
        let name =
            "\(Self.surnames[random.next(below: Self.surnames.count)]) "
            + "\(Self.middleNames[random.next(below: Self.middleNames.count)]) \(Self.givenNames[givenIndex])"
        let email = "\(Self.asciiGiven[givenIndex]).\(digits.suffix(4))@example.vn"
        return (digits, name, email)
    }

    /// The number written the way people and spreadsheets write it, in one of eight common forms.
    public mutating func written(_ nsn: String) -> String {
        let chars = Array(nsn)
        let a = String(chars[0..<2])
        let b = String(chars[2..<5])
        let c = String(chars[5..<9])
        switch random.next(below: 8) {
        case 0: return "0" + nsn
        case 1: return "0\(a)\(b.prefix(1)) \(b.dropFirst())\(c.prefix(1)) \(c.dropFirst())"
        case 2: return "0\(a)\(b.prefix(1)).\(b.dropFirst())\(c.prefix(1)).\(c.dropFirst())"
        case 3: return "+84 \(a)\(b.prefix(1)) \(b.dropFirst())\(c.prefix(1)) \(c.dropFirst())"
        case 4: return "84" + nsn
        case 5: return "(+84) \(a)\(b.prefix(1))-\(b.dropFirst())\(c.prefix(1))-\(c.dropFirst())"
        case 6: return "0084" + nsn
        default: return "0" + nsn
        }
    }

    /// A consent time in 2025, Vietnam time.
    public mutating func consentTime() -> String {
        let month = 1 + random.next(below: 12)
        let day = 1 + random.next(below: 28)
        let hour = 8 + random.next(below: 12)
        let minute = random.next(below: 60)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "2025-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):00+07:00"
    }

    public mutating func pick<T>(_ items: [T]) -> T { items[random.next(below: items.count)] }

    public mutating func chance(_ percent: Int) -> Bool { random.next(below: 100) < percent }

    /// A loyalty-programme export: `phone,name,email,consent_at,channel,tier`, RFC 4180, UTF-8, `\n` line ends.
    /// Names with a comma are quoted; about two thirds of the rows carry an SMS or Zalo consent.
    public mutating func loyaltyCSV(rows: Int, sink: ([UInt8]) throws -> Void) rethrows {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        buffer.append(contentsOf: Array("phone,name,email,consent_at,channel,tier\n".utf8))
        for _ in 0..<rows {
            let (nsn, name, email) = person()
            var line = written(nsn) + ","
            line += chance(5) ? "\"\(name), \(pick(Self.cities))\"" : name
            line += "," + email + ","
            if chance(66) {
                line += consentTime() + "," + (chance(50) ? "sms" : "zalo;sms")
            } else {
                line += ","
            }
            line += "," + pick(Self.tiers) + "\n"
            buffer.append(contentsOf: line.utf8)
            if buffer.count >= 1 << 20 {
                try sink(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if !buffer.isEmpty { try sink(buffer) }
    }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64), so samples reproduce exactly.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
