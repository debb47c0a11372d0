import Foundation
import RightsCore
import RightsStore

/// The officer's morning mail (`rightsdesk remind`, and `serve` at 08:00 Vietnam time on working days): every
/// request still to acknowledge (late ones and those due today first, marked), what is overdue, what falls due
/// within three days.
public struct Reminders: Sendable {
    public struct Item: Sendable, Equatable {
        public var id: String
        public var type: RequestType
        /// The person's name, else their first identifier masked: the mail leaves the desk.
        public var person: String
        public var date: LocalDate
        /// For an acknowledgement: already late, or due today.
        public var late = false
        public var today = false
    }

    public var acknowledgements: [Item] = []
    public var overdue: [Item] = []
    public var dueSoon: [Item] = []
    public var asOf: Date

    public var isEmpty: Bool { acknowledgements.isEmpty && overdue.isEmpty && dueSoon.isEmpty }

    /// How far ahead "due soon" looks, in days.
    public static let horizon = 3

    public static func gather(_ store: RightsStore, asOf: Date) throws -> Reminders {
        var reminders = Reminders(asOf: asOf)
        let today = VietnamTime.date(of: asOf)
        let open = try store.requestList(RequestFilter(asOf: asOf)).filter { $0.request.state.isOpen }
        func item(_ entry: RequestListItem, _ date: String) -> Item {
            let person =
                entry.name.flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }
                ?? entry.subjects.first.map { MaskedIdentifier.mask($0.identifier) } ?? "—"
            return Item(
                id: entry.request.id, type: entry.request.type, person: person, date: LocalDate(date) ?? today)
        }
        for entry in open {
            if entry.acknowledgedAt == nil {
                var pending = item(entry, entry.request.ackDueDate)
                pending.late = entry.ackLate
                pending.today = !entry.ackLate && pending.date == today
                reminders.acknowledgements.append(pending)
            }
            if entry.daysLeft < 0 || (Timestamp.parse(entry.request.due).map { $0 < asOf } ?? false) {
                reminders.overdue.append(item(entry, entry.request.dueDate))
            } else if entry.daysLeft <= horizon {
                reminders.dueSoon.append(item(entry, entry.request.dueDate))
            }
        }
        // Late first, then due today, then by date.
        reminders.acknowledgements.sort {
            ($0.late ? 0 : $0.today ? 1 : 2, $0.date) < ($1.late ? 0 : $1.today ? 1 : 2, $1.date)
        }
        return reminders
    }

    /// Acknowledgements late or due today: what the subject line counts as urgent.
    public var urgentAcknowledgements: Int { acknowledgements.count { $0.late || $0.today } }

    /// The mail in Vietnamese: a subject with the counts, then one line per request.
    public func mail(organization: String) -> (subject: String, text: String) {
        let day = VietnamDates.day(VietnamTime.date(of: asOf), language: .vietnamese)
        let subject =
            "\(organization): nhắc việc ngày \(day) — \(urgentAcknowledgements) cần xác nhận ngay, \(overdue.count) quá hạn, "
            + "\(dueSoon.count) sắp đến hạn"
        var lines = ["Bản tin nhắc việc bảo vệ dữ liệu cá nhân ngày \(day).", ""]
        func section(_ title: String, _ items: [Item], _ label: String) {
            lines.append("\(title) (\(items.count)):")
            if items.isEmpty { lines.append("  Không có.") }
            for item in items {
                let mark = item.late ? " (đã trễ)" : item.today ? " (hôm nay)" : ""
                lines.append(
                    "  \(item.id) · \(Vocabulary.requestType(item.type, .vietnamese)) · \(item.person) · \(label) "
                        + VietnamDates.day(item.date, language: .vietnamese) + mark)
            }
            lines.append("")
        }
        section("Chưa xác nhận đã nhận yêu cầu", acknowledgements, "hạn xác nhận")
        section("Đã quá hạn giải quyết", overdue, "hạn chót")
        section("Sắp đến hạn trong \(Self.horizon) ngày", dueSoon, "hạn chót")
        lines.append("Thư này do RightsDesk gửi tự động cho cán bộ phụ trách; không chuyển tiếp cho người ngoài.")
        return (subject, lines.joined(separator: "\n") + "\n")
    }

    /// Sends the digest to staff by mail and records it on the chain (counts only).
    @discardableResult
    public static func send(
        _ store: RightsStore, configuration: DeliveryConfiguration, to recipients: [String], asOf: Date,
        actor: String
    ) async throws -> (reminders: Reminders, reply: SMTPReply) {
        guard let server = configuration.smtp, let from = configuration.mailFrom else {
            throw SMTPError.permanent("mail is not configured (RIGHTSDESK_SMTP_URL, RIGHTSDESK_MAIL_FROM)")
        }
        let reminders = try gather(store, asOf: asOf)
        let organization = try store.organizationRecord().name
        let (subject, text) = reminders.mail(organization: organization.isEmpty ? "RightsDesk" : organization)
        let message = MailMessage(
            from: from, fromName: organization.isEmpty ? nil : organization, to: recipients.joined(separator: ", "),
            subject: subject, text: text, messageID: "<digest-\(UUID().uuidString.lowercased())@rightsdesk>",
            date: asOf)
        let reply = try await SMTPClient(server: server).send(message.rendered(), from: from, to: recipients)
        try store.recordDigest(
            recipients: recipients.count, acknowledgements: reminders.acknowledgements.count,
            overdue: reminders.overdue.count, dueSoon: reminders.dueSoon.count, actor: actor, now: asOf)
        return (reminders, reply)
    }

    /// When `serve` sends the day's digest: 08:00 Vietnam time on a working day, once (remembered in the
    /// database, so a restart at 08:30 sends it once and one at 09:00 the next day too).
    public static func isDue(_ store: RightsStore, at now: Date) throws -> Bool {
        let today = VietnamTime.date(of: now)
        guard try store.holidays().isWorkingDay(today) else { return false }
        guard now >= VietnamTime.startOfDay(today).addingTimeInterval(8 * 3600) else { return false }
        return try store.lastDigestDay() != today
    }
}
