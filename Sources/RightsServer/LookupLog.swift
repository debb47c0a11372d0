import Foundation
import RightsCore
import RightsStore
import Synchronization

/// Who looked up whose data, kept in memory and written to the `lookups` table in batches: a lookup costs a
/// buffer append on the request path, not a write (ISSUE: "logged per user in a batched access log, not as chain
/// writes on the request path"). A batch is due when it holds `batchSize` lookups or is a second old; it is written
/// on a queue of its own, so no request waits for it, and whatever is pending is written when the server stops.
public final class LookupLog: Sendable {
    private struct Pending {
        var lookups: [(user: String, kind: String, identifier: Identifier?, at: Date)] = []
        var since = Date()
    }

    private let store: RightsStore
    private let pending = Mutex(Pending())
    private let batchSize: Int
    /// Writes batches one at a time, off the event loops.
    private let writer = DispatchQueue(label: "rightsdesk.lookups")

    public init(store: RightsStore, batchSize: Int = 256) {
        self.store = store
        self.batchSize = batchSize
    }

    /// Notes one lookup; writes the batch when it is due.
    public func record(user: String, kind: String, identifier: Identifier?, at now: Date) {
        let due = pending.withLock { state -> [(user: String, kind: String, identifier: Identifier?, at: Date)]? in
            if state.lookups.isEmpty { state.since = now }
            state.lookups.append((user, kind, identifier, now))
            guard state.lookups.count >= batchSize || now.timeIntervalSince(state.since) >= 1 else { return nil }
            defer { state.lookups.removeAll(keepingCapacity: true) }
            return state.lookups
        }
        if let due { writer.async { self.write(due) } }
    }

    /// Writes whatever is pending, after the batches already handed to the writer (at shutdown, and in tests).
    public func flush() {
        writer.sync {
            let due = pending.withLock { state in
                defer { state.lookups.removeAll() }
                return state.lookups
            }
            write(due)
        }
    }

    private func write(_ lookups: [(user: String, kind: String, identifier: Identifier?, at: Date)]) {
        // A failed write of the access log must not fail the lookup the person is waiting for; it is retried with
        // the next batch.
        do {
            try store.recordLookups(lookups)
        } catch {
            pending.withLock { $0.lookups.insert(contentsOf: lookups, at: 0) }
        }
    }
}
