import Foundation
import RightsCore

/// The answer a support agent pastes into a Zalo chat to tell a person why they got a message, in Vietnamese and in
/// English. It speaks of the whole person, channel by channel, each text in its own language only, and never prints
/// what staff typed or named (suppression reasons, list names, sources, files, campaigns, consent methods): those
/// stay in the JSON for staff.
enum WhyExplanation {
    static func text(_ answer: WhyAnswer) -> [String: String] {
        let facts = Facts(answer)
        return ["vi": facts.render(Vietnamese.self), "en": facts.render(English.self)]
    }
}

// MARK: - What the texts say

/// The answer reduced to what a customer may be told, shared by both languages.
private struct Facts {
    /// The person's contact details held in customer lists, one per identifier, with the consents those rows gave.
    struct Record {
        var identifier: String
        var since: String
        var consents: [(channels: [Channel], at: String)] = []
    }

    /// Channels stopped by one suppression.
    struct Stop {
        var channels: [Channel]
        var since: String?
        var suppression: WhyAnswer.SuppressionFact?
        /// The type of the request behind the suppression, when the answer lists it.
        var requestType: String?
    }

    enum Outcome { case delivered, failed, scheduled }

    /// Sends of one kind to one identifier, oldest first.
    struct Sends {
        var identifier: String
        var channel: Channel?
        var marketing: Bool
        var outcome: Outcome
        var times: [String]
    }

    /// Channels on which advertising may still go, with the consent they share.
    struct Open {
        var channels: [Channel]
        var consentAt: String?
        /// Whether the consent was already told with the list it came from.
        var told: Bool
    }

    let asked: String
    let holdsNothing: Bool
    let dnc: Bool
    /// The kind of that registration (`sms`, `call`, `both`), when the answer says.
    let dncKind: DoNotCallKind?
    var records: [Record] = []
    var sends: [Sends] = []
    var violations: [WhyAnswer.SendFact] = []
    var lifted: [WhyAnswer.SuppressionFact] = []
    var stops: [Stop] = []
    var noConsent: [Channel] = []
    var doNotCall: [Channel] = []
    var unexplained: [Channel] = []
    var open: [Open] = []
    var requests: [WhyAnswer.RequestFact] = []
    /// The number on the Do-Not-Call list: the one asked about, or a linked one.
    var dncNumber: String?
    /// Whether all four channels are known to be stopped.
    var everyChannelStopped = false

    init(_ answer: WhyAnswer) {
        asked = answer.identifier
        dnc = answer.dnc
        dncKind = answer.dncKind.flatMap(DoNotCallKind.init(rawValue:))
        holdsNothing =
            answer.lists.isEmpty && answer.sends.isEmpty && answer.suppressions.isEmpty && answer.requests.isEmpty
            // A consent recorded by an officer is held too, though no list names the person.
            && answer.channels.allSatisfy { $0.consentAt == nil }
        requests = answer.requests
        // The gate checks the number it would send to: the one asked about, or the person's only number.
        let phones = Set(answer.identifiers.compactMap(\.identifier).filter { IdentifierKind($0) == .phone })
        dncNumber = IdentifierKind(asked) == .phone ? asked : (phones.count == 1 ? phones.first : nil)
        if holdsNothing { return }

        var told = Set<String>()
        for list in answer.lists {
            var index = records.firstIndex { $0.identifier == list.identifier }
            if index == nil {
                records.append(Record(identifier: list.identifier, since: list.importedAt))
                index = records.count - 1
            }
            guard let index, let consent = list.consent else { continue }
            let channels = Channel.allCases.filter { consent.channels.contains($0.rawValue) }
            guard !channels.isEmpty,
                !records[index].consents.contains(where: { $0.channels == channels && $0.at == consent.at })
            else { continue }
            records[index].consents.append((channels, consent.at))
            for channel in channels { told.insert(Self.key(channel, consent.at)) }
        }

        for send in answer.sends {
            if send.delivered && send.afterSuppression {
                violations.append(send)
                continue
            }
            let outcome: Outcome =
                send.delivered ? .delivered : (send.planned && send.error == nil ? .scheduled : .failed)
            let channel = Channel(rawValue: send.channel)
            let marketing = send.purpose != Purpose.transactional.rawValue
            if let index = sends.firstIndex(where: {
                $0.identifier == send.identifier && $0.channel == channel && $0.marketing == marketing
                    && $0.outcome == outcome
            }) {
                sends[index].times.append(send.sentAt)
            } else {
                sends.append(
                    Sends(
                        identifier: send.identifier, channel: channel, marketing: marketing, outcome: outcome,
                        times: [send.sentAt]))
            }
        }

        var statuses = answer.channels.compactMap { status in
            Channel(rawValue: status.channel).map { ($0, status) }
        }
        if statuses.isEmpty {
            // An answer without the gate's verdicts: what the suppressions in force say, and nothing more.
            statuses = Channel.allCases.compactMap { channel in
                let covering = answer.suppressions.filter { $0.liftedAt == nil && Self.covers($0, channel) }
                guard
                    let first = covering.min(by: {
                        (Self.instant($0.since) ?? .distantFuture) < (Self.instant($1.since) ?? .distantFuture)
                    })
                else {
                    return nil
                }
                return (
                    channel,
                    WhyAnswer.ChannelStatus(
                        channel: channel.rawValue, allowed: false, reason: "SUPPRESSED", since: first.since)
                )
            }
        }
        var matched = Set<Int>()
        var stopKeys: [String] = []
        for (channel, status) in statuses {
            if status.allowed {
                let key = status.consentAt.map { Self.key(channel, $0) }
                let wasTold = key.map(told.contains) ?? false
                if let index = open.firstIndex(where: { $0.consentAt == status.consentAt && $0.told == wasTold }) {
                    open[index].channels.append(channel)
                } else {
                    open.append(Open(channels: [channel], consentAt: status.consentAt, told: wasTold))
                }
                continue
            }
            switch status.reason {
            case "SUPPRESSED":
                let index = Self.suppression(for: channel, since: status.since, in: answer.suppressions)
                if let index { matched.insert(index) }
                let key = "\(index ?? -1)|\(status.since ?? "")"
                if let position = stopKeys.firstIndex(of: key) {
                    stops[position].channels.append(channel)
                } else {
                    let suppression = index.map { answer.suppressions[$0] }
                    let type = suppression?.requestID.flatMap { id in answer.requests.first { $0.id == id }?.type }
                    stopKeys.append(key)
                    stops.append(
                        Stop(
                            channels: [channel], since: status.since ?? suppression?.since, suppression: suppression,
                            requestType: type))
                }
            case "DNC": doNotCall.append(channel)
            case "NO_CONSENT": noConsent.append(channel)
            default: unexplained.append(channel)
            }
        }
        lifted = answer.suppressions.enumerated().filter { $0.element.liftedAt != nil && !matched.contains($0.offset) }
            .map(\.element)
        everyChannelStopped =
            Set(statuses.map(\.0)).count == Channel.allCases.count && statuses.allSatisfy { !$0.1.allowed }
    }

    /// The fact's identifier when it is not the one asked about (and is still held), for naming it.
    func other(_ identifier: String?) -> String? {
        // An erased identifier is kept as a word that names no one, in neither language.
        identifier.flatMap { $0 == asked || $0 == RequestDetail.Subject.erasedIdentifier ? nil : $0 }
    }

    /// Whom a send went to, when it must be said: not the identifier asked about, and not a Zalo account for a
    /// Zalo message (the channel already says it).
    func target(_ identifier: String, _ channel: Channel?) -> String? {
        channel == .zalo && IdentifierKind(identifier) == .zalo ? nil : other(identifier)
    }

    /// The channels the registration stops: its kind's (Circular 22/2021 Art. 6(2)), else the gate's verdicts.
    var dncChannels: [Channel] {
        guard let kind = dncKind ?? (doNotCall.isEmpty ? .both : nil) else { return doNotCall }
        return Channel.allCases.filter { kind.channels.contains($0) }
    }

    func render<P: Phrasebook>(_: P.Type) -> String {
        var out: [String] = []
        if holdsNothing {
            out.append(P.nothingHeld(asked))
            if dnc { out.append(P.doNotCall(dncNumber, stopping: dncChannels)) }
            return out.joined(separator: " ")
        }
        for record in records {
            out.append(P.record(record.identifier, since: record.since))
            if record.consents.isEmpty {
                out.append(P.noConsentRecorded)
            } else {
                for consent in record.consents { out.append(P.consent(consent.channels, at: consent.at)) }
            }
        }
        for group in sends { out.append(P.sends(group, to: target(group.identifier, group.channel))) }
        for suppression in lifted { out.append(P.lifted(suppression, about: other(suppression.identifier))) }
        for stop in stops { out.append(P.stop(stop, about: other(stop.suppression?.identifier))) }
        if !violations.isEmpty {
            out.append(
                P.violations(violations, to: violations.map { target($0.identifier, Channel(rawValue: $0.channel)) }))
        }
        if !noConsent.isEmpty { out.append(P.noConsent(noConsent)) }
        if dnc || !doNotCall.isEmpty { out.append(P.doNotCall(dncNumber, stopping: dncChannels)) }
        if !unexplained.isEmpty { out.append(P.unexplained(unexplained)) }
        let groups =
            stops.count + (noConsent.isEmpty ? 0 : 1) + (doNotCall.isEmpty ? 0 : 1) + (unexplained.isEmpty ? 0 : 1)
        if everyChannelStopped && groups > 1 { out.append(P.nothingOnAnyChannel) }
        let anyStopped = groups > 0
        for group in open { out.append(P.open(group, still: anyStopped)) }
        for request in requests { out.append(P.request(request, for: other(request.identifier))) }
        if !open.isEmpty { out.append(P.objectEverywhere) }
        return out.joined(separator: " ")
    }

    private static func key(_ channel: Channel, _ at: String) -> String {
        "\(channel.rawValue)|\(instant(at).map { String($0.timeIntervalSince1970) } ?? at)"
    }

    private static func instant(_ text: String) -> Date? { Timestamp.parse(text) }

    private static func covers(_ suppression: WhyAnswer.SuppressionFact, _ channel: Channel) -> Bool {
        suppression.channel == "any" || suppression.channel == channel.rawValue
    }

    /// The suppression that stops `channel` since `since`: one in force begun then, else any begun then, else any
    /// in force on the channel.
    private static func suppression(
        for channel: Channel, since: String?, in suppressions: [WhyAnswer.SuppressionFact]
    ) -> Int? {
        let at = since.flatMap(instant)
        let covering = suppressions.indices.filter { covers(suppressions[$0], channel) }
        func begun(_ index: Int) -> Bool { at != nil && instant(suppressions[index].since) == at }
        return covering.first { suppressions[$0].liftedAt == nil && begun($0) } ?? covering.first(where: begun)
            ?? covering.first { suppressions[$0].liftedAt == nil }
    }
}

private enum IdentifierKind {
    case phone, email, zalo

    init(_ identifier: String) {
        if identifier.hasPrefix("zalo:") {
            self = .zalo
        } else if identifier.contains("@") {
            self = .email
        } else {
            self = .phone
        }
    }
}

// MARK: - How each language says it

private protocol Phrasebook {
    static var language: VietnamDates.Language { get }
    static func nothingHeld(_ identifier: String) -> String
    static func record(_ identifier: String, since: String) -> String
    static var noConsentRecorded: String { get }
    static func consent(_ channels: [Channel], at: String) -> String
    static func sends(_ group: Facts.Sends, to identifier: String?) -> String
    static func violations(_ sends: [WhyAnswer.SendFact], to targets: [String?]) -> String
    static func lifted(_ suppression: WhyAnswer.SuppressionFact, about identifier: String?) -> String
    static func stop(_ stop: Facts.Stop, about identifier: String?) -> String
    static func noConsent(_ channels: [Channel]) -> String
    static func doNotCall(_ number: String?, stopping channels: [Channel]) -> String
    static func unexplained(_ channels: [Channel]) -> String
    static var nothingOnAnyChannel: String { get }
    static func open(_ group: Facts.Open, still: Bool) -> String
    static func request(_ request: WhyAnswer.RequestFact, for identifier: String?) -> String
    static var objectEverywhere: String { get }
}

extension Phrasebook {
    /// A contract time as the language writes it; a time that does not parse is shown as given.
    static func time(_ text: String) -> String { VietnamDates.spoken(text, language: language) ?? text }

    static func capitalized(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    static func isEvery(_ channels: [Channel]) -> Bool { Set(channels).count == Channel.allCases.count }
}

private enum Vietnamese: Phrasebook {
    static let language = VietnamDates.Language.vietnamese

    static func channel(_ channel: Channel) -> String {
        switch channel {
        case .sms: "tin nhắn SMS"
        case .zalo: "Zalo"
        case .email: "thư điện tử"
        case .call: "cuộc gọi"
        }
    }

    static func list(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " và " + items.last!
    }

    static func channels(_ channels: [Channel]) -> String { list(channels.map(channel)) }

    /// `qua tin nhắn SMS và Zalo`, or `trên mọi kênh`.
    static func scope(_ channels: [Channel]) -> String {
        isEvery(channels) ? "trên mọi kênh" : "qua " + Self.channels(channels)
    }

    static func name(_ identifier: String) -> String {
        switch IdentifierKind(identifier) {
        case .phone: "số \(identifier)"
        case .email: "địa chỉ thư \(identifier)"
        case .zalo: "tài khoản Zalo của Quý khách"
        }
    }

    static func requestType(_ type: String) -> String {
        switch RequestType(rawValue: type) {
        case .access: "yêu cầu truy cập dữ liệu"
        case .correction: "yêu cầu chỉnh sửa dữ liệu"
        case .deletion: "yêu cầu xóa dữ liệu"
        case .restriction: "yêu cầu hạn chế xử lý dữ liệu"
        case .objection: "yêu cầu phản đối"
        case .withdrawConsent: "yêu cầu rút lại sự đồng ý"
        case .protection: "yêu cầu áp dụng biện pháp bảo vệ dữ liệu"
        case nil: "yêu cầu bảo vệ dữ liệu"
        }
    }

    static func state(_ state: String) -> String {
        switch RequestState(rawValue: state) {
        case .received: "đã tiếp nhận"
        case .acknowledged: "đã xác nhận tiếp nhận"
        case .verified: "đã xác minh danh tính"
        case .completed: "đã hoàn thành"
        case .rejected: "đã từ chối"
        case .withdrawn: "đã rút lại"
        case nil: "đang xử lý"
        }
    }

    static func nothingHeld(_ identifier: String) -> String {
        let subject = IdentifierKind(identifier) == .zalo ? "tài khoản Zalo này" : identifier
        return "Chúng tôi không lưu giữ dữ liệu nào gắn với \(subject)."
    }

    static func record(_ identifier: String, since: String) -> String {
        "\(capitalized(name(identifier))) có trong dữ liệu khách hàng của chúng tôi từ \(time(since))."
    }

    static let noConsentRecorded = "Dữ liệu này không ghi nhận việc Quý khách đồng ý nhận quảng cáo."

    static func consent(_ channels: [Channel], at: String) -> String {
        "Quý khách đã đồng ý nhận quảng cáo qua \(Self.channels(channels)) lúc \(time(at))."
    }

    /// `một tin quảng cáo qua Zalo`, `3 cuộc gọi quảng cáo`.
    static func message(_ channel: Channel?, marketing: Bool, count: Int) -> String {
        let kind = marketing ? "quảng cáo" : "thông báo"
        let number = count == 1 ? "một" : String(count)
        guard let channel else { return "\(number) tin \(kind)" }
        return channel == .call
            ? "\(number) cuộc gọi \(kind)" : "\(number) tin \(kind) qua \(Self.channel(channel))"
    }

    static func verb(_ channel: Channel?) -> String { channel == .call ? "thực hiện" : "gửi" }

    static func sends(_ group: Facts.Sends, to identifier: String?) -> String {
        let what = message(group.channel, marketing: group.marketing, count: group.times.count)
        let target = identifier.map { " đến \(name($0))" } ?? ""
        let first = time(group.times.first ?? "")
        let last = time(group.times.last ?? "")
        let when = group.times.count == 1 ? "Lúc \(first)" : "Từ \(first) đến \(last)"
        let done = "\(when), chúng tôi đã \(verb(group.channel)) \(what)\(target)"
        switch group.outcome {
        case .delivered:
            return done + "."
        case .failed:
            let noun = group.channel == .call ? "cuộc gọi" : "tin"
            let subject = group.times.count == 1 ? noun : "các \(noun) này"
            return done + ", nhưng \(subject) không đến được Quý khách."
        case .scheduled:
            let span = group.times.count == 1 ? "lúc \(first)" : "trong khoảng từ \(first) đến \(last)"
            return "Chúng tôi đã lên lịch \(verb(group.channel)) \(what)\(target) \(span)."
        }
    }

    static func violations(_ sends: [WhyAnswer.SendFact], to targets: [String?]) -> String {
        let apology = "Chúng tôi thành thật xin lỗi Quý khách. Việc này đã được ghi nhận là vi phạm."
        if sends.count == 1, let send = sends.first {
            let channel = Channel(rawValue: send.channel)
            let what = message(channel, marketing: send.purpose != Purpose.transactional.rawValue, count: 1)
            let target = targets.first.flatMap { $0 }.map { " đến \(name($0))" } ?? ""
            return "Lúc \(time(send.sentAt)), chúng tôi đã \(verb(channel)) \(what)\(target), "
                + "dù Quý khách đã yêu cầu ngừng nhận. " + apology
        }
        let marketing = sends.allSatisfy { $0.purpose != Purpose.transactional.rawValue }
        let first = time(sends.first?.sentAt ?? "")
        let last = time(sends.last?.sentAt ?? "")
        return "Sau khi Quý khách yêu cầu ngừng nhận, chúng tôi vẫn gửi \(sends.count) tin"
            + "\(marketing ? " quảng cáo" : "") cho Quý khách, từ \(first) đến \(last). " + apology
    }

    static func what(_ suppression: WhyAnswer.SuppressionFact?) -> String {
        suppression?.purpose == SuppressionPurpose.all.rawValue ? "quảng cáo và mọi tin khác" : "quảng cáo"
    }

    static func lifted(_ suppression: WhyAnswer.SuppressionFact, about identifier: String?) -> String {
        let channel = Channel(rawValue: suppression.channel)
        let scope = channel.map { "qua \(Self.channel($0))" } ?? "qua bất kỳ kênh nào"
        let about = identifier.map { " về \(name($0))" } ?? ""
        return "Từ \(time(suppression.since)) đến \(time(suppression.liftedAt ?? "")), theo yêu cầu của Quý khách"
            + "\(about), chúng tôi đã không gửi \(what(suppression)) cho Quý khách \(scope)."
    }

    static func stop(_ stop: Facts.Stop, about identifier: String?) -> String {
        let stopped = "chúng tôi đã ngừng gửi \(what(stop.suppression)) cho Quý khách \(scope(stop.channels))."
        if let id = stop.suppression?.requestID {
            let target = identifier.map { " cho \(name($0))" } ?? ""
            let channel = stop.suppression.flatMap { Channel(rawValue: $0.channel) }.map { " qua \(Self.channel($0))" }
            let lead =
                switch stop.requestType.flatMap(RequestType.init(rawValue:)) {
                case nil, .objection, .withdrawConsent:
                    "Quý khách đã yêu cầu ngừng nhận quảng cáo\(channel ?? "")\(target) (mã yêu cầu \(id))."
                case .some(let type):
                    "Quý khách đã gửi \(requestType(type.rawValue))\(target) (mã yêu cầu \(id))."
                }
            return lead + " Vì vậy, " + (stop.since.map { "từ \(time($0)), " } ?? "") + stopped
        }
        let about = identifier.map { " về \(name($0))" } ?? ""
        if let since = stop.since {
            return "Từ \(time(since)), theo yêu cầu của Quý khách\(about), " + stopped
        }
        return "Theo yêu cầu của Quý khách\(about), " + stopped
    }

    static func noConsent(_ channels: [Channel]) -> String {
        if isEvery(channels) {
            return "Quý khách chưa đồng ý nhận quảng cáo qua kênh nào, nên chúng tôi không gửi quảng cáo cho Quý khách."
        }
        let these = channels.count == 1 ? "kênh này" : "các kênh này"
        return "Quý khách chưa đồng ý nhận quảng cáo qua \(Self.channels(channels)), "
            + "nên chúng tôi không gửi quảng cáo qua \(these)."
    }

    static func doNotCall(_ number: String?, stopping channels: [Channel]) -> String {
        let subject = number.map { "Số \($0)" } ?? "Số điện thoại của Quý khách"
        return "\(subject) đã được đăng ký vào Danh sách số điện thoại không quảng cáo quốc gia, "
            + "nên chúng tôi không gửi quảng cáo đến số này \(scope(channels))."
    }

    static func unexplained(_ channels: [Channel]) -> String {
        "Hiện chúng tôi không gửi quảng cáo cho Quý khách qua \(Self.channels(channels))."
    }

    static let nothingOnAnyChannel = "Như vậy, hiện Quý khách không nhận quảng cáo từ chúng tôi qua bất kỳ kênh nào."

    static func open(_ group: Facts.Open, still: Bool) -> String {
        var sentence = "Quý khách \(still ? "vẫn " : "")có thể nhận quảng cáo \(scope(group.channels))"
        if let at = group.consentAt {
            let these = group.channels.count == 1 ? "kênh này" : "các kênh này"
            sentence += ", vì Quý khách đã đồng ý nhận quảng cáo qua \(these)"
            if !group.told { sentence += " từ \(time(at))" }
        }
        return sentence + "."
    }

    static func request(_ request: WhyAnswer.RequestFact, for identifier: String?) -> String {
        let target = identifier.map { ", cho \(name($0))" } ?? ""
        return "\(capitalized(requestType(request.type))) của Quý khách (mã \(request.id)\(target)) "
            + "hiện ở trạng thái: \(state(request.state))."
    }

    static let objectEverywhere =
        "Nếu Quý khách muốn ngừng nhận quảng cáo trên mọi kênh, xin trả lời tin nhắn này với nội dung "
        + "“Từ chối quảng cáo”. Chúng tôi sẽ ngừng ngay khi nhận được."
}

private enum English: Phrasebook {
    static let language = VietnamDates.Language.english

    static func channel(_ channel: Channel) -> String {
        switch channel {
        case .sms: "SMS"
        case .zalo: "Zalo"
        case .email: "email"
        case .call: "phone"
        }
    }

    static func list(_ items: [String], or: Bool = false) -> String {
        items.count <= 1
            ? items.joined() : items.dropLast().joined(separator: ", ") + (or ? " or " : " and ") + items.last!
    }

    static func channels(_ channels: [Channel], or: Bool = false) -> String { list(channels.map(channel), or: or) }

    /// `by SMS`, `on Zalo`.
    static func by(_ channel: Channel) -> String { (channel == .zalo ? "on " : "by ") + Self.channel(channel) }

    /// `by SMS`, `on Zalo`, `by SMS and Zalo`, or `on every channel`; `or` joins the channels of a negation.
    static func scope(_ channels: [Channel], or: Bool = false) -> String {
        if isEvery(channels) { return or ? "on any channel" : "on every channel" }
        if channels.count == 1, let only = channels.first { return by(only) }
        return "by " + Self.channels(channels, or: or)
    }

    static func name(_ identifier: String) -> String {
        switch IdentifierKind(identifier) {
        case .phone: "the number \(identifier)"
        case .email: "the email address \(identifier)"
        case .zalo: "your Zalo account"
        }
    }

    /// The request's kind, without an article: `objection`, `request to erase your data`.
    static func requestType(_ type: String) -> String {
        switch RequestType(rawValue: type) {
        case .access: "request for access to your data"
        case .correction: "request to correct your data"
        case .deletion: "request to erase your data"
        case .restriction: "request to restrict the processing of your data"
        case .objection: "objection"
        case .withdrawConsent: "withdrawal of consent"
        case .protection: "request for measures to protect your data"
        case nil: "data protection request"
        }
    }

    static func article(_ noun: String) -> String {
        ("aeiou".contains(noun.prefix(1)) ? "an " : "a ") + noun
    }

    static func state(_ state: String) -> String {
        switch RequestState(rawValue: state) {
        case .received: "has been received"
        case .acknowledged: "has been acknowledged"
        case .verified: "is in progress: we have verified your identity"
        case .completed: "has been completed"
        case .rejected: "has been refused"
        case .withdrawn: "has been withdrawn"
        case nil: "is being handled"
        }
    }

    static func nothingHeld(_ identifier: String) -> String {
        "We hold no data about \(IdentifierKind(identifier) == .zalo ? "this Zalo account" : identifier)."
    }

    static func record(_ identifier: String, since: String) -> String {
        "\(capitalized(name(identifier))) has been in our customer records since \(time(since))."
    }

    static let noConsentRecorded = "These records hold no consent from you to advertising."

    static func consent(_ channels: [Channel], at: String) -> String {
        let scope = channels.count == 1 ? by(channels[0]) : "by " + Self.channels(channels)
        return "You agreed to advertising \(scope) at \(time(at))."
    }

    /// `an advertising message by Zalo`, `3 advertising calls`.
    static func message(_ channel: Channel?, marketing: Bool, count: Int) -> String {
        let kind = marketing ? "advertising" : "service"
        let noun = channel == .call ? "call" : "message"
        let counted = count == 1 ? article("\(kind) \(noun)") : "\(count) \(kind) \(noun)s"
        guard let channel, channel != .call else { return counted }
        return "\(counted) \(by(channel))"
    }

    static func verb(_ channel: Channel?) -> String { channel == .call ? "made" : "sent" }

    static func sends(_ group: Facts.Sends, to identifier: String?) -> String {
        let what = message(group.channel, marketing: group.marketing, count: group.times.count)
        let target = identifier.map { " to \(name($0))" } ?? ""
        let first = time(group.times.first ?? "")
        let last = time(group.times.last ?? "")
        let when = group.times.count == 1 ? "At \(first)" : "Between \(first) and \(last)"
        switch group.outcome {
        case .delivered:
            return "\(when) we \(verb(group.channel)) you \(what)\(target)."
        case .failed:
            let subject = group.times.count == 1 ? "it" : "they"
            return "\(when) we \(verb(group.channel)) you \(what)\(target), but \(subject) did not reach you."
        case .scheduled:
            let span = group.times.count == 1 ? "for \(first)" : "between \(first) and \(last)"
            return "We scheduled \(what)\(target) \(span)."
        }
    }

    static func violations(_ sends: [WhyAnswer.SendFact], to targets: [String?]) -> String {
        let apology = "We sincerely apologise. This has been recorded as a violation."
        if sends.count == 1, let send = sends.first {
            let channel = Channel(rawValue: send.channel)
            let what = message(channel, marketing: send.purpose != Purpose.transactional.rawValue, count: 1)
            let target = targets.first.flatMap { $0 }.map { " to \(name($0))" } ?? ""
            return "At \(time(send.sentAt)) we \(verb(channel)) you \(what)\(target), "
                + "although you had asked us to stop. " + apology
        }
        let marketing = sends.allSatisfy { $0.purpose != Purpose.transactional.rawValue }
        let first = time(sends.first?.sentAt ?? "")
        let last = time(sends.last?.sentAt ?? "")
        return "After you asked us to stop, we still sent you \(sends.count)\(marketing ? " advertising" : "") "
            + "messages between \(first) and \(last). " + apology
    }

    static func what(_ suppression: WhyAnswer.SuppressionFact?) -> String {
        suppression?.purpose == SuppressionPurpose.all.rawValue ? "advertising and all other messages" : "advertising"
    }

    static func lifted(_ suppression: WhyAnswer.SuppressionFact, about identifier: String?) -> String {
        let channel = Channel(rawValue: suppression.channel)
        let scope = channel.map(by) ?? "on any channel"
        let about = identifier.map { " concerning \(name($0))" } ?? ""
        let what =
            suppression.purpose == SuppressionPurpose.all.rawValue ? "advertising or any other message" : "advertising"
        return "From \(time(suppression.since)) to \(time(suppression.liftedAt ?? "")), at your request\(about), "
            + "we sent you no \(what) \(scope)."
    }

    static func stop(_ stop: Facts.Stop, about identifier: String?) -> String {
        let stopped = "we have stopped sending you \(what(stop.suppression)) \(scope(stop.channels))."
        if let id = stop.suppression?.requestID {
            let channel = stop.suppression.flatMap { Channel(rawValue: $0.channel) }.map { " " + by($0) } ?? ""
            let lead =
                switch stop.requestType.flatMap(RequestType.init(rawValue:)) {
                case nil, .objection, .withdrawConsent:
                    "You asked us to stop advertising\(channel)\(identifier.map { " to \(name($0))" } ?? "")"
                        + " (request \(id))."
                case .some(let type):
                    "You sent us \(article(requestType(type.rawValue)))"
                        + "\(identifier.map { " for \(name($0))" } ?? "") (request \(id))."
                }
            return lead + " So " + (stop.since.map { "since \(time($0)) " } ?? "") + stopped
        }
        let about = identifier.map { " concerning \(name($0))" } ?? ""
        if let since = stop.since {
            return "Since \(time(since)), at your request\(about), " + stopped
        }
        return "At your request\(about), " + stopped
    }

    static func noConsent(_ channels: [Channel]) -> String {
        if isEvery(channels) { return "You have not agreed to advertising on any channel, so we send you none." }
        return "You have not agreed to advertising \(scope(channels, or: true)), so we send you none that way."
    }

    static func doNotCall(_ number: String?, stopping channels: [Channel]) -> String {
        let subject = number.map { "The number \($0)" } ?? "Your phone number"
        return
            "\(subject) is on the national Do-Not-Call list, so we send it no advertising \(scope(channels, or: true))."
    }

    static func unexplained(_ channels: [Channel]) -> String {
        "At present we send you no advertising \(scope(channels, or: true))."
    }

    static let nothingOnAnyChannel = "So at present you receive no advertising from us on any channel."

    static func open(_ group: Facts.Open, still: Bool) -> String {
        var sentence = "You may \(still ? "still " : "")receive advertising \(scope(group.channels))"
        if let at = group.consentAt {
            sentence += ", because you agreed to it there"
            if !group.told { sentence += " at \(time(at))" }
        }
        return sentence + "."
    }

    static func request(_ request: WhyAnswer.RequestFact, for identifier: String?) -> String {
        let target = identifier.map { ", for \(name($0))" } ?? ""
        return "Your \(requestType(request.type)) (reference \(request.id)\(target)) \(state(request.state))."
    }

    static let objectEverywhere =
        "If you want no advertising on any channel, reply to this message with “No advertising”. "
        + "We will stop as soon as we receive it."
}
