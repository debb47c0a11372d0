/// A way to reach a person: a phone number, an email address or a Zalo user id under one Official Account.
public enum Identifier: Sendable, Hashable, CustomStringConvertible {
    case phone(PhoneNumber)
    case email(String)
    /// A Zalo user id is different for every Official Account, so the account is part of the identifier.
    case zalo(oa: String, user: String)

    public enum Kind: String, Sendable, CaseIterable, Codable {
        case phone, email, zalo

        /// The CSV column that carries this kind (`zalo_id` for Zalo).
        public var column: String { self == .zalo ? "zalo_id" : rawValue }
    }

    public var kind: Kind {
        switch self {
        case .phone: .phone
        case .email: .email
        case .zalo: .zalo
        }
    }

    /// The normal form that matching, hashing and exports use.
    public var normalized: String {
        switch self {
        case .phone(let number): number.e164
        case .email(let address): address
        case .zalo(let oa, let user): "zalo:\(oa):\(user)"
        }
    }

    public var description: String { normalized }

    /// Parses an identifier as a person types it on the command line: `zalo:OA:USER`, an email address
    /// (anything with `@`), else a phone number in any common written form.
    public init(parsing text: String) throws(IdentifierError) {
        let trimmed = text.trimmingWhitespace()
        if trimmed.hasPrefix("zalo:") {
            let parts = trimmed.dropFirst(5).split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw .zalo("write a Zalo id as zalo:<oa_id>:<user_id>") }
            self = try Identifier(zaloUser: String(parts[1]), oa: String(parts[0]))
        } else if trimmed.contains("@") {
            self = try Identifier(email: trimmed)
        } else {
            self = try Identifier(phone: trimmed)
        }
    }

    public init(phone text: some StringProtocol) throws(IdentifierError) {
        do {
            self = .phone(try PhoneNumber(parsing: text))
        } catch {
            throw .phone(error)
        }
    }

    /// Emails are trimmed and lower-cased; anything that is not `local@domain.tld` is refused.
    public init(email text: some StringProtocol) throws(IdentifierError) {
        if let ascii = Identifier.asciiEmail(text) {
            self = .email(ascii)
            return
        }
        let value = String(text).trimmingWhitespace().lowercased()
        guard Identifier.isEmailShaped(Array(value.utf8)) else {
            throw .email("not an email address (expected name@domain.tld)")
        }
        self = .email(value)
    }

    /// The common case, an ASCII address, trimmed and lower-cased byte by byte without Unicode tables.
    private static func asciiEmail(_ text: some StringProtocol) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            guard byte < 0x80 else { return nil }
            bytes.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte)
        }
        while let last = bytes.last, last == 0x20 || last == 0x09 || last == 0x0A || last == 0x0D { bytes.removeLast() }
        var start = 0
        while start < bytes.count, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        if start > 0 { bytes.removeFirst(start) }
        guard isEmailShaped(bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One `@` with something before it and a dotted domain after it, and no spaces or list separators.
    private static func isEmailShaped(_ bytes: [UInt8]) -> Bool {
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), at > 0, at < bytes.count - 1 else { return false }
        let domain = bytes[(at + 1)...]
        guard domain.contains(UInt8(ascii: ".")), domain.first != UInt8(ascii: "."), domain.last != UInt8(ascii: "."),
            !domain.contains(UInt8(ascii: "@"))
        else { return false }
        return !bytes.contains { $0 <= 0x20 || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") }
    }

    /// A Zalo user id: digits as Zalo issues them, qualified by the Official Account it belongs to.
    public init(zaloUser user: some StringProtocol, oa: String?) throws(IdentifierError) {
        let userID = String(user).trimmingWhitespace()
        guard let oa, !oa.isEmpty else {
            throw .zalo("a Zalo user id needs its Official Account: give --zalo-oa or write zalo:<oa_id>:<user_id>")
        }
        let oaID = oa.trimmingWhitespace()
        guard !userID.isEmpty, userID.utf8.allSatisfy(Identifier.isIDByte), oaID.utf8.allSatisfy(Identifier.isIDByte)
        else {
            throw .zalo("a Zalo id has letters, digits, '-' and '_' only")
        }
        self = .zalo(oa: oaID, user: userID)
    }

    /// Accepts a bare user id qualified by `oa`, or a full `zalo:OA:USER`.
    public init(zaloColumn text: some StringProtocol, oa: String?) throws(IdentifierError) {
        let value = String(text).trimmingWhitespace()
        if value.hasPrefix("zalo:") {
            self = try Identifier(parsing: value)
        } else {
            self = try Identifier(zaloUser: value, oa: oa)
        }
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}

/// Why an identifier was refused, in one sentence a person can act on.
public enum IdentifierError: Error, Sendable, Equatable, CustomStringConvertible {
    case phone(PhoneNumberError)
    case email(String)
    case zalo(String)
    case missing

    public var description: String {
        switch self {
        case .phone(let error): error.description
        case .email(let reason): "invalid email: \(reason)"
        case .zalo(let reason): "invalid Zalo id: \(reason)"
        case .missing: "no phone, email or Zalo id in this row"
        }
    }
}

extension StringProtocol {
    /// Trims spaces (including no-break spaces, which spreadsheets love) and line ends from both ends.
    public func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
