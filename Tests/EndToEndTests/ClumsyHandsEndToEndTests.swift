import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What a tired officer types by mistake must not lose data: an export onto the database or its key file, a gate
/// whose two outputs are one file or whose output folder does not exist. And what the desk writes stays private and
/// safe to open in a spreadsheet.
@Suite("clumsy hands and hostile cells, end to end")
struct ClumsyHandsEndToEndTests {
    func mode(_ path: String) -> mode_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : 0
    }

    func desk() throws -> Desk {
        let desk = try Desk()
        let list = try desk.file(
            "khach.csv",
            "phone,ho_ten,ghi_chu\n0912345678,Nguyễn Thị Lan,\"=HYPERLINK(\"\"http://x.example\"\",\"\"bấm\"\")\"\n"
                + "0903000111,Trần Văn Bình,@SUM(A1)\n0904000222,Lê Hoa,-2+3\n")
        #expect(try desk.run("lists", "import", list, "--list", "khach").status == 0)
        return desk
    }

    @Test("an export onto the database, its WAL or its key file is refused, by any path, and nothing is lost")
    func outputOntoTheInstallation() throws {
        let desk = try desk()
        defer { desk.cleanUp() }
        let key = desk.database + ".keys"
        let before = try Data(contentsOf: URL(fileURLWithPath: key))
        try FileManager.default.createSymbolicLink(
            atPath: desk.directory.appendingPathComponent("link.csv").path, withDestinationPath: desk.database)
        for target in [
            desk.database, "./desk.sqlite", "x/../desk.sqlite.keys", key, "link.csv", desk.database + "-wal",
        ] {
            try? FileManager.default.createDirectory(
                at: desk.directory.appendingPathComponent("x"), withIntermediateDirectories: true)
            for command in [
                ["lists", "export", "khach", "--purpose", "transactional", "--out", target],
                ["suppress", "export", "--channel", "sms", "--out", target],
            ] {
                let result = try desk.run(command)
                #expect(result.status == 1, "\(command.joined(separator: " ")) exited \(result.status)")
                #expect(result.stderr.contains("of the installation"), "\(result.stderr)")
            }
            let gate = try desk.run(
                "gate", desk.directory.appendingPathComponent("khach.csv").path, "--channel", "sms", "--purpose",
                "transactional", "--at", "2026-06-02T10:00:00+07:00", "--dry-run", "--out", target, "--excluded",
                "refused.csv")
            #expect(gate.status == 1 && gate.stderr.contains("of the installation"), "\(gate.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: key)) == before)
        #expect(try desk.run("lists", "show", "khach").status == 0)
        #expect(try desk.run("audit", "verify").status == 0)
    }

    @Test("a gate's outputs must be distinct files; an output that cannot be written fails cleanly and leaves nothing")
    func gateOutputs() throws {
        let desk = try desk()
        defer { desk.cleanUp() }
        let batch = desk.directory.appendingPathComponent("khach.csv").path
        let common = [
            "--channel", "sms", "--purpose", "transactional", "--at", "2026-06-02T10:00:00+07:00", "--dry-run",
        ]
        let same = try desk.run(["gate", batch] + common + ["--out", "a.csv", "--excluded", "./a.csv"])
        #expect(same.status == 64 && same.stderr.contains("three different files"), "\(same.stderr)")
        let ontoInput = try desk.run(["gate", batch] + common + ["--out", batch, "--excluded", "r.csv"])
        #expect(ontoInput.status == 64, "\(ontoInput.stderr)")
        let missing = try desk.run(["gate", batch] + common + ["--out", "a.csv", "--excluded", "nowhere/r.csv"])
        #expect(missing.status == 1 && missing.stderr.contains("cannot write nowhere/r.csv"), "\(missing.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: desk.directory.path)
        #expect(!left.contains { $0.hasPrefix("a.csv") }, "left behind: \(left)")
    }

    @Test("exports and the database are the owner's alone; formula cells are written as text, numbers as they are")
    func privateAndSafeFiles() throws {
        let desk = try desk()
        defer { desk.cleanUp() }
        #expect(try desk.run("lists", "export", "khach", "--purpose", "transactional", "--out", "out.csv").status == 0)
        let out = desk.directory.appendingPathComponent("out.csv").path
        #expect(mode(out) == 0o600 && mode(desk.database) == 0o600, "\(String(mode(out), radix: 8))")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("\"'=HYPERLINK(\"\"http://x.example\"\",\"\"bấm\"\")\""), "\(text)")
        #expect(text.contains(",'@SUM(A1),") && text.contains(",'-2+3,"))
        #expect(text.contains(",+84912345678") && !text.contains("'+84"))
        #expect(
            try desk.run("lists", "export", "khach", "--purpose", "transactional", "--raw", "--out", "raw.csv").status
                == 0)
        let raw = try String(contentsOfFile: desk.directory.appendingPathComponent("raw.csv").path, encoding: .utf8)
        #expect(raw.contains(",@SUM(A1),") && !raw.contains("'@"))
        // A gate's refused rows echo an invalid identifier as typed: as text, never as a formula.
        let batch = try desk.file("batch.csv", "phone\n=cmd|' /C calc'!A0\n0912345678\n")
        let gate = try desk.run(
            "gate", batch, "--channel", "sms", "--purpose", "transactional", "--at", "2026-06-02T10:00:00+07:00",
            "--dry-run", "--out", "clean.csv", "--excluded", "refused.csv")
        #expect(gate.status == 0, "\(gate.stderr)")
        let refused = try String(
            contentsOfFile: desk.directory.appendingPathComponent("refused.csv").path, encoding: .utf8)
        #expect(refused.contains("'=cmd|' /C calc'!A0") && !refused.contains(",=cmd"), "\(refused)")
        #expect(mode(desk.directory.appendingPathComponent("refused.csv").path) == 0o600)
    }

    /// Runs the binary with its standard output sent to `output`.
    func run(_ desk: Desk, _ arguments: [String], stdout output: FileHandle) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Desk.binary)
        process.arguments = arguments
        process.currentDirectoryURL = desk.directory
        process.environment = ProcessInfo.processInfo.environment.merging(["RIGHTSDESK_DB": desk.database]) { $1 }
        let err = Pipe()
        process.standardOutput = output
        process.standardError = err
        try process.run()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let signalled = process.terminationReason == .uncaughtSignal
        return (
            signalled ? -process.terminationStatus : process.terminationStatus, String(decoding: stderr, as: UTF8.self)
        )
    }

    @Test("standard output that cannot be written (a closed pipe, a full disk) is exit 1 with a sentence, not a signal")
    func unwritableStandardOutput() throws {
        let desk = try desk()
        defer { desk.cleanUp() }
        let closed = Pipe()
        try closed.fileHandleForReading.close()
        let pipe = try run(desk, ["keys", "show"], stdout: closed.fileHandleForWriting)
        #expect(pipe.status == 1 && pipe.stderr.contains("cannot write to standard output"), "\(pipe)")
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let disk = try run(desk, ["lists", "show", "khach", "--json"], stdout: full)
        #expect(disk.status == 1 && disk.stderr.contains("No space left"), "\(disk)")
    }

    @Test("a key file others can read is refused with the command that fixes it")
    func keyFileReadableByOthers() throws {
        let desk = try desk()
        defer { desk.cleanUp() }
        let key = desk.database + ".keys"
        #expect(mode(key) == 0o600)
        #expect(chmod(key, 0o644) == 0)
        let refused = try desk.run("lists", "show", "khach")
        #expect(refused.status == 1 && refused.stderr.contains("chmod 600 \(key)"), "\(refused.stderr)")
        #expect(chmod(key, 0o600) == 0)
        #expect(try desk.run("lists", "show", "khach").status == 0)
    }

    @Test("restore refuses while a server holds the database, and works once it has stopped")
    func restoreWhileServing() throws {
        let desk = try desk()
        defer { desk.cleanUp() }
        let backup = desk.directory.appendingPathComponent("desk.backup").path
        #expect(try desk.run("backup", "--out", backup).status == 0)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Desk.binary)
        server.arguments = ["serve", "--port", String(Int.random(in: 20_000..<60_000))]
        server.currentDirectoryURL = desk.directory
        server.environment = ProcessInfo.processInfo.environment.merging(["RIGHTSDESK_DB": desk.database]) { $1 }
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        // Held once `flock -n -x` on the database fails: the server has opened the installation.
        var held = false
        for _ in 0..<100 where !held {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
            probe.arguments = ["-n", "-x", desk.database, "true"]
            try probe.run()
            probe.waitUntilExit()
            held = probe.terminationStatus != 0
            if !held { usleep(100_000) }
        }
        #expect(held, "the server never took its lock")
        let refused = try desk.run("restore", backup, "--force")
        #expect(
            refused.status == 1 && refused.stderr.contains("open in another rightsdesk process"), "\(refused.stderr)")
        server.terminate()
        server.waitUntilExit()
        let restored = try desk.run("restore", backup, "--force")
        #expect(restored.status == 0, "\(restored.stderr)")
    }
}
