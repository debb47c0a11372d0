import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `backup` and `restore` through the built binary: a backup restored after an erasure does not bring the erased
/// person back (ARCHITECTURE.md invariant 5), brings back everything else it held, keeps the chain verifying, and a
/// damaged backup or an installation already in place changes nothing.
@Suite("backup and restore, end to end")
struct BackupEndToEndTests {
    let lan = "Nguyễn Thị Lan"
    /// Every written form of Lan's number, her name and the email on her row.
    var lanForms: [String] {
        ["912345678", "912 345 678", "912-345-678", "912.345.678", lan, "lan.nguyen@example.vn"]
    }

    /// Every file of a database as raw bytes, WAL and shared memory included.
    func databaseBytes(_ database: String) throws -> [(String, Data)] {
        try ["", "-wal", "-shm"].compactMap { suffix in
            let path = database + suffix
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            return (path, try Data(contentsOf: URL(fileURLWithPath: path)))
        }
    }

    /// The installation's files by name, with their bytes: what "nothing changed" compares.
    func snapshot(_ desk: Desk) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: desk.directory.path)
        where name.hasPrefix("desk.sqlite") {
            files[name] = try Data(contentsOf: desk.directory.appendingPathComponent(name))
        }
        return files
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// Lan and Bình on a list with consent, Lan also on a second list and in a send log.
    func importPeople(_ desk: Desk) throws {
        let list = try desk.file(
            "khach-hang.csv",
            "phone,ho_ten,email,consent_at\n\"0912 345 678\",\(lan),lan.nguyen@example.vn,2025-09-01T08:00:00+07:00\n"
                + "0903000111,Trần Văn Bình,binh@example.vn,2025-09-01T08:00:00+07:00\n")
        #expect(try desk.run("lists", "import", list, "--list", "khach-hang", "--consent-channel", "sms").status == 0)
        let second = try desk.file("zalo.csv", "phone,ten\n+84912345678,Lan\n0904000222,Hoa\n")
        #expect(try desk.run("lists", "import", second, "--list", "zalo-oa").status == 0)
        let sends = try desk.file(
            "sends.csv", "phone,sent_at,message\n84912345678,2026-05-02T10:00:00+07:00,Khuyến mãi cho chị Lan\n")
        #expect(
            try desk.run("sends", "import", sends, "--campaign", "tet", "--channel", "sms", "--purpose", "marketing")
                .status == 0)
    }

    /// Logs and verifies a deletion request for Lan; returns its id.
    func requestDeletion(_ desk: Desk) throws -> String {
        let request = try json(
            desk, "request", "new", "--type", "deletion", "--subject", "(+84) 912-345-678", "--channel", "zalo",
            "--received-at", "2026-06-01T09:00:00+07:00", "--name", lan)
        let id = try #require(request["id"] as? String)
        #expect(
            try desk.run("request", "verify", id, "--method", "OTP", "--at", "2026-06-02T10:00:00+07:00").status == 0)
        return id
    }

    func complete(_ desk: Desk, _ id: String) throws {
        let completed = try desk.run("request", "complete", id, "--at", "2026-06-03T10:00:00+07:00")
        #expect(completed.status == 0, "\(completed.stderr)")
    }

    /// Lan is gone from every file of `database` and stays suppressed; Bình is there.
    func expectLanErased(_ desk: Desk, _ database: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (path, bytes) in try databaseBytes(database) {
            for form in lanForms {
                #expect(
                    bytes.range(of: Data(form.utf8)) == nil, "\(form) is back in \(path)",
                    sourceLocation: sourceLocation)
            }
        }
        let why = try json(desk, "why", "0912345678", "--db", database)
        #expect(
            (why["suppressions"] as? [Any])?.isEmpty == false, "Lan is not suppressed", sourceLocation: sourceLocation)
        #expect((why["lists"] as? [Any])?.isEmpty == true, "Lan is on a list again", sourceLocation: sourceLocation)
        let binh = try json(desk, "why", "0903000111", "--db", database)
        #expect((binh["lists"] as? [Any])?.count == 1, "Bình did not come back", sourceLocation: sourceLocation)
        let verify = try desk.run("audit", "verify", "--db", database)
        #expect(verify.status == 0, "\(verify.stderr)", sourceLocation: sourceLocation)
    }

    func listNames(_ desk: Desk) throws -> Set<String> {
        let lists = try json(desk, "lists", "ls")["lists"] as? [[String: Any]] ?? []
        return Set(lists.compactMap { $0["name"] as? String })
    }

    @Test("back up, erase, restore: the erased person stays erased, the rest of the backup is back")
    func restoreReplaysErasuresSinceTheBackup() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importPeople(desk)
        let backupFile = desk.directory.appendingPathComponent("desk.backup").path
        let backup = try json(desk, "backup", "--out", backupFile)
        #expect(try mode(backupFile) == 0o600)
        let head = try #require((backup["audit"] as? [String: Any])?["head_seq"] as? Int)
        #expect(head == (try desk.auditEvents()) - 1, "backup.create is recorded after the copy, not in it")
        // The backup holds Lan: restored where no journal lies beside it, she is there. It is the journal that keeps
        // her erased.
        let unjournalled = desk.directory.appendingPathComponent("unjournalled.sqlite").path
        #expect(try desk.run("restore", backupFile, "--db", unjournalled).status == 0)
        let copy = try #require(try databaseBytes(unjournalled).first?.1)
        #expect(copy.range(of: Data("912 345 678".utf8)) != nil && copy.range(of: Data(lan.utf8)) != nil)

        // After the backup: a list the restore must take away, and Lan's deletion.
        let later = try desk.file("sau.csv", "phone\n0905000333\n")
        #expect(try desk.run("lists", "import", later, "--list", "sau-backup").status == 0)
        let id = try requestDeletion(desk)
        try complete(desk, id)
        try expectLanErased(desk, desk.database)
        let journal = try Data(contentsOf: URL(fileURLWithPath: desk.database + ".erasures"))

        let restored = try json(desk, "restore", backupFile, "--force")
        #expect(restored["replayed"] as? Int == 1)
        #expect(restored["replayed_requests"] as? [String] == [id])
        #expect(restored["replaced"] as? Bool == true)
        #expect((restored["audit"] as? [String: Any])?["head_seq"] as? Int == head)
        try expectLanErased(desk, desk.database)
        #expect(try listNames(desk) == ["khach-hang", "zalo-oa"])
        #expect(try mode(desk.database + ".keys") == 0o600)
        // The replay wrote no journal line: the journal is the one the erasure wrote.
        #expect(try Data(contentsOf: URL(fileURLWithPath: desk.database + ".erasures")) == journal)
        // The chain says what happened: the backup's events, the restore, the replay.
        #expect(try desk.auditEvents() == head + 2)

        // The deletion request came after the backup, so the restore took it away; its number, which the replayed
        // erasure's suppressions cite, is not given to the next request.
        let next = try json(
            desk, "request", "new", "--type", "objection", "--subject", "0933444555", "--channel", "sms",
            "--received-at", "2026-06-04T09:00:00+07:00")
        let nextID = try #require(next["id"] as? String)
        #expect(nextID != id && nextID > id, "\(nextID) after \(id)")

        // A second restore of the same backup replays the same erasure again, the same way.
        let again = try json(desk, "restore", backupFile, "--force")
        #expect(again["replayed"] as? Int == 1)
        #expect(again["replayed_requests"] as? [String] == [id])
        try expectLanErased(desk, desk.database)
        #expect(try desk.auditEvents() == head + 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: desk.database + ".erasures")) == journal)

        // A backup taken after the restore holds the erasure already: restoring it replays nothing.
        let second = desk.directory.appendingPathComponent("second.backup").path
        #expect(try desk.run("backup", "--out", second).status == 0)
        #expect(try json(desk, "restore", second, "--force")["replayed"] as? Int == 0)
        try expectLanErased(desk, desk.database)
    }

    @Test("an erasure whose clock was read before the backup's snapshot but which committed after it is replayed")
    func restoreReplaysAnErasureThatStraddledTheBackup() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importPeople(desk)
        let id = try requestDeletion(desk)
        let backupFile = desk.directory.appendingPathComponent("desk.backup").path
        #expect(try desk.run("backup", "--out", backupFile).status == 0)
        try complete(desk, id)
        // As if `request complete` had read the clock before the backup began: the journal line predates the backup,
        // yet the copy holds the request still verified, not completed.
        let journalPath = desk.database + ".erasures"
        let line = try String(contentsOfFile: journalPath, encoding: .utf8)
        let early = line.replacingOccurrences(
            of: #""at":"[^"]*""#, with: #""at":"2000-01-01T00:00:00.000Z""#, options: .regularExpression)
        #expect(early != line)
        try early.write(toFile: journalPath, atomically: true, encoding: .utf8)

        let restored = try json(desk, "restore", backupFile, "--force")
        #expect(restored["replayed"] as? Int == 1)
        try expectLanErased(desk, desk.database)
    }

    @Test("restore refuses to replace an installation without --force; to a new path it needs none")
    func restoreRefusesToOverwriteWithoutForce() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importPeople(desk)
        let backupFile = desk.directory.appendingPathComponent("desk.backup").path
        #expect(try desk.run("backup", "--out", backupFile).status == 0)
        // A backup never lands on the installation's own files.
        let overKeys = try desk.run("backup", "--out", desk.database + ".keys")
        #expect(overKeys.status == 1)
        #expect(overKeys.stderr.contains("refusing"))

        let before = try snapshot(desk)
        let refused = try desk.run("restore", backupFile)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try snapshot(desk) == before)

        // A key file alone is enough to refuse: it would be replaced.
        let elsewhere = desk.directory.appendingPathComponent("fresh.sqlite").path
        _ = try desk.file("fresh.sqlite.keys", "not mine")
        let blocked = try desk.run("restore", backupFile, "--db", elsewhere)
        #expect(blocked.status == 1)
        #expect(!FileManager.default.fileExists(atPath: elsewhere))
        try FileManager.default.removeItem(atPath: elsewhere + ".keys")

        // Nor, even with --force, over another installation, whose erasure journal is beside it.
        let other = try Desk()
        defer { other.cleanUp() }
        let otherBefore = try snapshot(other)
        let foreign = try other.run("restore", backupFile, "--force")
        #expect(foreign.status == 1)
        #expect(foreign.stderr.contains("is installation"), "\(foreign.stderr)")
        #expect(try snapshot(other) == otherBefore)

        let fresh = try json(desk, "restore", backupFile, "--db", elsewhere)
        #expect(fresh["replaced"] as? Bool == false)
        #expect(fresh["replayed"] as? Int == 0)
        #expect(try desk.run("audit", "verify", "--db", elsewhere).status == 0)
        #expect(try mode(elsewhere + ".keys") == 0o600)
        #expect((try json(desk, "why", "0912345678", "--db", elsewhere)["lists"] as? [Any])?.count == 2)
        // Nothing of the work is left beside it.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: desk.directory.path).filter {
            $0.contains(".tmp-")
        }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("a tampered, truncated or foreign backup file is refused with a clear message and changes nothing")
    func damagedBackupChangesNothing() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importPeople(desk)
        let backupFile = desk.directory.appendingPathComponent("desk.backup").path
        #expect(try desk.run("backup", "--out", backupFile).status == 0)
        let good = try Data(contentsOf: URL(fileURLWithPath: backupFile))
        #expect(
            try desk.run("lists", "import", try desk.file("sau.csv", "phone\n0905000333\n"), "--list", "sau").status
                == 0)
        let before = try snapshot(desk)

        var tampered = good
        for index in (good.count / 2)..<(good.count / 2 + 8) { tampered[index] ^= 0xFF }
        let cases: [(String, Data)] = [
            ("tampered.backup", tampered), ("truncated.backup", good.prefix(good.count - 100)),
            ("list.backup", Data("phone\n0912345678\n".utf8)),
        ]
        for (name, bytes) in cases {
            let path = try desk.file(name, Array(bytes))
            let result = try desk.run("restore", path, "--force")
            #expect(result.status == 1, "\(name)")
            #expect(result.stderr.contains("is not an intact RightsDesk backup"), "\(name): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(name): \(result.stderr)")
            #expect(try snapshot(desk) == before, "\(name) changed the installation")
        }
        // A backup whose database part is swapped for 64 MB of zeros (a small ZIP entry): refused from the size its
        // ZIP header declares, before it is inflated.
        let bomb = desk.directory.appendingPathComponent("bomb.backup").path
        let script = """
            import sys, zipfile
            src, out = sys.argv[1], sys.argv[2]
            with zipfile.ZipFile(src) as z, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as o:
                for name in z.namelist():
                    o.writestr(name, bytes(64 << 20) if name == "database.sqlite" else z.read(name))
            """
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script, backupFile, bomb]
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
        let refused = try desk.run("restore", bomb, "--force")
        #expect(refused.status == 1 && refused.stderr.contains("not the size backup.json gives"), "\(refused.stderr)")
        #expect(try snapshot(desk) == before)
        #expect(try listNames(desk) == ["khach-hang", "zalo-oa", "sau"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: desk.directory.path).filter {
            $0.contains(".tmp-")
        }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("a backup taken while another process imports holds one consistent state")
    func backupWhileAnotherProcessWrites() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        try importPeople(desk)
        let eventsBefore = try desk.auditEvents()
        var text = "phone,name\n"
        text.reserveCapacity(150_000 * 24)
        for index in 0..<150_000 { text += "09\(10_000_000 + index * 7),Khách \(index)\n" }
        let path = try desk.file("big.csv", text)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Desk.binary)
        process.arguments = ["lists", "import", path, "--list", "big", "--db", desk.database]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The import holds its one transaction for about two seconds here (its WAL only grows at the commit, so
        // there is nothing better to wait for): start the backup inside it. A slow machine that finishes first
        // still checks a consistent copy; the backup's own audit event waits for the import's commit.
        usleep(500_000)
        let backupFile = desk.directory.appendingPathComponent("desk.backup").path
        let backup = try desk.run("backup", "--out", backupFile, "--json")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(backup.status == 0, "\(backup.stderr)")
        let head = try #require((try backup.json()["audit"] as? [String: Any])?["head_seq"] as? Int)

        // The copy holds the import whole or not at all, and its head says which.
        let copy = desk.directory.appendingPathComponent("copy.sqlite").path
        #expect(try desk.run("restore", backupFile, "--db", copy).status == 0)
        #expect(try desk.run("audit", "verify", "--db", copy).status == 0)
        let big = try desk.run("lists", "show", "big", "--db", copy, "--json")
        if head == eventsBefore {
            #expect(big.status == 1)
        } else {
            #expect(head == eventsBefore + 1)
            #expect(try big.json()["entries"] as? Int == 150_000)
        }
    }
}
