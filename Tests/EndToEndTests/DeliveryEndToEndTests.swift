import Foundation
import RightsCore
import Testing

/// Letters that reach people, through the built binary: by mail to a real SMTP server on loopback
/// (`Tests/Fixtures/smtp-sink.py`) and by Zalo OA message to the API's stand-in (`Tests/Fixtures/zalo-oa-stub.py`),
/// with the retries of `serve`'s outbox, the Zalo webhook's confirmation, and no personal data in any log.
@Suite("letter delivery, end to end")
struct DeliveryEndToEndTests {
    static let company = "Công ty TNHH Ví Dụ"
    static let oa = "1837640183716473281"

    /// Whether `text` holds `phrase` byte for byte (Swift's `contains` would also match a decomposed form).
    static func containsBytes(_ text: String, _ phrase: String) -> Bool {
        Array(text.utf8).firstRange(of: Array(phrase.utf8)) != nil
    }

    // MARK: 1. Mail

    @Test("ack --send mails the Vietnamese acknowledgement: one message, every diacritic intact, a readable subject")
    func acknowledgementByMail() async throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let sink = try await SMTPSink.start(in: desk.directory)
        defer { sink.stop() }
        let address = "thu.pham@example.vn"
        let name = "Phạm Thị Thu"
        let created = try desk.json([
            "request", "new", "--type", "deletion", "--subject", address, "--channel", "email", "--name", name,
        ])
        let id = try #require(created["id"] as? String)

        let ack = try desk.run(["request", "ack", id, "--send"], environment: sink.environment)
        #expect(ack.status == 0, "\(ack.stderr)")
        #expect(ack.stderr.contains("delivered by mail") && ack.stderr.contains("250"), "\(ack.stderr)")
        expectNoPersonalData(in: ack.stderr, [address, "thu.pham", name], "request ack --send's stderr")

        let mails = try sink.messages()
        #expect(mails.count == 1, "\(mails.map(\.recipients))")
        let mail = try #require(mails.first)
        #expect(mail.recipients == [address])
        #expect(mail.envelope["mail_from"] as? String == Harness.mailFrom)
        #expect(mail.header("To") == address)

        // The body is the letter recorded, byte for byte: precomposed Vietnamese, nothing lost to an encoding.
        let show = try desk.json(["request", "show", id])
        let letters = try #require(show["letters"] as? [[String: Any]])
        #expect(letters.count == 1)
        let letter = try #require(letters.first?["text"] as? String)
        #expect(Array(mail.text.utf8) == Array(letter.utf8), "the mail's text differs from the letter recorded")
        #expect(Self.containsBytes(mail.text, "Kính gửi Ông/Bà \(name),"), "\(mail.text)")
        #expect(mail.text.contains(id))
        for phrase in [
            "xác nhận đã nhận được yêu cầu xóa dữ liệu cá nhân",
            "Ngay khi nhận được yêu cầu, chúng tôi đã ngừng gửi quảng cáo",
            "Nghị định số 356/2025/NĐ-CP", "Bộ phận bảo vệ dữ liệu cá nhân", "Trân trọng,",
        ] {
            #expect(Self.containsBytes(mail.text, phrase), "missing, or not in precomposed form: \(phrase)")
        }
        #expect(
            Array(mail.text.utf8) == Array(mail.text.precomposedStringWithCanonicalMapping.utf8),
            "the text is not in NFC")
        #expect(!mail.text.contains("\u{FFFD}") && !mail.text.contains("Ã"), "mojibake in \(mail.text)")
        let html = try #require(mail.html, "no HTML alternative")
        #expect(Self.containsBytes(html, "Kính gửi Ông/Bà \(name),") && html.contains("lang=\"vi\""))

        // The headers are ASCII on the wire, the subject and sender's name Vietnamese once decoded.
        let rawSubject = try #require(mail.header("Subject"))
        #expect(rawSubject.allSatisfy(\.isASCII) && rawSubject.contains("=?UTF-8?B?"), "\(rawSubject)")
        let words = rawSubject.split(whereSeparator: \.isWhitespace)
        #expect(words.allSatisfy { $0.count <= 75 }, "an encoded word over 75 characters: \(rawSubject)")
        #expect(
            mail.subject == "\(Self.company): Xác nhận đã nhận yêu cầu xóa dữ liệu cá nhân, mã yêu cầu \(id)",
            "\(mail.subject)")
        #expect(Self.containsBytes(mail.subject, Self.company))
        #expect(Mail.decodeWords(mail.header("From") ?? "") == "\(Self.company) <\(Harness.mailFrom)>")
        #expect(mail.header("Content-Type")?.hasPrefix("multipart/alternative") == true)

        let delivered = try desk.events(id).filter { $0.kind == "letter-delivered" }
        #expect(delivered.count == 1)
        #expect(delivered.first?.note.contains("250") == true, "\(delivered)")
        #expect(delivered.first?.note.contains("queued as \(mail.number)") == true, "\(delivered)")
        #expect(try desk.outbox().isEmpty)
    }

    // MARK: 2. Retries

    @Test(
        "a mail the server refuses is recorded, then delivered by a serve started afterwards; outbox retry is at once")
    func refusedThenRetried() async throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        // The first two messages get 451: one for each request's first attempt.
        let sink = try await SMTPSink.start(in: desk.directory, failFirst: 2)
        defer { sink.stop() }
        let (first, firstName, phone) = ("lan.nguyen@example.vn", "Nguyễn Thị Lan", "0912345678")
        let (second, secondName) = ("binh.tran@example.vn", "Trần Văn Bình")
        let a = try #require(
            try desk.json([
                "request", "new", "--type", "deletion", "--subject", first, "--subject", phone, "--channel", "email",
                "--name", firstName,
            ])["id"] as? String)
        let b = try #require(
            try desk.json([
                "request", "new", "--type", "objection", "--subject", second, "--channel", "email", "--name",
                secondName,
            ])["id"] as? String)
        let personal = [first, "lan.nguyen", firstName, phone, "84912345678", second, "binh.tran", secondName]

        for id in [a, b] {
            let ack = try desk.run(["request", "ack", id, "--send"], environment: sink.environment)
            #expect(ack.status == 0, "a refused delivery is not a failed command: \(ack.stderr)")
            #expect(ack.stderr.contains("not delivered by mail") && ack.stderr.contains("451"), "\(ack.stderr)")
            #expect(ack.stderr.contains("serve retries it"), "\(ack.stderr)")
            expectNoPersonalData(in: ack.stderr, personal, "request ack --send's stderr")
            let failed = try desk.events(id).filter { $0.kind == "letter-delivery-failed" }
            #expect(failed.count == 1 && failed.first?.note.contains("451") == true, "\(failed)")
            #expect(!(try desk.events(id)).contains { $0.kind == "letter-delivered" })
        }
        #expect(try sink.messages().isEmpty)
        let waiting = try desk.outbox()
        #expect(waiting.count == 2, "\(waiting)")
        #expect(waiting.allSatisfy { $0["state"] as? String == "pending" && $0["attempts"] as? Int == 1 })

        // `outbox retry` with B's delivery: delivered before the command returns, A left to serve.
        let bDelivery = try #require(waiting.first { $0["request_id"] as? String == b }?["id"] as? Int)
        let retry = try desk.run(["outbox", "retry", String(bDelivery)], environment: sink.environment)
        #expect(retry.status == 0, "\(retry.stdout) \(retry.stderr)")
        #expect(retry.stdout.contains("1 attempted") && retry.stdout.contains("delivered by mail"), "\(retry.stdout)")
        expectNoPersonalData(in: retry.stdout + retry.stderr, personal, "outbox retry's output")
        #expect(try sink.messages(to: second).count == 1)
        #expect(try sink.messages(to: first).isEmpty)
        #expect(try desk.outbox().map { $0["request_id"] as? String } == [a])

        // A restart: a serve that never saw the failure finds it in the outbox and delivers it when due (15 s
        // after the failure, checked every 5 s).
        let serve = try await ServeProcess.start(desk, environment: sink.environment)
        defer { serve.stop() }
        let delivered = try await sink.waitForMessages(1, to: first, timeout: 35)
        #expect(delivered.count == 1)
        #expect(delivered.first?.text.contains(a) == true)
        // One more turn of the outbox loop: nothing is delivered twice.
        try await Task.sleep(for: .milliseconds(5500))
        #expect(try sink.messages(to: first).count == 1)
        #expect(try sink.messages(to: second).count == 1)
        #expect(try sink.messages().count == 2)

        let events = try desk.events(a).map(\.kind).filter { $0.hasPrefix("letter-deliver") }
        #expect(events == ["letter-delivery-failed", "letter-delivered"], "\(events)")
        let bEvents = try desk.events(b).map(\.kind).filter { $0.hasPrefix("letter-deliver") }
        #expect(bEvents == ["letter-delivery-failed", "letter-delivered"], "\(bEvents)")
        let left = try desk.outbox()
        #expect(left.isEmpty, "outbox list still shows \(left)")
        let list = try desk.run(["outbox", "list"])
        #expect(list.stdout.contains("Nothing waiting"), "\(list.stdout)")

        serve.stop()
        #expect(serve.log.contains("listening"), "the server's log was not captured: \(serve.log)")
        expectNoPersonalData(in: serve.log, personal, "serve's log")
    }

    // MARK: 3. Zalo, from the command line

    @Test("letter --send over Zalo posts the short acknowledgement; Zalo's -213 is recorded and not retried")
    func acknowledgementByZalo() async throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let (user, blocked) = ("7730912345678901", "4815162342108042")
        let stub = try await ZaloStub.start(in: desk.directory, token: "oa-token-e2e", failUsers: ["\(blocked):-213"])
        defer { stub.stop() }
        let a = try #require(
            try desk.json([
                "request", "new", "--type", "deletion", "--subject", "zalo:\(Self.oa):\(user)", "--channel", "zalo",
            ])["id"] as? String)

        let sent = try desk.run(
            ["request", "letter", a, "--kind", "ack", "--lang", "vi", "--send"], environment: stub.environment)
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stderr.contains("delivered by Zalo OA message"), "\(sent.stderr)")
        expectNoPersonalData(in: sent.stderr, [user], "request letter --send's stderr")

        #expect(try stub.requests().count == 1)
        let messages = try stub.messages(to: user)
        #expect(messages.count == 1)
        let (text, call) = try #require(messages.first)
        #expect(call["path"] as? String == "/v3.0/oa/message/cs")
        #expect(call["method"] as? String == "POST")
        #expect(call["access_token"] as? String == "oa-token-e2e")
        #expect(call["status"] as? Int == 200)
        #expect(text.count <= 160, "\(text.count) characters: \(text)")
        #expect(text.contains(a) && text.contains("đã nhận yêu cầu") && text.contains(Self.company), "\(text)")
        let messageID = try #require(
            ((call["response"] as? [String: Any])?["data"] as? [String: Any])?["message_id"] as? String)
        let delivered = try desk.events(a).filter { $0.kind == "letter-delivered" }
        #expect(delivered.count == 1)
        #expect(delivered.first?.note.contains("Zalo message_id \(messageID)") == true, "\(delivered)")

        // A person who does not follow the OA: Zalo's -213 is about them, not a passing fault.
        let b = try #require(
            try desk.json([
                "request", "new", "--type", "objection", "--subject", "zalo:\(Self.oa):\(blocked)", "--channel",
                "zalo",
            ])["id"] as? String)
        let refused = try desk.run(
            ["request", "letter", b, "--kind", "ack", "--lang", "vi", "--send"], environment: stub.environment)
        #expect(refused.status == 0, "\(refused.stderr)")
        #expect(refused.stderr.contains("-213") && refused.stderr.contains("not retried"), "\(refused.stderr)")
        expectNoPersonalData(in: refused.stderr, [user, blocked], "request letter --send's stderr")
        let failed = try desk.events(b).filter { $0.kind.hasPrefix("letter-deliver") }
        #expect(failed.map(\.kind) == ["letter-delivery-failed"], "\(failed)")
        #expect(failed.first?.note.contains("-213") == true, "\(failed)")
        #expect(try stub.messages(to: blocked).count == 1)
        let outbox = try desk.outbox()
        #expect(outbox.count == 1, "\(outbox)")
        let row = try #require(outbox.first)
        #expect(row["request_id"] as? String == b)
        #expect(row["state"] as? String == "failed")
        #expect(row["attempts"] as? Int == 1)
        #expect(row["next_attempt_at"] == nil, "a permanent refusal is scheduled again: \(row)")
        #expect((row["last_error"] as? String)?.contains("-213") == true)
    }

    // MARK: 4. The Zalo webhook

    @Test("a signed STOP files an objection and gets one short confirmation without advertising; a replay, nothing")
    func webhookStop() async throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let user = "6104827391045521"
        let secret = "e2e-oa-secret"
        let stub = try await ZaloStub.start(in: desk.directory, token: "oa-token-e2e")
        defer { stub.stop() }
        let serve = try await ServeProcess.start(
            desk, environment: stub.environment.merging(["RIGHTSDESK_ZALO_OA_SECRET": secret]) { $1 })
        defer { serve.stop() }

        let timestamp = String(Int64(Date().timeIntervalSince1970 * 1000))
        let body = Array(
            (#"{"app_id":"4318201762311590281","event_name":"user_send_text","timestamp":"\#(timestamp)","#
                + #""sender":{"id":"\#(user)"},"recipient":{"id":"\#(Self.oa)"},"#
                + #""message":{"msg_id":"e2e-\#(timestamp)","text":"STOP"}}"#).utf8)
        let signature = try ZaloSignature.header(for: body, secret: secret)
        func post(_ signature: String) throws -> HTTPAnswer {
            try HTTP.request(
                port: serve.port, "POST", "/webhooks/zalo",
                headers: [("Content-Type", "application/json"), ("X-ZEvent-Signature", signature)], body: body)
        }

        let answer = try post(signature)
        #expect(answer.status == 200, "\(answer.text)")
        let outcome = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        #expect(outcome["outcome"] as? String == "objection", "\(outcome)")
        let id = try #require(outcome["request_id"] as? String)

        let arrived = try await Harness.eventually(timeout: 10) { () -> [(text: String, call: [String: Any])]? in
            let messages = try stub.messages(to: user)
            return messages.isEmpty ? nil : messages
        }
        let messages = try #require(arrived, "no confirmation reached the stub within 10 s")
        #expect(messages.count == 1)
        let text = try #require(messages.first?.text)
        #expect(text.count <= 160, "\(text.count) characters: \(text)")
        #expect(text.contains(id), "\(text)")
        for word in ["khuyến mãi", "ưu đãi", "khuyen mai", "uu dai"] {
            #expect(text.range(of: word, options: [.caseInsensitive]) == nil, "advertising (\(word)) in \(text)")
        }
        #expect(messages.first?.call["access_token"] as? String == "oa-token-e2e")

        // Zalo retries: the same event again is a replay; a forged signature is refused. Neither sends anything.
        let replay = try post(signature)
        #expect(replay.status == 200 && replay.text.contains("replay"), "\(replay.text)")
        let forged = try post("mac=" + String(repeating: "0", count: 64))
        #expect(forged.status == 401)
        try await Task.sleep(for: .milliseconds(1500))
        let after = try stub.messages(to: user)
        #expect(after.count == 1, "a replay sent again: \(after.map(\.text))")
        #expect(try stub.requests().count == 1)

        let show = try desk.json(["request", "show", id])
        #expect(show["type"] as? String == "objection" && show["channel"] as? String == "zalo")
        #expect((show["letters"] as? [Any])?.count == 1)
        let requests = try desk.json(["request", "list"])["requests"] as? [Any]
        #expect(requests?.count == 1)
        let why = try desk.json(["why", "zalo:\(Self.oa):\(user)"])
        #expect((why["suppressions"] as? [Any])?.isEmpty == false, "\(why)")
        #expect(try desk.events(id).filter { $0.kind == "letter-delivered" }.count == 1)

        serve.stop()
        #expect(serve.log.contains("zalo webhook"), "the server's log was not captured: \(serve.log)")
        expectNoPersonalData(in: serve.log, [user], "serve's log")
    }
}
