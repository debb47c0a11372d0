import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsStore

#if canImport(Glibc)
    import Glibc
#endif

/// Writing results and mapping failures to the exit codes of CONTRACT.md.
enum Output {
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        write(Array(data) + [0x0A])
    }

    static func line(_ text: String) { write(Array((text + "\n").utf8)) }

    /// Writes to standard output; one that cannot be written (a closed pipe, a full disk) ends the command with
    /// exit 1 and a sentence, never a signal or a crash. SIGPIPE is ignored from `main`, so a closed pipe is EPIPE.
    static func write(_ bytes: [UInt8]) {
        guard !write(bytes, to: STDOUT_FILENO) else { return }
        let reason = String(cString: strerror(errno))
        error("cannot write to standard output: \(reason)")
        exit(1)
    }

    static func error(_ text: String) { _ = write(Array((text + "\n").utf8), to: STDERR_FILENO) }

    /// Writes all of `bytes` to `descriptor` (unbuffered, so nothing is lost at exit); false on an error.
    fileprivate static func write(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(descriptor, base + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Runs a command body: bad input exits 65 with `FILE:LINE: what is wrong`, anything refused or failed exits 1
    /// with one line on stderr.
    static func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw exitCode(reporting: error)
        }
    }

    /// `run` for work that waits (delivery of a letter).
    static func runAsync<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw exitCode(reporting: error)
        }
    }

    /// Says on stderr why the command failed and gives its exit code: 65 for bad input, 1 otherwise.
    static func exitCode(reporting error: any Error) -> ExitCode {
        switch error {
        case let error as ExitCode:
            return error
        case let error as StoreError:
            switch error.kind {
            case .badInput:
                self.error(error.description)
                return ExitCode(65)
            case .notFound, .conflict, .failure:
                self.error("rightsdesk: \(error.description)")
                return ExitCode(1)
            }
        case let error as CLIError:
            self.error(error.isBadInput ? error.message : "rightsdesk: \(error.message)")
            return ExitCode(error.isBadInput ? 65 : 1)
        default:
            self.error("rightsdesk: \(error)")
            return ExitCode(1)
        }
    }
}

/// A failure the command line itself detects.
struct CLIError: Error {
    var message: String
    var isBadInput = false

    static func badInput(_ message: String) -> CLIError { CLIError(message: message, isBadInput: true) }
}

/// Progress on stderr when it is a terminal, nothing otherwise (CONTRACT.md conventions).
struct Progress {
    let label: String
    let enabled = Output.stderrIsTerminal
    let start = Date()

    func report(_ rows: Int) {
        guard enabled else { return }
        let seconds = Date().timeIntervalSince(start)
        let rate = seconds > 0 ? Int(Double(rows) / seconds) : 0
        _ = Output.write(Array("\r\(label): \(rows) rows (\(rate) rows/s)".utf8), to: STDERR_FILENO)
    }

    /// An import's progress: the rows read, then how much of what they make is written.
    func report(_ progress: ImportProgress) {
        switch progress {
        case .read(let rows): report(rows)
        case .written(let done, let total):
            guard enabled else { return }
            let percent = total > 0 ? min(100, done * 100 / total) : 100
            _ = Output.write(Array("\r\u{1B}[K\(label): writing, \(percent)% done".utf8), to: STDERR_FILENO)
        case .step: break
        }
    }

    func finish() {
        guard enabled else { return }
        _ = Output.write(Array("\r\u{1B}[K".utf8), to: STDERR_FILENO)
    }
}
