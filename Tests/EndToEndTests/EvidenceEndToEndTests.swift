import Foundation
import Testing

/// `evidence export/verify` and `keys show/rotate` (CONTRACT.md "Evidence"), driven through the built binary and
/// checked with the regulator's own tools.
@Suite("evidence, end to end")
struct EvidenceEndToEndTests {
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
        let fingerprint = try #require(try json(desk, "keys", "show")["fingerprint"] as? String)
        #expect(try byHand(a, lodged: fingerprint) == nil)
        // Reproducible: the content is a function of the state and the scope; only the export's time differs
        // (the manifest, the instructions and the report's date).
        for path in ["audit/events.jsonl", "public-key.pem"] + ids.prefix(2).map({ "requests/\($0).json" }) {
            let left = try Data(contentsOf: a.appendingPathComponent(path))
            let right = try Data(contentsOf: b.appendingPathComponent(path))
            #expect(left == right, "\(path) differs between two exports")
        }
        let report = try String(contentsOf: a.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(report.contains("Phản đối xử lý") && report.contains("Objection") && report.contains("<svg"))
        #expect(report.contains("Công ty TNHH Ví Dụ") && report.contains("Lập lúc") && report.contains("Made at"))
        #expect(report.contains("Xác nhận đúng hạn"))
        // Dates as each language writes them; the Vietnamese decimal comma.
        #expect(report.contains("các yêu cầu nhận từ ngày 01/06/2026 đến ngày 30/06/2026"), "\(report)")
        #expect(report.contains("requests received 1 June 2026 to 30 June 2026"))
        #expect(!report.contains("2026-06-01"))
        let median = try #require(report.firstMatch(of: /trung vị ([0-9,.–]+)/)?.output.1)
        #expect(median.contains(",") && !median.contains("."), "\(median)")
        let instructions = try String(contentsOf: a.appendingPathComponent("HUONG-DAN.txt"), encoding: .utf8)
        #expect(instructions.contains(fingerprint) && instructions.hasPrefix("HƯỚNG DẪN"))
        #expect(instructions.contains("HOW TO CHECK"))
        let manifest =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: a.appendingPathComponent("manifest.json"))) as? [String: Any]
        #expect(manifest?["format"] as? String == "rightsdesk-evidence/2")
        #expect((manifest?["created_at"] as? String)?.hasSuffix("+07:00") == true)
        #expect(try desk.run("evidence", "verify", first).status == 0)
    }

    /// The by-hand steps of CONTRACT.md, run in the unzipped folder with the system's own tools, then the
    /// fingerprint compared with the one lodged: nil when all pass, else the first step that failed.
    func byHand(_ folder: URL, lodged: String) throws -> String? {
        let steps = [
            "openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig",
            "sha256sum --strict --quiet -c SHA256SUMS",
            "test \"$(find . -type f ! -name SHA256SUMS ! -name SHA256SUMS.sig | sed 's|^\\./||' | sort)\" = "
                + "\"$(cut -c67- SHA256SUMS | sort)\"",
            "test \"$(openssl pkey -pubin -in public-key.pem -outform DER | sha256sum | cut -c1-64)\" = \(lodged)",
        ]
        for step in steps where try tool("/bin/sh", ["-c", step], in: folder) != 0 { return step }
        return nil
    }

    /// Rewrites the line of `path` in SHA256SUMS to the file's present hash, as a forger would.
    func resum(_ folder: URL, _ path: String?, remove: Bool = false) throws {
        let sums = folder.appendingPathComponent("SHA256SUMS")
        var lines = try String(contentsOf: sums, encoding: .utf8).split(separator: "\n").map(String.init)
        if let path {
            lines.removeAll { $0.hasSuffix("  \(path)") }
            if !remove {
                let digest = try shell("sha256sum '\(path)' | cut -c1-64", in: folder)
                lines.append("\(digest)  \(path)")
            }
        }
        try (lines.sorted { $0.dropFirst(66) < $1.dropFirst(66) }.joined(separator: "\n") + "\n")
            .write(to: sums, atomically: true, encoding: .utf8)
    }

    func shell(_ command: String, in folder: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = folder
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func rezip(_ folder: URL, _ desk: Desk) throws -> String {
        let out = desk.directory.appendingPathComponent("re-\(UUID().uuidString).zip").path
        #expect(try tool("/bin/sh", ["-c", "cd '\(folder.path)' && zip -q -r '\(out)' ."]) == 0)
        return out
    }

    @Test(
        "the by-hand check catches each forgery: an edit with its line updated, a removal, an addition, the manifest, another key"
    )
    func byHandForgeries() throws {
        let (desk, ids) = try desk()
        defer { desk.cleanUp() }
        let bundle = desk.directory.appendingPathComponent("june.zip").path
        _ = try json(desk, "evidence", "export", "--from", "2026-06-01", "--to", "2026-06-30", "--out", bundle)
        let fingerprint = try #require(try json(desk, "keys", "show")["fingerprint"] as? String)
        let request = "requests/\(ids[0]).json"

        // An intact bundle unzipped and zipped again with plain `zip -r` (folder entries and all) is intact.
        let intact = try unzip(bundle, in: desk)
        #expect(try byHand(intact, lodged: fingerprint) == nil)
        let rezipped = try desk.run("evidence", "verify", try rezip(intact, desk))
        #expect(rezipped.status == 0, "\(rezipped.stderr)")

        let forgeries: [(String, (URL) throws -> Void, String)] = [
            (
                "an edited request with its line updated",
                { folder in
                    let file = folder.appendingPathComponent(request)
                    let text = try String(contentsOf: file, encoding: .utf8)
                    #expect(text.contains("\"late\" : false"))
                    try text.replacingOccurrences(of: "\"late\" : false", with: "\"late\" : true")
                        .write(to: file, atomically: true, encoding: .utf8)
                    try self.resum(folder, request)
                }, "pkeyutl"
            ),
            (
                "a request removed with its line",
                { folder in
                    try FileManager.default.removeItem(at: folder.appendingPathComponent(request))
                    try self.resum(folder, request, remove: true)
                }, "pkeyutl"
            ),
            (
                "an added file",
                { folder in
                    try "{}\n".write(
                        to: folder.appendingPathComponent("requests/RQ-2026-999999.json"), atomically: true,
                        encoding: .utf8)
                }, "find"
            ),
            (
                "an edited manifest",
                { folder in
                    let file = folder.appendingPathComponent("manifest.json")
                    let text = try String(contentsOf: file, encoding: .utf8)
                    try text.replacingOccurrences(of: "2026-06-30", with: "2026-06-29")
                        .write(to: file, atomically: true, encoding: .utf8)
                }, "sha256sum"
            ),
            (
                "a bundle edited and re-signed with another key",
                { folder in
                    let file = folder.appendingPathComponent(request)
                    let text = try String(contentsOf: file, encoding: .utf8)
                    try text.replacingOccurrences(of: "\"late\" : false", with: "\"late\" : true")
                        .write(to: file, atomically: true, encoding: .utf8)
                    let other = try self.shell(
                        "openssl genpkey -algorithm ed25519 -out ../other.pem && "
                            + "openssl pkey -in ../other.pem -pubout -out public-key.pem && echo done", in: folder)
                    #expect(other == "done")
                    try self.resum(folder, request)
                    try self.resum(folder, "public-key.pem")
                    _ = try self.shell(
                        "openssl pkeyutl -sign -inkey ../other.pem -rawin -in SHA256SUMS -out SHA256SUMS.sig",
                        in: folder)
                }, "openssl pkey -pubin"
            ),
        ]
        for (what, forge, step) in forgeries {
            let folder = try unzip(bundle, in: desk)
            try forge(folder)
            let failed = try byHand(folder, lodged: fingerprint)
            #expect(
                failed?.contains(step) == true,
                "\(what): the by-hand check \(failed.map { "failed at \($0)" } ?? "passed")")
            let verified = try desk.run("evidence", "verify", try rezip(folder, desk), "--fingerprint", fingerprint)
            #expect(verified.status == 1, "\(what): evidence verify passed")
        }
    }

    @Test("a month with nothing in it exports an attestation that verifies")
    func emptyPeriod() throws {
        let (desk, _) = try desk()
        defer { desk.cleanUp() }
        let bundle = desk.directory.appendingPathComponent("august.zip").path
        let exported = try json(
            desk, "evidence", "export", "--from", "2026-08-01", "--to", "2026-08-31", "--out", bundle)
        #expect(exported["requests"] as? Int == 0 && exported["events"] as? Int == 0)
        let folder = try unzip(bundle, in: desk)
        let fingerprint = try #require(try json(desk, "keys", "show")["fingerprint"] as? String)
        #expect(try byHand(folder, lodged: fingerprint) == nil)
        let report = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(report.contains("Xác nhận: trong phạm vi này không có yêu cầu") && report.contains("Attestation"))
        let manifest =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: folder.appendingPathComponent("manifest.json"))) as? [String: Any]
        #expect((manifest?["scope"] as? [String: Any])?["empty"] as? Bool == true)
        #expect(try desk.run("evidence", "verify", bundle).status == 0)
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
        let backwards = try desk.run(
            "evidence", "export", "--from", "2026-07-01", "--to", "2026-06-01", "--out", bundle)
        #expect(backwards.status == 1 && backwards.stderr.contains("after --to"))
        // A period not yet over is not attested to: nothing is written.
        let unwritten = desk.directory.appendingPathComponent("future.zip").path
        let future = try desk.run(
            "evidence", "export", "--from", "2099-01-01", "--to", "2099-01-31", "--out", unwritten)
        #expect(future.status == 1 && future.stderr.contains("after today"), "\(future.stderr)")
        #expect(!FileManager.default.fileExists(atPath: unwritten))
    }
}
