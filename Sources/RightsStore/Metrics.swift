import Foundation
import GRDB
import RightsCore

/// The desk's operational figures, counted from the database when asked (so they are exact after a restart):
/// no personal data, only counts. The server exposes them through Prometheus (`ServerMetrics`).
public struct DeskMetrics: Sendable, Equatable {
    public var openRequestsByState: [String: Int] = [:]
    public var overdue = 0
    public var dueWithinTwoDays = 0
    /// Requests acknowledged after `ack_due`, and open ones still unacknowledged past it (Decree 356 Art. 5).
    public var acknowledgementsLate = 0
    public var gateRuns = 0
    public var gateExclusionsByReason: [String: Int] = [:]
    public var webhookEventsByOutcome: [String: Int] = [:]
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
            metrics.acknowledgementsLate =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM requests
                        WHERE acknowledged_at > ack_due
                            OR (acknowledged_at IS NULL AND \(open) AND ack_due < ?)
                        """, arguments: [ms(now)]) ?? 0
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
