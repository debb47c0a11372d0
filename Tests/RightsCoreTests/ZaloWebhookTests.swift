import Foundation
import RightsCore
import Testing

/// The signed samples in `Fixtures/zalo/` next to this file (the RightsServer webhook tests read the same folder).
/// They are a copy of the acceptance run's samples kept inside the repository, so that `swift test` works in a
/// clone anywhere, not only beside a `shared` folder.
private enum ZaloFixtures {
    static let secret = "example-oa-secret"
    static let oa = "1837640183716473281"
    static let user = "2512883701246639817"

    static var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/zalo/")
    }

    static func body(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    /// `SIGNATURES.tsv`: file name -> header value.
    static func signatures() throws -> [String: String] {
        let text = try String(contentsOf: folder.appendingPathComponent("SIGNATURES.tsv"), encoding: .utf8)
        var table: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let columns = line.split(separator: "\t")
            if columns.count == 2 { table[String(columns[0])] = String(columns[1]) }
        }
        return table
    }

    /// A moment `offset` seconds after the fixture's own signed timestamp.
    static func now(for body: [UInt8], offset: TimeInterval = 2) throws -> Date {
        let event = try ZaloEvent(body: body)
        return Date(timeIntervalSince1970: Double(event.timestamp) / 1000 + offset)
    }

    static let names = ["follow.json", "unfollow.json", "user_send_text_stop.json"]
}

/// Replaces the first occurrence of `old` in `body` by `new` (same length, so the JSON stays valid).
private func replacing(_ old: String, with new: String, in body: [UInt8]) -> [UInt8] {
    let text = String(decoding: body, as: UTF8.self)
    guard let range = text.range(of: old) else { return body }
    return Array(text.replacingCharacters(in: range, with: new).utf8)
}

private func signed(_ text: String, secret: String = ZaloFixtures.secret) throws -> (body: [UInt8], header: String) {
    let body = Array(text.utf8)
    return (body, try ZaloSignature.header(for: body, secret: secret))
}

@Suite("Zalo webhook: signature")
struct ZaloSignatureTests {
    @Test("Each signed fixture verifies under the example OA secret", arguments: ZaloFixtures.names)
    func fixturesVerify(name: String) throws {
        let body = try ZaloFixtures.body(name)
        let header = try #require(try ZaloFixtures.signatures()[name])
        let now = try ZaloFixtures.now(for: body)
        #expect(ZaloSignature.verify(body: body, header: header, secret: ZaloFixtures.secret, now: now) == nil)
        try ZaloSignature.check(body: body, header: header, secret: ZaloFixtures.secret, now: now)
        // Upper-case digits and stray spaces around the value are the same signature.
        let loose = "  mac=" + header.dropFirst(4).uppercased() + " "
        #expect(ZaloSignature.verify(body: body, header: loose, secret: ZaloFixtures.secret, now: now) == nil)
    }

    @Test("Signing a fixture reproduces SIGNATURES.tsv", arguments: ZaloFixtures.names)
    func signingReproducesTheSamples(name: String) throws {
        let body = try ZaloFixtures.body(name)
        #expect(try ZaloSignature.header(for: body, secret: ZaloFixtures.secret) == ZaloFixtures.signatures()[name])
    }

    @Test("A changed byte anywhere in the body breaks the signature", arguments: ZaloFixtures.names)
    func aChangedByteFails(name: String) throws {
        let body = try ZaloFixtures.body(name)
        let header = try #require(try ZaloFixtures.signatures()[name])
        let now = try ZaloFixtures.now(for: body)
        let changes = [
            replacing("2512883701246639817", with: "2512883701246639818", in: body),
            replacing("\"app_id\":\"4318201762311590281\"", with: "\"app_id\":\"4318201762311590282\"", in: body),
            // The timestamp is signed too: moving it is a forgery, reported as such rather than as a stale call.
            replacing("\"timestamp\":\"17640", with: "\"timestamp\":\"17630", in: body),
            body + [0x0A],
        ]
        for changed in changes {
            #expect(changed != body)
            #expect(
                ZaloSignature.verify(body: changed, header: header, secret: ZaloFixtures.secret, now: now)
                    == .signatureMismatch)
        }
    }

    @Test func aWrongSecretFails() throws {
        let body = try ZaloFixtures.body("unfollow.json")
        let header = try #require(try ZaloFixtures.signatures()["unfollow.json"])
        let now = try ZaloFixtures.now(for: body)
        #expect(
            ZaloSignature.verify(body: body, header: header, secret: "other-secret", now: now) == .signatureMismatch)
        #expect(ZaloSignature.verify(body: body, header: header, secret: "", now: now) == .noSecret)
    }

    @Test func aMissingOrMalformedHeaderFails() throws {
        let body = try ZaloFixtures.body("follow.json")
        let now = try ZaloFixtures.now(for: body)
        let digest = String(repeating: "ab", count: 32)
        let cases: [(String?, ZaloWebhookError)] = [
            (nil, .missingSignature),
            ("", .missingSignature),
            ("   ", .missingSignature),
            (digest, .malformedSignature),
            ("sha256=" + digest, .malformedSignature),
            ("mac:" + digest, .malformedSignature),
            ("mac=", .badSignatureHex),
            ("mac=" + String(repeating: "zz", count: 32), .badSignatureHex),
            ("mac=" + String(repeating: "ab", count: 31), .badSignatureHex),
            ("mac=" + digest + "a", .badSignatureHex),
            ("mac=" + digest + "ab", .badSignatureHex),
            ("mac=" + digest, .signatureMismatch),
        ]
        for (header, expected) in cases {
            #expect(
                ZaloSignature.verify(body: body, header: header, secret: ZaloFixtures.secret, now: now) == expected,
                "\(String(describing: header))")
        }
    }

    @Test("A signed timestamp more than 5 minutes away either way is refused; exactly 5 minutes is not")
    func freshness() throws {
        let body = try ZaloFixtures.body("user_send_text_stop.json")
        let header = try #require(try ZaloFixtures.signatures()["user_send_text_stop.json"])
        func verify(_ offset: TimeInterval) throws -> ZaloWebhookError? {
            ZaloSignature.verify(
                body: body, header: header, secret: ZaloFixtures.secret,
                now: try ZaloFixtures.now(for: body, offset: offset))
        }
        #expect(try verify(0) == nil)
        #expect(try verify(300) == nil)
        #expect(try verify(-300) == nil)
        #expect(try verify(301) == .staleTimestamp(seconds: 301))
        #expect(try verify(-301) == .futureTimestamp(seconds: 301))
        #expect(try verify(86_400) == .staleTimestamp(seconds: 86_400))
        // A shorter allowance, when the server asks for one.
        let now = try ZaloFixtures.now(for: body, offset: 61)
        #expect(
            ZaloSignature.verify(body: body, header: header, secret: ZaloFixtures.secret, now: now, maxAge: 60)
                == .staleTimestamp(seconds: 61))
    }

    @Test func unreadableBodiesFailWithTheirOwnErrors() throws {
        let digest = "mac=" + String(repeating: "ab", count: 32)
        let now = Date(timeIntervalSince1970: 1_764_000_000)
        func verify(_ text: String) -> ZaloWebhookError? {
            ZaloSignature.verify(body: Array(text.utf8), header: digest, secret: ZaloFixtures.secret, now: now)
        }
        #expect(verify("{\"app_id\":") == .unparsableBody(offset: 10))
        #expect(verify("") == .unparsableBody(offset: 0))
        #expect(verify("[1,2]") == .notAnObject)
        #expect(verify("{\"timestamp\":\"1764000000000\"}") == .missingField("app_id"))
        #expect(verify("{\"app_id\":\"1\"}") == .missingField("timestamp"))
        #expect(verify("{\"app_id\":\"1\",\"timestamp\":\"17640.5\"}") == .invalidField("timestamp"))
        #expect(verify("{\"app_id\":\"1\",\"timestamp\":\"+1764000000000\"}") == .invalidField("timestamp"))
        #expect(verify("{\"app_id\":[],\"timestamp\":\"1764000000000\"}") == .invalidField("app_id"))
    }

    @Test("The acceptance run's unfollow (json.dumps spacing) verifies and suppresses zalo:2:3")
    func theAcceptanceUnfollow() throws {
        let ts = "1764000000123"
        let raw =
            "{\"app_id\": \"1\", \"oa_id\": \"2\", \"event_name\": \"unfollow\", \"timestamp\": \"\(ts)\", "
            + "\"follower\": {\"id\": \"3\"}}"
        let body = Array(raw.utf8)
        // As the acceptance script computes it: sha256(app_id + raw + ts + secret).
        let mac = Digest.sha256Hex(Array("1".utf8) + body + Array(ts.utf8) + Array(ZaloFixtures.secret.utf8))
        let now = Date(timeIntervalSince1970: 1_764_000_000.5)
        let event = try ZaloEvent.verified(body: body, header: "mac=" + mac, secret: ZaloFixtures.secret, now: now)
        #expect(event.person.normalized == "zalo:2:3")
        #expect(event.action == .suppressMarketing)
        #expect(throws: ZaloWebhookError.missingSignature) {
            try ZaloEvent.verified(body: body, header: nil, secret: ZaloFixtures.secret, now: now)
        }
    }

    @Test("No error description carries a user id, an account id or message text")
    func descriptionsCarryNoPersonalData() throws {
        var errors: [ZaloWebhookError] = [
            .noSecret, .missingSignature, .malformedSignature, .badSignatureHex, .unparsableBody(offset: 3),
            .notAnObject, .missingField("follower.id"), .invalidField("timestamp"), .signatureMismatch,
            .staleTimestamp(seconds: 301), .futureTimestamp(seconds: 301),
        ]
        // And the errors real bad input produces, including ids that are not valid identifiers.
        let badID =
            "{\"app_id\":\"1\",\"oa_id\":\"1837640183716473281\",\"event_name\":\"follow\","
            + "\"timestamp\":\"1\",\"follower\":{\"id\":\"Tôi muốn HỦY 2512883701246639817\"}}"
        do {
            _ = try ZaloEvent(body: Array(badID.utf8))
        } catch {
            errors.append(error)
        }
        #expect(errors.count == 12)
        for error in errors {
            let text = error.description
            #expect(!text.isEmpty)
            #expect(
                !text.contains(ZaloFixtures.user) && !text.contains(ZaloFixtures.oa) && !text.contains("HỦY"), "\(text)"
            )
        }
        let event = try ZaloEvent(body: ZaloFixtures.body("user_send_text_stop.json"))
        #expect(!event.description.contains(ZaloFixtures.user) && !event.description.contains("HỦY"))
        #expect(!String(describing: event).contains(ZaloFixtures.user))
    }
}

@Suite("Zalo webhook: events")
struct ZaloEventTests {
    @Test func followIsRecordedNotConsented() throws {
        let event = try ZaloEvent(body: ZaloFixtures.body("follow.json"))
        #expect(event.eventName == "follow")
        #expect(event.appID == "4318201762311590281")
        #expect(event.timestamp == 1_764_000_000_000)
        #expect(event.oaID == ZaloFixtures.oa && event.userID == ZaloFixtures.user)
        #expect(event.person == .zalo(oa: ZaloFixtures.oa, user: ZaloFixtures.user))
        #expect(event.person.normalized == "zalo:1837640183716473281:2512883701246639817")
        #expect(event.text == nil && event.messageID == nil)
        #expect(event.action == .recordFollow)
    }

    @Test func unfollowSuppressesMarketing() throws {
        let event = try ZaloEvent(body: ZaloFixtures.body("unfollow.json"))
        #expect(event.eventName == "unfollow")
        #expect(event.timestamp == 1_764_000_360_000)
        #expect(event.person.normalized == "zalo:1837640183716473281:2512883701246639817")
        #expect(event.action == .suppressMarketing)
    }

    @Test("A text message: the user is sender.id under recipient.id, and a refusal files an objection")
    func textMessage() throws {
        let body = try ZaloFixtures.body("user_send_text_stop.json")
        let header = try #require(try ZaloFixtures.signatures()["user_send_text_stop.json"])
        let event = try ZaloEvent.verified(
            body: body, header: header, secret: ZaloFixtures.secret, now: ZaloFixtures.now(for: body))
        #expect(event.eventName == "user_send_text")
        #expect(event.oaID == ZaloFixtures.oa && event.userID == ZaloFixtures.user)
        #expect(event.person.normalized == "zalo:1837640183716473281:2512883701246639817")
        #expect(event.text == "Tôi muốn HỦY nhận tin quảng cáo")
        #expect(event.messageID == "8f1c2d0a9b7e4c11")
        #expect(event.isUserMessage)
        #expect(event.action == .objection)
    }

    @Test("Messages map through the classifier: refusal, possible refusal, nothing")
    func messageActions() throws {
        func action(_ text: String, event: String = "user_send_text") throws -> ZaloEvent.Action {
            let body =
                "{\"app_id\":\"1\",\"event_name\":\"\(event)\",\"timestamp\":\"1764000000000\","
                + "\"sender\":{\"id\":\"3\"},\"recipient\":{\"id\":\"2\"},\"message\":{\"msg_id\":\"m1\",\"text\":\"\(text)\"}}"
            return try ZaloEvent(body: Array(body.utf8)).action
        }
        #expect(try action("STOP") == .objection)
        #expect(try action("hủy đơn hàng") == .possibleRefusal)
        #expect(try action("Xin chào") == .none)
        // A caption on an image is the person's words too; the account's own messages never are.
        #expect(try action("HUY QC", event: "user_send_image") == .objection)
        #expect(try action("STOP", event: "oa_send_text") == .none)
        #expect(try action("STOP", event: "user_seen_message") == .none)
    }

    @Test("Events the account sends name the user as the recipient, never the account as the person")
    func accountSentEvents() throws {
        let body =
            "{\"app_id\":\"1\",\"event_name\":\"oa_send_text\",\"timestamp\":\"1764000000000\","
            + "\"sender\":{\"id\":\"2\"},\"recipient\":{\"id\":\"3\"},\"message\":{\"msg_id\":\"m1\",\"text\":\"STOP\"}}"
        let event = try ZaloEvent(body: Array(body.utf8))
        #expect(event.person.normalized == "zalo:2:3")
        #expect(!event.isUserMessage)
    }

    @Test func missingPeopleAreNamedByField() throws {
        func error(_ text: String) -> ZaloWebhookError? {
            do {
                _ = try ZaloEvent(body: Array(text.utf8))
                return nil
            } catch {
                return error
            }
        }
        let head = "\"app_id\":\"1\",\"timestamp\":\"1764000000000\""
        #expect(error("{\(head),\"oa_id\":\"2\",\"follower\":{\"id\":\"3\"}}") == .missingField("event_name"))
        #expect(error("{\(head),\"event_name\":\"unfollow\",\"oa_id\":\"2\"}") == .missingField("follower.id"))
        #expect(error("{\(head),\"event_name\":\"unfollow\",\"follower\":{\"id\":\"3\"}}") == .missingField("oa_id"))
        #expect(
            error("{\(head),\"event_name\":\"unfollow\",\"oa_id\":\"2\",\"follower\":{\"id\":\"\"}}")
                == .invalidField("follower.id"))
        #expect(
            error("{\(head),\"event_name\":\"user_send_text\",\"recipient\":{\"id\":\"2\"}}")
                == .missingField("sender.id"))
        #expect(
            error("{\(head),\"event_name\":\"follow\",\"oa_id\":\"2\",\"follower\":{\"id\":\"a b\"}}")
                == .invalidField("follower.id or oa_id"))
        #expect(
            error("{\(head),\"event_name\":7,\"oa_id\":\"2\",\"follower\":{\"id\":\"3\"}}")
                == .invalidField("event_name"))
    }

    @Test("The event key is the same for the same event however it is spelled, and differs between events")
    func eventKeys() throws {
        func key(_ text: String) throws -> String { try ZaloEvent(body: Array(text.utf8)).eventKey }
        let follow = try ZaloEvent(body: ZaloFixtures.body("follow.json"))
        let unfollow = try ZaloEvent(body: ZaloFixtures.body("unfollow.json"))
        let text = try ZaloEvent(body: ZaloFixtures.body("user_send_text_stop.json"))
        #expect(follow.eventKey.count == 64 && follow.eventKey == follow.eventKey.lowercased())
        #expect(Hex.decode(follow.eventKey)?.count == 32)
        #expect(follow.eventKey == (try ZaloEvent(body: ZaloFixtures.body("follow.json"))).eventKey)
        #expect(Set([follow.eventKey, unfollow.eventKey, text.eventKey]).count == 3)

        let base = "\"app_id\":\"1\",\"timestamp\":\"1764000000000\",\"event_name\":\"unfollow\""
        let reference = try key("{\(base),\"oa_id\":\"2\",\"follower\":{\"id\":\"3\"}}")
        // Spacing, key order, a field outside the key and an integer timestamp are the same event.
        #expect(try key("{ \"follower\": {\"id\": \"3\"}, \(base), \"oa_id\": \"2\" }") == reference)
        #expect(try key("{\(base),\"oa_id\":\"2\",\"follower\":{\"id\":\"3\"},\"source\":\"x\"}") == reference)
        #expect(
            try key(
                "{\"app_id\":\"1\",\"timestamp\":1764000000000,\"event_name\":\"unfollow\",\"oa_id\":\"2\","
                    + "\"follower\":{\"id\":\"3\"}}") == reference)
        // Anything that makes it another event makes another key.
        let others = [
            "{\(base),\"oa_id\":\"2\",\"follower\":{\"id\":\"4\"}}",
            "{\(base),\"oa_id\":\"5\",\"follower\":{\"id\":\"3\"}}",
            "{\"app_id\":\"1\",\"timestamp\":\"1764000000001\",\"event_name\":\"unfollow\",\"oa_id\":\"2\","
                + "\"follower\":{\"id\":\"3\"}}",
            "{\"app_id\":\"9\",\"timestamp\":\"1764000000000\",\"event_name\":\"unfollow\",\"oa_id\":\"2\","
                + "\"follower\":{\"id\":\"3\"}}",
            "{\"app_id\":\"1\",\"timestamp\":\"1764000000000\",\"event_name\":\"follow\",\"oa_id\":\"2\","
                + "\"follower\":{\"id\":\"3\"}}",
            // Fields that would run together if joined without structure: oa "2"+user "3" vs oa "23"+user "" is
            // not possible (empty ids are refused), but oa "2-"/user "3" vs oa "2"/user "-3" is.
            "{\(base),\"oa_id\":\"2-\",\"follower\":{\"id\":\"3\"}}",
        ]
        var keys: Set<String> = [reference]
        for other in others { keys.insert(try key(other)) }
        keys.insert(try key("{\(base),\"oa_id\":\"2\",\"follower\":{\"id\":\"-3\"}}"))
        #expect(keys.count == others.count + 2)

        func message(_ id: String, text: String) throws -> String {
            try key(
                "{\"app_id\":\"1\",\"event_name\":\"user_send_text\",\"timestamp\":\"1764000000000\","
                    + "\"sender\":{\"id\":\"3\"},\"recipient\":{\"id\":\"2\"},\"message\":{\"msg_id\":\"\(id)\",\"text\":\"\(text)\"}}"
            )
        }
        #expect(try message("m1", text: "STOP") == message("m1", text: "STOP"))
        #expect(try message("m1", text: "STOP") != message("m2", text: "STOP"))
    }
}

/// One row of a classifier table (here and in `RefusalTextTests`): a text and the verdict it must get.
struct RefusalCase: Sendable, CustomTestStringConvertible {
    var text: String
    var verdict: RefusalText.Verdict
    var testDescription: String { "\(text.debugDescription) -> \(verdict)" }

    init(_ text: String, _ verdict: RefusalText.Verdict) {
        self.text = text
        self.verdict = verdict
    }
}

@Suite("Zalo webhook: refusal text")
struct ZaloRefusalTextTests {
    static let table: [RefusalCase] = [
        // The whole text is a keyword, in any case, with or without diacritics, spaces and final punctuation.
        .init("STOP", .refusal),
        .init("stop", .refusal),
        .init("Stop!", .refusal),
        .init("  STOP.  ", .refusal),
        .init("HUY", .refusal),
        .init("huy", .refusal),
        .init("Huy", .refusal),
        .init("HỦY", .refusal),
        .init("hủy", .refusal),
        .init("Huỷ", .refusal),  // the older placement of the tone mark
        .init("hủy!!!", .refusal),
        .init("TU CHOI", .refusal),
        .init("tu choi", .refusal),
        .init("TỪ CHỐI", .refusal),
        .init("Từ chối", .refusal),
        .init("từ   chối.", .refusal),
        .init("\tTỪ\u{00A0}CHỐI\n", .refusal),
        // NFD, typed with combining marks.
        .init("hu\u{0309}y", .refusal),
        .init("TU\u{031B}\u{0300} CHO\u{0302}\u{0301}I", .refusal),
        // A keyword followed by QC or KM.
        .init("HỦY QC", .refusal),
        .init("huy km", .refusal),
        .init("Stop KM", .refusal),
        .init("TỪ CHỐI QC", .refusal),
        .init("Hủy-QC", .refusal),
        // A keyword paired with an advertising word.
        .init("Tôi muốn HỦY nhận tin quảng cáo", .refusal),
        .init("Toi muon huy nhan tin quang cao", .refusal),
        .init("Từ chối nhận tin nhắn", .refusal),
        .init("hủy khuyến mãi", .refusal),
        .init("HUY NHAN KHUYEN MAI", .refusal),
        .init("Không muốn nhận quảng cáo nữa, hủy đi", .refusal),
        .init("STOP tin nhan", .refusal),
        .init("em huy km", .refusal),
        .init("Please stop QC", .refusal),
        // "đúng" (yes) before a keyword is no negation, although it folds to the same word as "đừng".
        .init("Đúng rồi, hủy quảng cáo giúp em", .refusal),
        // A keyword used as a verb on messages: was `.possible` until the classifier read refusal phrases
        // (RefusalTextTests has the full table of them).
        .init("Hủy nhận tin", .refusal),
        // A keyword without an advertising word, or whose keyword is a name or negated: an officer decides.
        .init("hủy đơn hàng", .possible),
        .init("Huy don hang", .possible),
        .init("Huy ơi, đơn của mình đâu", .possible),
        .init("anh Huy", .possible),
        .init("Huy ơi, tin nhắn của mình đâu", .possible),
        .init("Anh Huy gửi tin nhắn cho em với", .possible),
        .init("Tôi không muốn hủy quảng cáo", .possible),
        .init("đừng hủy KM nhé", .possible),
        .init("please stop", .possible),
        .init("STOP STOP", .possible),
        .init("stop 2", .possible),
        .init("Huy đi 5 km", .possible),
        .init("Con tự chơi một mình", .possible),
        // No keyword: words that merely contain one, and everyday messages.
        .init("Huyền ơi", .none),
        .init("stopwatch", .none),
        .init("unstoppable", .none),
        .init("stop2", .none),
        .init("Xin chào shop", .none),
        .init("Cho mình hỏi giá khuyến mãi", .none),
        .init("Quảng cáo hay quá", .none),
        .init("tin nhắn", .none),
        .init("", .none),
        .init("   ", .none),
        .init("🙂", .none),
        .init("Từ nay", .none),
    ]

    @Test("Classifier table", arguments: table)
    func classify(_ row: RefusalCase) {
        #expect(RefusalText.classify(row.text) == row.verdict)
    }

    @Test("Decomposed (NFD) input reads as its composed form", arguments: table)
    func decomposed(_ row: RefusalCase) {
        let nfd = row.text.decomposedStringWithCanonicalMapping
        #expect(RefusalText.classify(nfd) == row.verdict)
        #expect(RefusalText.classify(row.text.precomposedStringWithCanonicalMapping) == row.verdict)
    }

    @Test func theTableIsLargeAndCoversEveryVerdict() {
        #expect(Self.table.count >= 30)
        #expect(Set(Self.table.map(\.verdict)) == Set(RefusalText.Verdict.allCases))
        // Both NFC and NFD literals are in the table itself (String's == is canonical, so compare scalars).
        func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }
        #expect(Self.table.contains { scalars($0.text) != scalars($0.text.precomposedStringWithCanonicalMapping) })
        #expect(Self.table.contains { scalars($0.text) != scalars($0.text.decomposedStringWithCanonicalMapping) })
    }
}
