import Foundation

/// A letter as an Internet message (RFC 5322, MIME): UTF-8 text, with an HTML alternative when given, headers that
/// are not ASCII written as RFC 2047 encoded words, bodies in base64 so no server rewraps or re-encodes them.
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var fromName: String?
    public var to: String
    public var subject: String
    public var text: String
    public var html: String?
    /// `<…@…>`: the same id for every attempt of one delivery, so a receiving system can tell a retry.
    public var messageID: String
    public var date: Date

    public init(
        from: String, fromName: String? = nil, to: String, subject: String, text: String, html: String? = nil,
        messageID: String, date: Date
    ) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
    }

    /// The message as sent, CRLF line ends.
    public func rendered() -> [UInt8] {
        var headers: [String] = []
        let sender = fromName.map { "\(Self.encodedWord($0)) <\(from)>" } ?? from
        headers.append("From: \(sender)")
        headers.append("To: \(to)")
        headers.append("Subject: \(Self.encodedWord(Self.singleLine(subject)))")
        headers.append("Date: \(Self.rfc5322Date(date))")
        headers.append("Message-ID: \(messageID)")
        headers.append("MIME-Version: 1.0")
        headers.append("Auto-Submitted: auto-generated")
        var lines: [String]
        if let html {
            let boundary = "=_rightsdesk_" + messageID.filter { $0.isLetter || $0.isNumber }.prefix(24)
            headers.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            lines = headers + ["", "This is a MIME message.", "", "--\(boundary)"]
            lines += Self.part("text/plain", text)
            lines += ["--\(boundary)"]
            lines += Self.part("text/html", html)
            lines += ["--\(boundary)--"]
        } else {
            // A single part: its headers are the message's.
            lines = headers + Self.part("text/plain", text)
        }
        return Array(lines.joined(separator: "\r\n").utf8) + [0x0D, 0x0A]
    }

    /// A MIME part: its headers, a blank line, the base64 of the UTF-8 text in 76-character lines.
    private static func part(_ type: String, _ content: String) -> [String] {
        let encoded = Data(content.precomposedStringWithCanonicalMapping.utf8).base64EncodedString(
            options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return [
            "Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", "",
        ] + encoded.components(separatedBy: "\r\n")
    }

    /// `=?UTF-8?B?…?=` words of at most 75 characters for text that is not ASCII; ASCII as it is.
    static func encodedWord(_ text: String) -> String {
        guard !text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        // 45 bytes of UTF-8 give 60 base64 characters, 72 with the markers; a character is never split.
        for character in text.precomposedStringWithCanonicalMapping {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// A header value on one line: line breaks and other controls become spaces (no header injection).
    static func singleLine(_ text: String) -> String {
        String(text.map { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 } ?? false) ? " " : $0 })
    }

    /// `Wed, 02 Dec 2026 09:15:00 +0700`, Vietnam time.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// The letter as a simple HTML page: each paragraph a `<p>`, lines kept, everything escaped.
    public static func html(for text: String, language: String) -> String {
        let paragraphs = text.components(separatedBy: "\n\n").map { paragraph -> String in
            let escaped = paragraph.replacingOccurrences(of: "&", with: "&amp;")
                .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
            return "<p>" + escaped.replacingOccurrences(of: "\n", with: "<br>\n") + "</p>"
        }
        return "<!DOCTYPE html>\n<html lang=\"\(language)\"><head><meta charset=\"utf-8\"></head>"
            + "<body style=\"font-family: sans-serif; line-height: 1.5; max-width: 40em\">\n"
            + paragraphs.joined(separator: "\n") + "\n</body></html>"
    }
}
