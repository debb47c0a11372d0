import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsSamples
import RightsStore

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
/// memory is its own, beside two baselines from the same run: reading the CSV alone, and the `sqlite3` shell's
/// `.import` of the same file plus an index on the phone column (an import that can find a row again). Beside them,
/// the schema's floor: the shell writing the rows the import wrote into empty tables of the same schema. Then a
/// tenth as many new rows into an empty list and into the list that now holds the large file: per row, no slower.
struct ImportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import a generated N-row CSV; print rows/s and peak memory.")

    @Option(help: "Rows in the large file.") var rows: Int = 1_000_000
    @Option(help: "Where to put generated files and databases.") var dir: String = "bench-data"
    @Flag(help: "Instead: import the large file under a running server while objections are filed through its API.")
    var withWrites = false
    @Option(help: "The port the server listens on with --with-writes.") var port = 18_481

    func run() throws {
        try Output.run {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            if withWrites { return try runWithWrites(try generate(rows: rows)) }
            let small = max(rows / 10, 1)
            let largeFile = try generate(rows: rows)
            // Other people than the large file's (another seed), so that they are new to the full list.
            let smallFile = try generate(rows: small, seed: 8)
            Output.line("lists import benchmark: \(rows) rows (\(megabytes(largeFile)) MB), then \(small) more")
            Output.line(String(repeating: "-", count: 78))

            let parse = try measureParse(largeFile)
            report("CSV read only (baseline, in process)", rows: rows, seconds: parse, memoryKB: nil)

            var baseline: Double?
            if let sqlite = which("sqlite3") {
                let database = (dir as NSString).appendingPathComponent("baseline.sqlite")
                removeDatabase(database)
                let run = try measureChild(
                    sqlite,
                    [
                        database, "-cmd", ".mode csv", ".import \(largeFile) contacts",
                        "CREATE INDEX contacts_by_phone ON contacts(phone)",
                    ])
                if run.status == 0 {
                    baseline = run.seconds
                    report(
                        "sqlite3 .import + index (baseline)", rows: rows, seconds: run.seconds, memoryKB: run.maxRSSKB)
                }
                removeDatabase(database)
            } else {
                Output.line("sqlite3 shell not installed: its baseline is skipped (apt-get install sqlite3)")
            }

            let me = CommandLine.arguments[0]
            func freshDatabase(_ name: String) throws -> String {
                let database = (dir as NSString).appendingPathComponent(name)
                removeDatabase(database)
                guard try measureChild(me, ["init", "--db", database]).status == 0 else {
                    throw CLIError(message: "init failed in \(database)")
                }
                return database
            }
            let timings = (dir as NSString).appendingPathComponent("import-timings.txt")
            defer { try? FileManager.default.removeItem(atPath: timings) }
            /// The import in a child process; `steps`: its steps' times are printed under its line.
            func importFile(_ file: String, _ database: String, steps: Bool = false) throws -> (
                seconds: Double, maxRSSKB: Int, steps: [String]
            ) {
                let run = try measureChild(
                    me, ["lists", "import", file, "--list", "bench", "--db", database] + (steps ? ["--timings"] : []),
                    stderr: steps ? timings : nil)
                guard run.status == 0 else { throw CLIError(message: "the import exited \(run.status)") }
                let lines = steps ? (try String(contentsOfFile: timings, encoding: .utf8)).split(separator: "\n") : []
                return (run.seconds, run.maxRSSKB, lines.map { "    " + $0 })
            }
            // The small file's import is kept: its rows are the ones the floors copy below.
            let empty = try freshDatabase("bench-empty.sqlite")
            defer { removeDatabase(empty) }
            let intoEmpty = try importFile(smallFile, empty)
            let full = try freshDatabase("bench-\(rows).sqlite")
            defer { removeDatabase(full) }
            let large = try importFile(largeFile, full, steps: true)
            report(
                "rightsdesk lists import (\(rows) rows)", rows: rows, seconds: large.seconds, memoryKB: large.maxRSSKB)
            if let baseline { Output.line(String(format: "  %.1fx the sqlite3 baseline", large.seconds / baseline)) }
            /// The schema's floor for the rows imported in `imported`, copied into a fresh installation.
            func floorIntoFresh(_ imported: String) throws -> (seconds: Double, maxRSSKB: Int)? {
                let fresh = try freshDatabase("bench-floor.sqlite")
                defer { removeDatabase(fresh) }
                return try copyRows(from: imported, into: fresh)
            }
            let floor = try floorIntoFresh(full)
            if let floor {
                report(
                    "sqlite3 copying those rows (schema floor)", rows: rows, seconds: floor.seconds,
                    memoryKB: floor.maxRSSKB)
                Output.line(
                    String(format: "  the import is %.1fx the floor", large.seconds / floor.seconds)
                        + (baseline.map {
                            String(format: "; the floor is %.1fx the sqlite3 baseline", floor.seconds / $0)
                        }
                            ?? ""))
            }
            Output.line("  its steps:")
            for step in large.steps { Output.line(step) }
            // The same copy of the small file's rows, into empty tables and into a copy of the full list's: how much
            // slower SQLite's own inserts grow per row into a full list, beside the import's ratio.
            var smallFloors: (empty: Double, full: Double)?
            if floor != nil {
                let copy = (dir as NSString).appendingPathComponent("bench-floor-full.sqlite")
                removeDatabase(copy)
                defer { removeDatabase(copy) }
                for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: full + suffix) {
                    try FileManager.default.copyItem(atPath: full + suffix, toPath: copy + suffix)
                }
                try renumber(empty, after: copy)
                if let intoEmpty = try floorIntoFresh(empty),
                    let intoFull = try copyRows(from: empty, into: copy)
                {
                    smallFloors = (intoEmpty.seconds, intoFull.seconds)
                }
            }
            report(
                "\(small) rows into an empty list", rows: small, seconds: intoEmpty.seconds,
                memoryKB: intoEmpty.maxRSSKB)
            let intoFull = try importFile(smallFile, full)
            report(
                "\(small) rows into the \(rows)-entry list", rows: small, seconds: intoFull.seconds,
                memoryKB: intoFull.maxRSSKB)
            Output.line(
                String(format: "  per row, %.1fx the time into an empty list", intoFull.seconds / intoEmpty.seconds))
            if let smallFloors {
                Output.line(
                    String(
                        format: "  sqlite3 copying those rows: %.2f s into empty tables, %.2f s into the full"
                            + " list's (%.1fx per row)", smallFloors.empty, smallFloors.full,
                        smallFloors.full / smallFloors.empty))
            }
            Output.line(String(repeating: "-", count: 78))
            Output.line(
                "Targets: 1M rows with consents at most 1.5x the sqlite3 baseline; 10M rows in under 60 s and 1 GB;"
                    + " into a full list no slower per row than into an empty one.")
        }
    }

    /// `--with-writes`: `serve` runs on a fresh installation; the large file is imported by another process while
    /// this one files an objection through the API every 100 ms, as a desk would take them, and times each until
    /// the server answers. The baseline is the same filings with no import running, in the same run.
    private func runWithWrites(_ file: String) throws {
        let database = (dir as NSString).appendingPathComponent("with-writes.sqlite")
        removeDatabase(database)
        let me = CommandLine.arguments[0]
        guard try measureChild(me, ["init", "--db", database]).status == 0 else {
            throw CLIError(message: "init failed in \(database)")
        }
        let officer = try Installation.open(databasePath: database).store.addUser(
            "bench-officer", role: .officer, actor: "bench", now: Date()
        ).token
        let server = try spawnQuietly(me, ["serve", "--port", "\(port)", "--db", database])
        defer {
            _ = kill(server, SIGTERM)
            _ = waitForChild(server)
            removeDatabase(database)
        }
        guard waitForPort(port, timeout: 30) else { throw CLIError(message: "the server did not start") }
        let filer = ObjectionFiler(port: port, token: officer)
        Output.line("objections filed through the API while \(rows) rows are imported (\(megabytes(file)) MB)")
        Output.line(String(repeating: "-", count: 78))
        let quiet = filer.file(for: 5, while: { true })
        filer.report("objections, no import running (baseline)", quiet)

        let start = DispatchTime.now()
        let importer = try spawnQuietly(me, ["lists", "import", file, "--list", "bench", "--db", database])
        var finished: (status: Int32, maxRSSKB: Int)?
        let during = filer.file(for: .infinity) {
            finished = finished ?? pollChild(importer)
            return finished == nil
        }
        let result = finished ?? waitForChild(importer)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        guard result.status == 0 else { throw CLIError(message: "the import exited \(result.status)") }
        report("rightsdesk lists import, server running", rows: rows, seconds: seconds, memoryKB: result.maxRSSKB)
        filer.report("objections during the import", during)
        Output.line(String(repeating: "-", count: 78))
        Output.line(
            "Target: every objection recorded (201) within 1 s at the 99th percentile while a 5M-row import runs.")
        let failed = during.filter { $0.status != 201 }.count
        if failed > 0 { throw CLIError(message: "\(failed) objections were not recorded during the import") }
    }

    /// The tables an import writes, in the order it writes them: what a floor copies.
    private static let importedTables = [
        "lists", "imports", "consent_texts", "entries", "entry_identifiers", "consent_events", "person_links",
        "person_members",
    ]

    /// The schema's floor: the least an import of these rows could take in RightsDesk's tables. The `sqlite3` shell
    /// copies the rows an import wrote in `imported` (entries, other identifiers, consents, links, members) into
    /// `target`'s tables, in the order the import writes them, in one transaction, with the desk's own settings
    /// (full sync, secure delete, foreign keys, a 96 MB cache); rows `target` holds already are skipped, as an
    /// import skips them. What it leaves out is the import's own work: reading, checking and hashing the file,
    /// sorting it, and linking its people. Nil without the shell.
    private func copyRows(from imported: String, into target: String) throws -> (seconds: Double, maxRSSKB: Int)? {
        guard let sqlite = which("sqlite3") else { return nil }
        let sql =
            """
            PRAGMA synchronous = FULL; PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON;
            PRAGMA cache_size = -98304;
            ATTACH \(quoted(imported)) AS imported;
            BEGIN;
            """
            + Self.importedTables.map { "INSERT OR IGNORE INTO main.\($0) SELECT * FROM imported.\($0);" }.joined()
            + "COMMIT;"
        let run = try measureChild(sqlite, [target, sql])
        guard run.status == 0 else {
            throw CLIError(message: "sqlite3 could not copy the imported rows (\(run.status))")
        }
        return (run.seconds, run.maxRSSKB)
    }

    /// Numbers `imported`'s entries, consents and persons after `target`'s, as an import into `target` would have
    /// numbered them (untimed), so that `copyRows` appends them to `target` instead of skipping them.
    private func renumber(_ imported: String, after target: String) throws {
        guard let sqlite = which("sqlite3") else { return }
        let sql = """
            ATTACH \(quoted(target)) AS target;
            CREATE TEMP TABLE offsets AS SELECT
                (SELECT ifnull(max(id), 0) FROM target.entries) AS entry,
                (SELECT ifnull(max(id), 0) FROM target.consent_events) AS consent,
                (SELECT ifnull(max(person), 0) FROM target.person_members) AS person;
            BEGIN;
            UPDATE entries SET id = id + (SELECT entry FROM offsets);
            UPDATE entry_identifiers SET entry_id = entry_id + (SELECT entry FROM offsets);
            UPDATE consent_events SET id = id + (SELECT consent FROM offsets);
            UPDATE person_links SET person = person + (SELECT person FROM offsets);
            UPDATE person_members SET person = person + (SELECT person FROM offsets);
            COMMIT;
            """
        guard try measureChild(sqlite, [imported, sql]).status == 0 else {
            throw CLIError(message: "sqlite3 could not renumber the small file's rows")
        }
    }

    /// A path as an SQL string literal.
    private func quoted(_ path: String) -> String { "'" + path.replacingOccurrences(of: "'", with: "''") + "'" }

    private func generate(rows: Int, seed: UInt64 = 7) throws -> String {
        let path = (dir as NSString).appendingPathComponent("loyalty-\(rows)\(seed == 7 ? "" : "-\(seed)").csv")
        if FileManager.default.fileExists(atPath: path) { return path }
        let file = try AtomicFile(path: path)
        var samples = SampleContacts(seed: seed)
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
        Installation.removeFiles(databasePath: path)
    }

    private func which(_ tool: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// Runs a child process with its output discarded (its stderr kept in `stderr`, when given) and returns its exit
/// status, wall time and peak resident memory.
func measureChild(_ executable: String, _ arguments: [String], stderr: String? = nil) throws -> (
    status: Int32, seconds: Double, maxRSSKB: Int
) {
    let start = DispatchTime.now()
    let pid = try spawnQuietly(executable, arguments, stderr: stderr)
    let (status, maxRSSKB) = waitForChild(pid)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    return (status, seconds, maxRSSKB)
}

/// Starts a child process with its standard output discarded, and its error too unless written to `stderr` (0600).
func spawnQuietly(_ executable: String, _ arguments: [String], stderr: String? = nil) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    if let stderr {
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    } else {
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    }
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard spawned == 0 else {
        throw CLIError(message: "cannot run \(executable): \(String(cString: strerror(spawned)))")
    }
    return pid
}

/// Waits for a child; returns its exit status (128 + the signal when one ended it) and peak resident memory.
func waitForChild(_ pid: pid_t) -> (status: Int32, maxRSSKB: Int) {
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return (exitStatus, Int(usage.ru_maxrss))
}

/// Connects `socketFD` to 127.0.0.1:`port`; whether it connected.
func connectLoopback(_ socketFD: Int32, port: Int) -> Bool {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    } == 0
}

/// Whether something accepts connections on the loopback port within `timeout`.
func waitForPort(_ port: Int, timeout: TimeInterval) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let connected = connectLoopback(socketFD, port: port)
        close(socketFD)
        if connected { return true }
        usleep(100_000)
    }
    return false
}

/// The child's status and peak memory if it has ended, without waiting.
func pollChild(_ pid: pid_t) -> (status: Int32, maxRSSKB: Int)? {
    var status: Int32 = 0
    var usage = rusage()
    guard wait4(pid, &status, WNOHANG, &usage) == pid else { return nil }
    let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return (exitStatus, Int(usage.ru_maxrss))
}

/// Files objections through `POST /api/v1/requests` on loopback, one every 100 ms whether or not the earlier ones
/// were answered (as people file them), each on its own connection, and times each from the first byte sent to the
/// status line received.
struct ObjectionFiler: Sendable {
    let port: Int
    let token: String

    struct Filing: Sendable {
        var status: Int
        var seconds: Double
    }

    /// The filings made so far, from whichever thread made them.
    private final class Filings: @unchecked Sendable {
        private let lock = NSLock()
        private var filings: [Filing] = []
        func add(_ filing: Filing) { lock.withLock { filings.append(filing) } }
        var all: [Filing] { lock.withLock { filings } }
    }

    /// Files for `seconds`, or until `going` says stop; then waits for every answer.
    func file(for seconds: Double, while going: () -> Bool) -> [Filing] {
        let filings = Filings()
        let group = DispatchGroup()
        let queue = DispatchQueue(label: "bench.filings", attributes: .concurrent)
        let end = Date().addingTimeInterval(seconds)
        var counter = 0
        while Date() < end, going() {
            counter += 1
            let subject = String(format: "0355%06d", counter % 1_000_000)
            queue.async(group: group) {
                filings.add((try? post(subject: subject)) ?? Filing(status: 0, seconds: 0))
            }
            usleep(100_000)
        }
        group.wait()
        return filings.all
    }

    func report(_ label: String, _ filings: [Filing]) {
        let times = filings.map(\.seconds).sorted()
        guard !times.isEmpty else { return Output.line("\(label): none filed") }
        func percentile(_ p: Double) -> Double { times[min(times.count - 1, Int(Double(times.count) * p))] * 1000 }
        let failed = filings.filter { $0.status != 201 }.count
        let padded = label.padding(toLength: 46, withPad: " ", startingAt: 0)
        Output.line(
            padded
                + String(
                    format: " %5d filed  p50 %6.1f ms  p99 %7.1f ms  max %7.1f ms  %d not 201", filings.count,
                    percentile(0.5), percentile(0.99), times.last! * 1000, failed))
    }

    private func post(subject: String) throws -> Filing {
        let body = #"{"type":"objection","subjects":["\#(subject)"],"channel":"zalo","name":"Nguyễn Thị Lan"}"#
        let request =
            "POST /api/v1/requests HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw CLIError(message: "no socket: \(String(cString: strerror(errno)))") }
        defer { close(socketFD) }
        var timeout = timeval(tv_sec: 180, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let start = DispatchTime.now()
        guard connectLoopback(socketFD, port: port) else {
            throw CLIError(message: "cannot connect to the server on port \(port)")
        }
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(socketFD, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            throw CLIError(message: "the server did not take the request")
        }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !reply.contains(0x0A) {
            let count = buffer.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            reply += buffer[0..<count]
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        // "HTTP/1.1 201 Created": the code is the second word.
        let words = String(decoding: reply.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self).split(separator: " ")
        return Filing(status: words.count > 1 ? Int(words[1]) ?? 0 : 0, seconds: seconds)
    }
}
