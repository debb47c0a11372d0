import Foundation
import RightsCore
import Testing

@testable import RightsStore

/// The text a support agent pastes into a Zalo chat: channel by channel, in the person's language only, and
/// without anything staff typed.
struct WhyExplanationTests {
    static let phone = "+84912345678"
    static let stoppedAt = "2025-01-05T09:00:00+07:00"
    static let consentAt = "2024-12-01T08:00:00+07:00"
    static let staffReason = "Khách gọi tổng đài, chị Hoa ghi lại: không nhắn SMS nữa"
    static let listName = "KH thân thiết Tết 2025"
    static let source = "Hội chợ Xuân Quận 3"
    static let campaign = "TET-FLASH-SALE-Q1"
    static let method = "phiếu giấy tại quầy số 2"

    static func status(
        _ channel: Channel, allowed: Bool = false, reason: String? = nil, since: String? = nil,
        consentAt: String? = nil
    ) -> WhyAnswer.ChannelStatus {
        .init(channel: channel.rawValue, allowed: allowed, reason: reason, since: since, consentAt: consentAt)
    }

    static func list(_ identifier: String, channels: [String], at: String?) -> WhyAnswer.ListMembership {
        .init(
            identifier: identifier, list: listName, source: source, file: "khach-hang-tet.csv", line: 7,
            importedAt: "2024-12-02T10:15:00+07:00", basis: "consent", status: "suppressed",
            consent: at.map { .init(channels: channels, at: $0, method: method, text: "Tôi đồng ý nhận khuyến mãi") })
    }

    static func send(
        _ identifier: String, _ channel: Channel, at: String, after: Bool = false
    ) -> WhyAnswer.SendFact {
        .init(
            identifier: identifier, campaign: campaign, channel: channel.rawValue, purpose: "marketing", sentAt: at,
            delivered: true, planned: false, error: nil, signal: nil, afterSuppression: after)
    }

    /// An SMS-only opt-out (an objection filed for SMS) by a person who consented to SMS and Zalo.
    static func smsOnly() -> WhyAnswer {
        var answer = WhyAnswer(identifier: phone)
        answer.identifiers = [.init(identifier: phone, kind: "phone")]
        answer.channels = [
            status(.sms, reason: "SUPPRESSED", since: stoppedAt),
            status(.zalo, allowed: true, consentAt: consentAt),
            status(.email, reason: "NO_CONSENT"),
            status(.call, reason: "NO_CONSENT"),
        ]
        answer.lists = [list(phone, channels: ["sms", "zalo"], at: consentAt)]
        answer.suppressions = [
            .init(
                identifier: phone, channel: "sms", purpose: "marketing", reason: staffReason, since: stoppedAt,
                requestID: "RQ-2025-000001", liftedAt: nil)
        ]
        answer.sends = [send(phone, .zalo, at: "2025-01-10T19:30:00+07:00")]
        answer.requests = [.init(id: "RQ-2025-000001", type: "objection", state: "received", identifier: phone)]
        return answer
    }

    /// Every suppression-free, staff-free, English-free property the Vietnamese text must keep.
    static func expectVietnameseOnly(_ vi: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let lower = vi.lowercased()
        for word in ["objection", "request", "zalo:", "email", "marketing", "suppress", "received", "consent"] {
            #expect(!lower.contains(word), "vi says \(word): \(vi)", sourceLocation: sourceLocation)
        }
        // The raw channel names; "tin nhắn SMS" and the brand "Zalo" are Vietnamese usage.
        for word in ["sms", " call", " zalo"] {
            #expect(!vi.contains(word), "vi says \(word): \(vi)", sourceLocation: sourceLocation)
        }
        for staff in [staffReason, listName, source, campaign, method, "khach-hang-tet.csv", "2025-01-05T"] {
            #expect(!vi.contains(staff), "vi shows \(staff): \(vi)", sourceLocation: sourceLocation)
        }
    }

    static func expectEnglishOnly(_ en: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for word in ["Quý khách", "quảng cáo", "ngày", "chúng tôi"] {
            #expect(!en.contains(word), "en says \(word): \(en)", sourceLocation: sourceLocation)
        }
        // Nothing but ASCII and the two quotation marks: no Vietnamese letter slips in.
        let foreign = en.unicodeScalars.filter { !$0.isASCII && $0 != "“" && $0 != "”" }
        #expect(
            foreign.isEmpty, "en has \(String(String.UnicodeScalarView(foreign))): \(en)",
            sourceLocation: sourceLocation)
        for staff in [staffReason, listName, source, campaign, method, "khach-hang-tet.csv", "zalo:"] {
            #expect(!en.contains(staff), "en shows \(staff): \(en)", sourceLocation: sourceLocation)
        }
    }

    static func count(_ text: String, _ part: String) -> Int { text.components(separatedBy: part).count - 1 }

    @Test("an SMS-only opt-out says SMS stopped since then, Zalo still carries advertising, and offers every channel")
    func smsOnlyOptOut() throws {
        let text = WhyExplanation.text(Self.smsOnly())
        let vi = try #require(text["vi"])
        let en = try #require(text["en"])
        #expect(
            vi.contains("từ 09:00 ngày 05/01/2025, chúng tôi đã ngừng gửi quảng cáo cho Quý khách qua tin nhắn SMS."))
        #expect(vi.contains("Quý khách đã yêu cầu ngừng nhận quảng cáo qua tin nhắn SMS (mã yêu cầu RQ-2025-000001)."))
        #expect(vi.contains("Quý khách vẫn có thể nhận quảng cáo qua Zalo, vì Quý khách đã đồng ý"))
        #expect(vi.contains("Quý khách đã đồng ý nhận quảng cáo qua tin nhắn SMS và Zalo lúc 08:00 ngày 01/12/2024."))
        #expect(vi.contains("Nếu Quý khách muốn ngừng nhận quảng cáo trên mọi kênh, xin trả lời"))
        #expect(vi.contains("chưa đồng ý nhận quảng cáo qua thư điện tử và cuộc gọi"))
        #expect(vi.contains("Lúc 19:30 ngày 10/01/2025, chúng tôi đã gửi một tin quảng cáo qua Zalo."))
        #expect(vi.contains("Yêu cầu phản đối của Quý khách (mã RQ-2025-000001) hiện ở trạng thái: đã tiếp nhận."))
        // Zalo still carries advertising: nothing may say that all of it stopped.
        #expect(!vi.contains("ngừng gửi tin quảng cáo") && !vi.contains("quảng cáo cho Quý khách trên mọi kênh"))
        #expect(!vi.contains("bất kỳ kênh nào"))
        Self.expectVietnameseOnly(vi)

        #expect(en.contains("So since 09:00 on 5 January 2025 we have stopped sending you advertising by SMS."))
        #expect(en.contains("You may still receive advertising on Zalo, because you agreed to it there."))
        #expect(en.contains("If you want no advertising on any channel, reply"))
        #expect(en.contains("request RQ-2025-000001"))
        #expect(en.contains("Your objection (reference RQ-2025-000001) has been received."))
        #expect(!en.contains("on every channel"))
        Self.expectEnglishOnly(en)
    }

    @Test("a consent not told with a list is dated where the channel is said to be open")
    func openChannelDatesItsConsent() throws {
        var answer = Self.smsOnly()
        answer.lists = []
        let text = WhyExplanation.text(answer)
        #expect(
            text["vi"]?.contains("vì Quý khách đã đồng ý nhận quảng cáo qua kênh này từ 08:00 ngày 01/12/2024.") == true
        )
        #expect(text["en"]?.contains("because you agreed to it there at 08:00 on 1 December 2024.") == true)
    }

    @Test("every channel stopped by one suppression is said once, with no offer to stop what has stopped")
    func everyChannelStopped() throws {
        var answer = WhyAnswer(identifier: Self.phone)
        answer.channels = Channel.allCases.map { Self.status($0, reason: "SUPPRESSED", since: Self.stoppedAt) }
        answer.suppressions = [
            .init(
                identifier: Self.phone, channel: "any", purpose: "marketing", reason: Self.staffReason,
                since: Self.stoppedAt, requestID: nil, liftedAt: nil)
        ]
        let text = WhyExplanation.text(answer)
        let vi = try #require(text["vi"])
        let en = try #require(text["en"])
        let once = "Từ 09:00 ngày 05/01/2025, theo yêu cầu của Quý khách, chúng tôi đã ngừng gửi quảng cáo"
        #expect(vi == once + " cho Quý khách trên mọi kênh.")
        #expect(Self.count(vi, "mọi kênh") == 1)
        #expect(!vi.contains("tin nhắn SMS") && !vi.contains("Zalo") && !vi.contains("xin trả lời"))
        #expect(Self.count(en, "every channel") == 1 && !en.contains("any channel"))
        #expect(en.contains("Since 09:00 on 5 January 2025, at your request, we have stopped sending you advertising"))
        Self.expectVietnameseOnly(vi)
        Self.expectEnglishOnly(en)
    }

    @Test("every channel stopped for different reasons ends with one summary, not four stops")
    func everyChannelStoppedForSeveralReasons() throws {
        var answer = Self.smsOnly()
        answer.channels[1] = Self.status(.zalo, reason: "NO_CONSENT")
        let vi = try #require(WhyExplanation.text(answer)["vi"])
        let en = try #require(WhyExplanation.text(answer)["en"])
        #expect(vi.contains("chưa đồng ý nhận quảng cáo qua Zalo, thư điện tử và cuộc gọi"))
        #expect(Self.count(vi, "Như vậy, hiện Quý khách không nhận quảng cáo từ chúng tôi qua bất kỳ kênh nào.") == 1)
        #expect(!vi.contains("vẫn có thể") && !vi.contains("mọi kênh"))
        #expect(Self.count(en, "you receive no advertising from us on any channel") == 1)
        Self.expectVietnameseOnly(vi)
        Self.expectEnglishOnly(en)
    }

    @Test("an answer holding nothing says so")
    func holdsNothing() throws {
        var answer = WhyAnswer(identifier: Self.phone)
        answer.channels = Channel.allCases.map { Self.status($0, reason: "NO_CONSENT") }
        let text = WhyExplanation.text(answer)
        #expect(text["vi"] == "Chúng tôi không lưu giữ dữ liệu nào gắn với +84912345678.")
        #expect(text["en"] == "We hold no data about +84912345678.")

        let zalo = WhyExplanation.text(WhyAnswer(identifier: "zalo:4318:77120"))
        #expect(zalo["vi"] == "Chúng tôi không lưu giữ dữ liệu nào gắn với tài khoản Zalo này.")
        #expect(zalo["en"] == "We hold no data about this Zalo account.")
    }

    @Test("a consent recorded by an officer, on no list, is held: the answer says since when, not that nothing is")
    func consentOnNoList() throws {
        var answer = WhyAnswer(identifier: Self.phone)
        answer.channels = Channel.allCases.map {
            $0 == .sms
                ? Self.status($0, allowed: true, consentAt: Self.consentAt) : Self.status($0, reason: "NO_CONSENT")
        }
        let text = WhyExplanation.text(answer)
        let vi = try #require(text["vi"])
        #expect(!vi.contains("không lưu giữ dữ liệu nào"), "\(vi)")
        #expect(vi.contains("01/12/2024"), "\(vi)")
        #expect(!(text["en"] ?? "").contains("We hold no data"))
        Self.expectVietnameseOnly(vi)
    }

    @Test("an erased identifier on a request is never named: not as the word kept in its place")
    func erasedRequestSubject() throws {
        var answer = Self.smsOnly()
        let erased = RequestDetail.Subject.erasedIdentifier
        answer.suppressions[0].identifier = erased
        answer.requests = [.init(id: "RQ-2025-000001", type: "deletion", state: "completed", identifier: erased)]
        let text = WhyExplanation.text(answer)
        for language in ["vi", "en"] {
            #expect(text[language]?.contains(erased) == false, "\(text[language] ?? "")")
            #expect(text[language]?.contains("RQ-2025-000001") == true, "\(text[language] ?? "")")
        }
    }

    @Test("a fact on a linked identifier names it, and a Zalo id is never shown raw")
    func linkedIdentifiers() throws {
        let email = "lan.nguyen@example.vn"
        let zalo = "zalo:4318:77120"
        var answer = WhyAnswer(identifier: Self.phone)
        answer.identifiers = [
            .init(identifier: Self.phone, kind: "phone"), .init(identifier: email, kind: "email"),
            .init(identifier: zalo, kind: "zalo"), .init(identifier: nil, kind: "phone"),
        ]
        answer.channels = Channel.allCases.map { Self.status($0, reason: "SUPPRESSED", since: Self.stoppedAt) }
        answer.lists = [Self.list(zalo, channels: ["zalo"], at: Self.consentAt)]
        answer.suppressions = [
            .init(
                identifier: email, channel: "any", purpose: "marketing", reason: Self.staffReason,
                since: Self.stoppedAt, requestID: nil, liftedAt: nil)
        ]
        answer.sends = [
            Self.send(zalo, .zalo, at: "2025-01-03T10:00:00+07:00"),
            Self.send(email, .email, at: "2025-01-06T10:00:00+07:00", after: true),
        ]
        let text = WhyExplanation.text(answer)
        let vi = try #require(text["vi"])
        let en = try #require(text["en"])
        #expect(vi.contains("theo yêu cầu của Quý khách về địa chỉ thư lan.nguyen@example.vn, chúng tôi đã ngừng"))
        #expect(vi.contains("Tài khoản Zalo của Quý khách có trong dữ liệu khách hàng của chúng tôi từ"))
        #expect(vi.contains("Lúc 10:00 ngày 03/01/2025, chúng tôi đã gửi một tin quảng cáo qua Zalo."))
        #expect(
            vi.contains(
                "chúng tôi đã gửi một tin quảng cáo qua thư điện tử đến địa chỉ thư lan.nguyen@example.vn, "
                    + "dù Quý khách đã yêu cầu ngừng nhận."))
        #expect(vi.contains("Chúng tôi thành thật xin lỗi Quý khách. Việc này đã được ghi nhận là vi phạm."))
        #expect(!vi.contains("4318") && !vi.contains("77120"))
        #expect(en.contains("at your request concerning the email address lan.nguyen@example.vn"))
        #expect(en.contains("At 10:00 on 3 January 2025 we sent you an advertising message on Zalo."))
        #expect(en.contains("by email to the email address lan.nguyen@example.vn, although you had asked us to stop"))
        #expect(en.contains("recorded as a violation"))
        #expect(!en.contains("4318") && !en.contains("77120"))
        Self.expectVietnameseOnly(vi)
        Self.expectEnglishOnly(en)

        // The same facts about the identifier asked do not name it again.
        answer.identifier = email
        let own = try #require(WhyExplanation.text(answer)["vi"])
        #expect(!own.contains("về địa chỉ thư") && own.contains("theo yêu cầu của Quý khách, chúng tôi đã ngừng"))
    }

    @Test("a Do-Not-Call number is said to be on the national list; other channels still speak for themselves")
    func doNotCall() throws {
        var answer = WhyAnswer(identifier: Self.phone)
        answer.dnc = true
        answer.channels = [
            Self.status(.sms, reason: "DNC"), Self.status(.zalo, allowed: true, consentAt: Self.consentAt),
            Self.status(.email, reason: "NO_CONSENT"), Self.status(.call, reason: "DNC"),
        ]
        answer.lists = [Self.list(Self.phone, channels: ["zalo"], at: Self.consentAt)]
        let text = WhyExplanation.text(answer)
        let vi = try #require(text["vi"])
        let en = try #require(text["en"])
        #expect(vi.contains("Số +84912345678 đã được đăng ký vào Danh sách số điện thoại không quảng cáo"))
        #expect(Self.count(vi, "Danh sách số điện thoại không quảng cáo") == 1)
        #expect(vi.contains("Quý khách vẫn có thể nhận quảng cáo qua Zalo"))
        #expect(en.contains("The number +84912345678 is on the national Do-Not-Call list"))
        Self.expectVietnameseOnly(vi)
        Self.expectEnglishOnly(en)
    }

    @Test(
        "a registration for SMS alone says it stops messages (SMS and Zalo by phone), not calls",
        arguments: [
            ("sms", "qua tin nhắn SMS và Zalo", "by SMS or Zalo"), ("call", "qua cuộc gọi", "by phone"),
            ("both", "qua tin nhắn SMS, Zalo và cuộc gọi", "by SMS, Zalo or phone"),
        ])
    func doNotCallKind(kind: String, vietnamese: String, english: String) throws {
        var answer = WhyAnswer(identifier: Self.phone)
        answer.dnc = true
        answer.dncKind = kind
        answer.channels = Channel.allCases.map { Self.status($0, reason: "NO_CONSENT") }
        answer.lists = [Self.list(Self.phone, channels: [], at: nil)]
        let text = WhyExplanation.text(answer)
        let vi = try #require(text["vi"])
        let en = try #require(text["en"])
        #expect(vi.contains("nên chúng tôi không gửi quảng cáo đến số này \(vietnamese)."), "\(vi)")
        #expect(en.contains("so we send it no advertising \(english)."), "\(en)")
        Self.expectVietnameseOnly(vi)
        Self.expectEnglishOnly(en)
    }

    @Test("requests and lifted suppressions are told with Vietnamese labels")
    func requestsAndLiftedSuppressions() throws {
        var answer = WhyAnswer(identifier: Self.phone)
        answer.channels = Channel.allCases.map {
            Self.status($0, reason: "SUPPRESSED", since: "2025-03-01T14:05:00+07:00")
        }
        answer.suppressions = [
            .init(
                identifier: Self.phone, channel: "zalo", purpose: "marketing", reason: Self.staffReason,
                since: "2024-11-01T08:00:00+07:00", requestID: nil, liftedAt: "2024-11-20T08:00:00+07:00"),
            .init(
                identifier: Self.phone, channel: "any", purpose: "all", reason: Self.staffReason,
                since: "2025-03-01T14:05:00+07:00", requestID: "RQ-2025-000002", liftedAt: nil),
        ]
        answer.requests = [
            .init(id: "RQ-2025-000002", type: "deletion", state: "verified", identifier: Self.phone),
            .init(id: "RQ-2025-000003", type: "withdraw-consent", state: "rejected", identifier: "an@example.vn"),
        ]
        let text = WhyExplanation.text(answer)
        let vi = try #require(text["vi"])
        let en = try #require(text["en"])
        #expect(vi.contains("Quý khách đã gửi yêu cầu xóa dữ liệu (mã yêu cầu RQ-2025-000002)."))
        #expect(vi.contains("chúng tôi đã ngừng gửi quảng cáo và mọi tin khác cho Quý khách trên mọi kênh."))
        #expect(vi.contains("Từ 08:00 ngày 01/11/2024 đến 08:00 ngày 20/11/2024, theo yêu cầu của Quý khách"))
        #expect(vi.contains("hiện ở trạng thái: đã xác minh danh tính."))
        #expect(
            vi.contains("Yêu cầu rút lại sự đồng ý của Quý khách (mã RQ-2025-000003, cho địa chỉ thư an@example.vn)"))
        #expect(vi.contains("đã từ chối"))
        #expect(en.contains("You sent us a request to erase your data (request RQ-2025-000002)."))
        #expect(
            en.contains("Your withdrawal of consent (reference RQ-2025-000003, for the email address an@example.vn)"))
        Self.expectVietnameseOnly(vi)
        Self.expectEnglishOnly(en)
    }

    @Test("times are written as Vietnamese write them, in Vietnam time")
    func spokenTimes() throws {
        let lateUTC = try #require(Timestamp.parse("2025-01-04T17:30:00Z"))
        #expect(VietnamDates.spoken(lateUTC, language: .vietnamese) == "00:30 ngày 05/01/2025")
        #expect(VietnamDates.spoken(lateUTC, language: .english) == "00:30 on 5 January 2025")
        #expect(VietnamDates.spoken("2025-12-31T23:59:59+07:00", language: .vietnamese) == "23:59 ngày 31/12/2025")
        #expect(VietnamDates.spoken("2024-02-29T09:00:00+07:00", language: .english) == "09:00 on 29 February 2024")
        #expect(VietnamDates.spoken("yesterday", language: .english) == nil)
    }
}
