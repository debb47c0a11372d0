import Foundation
import Testing

/// `evidence export/verify` and `keys show/rotate` (CONTRACT.md "Evidence"), driven through the built binary and
/// checked with the regulator's own tools.
@Suite("evidence, end to end")
struct EvidenceEndToEndTests {
    func json(_ desk: Desk, _ arguments: String...) throws -> [String: Any] {
        let result = try desk.run(arguments + ["--json"])
        #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
        return try result.json()
    }

    /// Two requests in June, one in July, and a suppression recorded in June.
    func desk() throws -> (Desk, [String]) {
        let desk = try Desk()
        var ids: [String] = []
        for (type, subject, at) in [
            ("objection", "0903000111", "2026-06-01T09:00:00+07:00"),
            ("access", "lan@example.vn", "2026-06-20T15:30:00+07:00"),
            ("deletion", "0904000222", "2026-07-02T08:00:00+07:00"),
        ] {
            let request = try json(
                desk, "request", "new", "--type", type, "--subject", subject, "--channel", "web", "--received-at", at)
            ids.append(try #require(request["id"] as? String))
        }
        return (desk, ids)
    }

    func unzip(_ bundle: String, in desk: Desk) throws -> URL {
        let folder = desk.directory.appendingPathComponent("x-\(UUID().uuidString)")
        #expect(try tool("/usr/bin/unzip", ["-q", bundle, "-d", folder.path]) == 0)
        return folder
    }

    func tool(_ path: String, _ arguments: [String], in folder: URL? = nil) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test("a period bundle holds its requests, verifies by hand and by the tool, and exports the same twice")
    func periodBundle() throws {
        let (desk, ids) = try desk()
        defer { desk.cleanUp() }
        let first = desk.directory.appendingPathComponent("june.zip").path
        let second = desk.directory.appendingPathComponent("june-again.zip").path
        let exported = try json(
            desk, "evidence", "export", "--from", "2026-06-01", "--to", "2026-06-30", "--out", first)
        #expect(exported["requests"] as? Int == 2)
        _ = try json(desk, "evidence", "export", "--from", "2026-06-01", "--to", "2026-06-30", "--out", second)

        let a = try unzip(first, in: desk)
        let b = try unzip(second, in: desk)
        let files = try FileManager.default.contentsOfDirectory(atPath: a.appendingPathComponent("requests").path)
        #expect(Set(files) == Set(ids.prefix(2).map { "\($0).json" }))
        #expect(try tool("/usr/bin/sha256sum", ["--quiet", "-c", "SHA256SUMS"], in: a) == 0)
        #expect(
            try tool(
                "/usr/bin/openssl",
                [
                    "pkeyutl", "-verify", "-pubin", "-inkey", "public-key.pem", "-rawin", "-in", "manifest.json",
                    "-sigfile", "manifest.sig",
                ], in: a) == 0)
        // Reproducible: the content is a function of the state and the scope, not of the export.
        for path in ["audit/events.jsonl", "report.html"] + ids.prefix(2).map({ "requests/\($0).json" }) {
            let left = try Data(contentsOf: a.appendingPathComponent(path))
            let right = try Data(contentsOf: b.appendingPathComponent(path))
            #expect(left == right, "\(path) differs between two exports")
        }
        let report = try String(contentsOf: a.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(report.contains("Phản đối xử lý") && report.contains("Objection") && report.contains("<svg"))
        #expect(report.contains("Công ty TNHH Ví Dụ"))
        #expect(try desk.run("evidence", "verify", first).status == 0)
    }

    @Test(
        "verify pins the key: the installation's by default, a lodged fingerprint when given; rotation keeps old bundles valid"
    )
    func pinning() throws {
        let (desk, ids) = try desk()
        defer { desk.cleanUp() }
        let bundle = desk.directory.appendingPathComponent("one.zip").path
        _ = try json(desk, "evidence", "export", "--request", ids[0], "--out", bundle)
        let key = try json(desk, "keys", "show")
        let fingerprint = try #require(key["fingerprint"] as? String)
        #expect((key["public_key_pem"] as? String)?.hasPrefix("-----BEGIN PUBLIC KEY-----") == true)

        #expect(try desk.run("evidence", "verify", bundle, "--fingerprint", fingerprint.uppercased()).status == 0)
        let wrong = try desk.run("evidence", "verify", bundle, "--fingerprint", String(repeating: "ab", count: 32))
        #expect(wrong.status == 1 && wrong.stderr.contains("pinned fingerprint"))

        let rotated = try json(desk, "keys", "rotate")
        #expect(rotated["fingerprint"] as? String != fingerprint)
        // The old bundle still verifies against the installation, whose key file keeps the old key.
        #expect(try desk.run("evidence", "verify", bundle).status == 0)
        let newer = desk.directory.appendingPathComponent("two.zip").path
        let second = try json(desk, "evidence", "export", "--request", ids[0], "--out", newer)
        #expect(second["fingerprint"] as? String == rotated["fingerprint"] as? String)
        #expect(try desk.run("audit", "verify").status == 0)

        // Without a database the tool says which key it trusted.
        let elsewhere = try desk.run(["evidence", "verify", bundle, "--db", "/nonexistent/desk.sqlite"])
        #expect(elsewhere.status == 0 && elsewhere.stdout.contains(fingerprint))
    }

    @Test("a tampered bundle fails and names what failed; bad scopes are refused")
    func tampering() throws {
        let (desk, ids) = try desk()
        defer { desk.cleanUp() }
        let bundle = desk.directory.appendingPathComponent("t.zip").path
        _ = try json(desk, "evidence", "export", "--request", ids[1], "--out", bundle)
        let folder = try unzip(bundle, in: desk)
        let report = folder.appendingPathComponent("report.html")
        var bytes = try Data(contentsOf: report)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: report)
        let tampered = desk.directory.appendingPathComponent("tampered.zip").path
        #expect(try tool("/usr/bin/env", ["sh", "-c", "cd '\(folder.path)' && zip -q -r -D '\(tampered)' ."]) == 0)
        let result = try desk.run("evidence", "verify", tampered)
        #expect(result.status == 1 && result.stderr.contains("report.html"), "\(result.stderr)")

        #expect(try desk.run("evidence", "export", "--request", "RQ-0000-404", "--out", bundle).status == 1)
        #expect(try desk.run("evidence", "export", "--from", "2026-06-01", "--out", bundle).status == 1)
        let empty = try desk.run("evidence", "export", "--from", "2025-01-01", "--to", "2025-01-31", "--out", bundle)
        #expect(empty.status == 1 && empty.stderr.contains("nothing to export"))
    }
}
