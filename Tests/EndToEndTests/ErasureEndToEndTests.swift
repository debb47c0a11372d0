import Foundation
import Testing

/// A completed deletion request (ARCHITECTURE.md invariant 4), driven through the built binary: the person is
/// gone from the database files, stays suppressed, arrives suppressed if imported again, and the chain verifies.
@Suite("erasure, end to end")
struct ErasureEndToEndTests {
    /// Every file of the database as raw bytes, WAL and shared memory included.
    func databaseBytes(_ desk: Desk) throws -> [(String, Data)] {
        try ["", "-wal", "-shm"].compactMap { suffix in
            let path = desk.database + suffix
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            return (path, try Data(contentsOf: URL(fileURLWithPath: path)))
        }
    }

    @Test("a deleted person leaves no written form in the database files and stays suppressed")
    func deletion() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let lan = "Nguyễn Thị Lan"
        let list = try desk.file(
            "khach-hang.csv",
            "phone,ho_ten,email,consent_at\n\"0912 345 678\",\(lan),lan.nguyen@example.vn,2025-09-01T08:00:00+07:00\n"
                + "0903000111,Trần Văn Bình,binh@example.vn,2025-09-01T08:00:00+07:00\n")
        #expect(try desk.run("lists", "import", list, "--list", "khach-hang", "--consent-channel", "sms").status == 0)
        let second = try desk.file("zalo.csv", "phone,ten\n+84912345678,Lan\n0904000222,Hoa\n")
        #expect(try desk.run("lists", "import", second, "--list", "zalo-oa").status == 0)
        func entries(_ list: String) throws -> Int? { try json(desk, "lists", "show", list)["entries"] as? Int }
        #expect(try entries("khach-hang") == 2 && entries("zalo-oa") == 2)
        let sends = try desk.file(
            "sends.csv", "phone,sent_at,message\n84912345678,2026-05-02T10:00:00+07:00,Khuyến mãi cho chị Lan\n")
        #expect(
            try desk.run("sends", "import", sends, "--campaign", "tet", "--channel", "sms", "--purpose", "marketing")
                .status == 0)

        let request = try json(
            desk, "request", "new", "--type", "deletion", "--subject", "(+84) 912-345-678", "--channel", "zalo",
            "--received-at", "2026-06-01T09:00:00+07:00", "--name", lan)
        let id = try #require(request["id"] as? String)
        #expect(try desk.run("request", "letter", id, "--kind", "ack", "--lang", "vi").status == 0)
        #expect(
            try desk.run("request", "verify", id, "--method", "OTP", "--at", "2026-06-02T10:00:00+07:00").status == 0)
        // Before: the forms are there to be found (the search below could fail).
        let before = try databaseBytes(desk).map(\.1)
        for form in ["912 345 678", "912345678", lan, "chị Lan"] {
            #expect(before.contains { $0.range(of: Data(form.utf8)) != nil }, "\(form) was never stored")
        }
        // Another process (as the web desk would) holds a read transaction while the deletion completes: the
        // erasure commits, and the WAL is emptied once the reader lets go.
        let reader = Desk.python(
            "import sqlite3, sys, time\n"
                + "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
                + "c.execute('BEGIN'); c.execute('SELECT count(*) FROM entries').fetchone()\n"
                + "print('reading', flush=True); time.sleep(2); c.execute('COMMIT')\n",
            desk.database)
        let readerOut = Pipe()
        reader.standardOutput = readerOut
        try reader.run()
        _ = readerOut.fileHandleForReading.availableData  // "reading": its snapshot is open
        let completed = try desk.run("request", "complete", id, "--at", "2026-06-03T10:00:00+07:00")
        reader.waitUntilExit()
        #expect(completed.status == 0, "\(completed.stderr)")
        #expect(reader.terminationStatus == 0)
        let wal = (try? FileManager.default.attributesOfItem(atPath: desk.database + "-wal")[.size] as? Int) ?? 0
        #expect(wal == 0, "the WAL still holds \(wal) bytes")

        // No written form of the number, nor the name or the email on its row, anywhere in the files.
        let forms = [
            "912345678", "912 345 678", "912-345-678", "912.345.678", lan, "lan.nguyen@example.vn", "chị Lan",
        ]
        for (path, bytes) in try databaseBytes(desk) {
            for form in forms {
                #expect(bytes.range(of: Data(form.utf8)) == nil, "\(form) is still in \(path)")
            }
        }
        // The other people are untouched.
        let kept = try #require(try databaseBytes(desk).first?.1)
        #expect(kept.range(of: Data("Trần Văn Bình".utf8)) != nil)

        // Each list counts what is left.
        #expect(try entries("khach-hang") == 1 && entries("zalo-oa") == 1)
        let why = try json(desk, "why", "0912345678")
        #expect((why["suppressions"] as? [Any])?.isEmpty == false)
        #expect((why["lists"] as? [Any])?.isEmpty == true)
        // The email found on the erased row is suppressed too.
        #expect((try json(desk, "why", "lan.nguyen@example.vn")["suppressions"] as? [Any])?.isEmpty == false)

        let again = try desk.file("moi.csv", "phone\n0912345678\n")
        #expect(try desk.run("lists", "import", again, "--list", "moi").status == 0)
        #expect(try json(desk, "lists", "show", "moi")["suppressed"] as? Int == 1)
        #expect(try desk.run("audit", "verify").status == 0)

        // The journal holds keyed hashes and times only.
        let journal = try String(contentsOfFile: desk.database + ".erasures", encoding: .utf8)
        #expect(journal.contains(id) && !journal.contains("912345678") && !journal.contains("lan.nguyen"))
        let shown = try json(desk, "request", "show", id)
        #expect(
            shown["state"] as? String == "completed"
                || (shown["request"] as? [String: Any])?["state"] as? String == "completed")
    }

    @Test("a journal line cut short by a crash is dropped before the next erasure is journalled")
    func tornJournal() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let journal = desk.database + ".erasures"
        try Data("{\"at\":\"2026-06-0".utf8).write(to: URL(fileURLWithPath: journal))
        let request = try json(
            desk, "request", "new", "--type", "deletion", "--subject", "0912345678", "--channel", "web",
            "--received-at", "2026-06-01T09:00:00+07:00")
        let id = try #require(request["id"] as? String)
        #expect(
            try desk.run("request", "verify", id, "--method", "OTP", "--at", "2026-06-02T10:00:00+07:00").status == 0)
        #expect(try desk.run("request", "complete", id, "--at", "2026-06-03T10:00:00+07:00").status == 0)
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        let record = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(record?["request"] as? String == id)
    }
}
