import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsSamples

#if canImport(Glibc)
    import Glibc
#endif

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure throughput and memory on generated data, against baselines in the same run.",
        subcommands: [ImportBench.self, GateBench.self, EvidenceBench.self, ServeBench.self],
        defaultSubcommand: ImportBench.self)
}

/// `bench import`: a generated loyalty export imported by the real command, in a child process so that its peak
/// memory is its own, beside two baselines: reading the CSV alone, and the `sqlite3` shell's plain `.import`.
struct ImportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import a generated N-row CSV; print rows/s and peak memory.")

    @Option(help: "Rows in the large file.") var rows: Int = 1_000_000
    @Option(help: "Where to put generated files and databases.") var dir: String = "bench-data"

    func run() throws {
        try Output.run {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let small = max(rows / 10, 1)
            let largeFile = try generate(rows: rows)
            let smallFile = try generate(rows: small)
            Output.line("lists import benchmark: \(rows) rows (\(megabytes(largeFile)) MB) and \(small) rows")
            Output.line(String(repeating: "-", count: 78))

            let parse = try measureParse(largeFile)
            report("CSV read only (baseline, in process)", rows: rows, seconds: parse, memoryKB: nil)

            if let sqlite = which("sqlite3") {
                let database = (dir as NSString).appendingPathComponent("baseline.sqlite")
                removeDatabase(database)
                let run = try measureChild(sqlite, [database, "-cmd", ".mode csv", ".import \(largeFile) contacts"])
                if run.status == 0 {
                    report(
                        "sqlite3 shell .import, no checks (baseline)", rows: rows, seconds: run.seconds,
                        memoryKB: run.maxRSSKB)
                }
                removeDatabase(database)
            } else {
                Output.line("sqlite3 shell not installed: its baseline is skipped (apt-get install sqlite3)")
            }

            for (file, count) in [(smallFile, small), (largeFile, rows)] {
                let database = (dir as NSString).appendingPathComponent("bench-\(count).sqlite")
                removeDatabase(database)
                let me = CommandLine.arguments[0]
                guard try measureChild(me, ["init", "--db", database]).status == 0 else {
                    throw CLIError(message: "init failed in \(database)")
                }
                let run = try measureChild(
                    me, ["lists", "import", file, "--list", "bench", "--db", database, "--json"])
                guard run.status == 0 else { throw CLIError(message: "the import exited \(run.status)") }
                report(
                    "rightsdesk lists import (\(count) rows)", rows: count, seconds: run.seconds, memoryKB: run.maxRSSKB
                )
                removeDatabase(database)
            }
            Output.line(String(repeating: "-", count: 78))
            Output.line("Target: ≥ 300,000 rows/s for 1,000,000 rows on one core; peak memory flat in the file size.")
        }
    }

    private func generate(rows: Int) throws -> String {
        let path = (dir as NSString).appendingPathComponent("loyalty-\(rows).csv")
        if FileManager.default.fileExists(atPath: path) { return path }
        let file = try AtomicFile(path: path)
        var samples = SampleContacts(seed: 7)
        try samples.loyaltyCSV(rows: rows, sink: file.write)
        try file.commit()
        return path
    }

    private func measureParse(_ path: String) throws -> Double {
        let start = DispatchTime.now()
        let chunks = try FileChunks(path: path)
        let reader = CSVReader(source: chunks.next)
        var record = CSVRecord()
        var count = 0
        while try reader.next(into: &record) { count += 1 }
        return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    private func report(_ label: String, rows: Int, seconds: Double, memoryKB: Int?) {
        let rate = Int(Double(rows) / seconds)
        let memory = memoryKB.map { String(format: "%7.1f MB peak", Double($0) / 1024) } ?? "             "
        let padded = label.padding(toLength: 46, withPad: " ", startingAt: 0)
        Output.line("\(padded) \(String(format: "%7.2f s", seconds))  \(String(format: "%9d", rate)) rows/s  \(memory)")
    }

    private func megabytes(_ path: String) -> String {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return String(format: "%.1f", Double(size) / 1_048_576)
    }

    private func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm", ".keys"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    private func which(_ tool: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// Runs a child process with its output discarded and returns its exit status, wall time and peak resident memory.
func measureChild(_ executable: String, _ arguments: [String]) throws -> (status: Int32, seconds: Double, maxRSSKB: Int)
{
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let start = DispatchTime.now()
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else {
        throw CLIError(message: "cannot run \(executable): \(String(cString: strerror(spawned)))")
    }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return (exitStatus, seconds, Int(usage.ru_maxrss))
}
