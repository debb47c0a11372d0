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
        FileHandle.standardOutput.write(data + Data([0x0A]))
    }

    static func line(_ text: String) { print(text) }

    static func error(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Runs a command body: bad input exits 65 with `FILE:LINE: what is wrong`, anything refused or failed exits 1
    /// with one line on stderr.
    static func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ExitCode {
            throw error
        } catch let error as StoreError {
            if error.isBadInput {
                self.error(error.description)
                throw ExitCode(65)
            }
            self.error("rightsdesk: \(error.description)")
            throw ExitCode(1)
        } catch let error as CLIError {
            self.error(error.isBadInput ? error.message : "rightsdesk: \(error.message)")
            throw ExitCode(error.isBadInput ? 65 : 1)
        } catch {
            self.error("rightsdesk: \(error)")
            throw ExitCode(1)
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
        FileHandle.standardError.write(Data("\r\(label): \(rows) rows (\(rate) rows/s)".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
