import RightsCore

/// The answer a support agent pastes into a Zalo chat, in Vietnamese and English.
enum WhyExplanation {
    static func text(_ answer: WhyAnswer) -> [String: String] {
        ["vi": vietnamese(answer), "en": english(answer)]
    }

    private static func vietnamese(_ answer: WhyAnswer) -> String {
        var parts: [String] = []
        if answer.lists.isEmpty && answer.sends.isEmpty && answer.suppressions.isEmpty && answer.requests.isEmpty {
            return "Chúng tôi không lưu giữ dữ liệu nào gắn với \(answer.identifier)."
        }
        for list in answer.lists {
            var sentence = "Số/địa chỉ \(answer.identifier) có trong danh sách \"\(list.list)\""
            if let source = list.source { sentence += " (nguồn: \(source))" }
            sentence += ", được nhập lúc \(list.importedAt)"
            if let consent = list.consent {
                sentence +=
                    "; Quý khách đã đồng ý nhận tin qua \(consent.channels.joined(separator: ", ")) lúc \(consent.at)"
                if let method = consent.method { sentence += " (hình thức: \(method))" }
            } else {
                sentence += "; danh sách này không ghi nhận sự đồng ý nhận quảng cáo của Quý khách"
            }
            parts.append(sentence + ".")
        }
        for send in answer.sends {
            var sentence = "Tin thuộc chiến dịch \"\(send.campaign)\" qua \(send.channel) lúc \(send.sentAt)"
            sentence += send.delivered ? " đã được gửi" : " không đến được Quý khách"
            if send.afterSuppression && send.delivered {
                sentence += "; tin này được gửi sau khi Quý khách đã từ chối, chúng tôi xin lỗi và đã ghi nhận vi phạm"
            }
            parts.append(sentence + ".")
        }
        for suppression in answer.suppressions where suppression.liftedAt == nil {
            let scope = suppression.purpose == "all" ? "mọi tin nhắn" : "tin quảng cáo"
            parts.append(
                "Từ \(suppression.since), chúng tôi đã ngừng gửi \(scope) cho Quý khách (\(suppression.reason)).")
        }
        if answer.dnc {
            parts.append("Số này có trong Danh sách không quảng cáo; chúng tôi không gửi quảng cáo đến số này.")
        }
        for request in answer.requests {
            parts.append("Yêu cầu \(request.id) của Quý khách đang ở trạng thái: \(vietnameseState(request.state)).")
        }
        return parts.joined(separator: " ")
    }

    private static func english(_ answer: WhyAnswer) -> String {
        var parts: [String] = []
        if answer.lists.isEmpty && answer.sends.isEmpty && answer.suppressions.isEmpty && answer.requests.isEmpty {
            return "We hold no data about \(answer.identifier)."
        }
        for list in answer.lists {
            var sentence = "\(answer.identifier) is in the list \"\(list.list)\""
            if let source = list.source { sentence += " (source: \(source))" }
            sentence += ", imported at \(list.importedAt)"
            if let consent = list.consent {
                sentence +=
                    "; you consented to messages by \(consent.channels.joined(separator: ", ")) at \(consent.at)"
                if let method = consent.method { sentence += " (\(method))" }
            } else {
                sentence += "; that list records no consent from you to advertising"
            }
            parts.append(sentence + ".")
        }
        for send in answer.sends {
            var sentence = "A message of the campaign \"\(send.campaign)\" by \(send.channel) at \(send.sentAt)"
            sentence += send.delivered ? " was delivered" : " did not reach you"
            if send.afterSuppression && send.delivered {
                sentence += "; it was sent after you had refused, which we recorded as a violation, and we apologise"
            }
            parts.append(sentence + ".")
        }
        for suppression in answer.suppressions where suppression.liftedAt == nil {
            let scope = suppression.purpose == "all" ? "all messages" : "advertising"
            parts.append("Since \(suppression.since) we have stopped sending you \(scope) (\(suppression.reason)).")
        }
        if answer.dnc { parts.append("This number is on the Do-Not-Call list; we send it no advertising.") }
        for request in answer.requests { parts.append("Your request \(request.id) is \(request.state).") }
        return parts.joined(separator: " ")
    }

    private static func vietnameseState(_ state: String) -> String {
        switch state {
        case "received": "đã tiếp nhận"
        case "acknowledged": "đã xác nhận tiếp nhận"
        case "verified": "đã xác minh danh tính"
        case "completed": "đã hoàn thành"
        case "rejected": "đã từ chối"
        case "withdrawn": "đã rút lại"
        default: state
        }
    }
}
