/// A channel a business reaches a person by; rules (consent, caps, hours) are per channel.
public enum Channel: String, Sendable, Codable, CaseIterable, Hashable {
    case sms, zalo, email, call

    /// Reads `sms`, `zalo`, `email`, `call` in any case, and the Vietnamese words exports use.
    public init?(text: some StringProtocol) {
        // Exact lower-case names first: they are what nearly every row carries, and folding costs Unicode tables.
        if let exact = Channel(rawValue: String(text)) {
            self = exact
            return
        }
        switch ColumnName.fold(text) {
        case "sms", "tinnhan": self = .sms
        case "zalo", "zns", "zalooa": self = .zalo
        case "email", "mail", "thudientu": self = .email
        case "call", "phone", "goidien", "dienthoai": self = .call
        default: return nil
        }
    }
}

extension Channel {
    /// Reads `sms;zalo`-style lists of exact lower-case names straight from bytes, the form nearly every export
    /// uses; nil sends the caller to the slower path that understands other spellings and reports errors.
    static func parseASCIIList(_ bytes: UnsafeBufferPointer<UInt8>) -> [Channel]? {
        var channels: [Channel] = []
        var start = 0
        var index = 0
        while index <= bytes.count {
            if index == bytes.count || bytes[index] == UInt8(ascii: ";") || bytes[index] == UInt8(ascii: ",") {
                let word = UnsafeBufferPointer(rebasing: bytes[start..<index])
                if !word.isEmpty {
                    guard let channel = Channel.exact(word) else { return nil }
                    if !channels.contains(channel) { channels.append(channel) }
                }
                start = index + 1
            }
            index += 1
        }
        return channels
    }

    private static func exact(_ word: UnsafeBufferPointer<UInt8>) -> Channel? {
        for channel in Channel.allCases where word.elementsEqual(channel.rawValue.utf8) { return channel }
        return nil
    }
}

/// Why a message is sent: advertising falls under Decree 91/2020; transactional notices do not.
public enum Purpose: String, Sendable, Codable, CaseIterable, Hashable {
    case marketing, transactional
}

/// What a suppression stops: marketing only, or every message (an objection to all processing, a deletion).
public enum SuppressionPurpose: String, Sendable, Codable, CaseIterable, Hashable {
    case marketing, all
}

/// The legal basis a contact list was collected on; purchased lists are flagged (Law 91/2025 Art. 7(6)).
public enum LegalBasis: String, Sendable, Codable, CaseIterable, Hashable {
    case consent, contract, purchased, other

    public var isFlagged: Bool { self == .purchased }
}
