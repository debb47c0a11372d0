import Foundation
import Testing

@Suite("lists, end to end")
struct ListsEndToEndTests {
    @Test func initRefusesAnExistingDatabaseAndCommandsRefuseAMissingOne() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        #expect(try desk.run("init").status == 1)
        let missing = try desk.run(
            "lists", "show", "x", "--db", desk.directory.appendingPathComponent("nope.sqlite").path)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no RightsDesk database"))
    }

    @Test func theImportBenchmarkPrintsItsBaselinesAndTheSchemasFloorsAndLeavesNoDatabase() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let dir = desk.directory.appendingPathComponent("bench").path
        let result = try desk.run("bench", "import", "--rows", "2000", "--dir", dir)
        #expect(result.status == 0, "\(result.stderr)")
        for line in [
            "sqlite3 .import + index (baseline)", "rightsdesk lists import (2000 rows)",
            "sqlite3 copying those rows (schema floor)", "the import is ", "200 rows into the 2000-entry list",
            "sqlite3 copying those rows: ",
        ] {
            #expect(result.stdout.contains(line), "\(line) in \(result.stdout)")
        }
        // The databases it made (the floors' copies included) are removed; the generated files are kept for the next.
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(left == ["loyalty-200-8.csv", "loyalty-2000.csv"], "\(left)")
    }

    @Test func aKeyFileFromAnotherInstallationStopsEveryCommand() throws {
        let desk = try Desk()
        let other = try Desk()
        defer {
            desk.cleanUp()
            other.cleanUp()
        }
        try FileManager.default.removeItem(atPath: desk.database + ".keys")
        try FileManager.default.copyItem(atPath: other.database + ".keys", toPath: desk.database + ".keys")
        let result = try desk.run("lists", "ls")
        #expect(result.status == 1)
        #expect(result.stderr.contains("key file does not belong"))
    }

    @Test func importCountsDuplicatesInOtherWrittenFormsAndInvalidLines() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let consent = "2025-09-01T08:00:00+07:00"
        let path = try desk.file(
            "a.csv",
            "phone,name,consent_at\n0903 000 111,Lan,\(consent)\n+84903000111,Lan again,\(consent)\n123,Bad,\n0904000222,Hùng,\n"
        )
        let result = try desk.run(
            "lists", "import", path, "--list", "a", "--source", "test", "--consent-channel", "sms", "--json",
            "--timings")
        #expect(result.status == 0, "\(result.stderr)")
        // --timings: each step's time on stderr, none of the file's data.
        #expect(result.stderr.contains("read, check, hash and stage: ") && result.stderr.contains("publish: "))
        #expect(!result.stderr.contains("0903") && !result.stderr.contains("Lan"))
        let json = try result.json()
        // 4 data rows: 0903 000 111 and +84903000111 are one person (a duplicate), 123 is invalid on line 4.
        #expect(json["rows"] as? Int == 4)
        #expect(json["imported"] as? Int == 2)
        #expect(json["duplicates"] as? Int == 1)
        #expect(json["consents"] as? Int == 2)
        let invalid = json["invalid"] as? [[String: Any]] ?? []
        #expect(invalid.map { $0["line"] as? Int } == [4])
        let show = try desk.run("lists", "show", "a", "--json").json()
        #expect(show["entries"] as? Int == 2 && show["active"] as? Int == 2 && show["suppressed"] as? Int == 0)
    }

    @Test func excelUnicodeTextImportsAsAUserWouldExpect() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let result = try desk.run("lists", "import", Desk.fixture("excel-unicode-text.txt"), "--list", "zalo", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try result.json()
        // Six rows: 0912 345 678 and 091.234.5678 are one person; 12345 is invalid; 01662345678 is the 2018
        // conversion of a Viettel number and (028) 3823 4567 a Ho Chi Minh City landline: both valid.
        #expect(json["rows"] as? Int == 6)
        #expect(json["imported"] as? Int == 4)
        #expect(json["duplicates"] as? Int == 1)
        #expect((json["invalid"] as? [[String: Any]])?.first?["line"] as? Int == 6)
        // Two rows carry Ngày đồng ý with a Kênh: one zalo, one sms.
        #expect(json["consents"] as? Int == 2)
        let out = desk.directory.appendingPathComponent("out.csv").path
        #expect(try desk.run("lists", "export", "zalo", "--purpose", "transactional", "--out", out).status == 0)
        let exported = try String(contentsOfFile: out, encoding: .utf8)
        #expect(exported.contains("Nguyễn Thị Mai"))
        #expect(exported.contains("+84362345678"))
        #expect(exported.contains("+842838234567"))
        #expect(exported.hasPrefix("Số điện thoại,Họ và tên,Email,Ngày đồng ý,Kênh,normalized\n"))
    }

    @Test func crmSemicolonExportKeepsQuotedTextExactly() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let result = try desk.run(
            "lists", "import", Desk.fixture("crm-export-semicolon.csv"), "--list", "crm", "--consent-channel", "zalo",
            "--json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try result.json()["imported"] as? Int == 4)
        let out = desk.directory.appendingPathComponent("crm.csv").path
        #expect(try desk.run("lists", "export", "crm", "--purpose", "transactional", "--out", out).status == 0)
        let exported = try String(contentsOfFile: out, encoding: .utf8)
        #expect(exported.contains("\"Nguyễn Du \"\"Tố Như\"\"\""))
        #expect(exported.contains("Hồ Xuân Hương; chi nhánh Hà Nội"))
        #expect(exported.contains("\"Tôi đồng ý nhận tin khuyến mãi qua Zalo, tối đa 4 tin/tháng (v3)\""))
        // Marketing on Zalo needs consent: three rows have consent_at, the fourth (Hồ Xuân Hương) does not.
        let zalo = desk.directory.appendingPathComponent("zalo.csv").path
        let marketing = try desk.run("lists", "export", "crm", "--channel", "zalo", "--out", zalo, "--json").json()
        #expect(marketing["exported"] as? Int == 3)
        #expect((marketing["excluded"] as? [String: Int])?["NO_CONSENT"] == 1)
    }

    @Test(arguments: [
        // (file name, bytes, expected location prefix, words the message must contain)
        ("quote.csv", Array("phone,name\n0903000111,\"Lan\n".utf8), "quote.csv:2", "quote"),
        (
            "latin1.csv", Array("phone,name\n0903000111,".utf8) + [0x4E, 0x67, 0x75, 0x79, 0xEA, 0x6E] + [0x0A],
            "latin1.csv:2", "UTF-8"
        ),
        ("noid.csv", Array("ten,tuoi\nLan,30\n".utf8), "noid.csv:1", "no identifier column"),
        ("fields.csv", Array("phone,name\n0903000111,Lan,extra\n".utf8), "fields.csv:2", "field"),
        ("empty.csv", [], "empty.csv", "empty"),
    ])
    func malformedFilesExit65WithFileAndLineAndChangeNothing(
        name: String, bytes: [UInt8], location: String, words: String
    ) throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let before = try desk.auditEvents()
        let path = try desk.file(name, bytes)
        let result = try desk.run("lists", "import", path, "--list", "x")
        #expect(result.status == 65)
        #expect(result.stderr.contains(desk.directory.appendingPathComponent(location).path), "\(result.stderr)")
        #expect(result.stderr.lowercased().contains(words.lowercased()), "\(result.stderr)")
        #expect(try desk.auditEvents() == before)
        #expect(try desk.run("lists", "show", "x").status == 1)
    }

    @Test func aTenMegabyteLineIsRejectedWithItsLine() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        var bytes = Array("phone,name\n0903000111,Lan\n0904000222,".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "a"), count: 10 << 20)
        bytes += [0x0A]
        let path = try desk.file("long.csv", bytes)
        let result = try desk.run("lists", "import", path, "--list", "x")
        #expect(result.status == 65)
        #expect(result.stderr.contains("long.csv:3"), "\(result.stderr)")
        #expect(try desk.run("lists", "show", "x").status == 1)
    }

    @Test func strictRejectsTheWholeFileOnOneInvalidRow() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let path = try desk.file("s.csv", "phone\n0903000111\n123\n")
        let result = try desk.run("lists", "import", path, "--list", "s", "--strict")
        #expect(result.status == 65)
        #expect(result.stderr.contains("s.csv:3"))
        #expect(try desk.run("lists", "show", "s").status == 1)
    }

    @Test func auditVerifyNamesTheFirstTamperedEvent() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        for name in ["a", "b", "c"] {
            #expect(
                try desk.run("lists", "import", try desk.file("\(name).csv", "phone\n0903000111\n"), "--list", name)
                    .status == 0)
        }
        #expect(try desk.run("audit", "verify").status == 0)
        let sql = """
            DROP TRIGGER audit_events_are_append_only_update;
            UPDATE audit_events SET actor = 'mallory' WHERE seq = 3;
            """
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [desk.database, sql]
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") else { return }
        try sqlite.run()
        sqlite.waitUntilExit()
        let result = try desk.run("audit", "verify")
        #expect(result.status == 1)
        #expect(result.stderr.contains("event 3"), "\(result.stderr)")
    }

    @Test func listsLsAndDeleteKeepTheChainIntact() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        #expect(
            try desk.run("lists", "import", try desk.file("a.csv", "phone\n0903000111\n"), "--list", "a").status == 0)
        let listed = try desk.run("lists", "ls", "--json").json()
        #expect((listed["lists"] as? [[String: Any]])?.first?["name"] as? String == "a")
        #expect(try desk.run("lists", "delete", "a").status == 0)
        #expect(try desk.run("lists", "show", "a").status == 1)
        #expect(try desk.run("audit", "verify").status == 0)
    }

    @Test func thePurchasedBasisIsRecordedAndFlagged() throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let result = try desk.run(
            "lists", "import", try desk.file("p.csv", "phone\n0903000111\n"), "--list", "p", "--basis", "purchased")
        #expect(result.status == 0)
        #expect(result.stderr.contains("prohibited"))
        let show = try desk.run("lists", "show", "p", "--json").json()
        #expect(show["basis"] as? String == "purchased" && show["flagged"] as? Bool == true)
    }
}
