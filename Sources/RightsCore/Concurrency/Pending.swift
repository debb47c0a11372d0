import Dispatch
import Synchronization

/// A result another thread delivers once: work started on another core while this one goes on, then waited for.
public final class Pending<Value: Sendable>: Sendable {
    private let result = Mutex<Result<Value, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    public init() {}

    /// Runs `work` on a global queue and delivers what it returns or throws.
    public static func start(_ work: @escaping @Sendable () throws -> Value) -> Pending<Value> {
        let pending = Pending<Value>()
        DispatchQueue.global().async { pending.finish(Result { try work() }) }
        return pending
    }

    public func finish(_ value: Result<Value, any Error>) {
        result.withLock { $0 = value }
        done.signal()
    }

    public func wait() throws -> Value {
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
