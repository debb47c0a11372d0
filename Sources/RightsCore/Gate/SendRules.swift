import Foundation

/// The advertising limits of Decree 91/2020 per channel: allowed hours (Art. 13(6)) and frequency caps per
/// recipient in any rolling 24 hours (Art. 13(5)). Zalo follows the SMS limits by product policy (RULES-VN.md §3).
public enum SendRules {
    /// The allowed window in Vietnam time as half-open minutes of the day, or nil when any time is allowed.
    public static func window(for channel: Channel) -> Range<Int>? {
        switch channel {
        case .sms, .zalo: (7 * 60)..<(22 * 60)
        case .call: (8 * 60)..<(17 * 60)
        case .email: nil
        }
    }

    /// How many advertising messages one recipient may receive on `channel` in 24 hours.
    public static func cap(for channel: Channel) -> Int {
        switch channel {
        case .sms, .email, .zalo: 3
        case .call: 1
        }
    }

    public static let capWindow: TimeInterval = 24 * 3600

    public static let citation = "Decree 91/2020/ND-CP Art. 13(5)-(6)"

    /// Whether a marketing message may go out at `instant`.
    public static func isAllowed(_ channel: Channel, at instant: Date) -> Bool {
        guard let window = window(for: channel) else { return true }
        return window.contains(minuteOfDay(instant))
    }

    /// The first instant of the span `[start, end]` outside the allowed window, or nil when the whole span is
    /// inside it. Every message of a batch must fall inside (RULES-VN.md section 3): a batch from 21:00 to 08:00
    /// the next morning crosses the night even though both its ends are allowed. The window lies within one day,
    /// so a span that starts inside it stays inside exactly while it ends before that day's closing.
    public static func firstDisallowed(_ channel: Channel, from start: Date, through end: Date) -> Date? {
        guard let window = window(for: channel) else { return nil }
        if !isAllowed(channel, at: start) { return start }
        let closing = VietnamTime.startOfDay(VietnamTime.date(of: start)).addingTimeInterval(
            Double(window.upperBound * 60))
        return end >= closing ? closing : nil
    }

    /// The next instant at or after `instant` when the window is open.
    public static func nextAllowed(_ channel: Channel, after instant: Date) -> Date {
        guard let window = window(for: channel), !isAllowed(channel, at: instant) else { return instant }
        let day = VietnamTime.date(of: instant)
        let opening = VietnamTime.startOfDay(day).addingTimeInterval(Double(window.lowerBound * 60))
        return opening > instant ? opening : opening.addingTimeInterval(86400)
    }

    /// `07:00-22:00`, as a person reads the window.
    public static func describe(_ channel: Channel) -> String {
        guard let window = window(for: channel) else { return "any time" }
        func clock(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
        return "\(clock(window.lowerBound))-\(clock(window.upperBound)) Vietnam time"
    }

    private static func minuteOfDay(_ instant: Date) -> Int {
        let local = Int((instant.timeIntervalSince1970 + Double(VietnamTime.offsetSeconds)).rounded(.down))
        return ((local % 86400 + 86400) % 86400) / 60
    }
}
