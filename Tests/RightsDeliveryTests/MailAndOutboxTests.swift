import Foundation
import Testing

@testable import RightsDelivery

/// The pieces of delivery that need no server: the message as sent, the SMTP data block, the configuration, the
/// splitting of long letters for Zalo and the retry schedule.
@Suite("mail messages and the outbox's rules")
struct MailAndOutboxTests {
    static let date = Date(timeIntervalSince1970: 1_780_000_000)

    /// The message's headers, and each base64 part decoded, in order.
    func decodedParts(_ message: [UInt8]) -> (headers: String, bodies: [String]) {
        let text = String(decoding: message, as: UTF8.self)
        let headers = text.components(separatedBy: "\r\n\r\n")[0]
        var bodies: [String] = []
        let marker = "Content-Transfer-Encoding: base64\r\n\r\n"
        var rest = Substring(text)
        while let range = rest.range(of: marker) {
            rest = rest[range.upperBound...]
            let lines = rest.components(separatedBy: "\r\n").prefix { !$0.hasPrefix("--") && !$0.isEmpty }
            if let data = Data(base64Encoded: lines.joined()), let decoded = String(data: data, encoding: .utf8) {
                bodies.append(decoded)
            }
        }
        return (headers, bodies)
    }

    /// The Subject header's encoded words, folded lines included.
    func subjectWords(_ headers: String) -> [String] {
        var words: [String] = []
        var inSubject = false
        for line in headers.components(separatedBy: "\r\n") {
            if line.hasPrefix("Subject: ") {
                inSubject = true
                words.append(String(line.dropFirst("Subject: ".count)))
            } else if inSubject && line.hasPrefix(" ") {
                words.append(line.trimmingCharacters(in: .whitespaces))
            } else {
                inSubject = false
            }
        }
        return words
    }

    @Test func aVietnameseLetterIsSentAsUTF8Base64WithAnEncodedSubjectAndAnHTMLAlternative() throws {
        let text = "Kính gửi Ông/Bà Nguyễn Thị Lan,\n\nChúng tôi đã nhận được yêu cầu.\n.\nTrân trọng,"
        let message = MailMessage(
            from: "dpo@vidu.example.vn", fromName: "Công ty TNHH Ví Dụ", to: "lan@example.vn",
            subject: "Công ty TNHH Ví Dụ: Xác nhận đã nhận yêu cầu xóa dữ liệu cá nhân, mã yêu cầu RQ-2026-000001",
            text: text, html: MailMessage.html(for: text, language: "vi"), messageID: "<a1@rightsdesk>", date: Self.date
        ).rendered()
        let (headers, bodies) = decodedParts(message)
        #expect(headers.contains("Subject: =?UTF-8?B?"))
        #expect(headers.contains("Content-Type: multipart/alternative"))
        #expect(headers.contains("Message-ID: <a1@rightsdesk>"))
        #expect(headers.contains("Date: Fri, 29 May 2026 03:26:40 +0700"))
        #expect(headers.contains("+0700"))
        #expect(message.allSatisfy { $0 < 0x80 }, "every byte is ASCII: base64 bodies, encoded words")
        // Every header line is within 998 characters and no word is longer than 75.
        for line in headers.components(separatedBy: "\r\n") { #expect(line.count <= 998) }
        #expect(bodies.first == text.precomposedStringWithCanonicalMapping)
        #expect(bodies.count == 2 && bodies[1].contains("<p>Kính gửi Ông/Bà Nguyễn Thị Lan,</p>"))
        // The subject decodes back to the text, with no character split across words.
        let words = subjectWords(headers)
        #expect(words.count > 1, "a long subject is folded into several words")
        let decoded = words.map { word -> String in
            let base64 = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            return Data(base64Encoded: String(base64)).flatMap { String(data: $0, encoding: .utf8) } ?? "?"
        }.joined()
        #expect(
            decoded == "Công ty TNHH Ví Dụ: Xác nhận đã nhận yêu cầu xóa dữ liệu cá nhân, mã yêu cầu RQ-2026-000001")
        #expect(words.allSatisfy { $0.count <= 75 })
    }

    @Test func aHeaderCannotBeInjectedThroughTheSubject() {
        let message = MailMessage(
            from: "dpo@vidu.example.vn", to: "lan@example.vn", subject: "Hello\r\nBcc: everyone@example.com",
            text: "x", messageID: "<a2@rightsdesk>", date: Self.date)
        let headers = String(decoding: message.rendered(), as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
        #expect(!headers.contains("\r\nBcc:"))
        #expect(headers.contains("Subject: Hello Bcc: everyone@example.com"))
    }

    @Test func theDataBlockEndsLinesWithCRLFAndDoublesLeadingDots() {
        let block = String(decoding: SMTPClient.dataBlock(Array("a\n.b\r\n..c\rd".utf8)), as: UTF8.self)
        #expect(block == "a\r\n..b\r\n...c\r\nd\r\n.\r\n")
    }

    @Test func addressesThatCouldBreakACommandAreRefused() {
        #expect(SMTPClient.isPlausible("lan@example.vn"))
        #expect(!SMTPClient.isPlausible("lan@example.vn>\r\nRCPT TO:<x@y"))
        #expect(!SMTPClient.isPlausible("lan example@vn"))
        #expect(!SMTPClient.isPlausible("@example.vn"))
        #expect(!SMTPClient.isPlausible("lan@"))
    }

    @Test func theSMTPURLGivesHostPortSecurityAndCredentials() throws {
        let plain = try SMTPServer.parse("smtp://127.0.0.1:2525")
        #expect(plain == SMTPServer(host: "127.0.0.1", port: 2525, security: .startTLSWhenOffered))
        let secure = try SMTPServer.parse("smtps://rd:s%40cret@mail.vidu.vn")
        #expect(secure.port == 465 && secure.security == .implicitTLS)
        #expect(secure.user == "rd" && secure.password == "s@cret")
        #expect(throws: DeliveryConfigurationError.self) { try SMTPServer.parse("http://mail.vidu.vn") }
        #expect(throws: DeliveryConfigurationError.self) { try SMTPServer.parse("smtp://") }
    }

    @Test func theEnvironmentConfiguresMailOnlyWithASender() throws {
        #expect(try DeliveryConfiguration.fromEnvironment([:]).isEmpty)
        #expect(throws: DeliveryConfigurationError.self) {
            try DeliveryConfiguration.fromEnvironment(["RIGHTSDESK_SMTP_URL": "smtp://127.0.0.1:25"])
        }
        let both = try DeliveryConfiguration.fromEnvironment([
            "RIGHTSDESK_SMTP_URL": "smtp://127.0.0.1:25", "RIGHTSDESK_MAIL_FROM": "dpo@vidu.example.vn",
            "RIGHTSDESK_ZALO_OA_ACCESS_TOKEN": "token", "RIGHTSDESK_ZALO_API_BASE": "http://127.0.0.1:9",
        ])
        #expect(both.smtp?.port == 25 && both.zalo?.baseURL == "http://127.0.0.1:9")
        // A token sent in the clear to another machine is refused.
        #expect(throws: DeliveryConfigurationError.self) {
            try DeliveryConfiguration.fromEnvironment([
                "RIGHTSDESK_ZALO_OA_ACCESS_TOKEN": "token", "RIGHTSDESK_ZALO_API_BASE": "http://zalo.example",
            ])
        }
    }

    @Test func aLongLetterIsCutBetweenParagraphsForZalo() {
        let paragraph = String(repeating: "Dữ liệu cá nhân. ", count: 40)  // 680 characters
        let text = Array(repeating: paragraph, count: 7).joined(separator: "\n\n")
        let parts = LetterDelivery.parts(of: text, limit: 2000)
        #expect(parts.allSatisfy { $0.count <= 2000 })
        #expect(parts.joined(separator: "\n\n") == text)
        #expect(parts.count == 4)
        let long = String(repeating: "a", count: 4500)
        let cut = LetterDelivery.parts(of: long, limit: 2000)
        #expect(cut.map(\.count) == [2000, 2000, 500])
    }

    @Test func retriesBackOffAndEnd() {
        #expect(LetterDelivery.retryDelay(afterAttempts: 1) == 15)
        #expect(LetterDelivery.retryDelay(afterAttempts: 2) == 60)
        #expect(LetterDelivery.retryDelay(afterAttempts: 50) == 21_600)
        let total = (1..<LetterDelivery.maximumAttempts).map(LetterDelivery.retryDelay(afterAttempts:)).reduce(0, +)
        #expect(total > 86_400 / 2, "a day's outage of the mail server is outlasted")
    }
}
