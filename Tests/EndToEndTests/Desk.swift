import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A temporary installation driven through the built `rightsdesk` binary, as a user would drive it.
struct Desk {
    let directory: URL
    var database: String { directory.appendingPathComponent("desk.sqlite").path }

    init(initialise: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rightsdesk-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if initialise {
            let result = try run("init", "--org", "Công ty TNHH Ví Dụ")
            #expect(result.status == 0, "init failed: \(result.stderr)")
        }
    }

    /// The binary SwiftPM built beside the test bundle.
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["RIGHTSDESK_BIN"] { return path }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("rightsdesk").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/rightsdesk").path
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        func json() throws -> [String: Any] {
            let value = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
            guard let object = value as? [String: Any] else { throw DeskError.notAnObject(stdout) }
            return object
        }
    }

    enum DeskError: Error { case notAnObject(String) }

    @discardableResult
    func run(_ arguments: String...) throws -> Result { try run(arguments) }

    func run(_ arguments: [String]) throws -> Result { try run(arguments, environment: [:]) }

    /// Runs the binary with `environment` added to the process's own (and `RIGHTSDESK_DB`): delivery settings, an
    /// OA secret.
    func run(_ arguments: [String], environment extra: [String: String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Desk.binary)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = environment(adding: extra)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// The environment a command of this desk runs with: the process's own, `RIGHTSDESK_DB`, then `extra`.
    func environment(adding extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["RIGHTSDESK_DB"] = database
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// Writes `bytes` into the desk's folder and returns the path.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func file(_ name: String, _ text: String) throws -> String { try file(name, Array(text.utf8)) }

    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
    }

    /// The number of events on the audit chain, read through `audit verify --json`.
    func auditEvents() throws -> Int {
        let result = try run("audit", "verify", "--json")
        return (try result.json()["events"] as? Int) ?? -1
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    /// The rows `query` reads from the database, columns joined with `|`, through Python's own SQLite: what the
    /// files hold, whatever the binary shows.
    func sql(_ query: String) throws -> [String] {
        let process = Desk.python(
            "import sqlite3, sys\n"
                + "for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):\n"
                + "    print('|'.join(str(value) for value in row))\n",
            database, query)
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw DeskError.notAnObject("python3 could not read: \(query)") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// A Python process running `script` with `arguments`, not yet started.
    static func python(_ script: String, _ arguments: String...) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        return process
    }
}

/// Runs a command of `desk` with `--json` that must succeed and returns its document.
func json(_ desk: Desk, _ arguments: String...) throws -> [String: Any] {
    let result = try desk.run(arguments + ["--json"])
    #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
    return try result.json()
}
