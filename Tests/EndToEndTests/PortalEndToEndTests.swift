import Foundation
import Testing

/// The public portal through a real `serve` and a real SMTP server: a person files their own request with a
/// six-digit code sent by mail, in Vietnamese or English; forged forms, wrong codes and too many codes are refused;
/// the pages never tell whether the company holds data; no personal data reaches the server's log.
@Suite("public portal, end to end")
struct PortalEndToEndTests {
    static let company = "Công ty TNHH Ví Dụ"

    /// One browser: the portal's cookie and the form's anti-forgery field, sent by hand.
    struct Visitor {
        let serve: ServeProcess
        let cookie: String
        let csrf: String
        let lang: String

        /// GET /portal (?lang=…): the page sets `rd_portal` and carries `csrf` and `lang`.
        static func open(_ serve: ServeProcess, lang: String? = nil) throws -> (Visitor, HTTPAnswer) {
            let page = try serve.get(lang.map { "/portal?lang=\($0)" } ?? "/portal")
            #expect(page.status == 200, "\(page.text)")
            let setCookie = try #require(page.header("Set-Cookie"), "GET /portal set no cookie")
            let token = try #require(
                setCookie.firstMatch(of: #/rd_portal=([0-9a-f]{32})/#).map { String($0.1) }, "\(setCookie)")
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), "\(setCookie)")
            let csrf = try #require(hidden("csrf", in: page.text), "no csrf field")
            let formLang = try #require(hidden("lang", in: page.text), "no lang field")
            return (Visitor(serve: serve, cookie: "rd_portal=\(token)", csrf: csrf, lang: formLang), page)
        }

        /// POST /portal: the first form.
        func requestCode(
            _ type: String, _ identifier: String, name: String = "", details: String = "", cookie: String? = nil,
            csrf: String? = nil
        ) throws -> HTTPAnswer {
            try serve.postForm(
                "/portal",
                [
                    ("csrf", csrf ?? self.csrf), ("lang", lang), ("type", type), ("identifier", identifier),
                    ("name", name), ("details", details),
                ], cookie: cookie ?? self.cookie)
        }

        /// POST /portal/verify: the code form.
        func verify(_ attempt: String, _ code: String) throws -> HTTPAnswer {
            try serve.postForm(
                "/portal/verify", [("csrf", csrf), ("lang", lang), ("attempt", attempt), ("code", code)], cookie: cookie
            )
        }
    }

    /// The value of the hidden input `name`.
    static func hidden(_ name: String, in html: String) -> String? {
        html.firstMatch(of: try! Regex(#"<input type="hidden" name="\#(name)" value="([^"]*)">"#)).flatMap {
            $0.output[1].substring.map(String.init)
        }
    }

    /// The six digits of a code mail.
    static func code(in mail: Mail) -> String? {
        mail.text.firstMatch(of: #/: (\d{6})\n/#).map { String($0.1) }
    }

    static func requestID(in html: String) -> String? {
        html.firstMatch(of: #/RQ-\d{4}-\d{6}/#).map { String($0.0) }
    }

    /// A running portal: the desk, its SMTP sink and `serve`, stopped by `stop()`.
    struct Portal {
        let desk: Desk
        let sink: SMTPSink
        let serve: ServeProcess

        static func start(_ desk: Desk, failFirst: Int = 0) async throws -> Portal {
            let sink = try await SMTPSink.start(in: desk.directory, failFirst: failFirst)
            do {
                return Portal(
                    desk: desk, sink: sink, serve: try await ServeProcess.start(desk, environment: sink.environment))
            } catch {
                sink.stop()
                throw error
            }
        }

        func stop() {
            serve.stop()
            sink.stop()
        }
    }

    // MARK: 5. A request filed on the portal

    @Test(
        "a deletion filed with a mailed code is a verified web request, acknowledged by mail; an English objection suppresses at once"
    )
    func fileOnThePortal() async throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let portal = try await Portal.start(desk)
        defer { portal.stop() }
        let (address, name, phone) = ("thu.pham@example.vn", "Phạm Thị Thu", "0912 345 678")
        var personal = [address, "thu.pham", name, phone, "0912345678", "912345678"]

        let (visitor, form) = try Visitor.open(portal.serve)
        #expect(form.text.contains("<html lang=\"vi\">") && form.text.contains("Gửi yêu cầu về dữ liệu cá nhân"))
        #expect(form.text.contains("<option value=\"deletion\">Xóa dữ liệu cá nhân</option>"), "\(form.text)")
        #expect(visitor.lang == "vi" && visitor.csrf.count == 64)

        let codePage = try visitor.requestCode(
            "deletion", address, name: name, details: "Xin xóa dữ liệu của tôi, kể cả số điện thoại \(phone).")
        #expect(codePage.status == 200, "\(codePage.text)")
        let attempt = try #require(Self.hidden("attempt", in: codePage.text), "no attempt field: \(codePage.text)")
        #expect(attempt.count == 32)
        #expect(codePage.text.contains("Chúng tôi đã gửi mã xác minh đến t***@example.vn"), "\(codePage.text)")
        #expect(!codePage.text.contains(address), "the code page shows the whole address")
        let codeMail = try #require(try await portal.sink.waitForMessages(1, to: address, timeout: 5).first)
        #expect(codeMail.subject == "\(Self.company): mã xác minh yêu cầu về dữ liệu cá nhân", "\(codeMail.subject)")
        let code = try #require(Self.code(in: codeMail), "no code in \(codeMail.text)")
        personal.append(code)
        #expect(
            (try desk.json(["request", "list"])["requests"] as? [Any])?.isEmpty == true,
            "a request was filed before the code was entered")

        let done = try visitor.verify(attempt, code)
        #expect(done.status == 200, "\(done.text)")
        let id = try #require(Self.requestID(in: done.text), "no request id on \(done.text)")
        #expect(done.text.contains("Mã yêu cầu của Ông/Bà là \(id)."), "\(done.text)")
        let show = try desk.json(["request", "show", id])
        #expect(show["channel"] as? String == "web")
        #expect(show["type"] as? String == "deletion")
        #expect(show["name"] as? String == name)
        let subjects = try #require(show["subjects"] as? [[String: Any]])
        #expect(subjects.count == 1)
        #expect(subjects.first?["identifier"] as? String == address)
        #expect(subjects.first?["method"] as? String == "otp-email")
        #expect(subjects.first?["verified_at"] is String, "\(subjects)")
        let ack = try await portal.sink.waitForMessages(2, to: address, timeout: 10)
        #expect(ack.count == 2)
        let letter = try #require(ack.last)
        #expect(
            letter.subject.contains(id) && letter.subject.hasPrefix("\(Self.company): Xác nhận"), "\(letter.subject)")
        #expect(letter.text.contains("Kính gửi Ông/Bà \(name),") && letter.text.contains(id), "\(letter.text)")
        #expect(try desk.events(id).contains { $0.kind == "letter-delivered" && $0.note.contains("250") })
        // The right code once more files nothing more.
        #expect(try visitor.verify(attempt, code).status == 410)
        #expect((try desk.json(["request", "list"])["requests"] as? [Any])?.count == 1)

        // In English, ?lang=en: an objection, suppressed as soon as it is filed.
        let (english, englishForm) = try Visitor.open(portal.serve, lang: "en")
        #expect(englishForm.text.contains("<html lang=\"en\">") && englishForm.text.contains("Send me a code"))
        #expect(englishForm.text.contains("Object to processing, including advertising"))
        #expect(english.lang == "en")
        let (other, otherName) = ("minh.le@example.vn", "Lê Văn Minh")
        personal += [other, "minh.le", otherName]
        let englishCode = try english.requestCode("objection", other, name: otherName)
        #expect(englishCode.status == 200, "\(englishCode.text)")
        #expect(englishCode.text.contains("We sent a code to m***@example.vn"), "\(englishCode.text)")
        let englishAttempt = try #require(Self.hidden("attempt", in: englishCode.text))
        let englishMail = try #require(try await portal.sink.waitForMessages(1, to: other, timeout: 5).first)
        #expect(englishMail.text.hasPrefix("Your code is: "), "\(englishMail.text)")
        let secondCode = try #require(Self.code(in: englishMail))
        personal.append(secondCode)
        #expect((try desk.json(["why", other])["suppressions"] as? [Any])?.isEmpty == true)
        let englishDone = try english.verify(englishAttempt, secondCode)
        #expect(englishDone.status == 200, "\(englishDone.text)")
        #expect(englishDone.text.contains("We have received your request"), "\(englishDone.text)")
        let objection = try #require(Self.requestID(in: englishDone.text))
        #expect(englishDone.text.contains("Your request&#39;s reference is \(objection)."), "\(englishDone.text)")
        let why = try desk.json(["why", other])
        let suppressions = try #require(why["suppressions"] as? [[String: Any]])
        #expect(!suppressions.isEmpty, "the objection suppressed nothing: \(why)")
        #expect(try desk.json(["request", "show", objection])["type"] as? String == "objection")
        let englishAck = try #require(try await portal.sink.waitForMessages(2, to: other, timeout: 10).last)
        #expect(
            englishAck.subject.contains(objection) && englishAck.text.contains("Dear \(otherName),"),
            "\(englishAck.text)")
        #expect(try desk.events(objection).contains { $0.kind == "letter-sent" && $0.note == "ack (en)" })

        portal.serve.stop()
        #expect(portal.serve.log.contains("listening"), "the server's log was not captured")
        expectNoPersonalData(in: portal.serve.log, personal, "serve's log")
    }

    // MARK: 6. Abuse

    @Test(
        "wrong codes end an attempt, a sixth code an hour is 429, forged forms are 403, and nothing tells whether data is held"
    )
    func abuse() async throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        // The company holds one of the two addresses compared at the end, in a customer list.
        let (held, heldName, never) = ("lan.vu@example.vn", "Vũ Thị Lan", "lan.do@example.vn")
        let list = try desk.file("khach.csv", "email,ho_ten,phone\n\(held),\(heldName),0987654321\n")
        #expect(try desk.run("lists", "import", list, "--list", "khach").status == 0)
        #expect((try desk.json(["why", held])["lists"] as? [Any])?.isEmpty == false)
        // The mail server refuses the first message: the portal says it cannot send a code (and logs no address).
        let portal = try await Portal.start(desk, failFirst: 1)
        defer { portal.stop() }
        var personal = [held, "lan.vu", heldName, "0987654321", "987654321", never, "lan.do"]
        let (visitor, _) = try Visitor.open(portal.serve)
        let mailCount = { try portal.sink.messages().count }

        // Forged: no cookie, a wrong csrf, a code form without the cookie.
        let (a, aName) = ("hoa.le@example.vn", "Lê Thị Hoa")
        personal += [a, "hoa.le", aName]
        let noCookie = try portal.serve.postForm(
            "/portal",
            [("csrf", visitor.csrf), ("lang", "vi"), ("type", "deletion"), ("identifier", a), ("name", aName)],
            cookie: nil)
        #expect(noCookie.status == 403, "\(noCookie.text)")
        #expect(noCookie.text.contains("Biểu mẫu đã hết hạn"))
        let wrongCSRF = try visitor.requestCode("deletion", a, name: aName, csrf: String(repeating: "0", count: 64))
        #expect(wrongCSRF.status == 403)
        let otherCookie = try visitor.requestCode(
            "deletion", a, name: aName, cookie: "rd_portal=" + String(repeating: "a", count: 32))
        #expect(otherCookie.status == 403, "the csrf of one cookie passed with another")
        let verifyNoCookie = try portal.serve.postForm(
            "/portal/verify", [("csrf", visitor.csrf), ("lang", "vi"), ("attempt", "0"), ("code", "123456")],
            cookie: nil)
        #expect(verifyNoCookie.status == 403)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try mailCount() == 0, "a forged form sent mail")

        // The mail server refuses: 503, the page says so, and no code form is shown.
        let refused = "quang.ho@example.vn"
        personal += [refused, "quang.ho"]
        let unsent = try visitor.requestCode("correction", refused, name: "Hồ Văn Quang")
        personal.append("Hồ Văn Quang")
        #expect(unsent.status == 503, "\(unsent.status)")
        #expect(unsent.text.contains("Hiện chưa gửi được mã xác minh"))
        #expect(Self.hidden("attempt", in: unsent.text) == nil)
        #expect(try mailCount() == 0)

        // Five wrong codes end the attempt; the right code then files nothing.
        let page = try visitor.requestCode("deletion", a, name: aName)
        #expect(page.status == 200)
        let attempt = try #require(Self.hidden("attempt", in: page.text))
        let aMail = try #require(try await portal.sink.waitForMessages(1, to: a, timeout: 5).first)
        let code = try #require(Self.code(in: aMail))
        personal.append(code)
        let wrong = (1...5).map { String(format: "%06d", (Int(code)! + $0 * 7919) % 1_000_000) }
        for (index, guess) in wrong.enumerated() {
            let answer = try visitor.verify(attempt, guess)
            if index < 4 {
                #expect(answer.status == 400, "wrong code \(index + 1): \(answer.status)")
                #expect(answer.text.contains("Ông/Bà còn \(4 - index) lần nhập"), "\(answer.text)")
            } else {
                #expect(answer.status == 410, "the fifth wrong code: \(answer.status) \(answer.text)")
                #expect(answer.text.contains("Mã xác minh đã hết hạn hoặc đã nhập sai quá 5 lần"))
            }
        }
        let late = try visitor.verify(attempt, code)
        #expect(late.status == 410, "the right code after five wrong ones: \(late.status)")
        #expect(Self.requestID(in: late.text) == nil)
        #expect((try desk.json(["request", "list"])["requests"] as? [Any])?.isEmpty == true, "a request was filed")
        #expect(try portal.sink.messages(to: a).count == 1, "an acknowledgement was sent for nothing")

        // Five codes an hour for one identifier: the sixth and seventh are 429 and send nothing.
        let b = "nam.pham@example.vn"
        personal += [b, "nam.pham"]
        for round in 1...5 {
            let answer = try visitor.requestCode("objection", b)
            #expect(answer.status == 200, "code \(round): \(answer.status)")
        }
        let codes = try await portal.sink.waitForMessages(5, to: b, timeout: 5)
        personal += codes.compactMap(Self.code(in:))
        for round in 6...7 {
            let answer = try visitor.requestCode("objection", b)
            #expect(answer.status == 429, "code \(round): \(answer.status)")
            #expect(answer.text.contains("Ông/Bà đã yêu cầu quá nhiều mã trong một giờ"))
            #expect(Self.hidden("attempt", in: answer.text) == nil)
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try portal.sink.messages(to: b).count == 5)

        // An address never seen and one held in a list: the same page, the same mail, but for the attempt and code.
        let unknown = try visitor.requestCode("access", never)
        let known = try visitor.requestCode("access", held)
        #expect(unknown.status == 200 && known.status == 200, "\(unknown.status) \(known.status)")
        func normalised(_ answer: HTTPAnswer, _ address: String) throws -> String {
            let attempt = try #require(Self.hidden("attempt", in: answer.text))
            #expect(!answer.text.contains(address))
            return answer.text.replacingOccurrences(of: attempt, with: "ATTEMPT")
                .replacingOccurrences(of: "l***@example.vn", with: "MASKED")
        }
        #expect(try normalised(unknown, never) == normalised(known, held), "the pages differ for a held address")
        let headers = { (answer: HTTPAnswer) in
            answer.headers.filter { $0.name.lowercased() != "date" }.map { "\($0.name): \($0.value)" }
        }
        #expect(headers(unknown) == headers(known))
        let unknownMail = try #require(try await portal.sink.waitForMessages(1, to: never, timeout: 5).first)
        let knownMail = try #require(try await portal.sink.waitForMessages(1, to: held, timeout: 5).first)
        let unknownCode = try #require(Self.code(in: unknownMail))
        let knownCode = try #require(Self.code(in: knownMail))
        personal += [unknownCode, knownCode]
        #expect(unknownMail.subject == knownMail.subject)
        #expect(
            unknownMail.text.replacingOccurrences(of: unknownCode, with: "CODE")
                == knownMail.text.replacingOccurrences(of: knownCode, with: "CODE"))

        portal.serve.stop()
        #expect(
            portal.serve.log.contains("portal code not sent"), "the refused mail was not logged: \(portal.serve.log)")
        expectNoPersonalData(in: portal.serve.log, personal, "serve's log")
    }
}
