import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("crashes and the demo, end to end")
struct CrashEndToEndTests {
    @Test func aKilledImportLeavesNothingOfItsFileAndAnIntactChain() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        #expect(
            try desk.run("lists", "import", try desk.file("small.csv", "phone\n0903000111\n"), "--list", "kept").status
                == 0)
        let eventsBefore = try desk.auditEvents()

        // 600,000 distinct mobile numbers: long enough that the import is still running when it is killed.
        var text = "phone,name\n"
        text.reserveCapacity(600_000 * 24)
        for index in 0..<600_000 { text += "09\(10_000_000 + index * 7),Khách \(index)\n" }
        let path = try desk.file("big.csv", text)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Desk.binary)
        process.arguments = ["lists", "import", path, "--list", "big", "--db", desk.database]
        // The import stages the file in a scratch database in SQLite's temporary folder: it must leave nothing there.
        let temporary = desk.directory.appendingPathComponent("tmp").path
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        process.environment = desk.environment(adding: ["SQLITE_TMPDIR": temporary])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the import has begun writing (its WAL grows), then kill it without warning.
        let wal = desk.database + "-wal"
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning {
            let size = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
            if size > 4 << 20 { break }
            usleep(20_000)
        }
        let wasRunning = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(wasRunning, "the import finished before it could be killed; make the file larger")
        #expect(process.terminationReason == .uncaughtSignal)

        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary).isEmpty)

        let verify = try desk.run("audit", "verify")
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(try desk.auditEvents() == eventsBefore)
        #expect(try desk.run("lists", "show", "big").status == 1)
        let kept = try desk.run("lists", "show", "kept", "--json").json()
        #expect(kept["entries"] as? Int == 1)

        // What it had written stays out of every answer until the next import removes it, a slice at a time.
        let counts =
            "SELECT (SELECT count(*) FROM lists), (SELECT count(*) FROM imports), (SELECT count(*) FROM entries)"
        #expect(try desk.sql(counts).first != "1|1|1", "the import was killed before it wrote any row")
        let next = try desk.run(
            "lists", "import", try desk.file("next.csv", "phone\n0903000222\n"), "--list", "kept")
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try desk.sql(counts) == ["1|2|2"])
        #expect(
            try desk.sql("SELECT kind FROM audit_events ORDER BY seq DESC LIMIT 2") == [
                "lists.import", "lists.import_removed",
            ])
        #expect(try desk.run("audit", "verify").status == 0)
    }

    @Test func theDemoCreatesADatabaseImportsSamplesAndSaysWhatToRunNext() throws {
        let desk = try Desk(initialise: false)
        defer { desk.cleanUp() }
        let folder = desk.directory.appendingPathComponent("demo").path
        let result = try desk.run("demo", "--dir", folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Try next"))
        #expect(result.stdout.contains("khach-hang-than-thiet"))
        let database = folder + "/rightsdesk.sqlite"
        #expect(try desk.run("audit", "verify", "--db", database).status == 0)
        let lists = try desk.run("lists", "ls", "--json", "--db", database).json()
        #expect((lists["lists"] as? [Any])?.count == 3)
        // Running it again replaces the earlier demo rather than failing.
        #expect(try desk.run("demo", "--dir", folder).status == 0)
    }
}
