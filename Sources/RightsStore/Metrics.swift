import Foundation
import GRDB
import RightsCore

/// The desk's operational figures, counted from the database when asked (so they are exact after a restart):
/// no personal data, only counts.
public struct DeskMetrics: Sendable, Equatable {
    public var openRequestsByState: [String: Int] = [:]
    public var overdue = 0
    public var dueWithinTwoDays = 0
    public var gateRuns = 0
    public var gateExclusionsByReason: [String: Int] = [:]
    public var webhookEventsByOutcome: [String: Int] = [:]

    /// The Prometheus text exposition format (version 0.0.4).
    public var prometheusText: String {
        var lines: [String] = []
        func family(_ name: String, _ type: String, _ help: String) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
        }
        family("rightsdesk_requests_open", "gauge", "Open rights requests by state.")
        for state in ["received", "acknowledged", "verified"] {
            lines.append("rightsdesk_requests_open{state=\"\(state)\"} \(openRequestsByState[state] ?? 0)")
        }
        family("rightsdesk_requests_overdue", "gauge", "Open requests past their due time.")
        lines.append("rightsdesk_requests_overdue \(overdue)")
        family("rightsdesk_requests_due_within_2_days", "gauge", "Open requests due in the next 48 hours.")
        lines.append("rightsdesk_requests_due_within_2_days \(dueWithinTwoDays)")
        family("rightsdesk_gate_runs_total", "counter", "Send batches judged by the gate.")
        lines.append("rightsdesk_gate_runs_total \(gateRuns)")
        family("rightsdesk_gate_exclusions_total", "counter", "Recipients the gate excluded, by reason.")
        for reason in ExclusionReason.allCases {
            lines.append(
                "rightsdesk_gate_exclusions_total{reason=\"\(reason.rawValue)\"} "
                    + "\(gateExclusionsByReason[reason.rawValue] ?? 0)")
        }
        family("rightsdesk_webhook_events_total", "counter", "Zalo webhook events recorded, by outcome.")
        for (outcome, count) in webhookEventsByOutcome.sorted(by: { $0.key < $1.key }) {
            lines.append("rightsdesk_webhook_events_total{outcome=\"\(outcome)\"} \(count)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension RightsStore {
    public func metrics(now: Date) throws -> DeskMetrics {
        try read { db in
            var metrics = DeskMetrics()
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT state, count(*) AS n FROM requests
                    WHERE state IN ('received', 'acknowledged', 'verified') GROUP BY state
                    """)
            {
                metrics.openRequestsByState[row["state"]] = row["n"]
            }
            let open = "state IN ('received', 'acknowledged', 'verified')"
            metrics.overdue =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM requests WHERE \(open) AND due < ?", arguments: [ms(now)])
                ?? 0
            metrics.dueWithinTwoDays =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM requests WHERE \(open) AND due >= ? AND due < ?",
                    arguments: [ms(now), ms(now.addingTimeInterval(2 * 86400))]) ?? 0
            for excluded in try String.fetchAll(db, sql: "SELECT excluded FROM gate_runs") {
                metrics.gateRuns += 1
                if case .object(let counts)? = try? JSONValue(parsing: Array(excluded.utf8)) {
                    for (reason, value) in counts {
                        if case .int(let count) = value {
                            metrics.gateExclusionsByReason[reason, default: 0] += Int(count)
                        }
                    }
                }
            }
            for row in try Row.fetchAll(db, sql: "SELECT outcome, count(*) AS n FROM webhook_events GROUP BY outcome") {
                metrics.webhookEventsByOutcome[row["outcome"]] = row["n"]
            }
            return metrics
        }
    }
}
