import Crypto
import Foundation
import RightsCore
import RightsStore
import Testing
import ZIPFoundation

@testable import RightsEvidence

/// An installation in its own temporary folder whose chain holds a morning's events (some carrying sealed personal
/// data), and the bundle of two of them; removed when the value goes away.
private final class BundleScratch {
    static let now = Date(timeIntervalSince1970: 1_772_420_400)  // 2026-03-02T10:00:00+07:00
    static let organization = "Công ty TNHH Ví Dụ"

    let path: String
    let installation: Installation
    /// Seq 1 is `installation.init`, seqs 2...7 the morning's steps.
    let events: [AuditEvent]

    init() throws {
        path = NSTemporaryDirectory() + "rightsdesk-bundle-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        installation = try Installation.create(
            databasePath: path + "/rightsdesk.sqlite", organization: Self.organization, actor: "admin", now: Self.now)
        let store = installation.store
        for seq in 2...7 {
            let phone = "+8491234567\(seq)"
            // Events of requests (odd seqs) carry personal data, sealed under the person's own key; others do not.
            let draft =
                seq % 2 == 1
                ? AuditDraft(
                    kind: "request.new", payload: ["request": .string("RQ-2026-00000\(seq)")],
                    subject: store.hasher.hash(phone), pii: ["name": "Nguyễn Thị Lan", "phone": .string(phone)])
                : AuditDraft(kind: "suppression.add", payload: ["count": .int(seq)])
            try store.perform(actor: "officer", at: Self.now.addingTimeInterval(Double(seq) * 60)) { _ in
                ((), draft)
            }
        }
        events = try store.auditEvents()
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var key: KeyFile.SigningKey { installation.keys.activeSigningKey }

    /// Seqs 2...7, with 3 and 5 (the two requests' events) in scope.
    func bundle() throws -> EvidenceBundle {
        let excerpt = try AuditExcerpt(events: Array(events.dropFirst()), inScope: [3, 5])
        return EvidenceBundle(
            createdAt: "2026-03-02T10:00:00+07:00", organization: Self.organization,
            scope: ["request": "RQ-2026-000003"], auditRange: excerpt.range,
            files: [
                EvidenceBundle.File(
                    path: "report.html",
                    text: "<!doctype html><title>Báo cáo bằng chứng / Evidence report</title><p>RQ-2026-000003</p>\n"),
                EvidenceBundle.File(path: "requests/RQ-2026-000003.json", text: #"{"id":"RQ-2026-000003"}"# + "\n"),
                EvidenceBundle.File(path: "requests/RQ-2026-000005.json", text: #"{"id":"RQ-2026-000005"}"# + "\n"),
                excerpt.file,
            ])
    }

    /// Writes the bundle under `name` and returns its path.
    func write(_ name: String = "bundle.zip") throws -> String {
        let file = path + "/" + name
        try bundle().write(to: file, signingKey: key)
        return file
    }

    /// A copy of the bundle at `source` with its entries rewritten by `edit`, written as a new ZIP.
    func tampered(_ source: String, _ name: String, _ edit: (inout [EvidenceBundle.File]) throws -> Void) throws
        -> String
    {
        var entries = try Zip.entries(source)
        try edit(&entries)
        let file = path + "/" + name
        try Zip.write(entries, to: file)
        return file
    }
}

/// Reads and writes ZIPs with ZIPFoundation directly, as someone rewriting a bundle would.
private enum Zip {
    static func entries(_ path: String) throws -> [EvidenceBundle.File] {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        return try archive.map { entry in
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            return EvidenceBundle.File(path: entry.path, bytes: Array(data))
        }
    }

    static func write(_ entries: [EvidenceBundle.File], to path: String) throws {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for entry in entries {
            let data = Data(entry.bytes)
            try archive.addEntry(
                with: entry.path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
            ) { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
        }
    }

    static func modificationDates(_ path: String) throws -> [Date?] {
        try Archive(url: URL(fileURLWithPath: path), accessMode: .read).map {
            $0.fileAttributes[.modificationDate] as? Date
        }
    }
}

/// Edits of one entry, as a tamperer would make them.
extension [EvidenceBundle.File] {
    fileprivate func bytes(_ path: String) -> [UInt8] { first { $0.path == path }?.bytes ?? [] }

    fileprivate mutating func edit(_ path: String, _ change: (inout [UInt8]) -> Void) {
        guard let index = firstIndex(where: { $0.path == path }) else {
            Issue.record("no entry \(path)")
            return
        }
        var bytes = self[index].bytes
        change(&bytes)
        self[index] = EvidenceBundle.File(path: path, bytes: bytes)
    }

    /// Replaces the first occurrence of `old` by `new` in the entry at `path`.
    fileprivate mutating func replace(_ old: String, with new: String, in path: String) {
        edit(path) { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            guard let range = text.range(of: old) else {
                Issue.record("\(old) is not in \(path)")
                return
            }
            bytes = [UInt8](text.replacingCharacters(in: range, with: new).utf8)
        }
    }

    fileprivate mutating func remove(_ path: String) { removeAll { $0.path == path } }

    /// Rebuilds what a holder of `key` can rebuild over the current content entries: the manifest (keeping its
    /// other members), `public-key.pem`, SHA256SUMS and its signature; written independently of the writer, from the
    /// contract alone (format 2).
    fileprivate mutating func resign(with key: KeyFile.SigningKey) throws {
        let fixed: Set<String> = ["manifest.json", "SHA256SUMS.sig", "public-key.pem", "SHA256SUMS"]
        let pem = EvidenceBundle.File(path: "public-key.pem", text: key.publicKeyPEM)
        let content = (filter { !fixed.contains($0.path) } + [pem]).sorted { $0.path < $1.path }
        let manifestFile = try manifest(listing: content, key: key, format: "rightsdesk-evidence/2")
        self = content + [manifestFile]
        try resum(with: key)
    }

    /// Rewrites SHA256SUMS over every entry but itself and its signature, and signs it with `key`: what a forger
    /// holding the key does after editing any file, the manifest included.
    fileprivate mutating func resum(with key: KeyFile.SigningKey) throws {
        removeAll { $0.path == "SHA256SUMS" || $0.path == "SHA256SUMS.sig" }
        let sums = sorted { $0.path < $1.path }.map { "\(Digest.sha256Hex($0.bytes))  \($0.path)\n" }.joined()
        let file = EvidenceBundle.File(path: "SHA256SUMS", text: sums)
        let signature = [UInt8](try key.privateKey.signature(for: file.bytes))
        self = [file, EvidenceBundle.File(path: "SHA256SUMS.sig", bytes: signature)] + self
    }

    /// The same content as a format 1 bundle, from that format's contract: the manifest signed in `manifest.sig`,
    /// SHA256SUMS unsigned, no instructions.
    fileprivate mutating func asFormat1(with key: KeyFile.SigningKey) throws {
        let fixed: Set<String> = ["manifest.json", "SHA256SUMS.sig", "public-key.pem", "SHA256SUMS", "HUONG-DAN.txt"]
        let pem = EvidenceBundle.File(path: "public-key.pem", text: key.publicKeyPEM)
        let content = (filter { !fixed.contains($0.path) } + [pem]).sorted { $0.path < $1.path }
        let manifestFile = try manifest(listing: content, key: key, format: "rightsdesk-evidence/1")
        let signature = [UInt8](try key.privateKey.signature(for: manifestFile.bytes))
        let sums = (content + [manifestFile]).sorted { $0.path < $1.path }
            .map { "\(Digest.sha256Hex($0.bytes))  \($0.path)\n" }.joined()
        self =
            [
                manifestFile, EvidenceBundle.File(path: "manifest.sig", bytes: signature),
                EvidenceBundle.File(path: "SHA256SUMS", text: sums),
            ] + content
    }

    private func manifest(listing content: [EvidenceBundle.File], key: KeyFile.SigningKey, format: String) throws
        -> EvidenceBundle.File
    {
        guard case .object(var manifest) = try JSONValue(parsing: bytes("manifest.json")) else {
            Issue.record("manifest.json is not an object")
            return EvidenceBundle.File(path: "manifest.json", text: "")
        }
        manifest["format"] = .string(format)
        manifest["key_fingerprint"] = .string(key.fingerprint)
        manifest["files"] = .array(
            content.map {
                [
                    "path": .string($0.path), "sha256": .string(Digest.sha256Hex($0.bytes)),
                    "bytes": .int($0.bytes.count),
                ]
            })
        return EvidenceBundle.File(path: "manifest.json", bytes: JSONValue.object(manifest).canonicalBytes + [0x0A])
    }

    /// The lines of `audit/events.jsonl`, edited and put back.
    fileprivate mutating func editAuditLines(_ change: (inout [String]) -> Void) {
        edit("audit/events.jsonl") { bytes in
            var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
            change(&lines)
            bytes = [UInt8](lines.map { $0 + "\n" }.joined().utf8)
        }
    }
}

/// Runs a tool a regulator would use; its exit status.
@discardableResult
private func run(_ tool: String, _ arguments: [String], in folder: String? = nil) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

@Suite("Evidence bundles")
struct EvidenceBundleTests {
    private func failure(_ verification: BundleVerification) -> String? {
        if case .failed(let message) = verification { return message }
        return nil
    }

    private func intact(_ verification: BundleVerification) -> VerifiedBundle? {
        if case .intact(let bundle) = verification { return bundle }
        return nil
    }

    // MARK: - Writing and verifying

    @Test func aWrittenBundleVerifiesIntact() throws {
        let scratch = try BundleScratch()
        let file = try scratch.write()
        let verified = try #require(intact(try BundleVerifier.verify(bundleAt: file, fingerprint: nil)))
        #expect(verified.fingerprint == scratch.key.fingerprint)
        #expect(!verified.pinned)
        #expect(verified.organization == BundleScratch.organization)
        #expect(verified.scope == ["request": "RQ-2026-000003"])
        #expect(
            verified.auditRange
                == EvidenceBundle.AuditRange(firstSeq: 2, lastSeq: 7, headHash: Hex.encode(scratch.events[6].hash)))
        #expect(
            verified.files == [
                "HUONG-DAN.txt", "audit/events.jsonl", "public-key.pem", "report.html", "requests/RQ-2026-000003.json",
                "requests/RQ-2026-000005.json",
            ])
        // Pinned to the installation's fingerprint, in any case.
        let pinned = try BundleVerifier.verify(bundleAt: file, fingerprint: scratch.key.fingerprint.uppercased())
        #expect(intact(pinned)?.pinned == true)
    }

    /// Found by the bundle fuzzer: a bundle whose entry inflates far past the size its header declares kept the
    /// reader inflating for minutes. It is refused at once, naming the entry.
    /// And one whose deflate stream never ends inside its bytes, which ZIPFoundation's inflate loop chased past the
    /// end of the file for ever.
    @Test(arguments: [("inflates-past-declared.zip", "HUONG-DAN.txt"), ("stream-never-ends.zip", "HUONG-DAN.txt")])
    func aDamagedEntryFoundByTheFuzzerIsRefusedAtOnce(file: String, entry: String) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/bundles/\(file)").path
        let started = Date()
        let result = try BundleVerifier.verify(bundleAt: path, fingerprint: String(repeating: "0", count: 64))
        guard case .failed(let reason) = result else {
            Issue.record("a damaged bundle verified")
            return
        }
        #expect(reason.contains(entry) && reason.contains("damaged"), "\(reason)")
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func anEmptyFileTravelsLikeAnyOther() throws {
        let scratch = try BundleScratch()
        let bundle = try scratch.bundle()
        let file = scratch.path + "/empty.zip"
        try EvidenceBundle(
            createdAt: bundle.createdAt, organization: bundle.organization, scope: bundle.scope,
            auditRange: bundle.auditRange,
            files: bundle.files + [EvidenceBundle.File(path: "notes/empty.txt", text: "")]
        ).write(to: file, signingKey: scratch.key)
        #expect(
            intact(try BundleVerifier.verify(bundleAt: file, fingerprint: nil))?.files.contains("notes/empty.txt")
                == true)
        #expect(try Zip.entries(file).first { $0.path == "notes/empty.txt" }?.bytes == [])
    }

    @Test func theBundleHoldsTheContractsFilesInAFixedOrder() throws {
        let scratch = try BundleScratch()
        let entries = try Zip.entries(try scratch.write())
        #expect(
            entries.map(\.path) == [
                "HUONG-DAN.txt", "SHA256SUMS", "SHA256SUMS.sig", "manifest.json", "public-key.pem",
                "audit/events.jsonl",
                "report.html", "requests/RQ-2026-000003.json", "requests/RQ-2026-000005.json",
            ])
        let manifestBytes = entries.bytes("manifest.json")
        #expect(manifestBytes.last == 0x0A)
        let manifest = try JSONValue(parsing: manifestBytes)
        #expect(manifest.canonicalBytes + [0x0A] == manifestBytes)
        #expect(manifest["format"] == "rightsdesk-evidence/2")
        #expect(manifest["created_at"] == "2026-03-02T10:00:00+07:00")
        #expect(manifest["key_fingerprint"]?.stringValue == scratch.key.fingerprint)
        #expect(
            manifest["audit"]
                == ["first_seq": 2, "last_seq": 7, "head_hash": .string(Hex.encode(scratch.events[6].hash))])
        // Every file but the manifest, SHA256SUMS and its signature, sorted, with its size and SHA-256.
        let listed = entries.filter { !["manifest.json", "SHA256SUMS.sig", "SHA256SUMS"].contains($0.path) }
        #expect(
            manifest["files"]
                == .array(
                    listed.sorted { $0.path < $1.path }.map {
                        [
                            "path": .string($0.path), "sha256": .string(Digest.sha256Hex($0.bytes)),
                            "bytes": .int($0.bytes.count),
                        ]
                    }))
        #expect(entries.bytes("public-key.pem") == Array(scratch.key.publicKeyPEM.utf8))
        // SHA256SUMS covers every file but itself and its signature, the manifest included, and is what is signed.
        let sums = String(decoding: entries.bytes("SHA256SUMS"), as: UTF8.self)
        let expected = entries.filter { !["SHA256SUMS.sig", "SHA256SUMS"].contains($0.path) }
            .sorted { $0.path < $1.path }.map { "\(Digest.sha256Hex($0.bytes))  \($0.path)\n" }.joined()
        #expect(sums == expected)
        let signature = entries.bytes("SHA256SUMS.sig")
        #expect(signature.count == 64)
        #expect(scratch.key.privateKey.publicKey.isValidSignature(signature, for: entries.bytes("SHA256SUMS")))
        // The instructions name the fingerprint to compare and every by-hand command.
        let instructions = String(decoding: entries.bytes("HUONG-DAN.txt"), as: UTF8.self)
        #expect(instructions.contains(scratch.key.fingerprint))
        for command in BundleInstructions.commands { #expect(instructions.contains(command)) }
        #expect(instructions.contains("10:00 ngày 02/03/2026"))
    }

    @Test func aFormat1BundleStillVerifiesAndItsTamperingIsCaught() throws {
        let scratch = try BundleScratch()
        let bundle = try scratch.write()
        let legacy = try scratch.tampered(bundle, "legacy.zip") { try $0.asFormat1(with: scratch.key) }
        #expect(try Zip.entries(legacy).contains { $0.path == "manifest.sig" })
        let verified = try #require(intact(try BundleVerifier.verify(bundleAt: legacy, fingerprint: nil)))
        #expect(verified.fingerprint == scratch.key.fingerprint)
        let edited = try scratch.tampered(legacy, "legacy-edited.zip") { $0.edit("report.html") { $0[20] ^= 0x01 } }
        #expect(
            failure(try BundleVerifier.verify(bundleAt: edited, fingerprint: nil))
                == "report.html: its SHA-256 does not match the manifest")
        let manifest = try scratch.tampered(legacy, "legacy-manifest.zip") {
            $0.replace("TNHH", with: "TNHX", in: "manifest.json")
        }
        #expect(
            failure(try BundleVerifier.verify(bundleAt: manifest, fingerprint: nil))
                == "manifest.sig: the signature over manifest.json does not verify with public-key.pem")
    }

    @Test func folderEntriesAreNotFilesOfTheBundle() throws {
        let scratch = try BundleScratch()
        let bundle = try scratch.write()
        // What `zip -r` writes: an entry per folder, before the folder's files.
        let entries = try Zip.entries(bundle)
        let folders = scratch.path + "/folders.zip"
        let archive = try Archive(url: URL(fileURLWithPath: folders), accessMode: .create)
        for folder in ["audit/", "requests/"] {
            try archive.addEntry(with: folder, type: .directory, uncompressedSize: Int64(0)) { _, _ in Data() }
        }
        for entry in entries {
            let data = Data(entry.bytes)
            try archive.addEntry(
                with: entry.path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
            ) { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
        }
        #expect(intact(try BundleVerifier.verify(bundleAt: folders, fingerprint: scratch.key.fingerprint)) != nil)
    }

    @Test func theSameContentWrittenTwiceGivesTheSameEntryBytes() throws {
        let scratch = try BundleScratch()
        let first = try scratch.write("first.zip")
        let second = try scratch.write("second.zip")
        let one = try Zip.entries(first)
        let two = try Zip.entries(second)
        #expect(one.map(\.path) == two.map(\.path))
        for (left, right) in zip(one, two) where left.path != "SHA256SUMS.sig" {
            #expect(left == right, "\(left.path)")
        }
        // Every entry carries the same fixed time, whenever it was written.
        #expect(try Zip.modificationDates(first).allSatisfy { $0 == BundleArchive.entryDate })
    }

    @Test func theAuditExcerptShowsInScopeEventsWholeAndOthersAsLinks() throws {
        let scratch = try BundleScratch()
        let excerpt = try AuditExcerpt(events: Array(scratch.events.dropFirst()), inScope: [3, 5])
        #expect(
            excerpt.range
                == EvidenceBundle.AuditRange(firstSeq: 2, lastSeq: 7, headHash: Hex.encode(scratch.events[6].hash)))
        let text = String(decoding: excerpt.bytes, as: UTF8.self)
        #expect(text.hasSuffix("\n") && !text.contains("\r"))
        let lines = text.split(separator: "\n").map { String($0) }
        #expect(lines.count == 6)
        for (line, event) in zip(lines, scratch.events.dropFirst()) {
            let value = try JSONValue(parsing: line)
            #expect(value.canonicalString == line)
            #expect(value["seq"]?.intValue == event.seq)
            #expect(value["hash"]?.stringValue == Hex.encode(event.hash))
            #expect(value["prev_hash"]?.stringValue == Hex.encode(event.prevHash))
            guard case .object(let members) = value else { continue }
            if [3, 5].contains(event.seq) {
                #expect(members.count == 10)
                #expect(value["actor"] == "officer")
                #expect(value["pii"]?.stringValue == event.pii.map { Data($0).base64EncodedString() })
                #expect(value["pii_sha256"]?.stringValue == event.piiSHA256)
                #expect(event.pii != nil)
                // The whole line without its hash is exactly what the store hashed.
                let withoutHash = JSONValue.object(members.filter { $0.key != "hash" })
                #expect(withoutHash.canonicalBytes == (try event.canonicalBytes()))
            } else {
                #expect(Set(members.keys) == ["seq", "prev_hash", "hash"])
            }
        }
    }

    @Test func theBundlesCanonicalFormHashesLikeTheAuditChain() throws {
        let scratch = try BundleScratch()
        // Events with and without sealed personal data, and the genesis event.
        #expect(scratch.events.contains { $0.pii != nil } && scratch.events.contains { $0.pii == nil })
        for event in scratch.events {
            let object = try AuditEventForm.object(of: event)
            #expect(JSONValue.object(object).canonicalBytes == (try event.canonicalBytes()))
            #expect(AuditEventForm.hash(of: object, prevHash: event.prevHash) == (try event.computedHash()))
            #expect(AuditEventForm.hash(of: object, prevHash: event.prevHash) == event.hash)
        }
    }

    @Test func theWriterRefusesWhatTheVerifierWouldRefuse() throws {
        let scratch = try BundleScratch()
        let events = Array(scratch.events.dropFirst())
        // A gap in the events, an in-scope event outside them, none at all.
        #expect(throws: EvidenceBundleError.self) {
            _ = try AuditExcerpt(events: events.filter { $0.seq != 4 }, inScope: [3])
        }
        #expect(throws: EvidenceBundleError.scopeOutsideEvents(1)) {
            _ = try AuditExcerpt(events: events, inScope: [1])
        }
        #expect(throws: EvidenceBundleError.noAuditEvents) { _ = try AuditExcerpt(events: [], inScope: []) }
        let bundle = try scratch.bundle()
        func with(_ files: [EvidenceBundle.File], range: EvidenceBundle.AuditRange? = nil) -> EvidenceBundle {
            EvidenceBundle(
                createdAt: bundle.createdAt, organization: bundle.organization, scope: bundle.scope,
                auditRange: range ?? bundle.auditRange, files: files)
        }
        let report = EvidenceBundle.File(path: "report.html", text: "x")
        let cases: [(EvidenceBundle, EvidenceBundleError)] = [
            (with(bundle.files + [EvidenceBundle.File(path: "../x", text: "")]), .invalidPath("../x")),
            (with(bundle.files + [EvidenceBundle.File(path: "a b.txt", text: "")]), .invalidPath("a b.txt")),
            (with(bundle.files + [EvidenceBundle.File(path: "SHA256SUMS", text: "")]), .reservedPath("SHA256SUMS")),
            (with(bundle.files + [report]), .duplicatePath("report.html", "report.html")),
            (
                with(bundle.files + [EvidenceBundle.File(path: "requests", text: "")]),
                .duplicatePath("requests", "requests/RQ-2026-000003.json")
            ),
            (with(bundle.files.filter { $0.path != "audit/events.jsonl" }), .missingAuditExcerpt),
            (
                with(bundle.files, range: EvidenceBundle.AuditRange(firstSeq: 2, lastSeq: 6, headHash: "")),
                .invalidAuditExcerpt("audit/events.jsonl line 6 (seq 7): after the manifest's last_seq 6")
            ),
        ]
        for (candidate, expected) in cases {
            #expect(throws: expected) { _ = try candidate.entries(signingKey: scratch.key) }
        }
        // Nothing is left behind by a refused write.
        let target = scratch.path + "/refused.zip"
        #expect(throws: EvidenceBundleError.missingAuditExcerpt) {
            try with([report]).write(to: target, signingKey: scratch.key)
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.contains("refused") } == [])
    }

    // MARK: - Standard tools

    @Test func standardToolsCheckTheBundleAndCatchTampering() throws {
        let unzip = "/usr/bin/unzip"
        let sha256sum = "/usr/bin/sha256sum"
        let openssl = "/usr/bin/openssl"
        // Checked with the tools a regulator uses; scripts/install-deps installs them, so their absence is a failure.
        for tool in [unzip, sha256sum, openssl] {
            try #require(
                FileManager.default.isExecutableFile(atPath: tool), "\(tool) is missing: run scripts/install-deps")
        }
        let scratch = try BundleScratch()
        let bundle = try scratch.write()
        func check(_ zip: String) throws -> (sums: Int32, signature: Int32) {
            let folder = zip + ".d"
            #expect(try run(unzip, ["-q", zip, "-d", folder]) == 0)
            let sums = try run(sha256sum, ["--strict", "--quiet", "-c", "SHA256SUMS"], in: folder)
            let signature = try run(
                openssl,
                [
                    "pkeyutl", "-verify", "-pubin", "-inkey", "public-key.pem", "-rawin", "-in", "SHA256SUMS",
                    "-sigfile", "SHA256SUMS.sig",
                ], in: folder)
            return (sums, signature)
        }
        let good = try check(bundle)
        #expect(good.sums == 0 && good.signature == 0)

        let report = try scratch.tampered(bundle, "report.zip") { $0.edit("report.html") { $0[20] ^= 0x01 } }
        #expect(try check(report).sums != 0)
        let manifest = try scratch.tampered(bundle, "manifest.zip") {
            $0.replace("TNHH", with: "TNHX", in: "manifest.json")
        }
        #expect(try check(manifest).sums != 0)
        // Its line in SHA256SUMS updated too: the signature over the sums no longer verifies.
        let forged = try scratch.tampered(bundle, "forged.zip") {
            $0.replace("TNHH", with: "TNHX", in: "manifest.json")
            let other = KeyFile.generate(now: BundleScratch.now).activeSigningKey
            try $0.resum(with: other)
        }
        let checked = try check(forged)
        #expect(checked.sums == 0 && checked.signature != 0)

        // Python's zipfile reads it too, and finds every CRC-32 right.
        let script = "import sys, zipfile; sys.exit(zipfile.ZipFile(sys.argv[1]).testzip() is not None)"
        #expect(try run("/usr/bin/env", ["python3", "-c", script, bundle]) == 0)
    }

    // MARK: - Tampering

    @Test func aChangedByteInAnyFileIsNamed() throws {
        let scratch = try BundleScratch()
        let bundle = try scratch.write()
        let original = try Zip.entries(bundle)
        let pemLines = String(decoding: original.bytes("public-key.pem"), as: UTF8.self).split(separator: "\n")
        // A character inside the key bits of the base64 body (the first 16 characters encode the DER prefix).
        var body = Array(pemLines[1].utf8)
        body[30] = body[30] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let otherPEM = "\(pemLines[0])\n\(String(decoding: body, as: UTF8.self))\n\(pemLines[2])\n"
        let otherRaw = try #require(Ed25519PublicKey.raw(fromPEM: otherPEM))
        let otherFingerprint = Digest.sha256Hex(Ed25519PublicKey.spki(otherRaw))

        let size = original.bytes("report.html").count
        let mismatch = "does not match the file"
        let cases: [(String, (inout [EvidenceBundle.File]) throws -> Void, String)] = [
            (
                "manifest.json", { $0.replace("TNHH", with: "TNHX", in: "manifest.json") },
                "SHA256SUMS line 3: the SHA-256 of manifest.json \(mismatch)"
            ),
            (
                "SHA256SUMS.sig", { $0.edit("SHA256SUMS.sig") { $0[10] ^= 0x01 } },
                "SHA256SUMS.sig: the signature over SHA256SUMS does not verify with public-key.pem"
            ),
            (
                "report.html", { $0.edit("report.html") { $0[20] ^= 0x01 } },
                "SHA256SUMS line 5: the SHA-256 of report.html \(mismatch)"
            ),
            (
                "a request",
                { $0.replace("RQ-2026-000005", with: "RQ-2026-000006", in: "requests/RQ-2026-000005.json") },
                "SHA256SUMS line 7: the SHA-256 of requests/RQ-2026-000005.json \(mismatch)"
            ),
            (
                "events.jsonl", { $0.replace("officer", with: "officeR", in: "audit/events.jsonl") },
                "SHA256SUMS line 2: the SHA-256 of audit/events.jsonl \(mismatch)"
            ),
            (
                "HUONG-DAN.txt", { $0.replace(scratch.key.fingerprint, with: otherFingerprint, in: "HUONG-DAN.txt") },
                "SHA256SUMS line 1: the SHA-256 of HUONG-DAN.txt \(mismatch)"
            ),
            (
                "the key in public-key.pem", { $0.edit("public-key.pem") { $0 = Array(otherPEM.utf8) } },
                "public-key.pem: its fingerprint \(otherFingerprint) is not the manifest's key_fingerprint "
                    + scratch.key.fingerprint
            ),
            (
                "the header of public-key.pem", { $0.replace("BEGIN", with: "BEGIM", in: "public-key.pem") },
                "SHA256SUMS line 4: the SHA-256 of public-key.pem \(mismatch)"
            ),
            (
                "SHA256SUMS",
                {
                    $0.edit("SHA256SUMS") { $0[0] = $0[0] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0") }
                },
                "SHA256SUMS.sig: the signature over SHA256SUMS does not verify with public-key.pem"
            ),
            (
                "a size in the manifest, re-signed",
                {
                    $0.replace(
                        "\"bytes\":\(size),\"path\":\"report.html\"",
                        with: "\"bytes\":\(size + 1),\"path\":\"report.html\"", in: "manifest.json")
                    try $0.resum(with: scratch.key)
                },
                "report.html: its size (\(size) bytes) does not match the manifest (\(size + 1) bytes)"
            ),
            (
                "a hash in the manifest, re-signed",
                {
                    $0.replace(
                        Digest.sha256Hex(original.bytes("report.html")), with: String(repeating: "0", count: 64),
                        in: "manifest.json")
                    try $0.resum(with: scratch.key)
                },
                "report.html: its SHA-256 does not match the manifest"
            ),
        ]
        for (index, (what, change, expected)) in cases.enumerated() {
            let copy = try scratch.tampered(bundle, "changed-\(index).zip", change)
            #expect(failure(try BundleVerifier.verify(bundleAt: copy, fingerprint: nil)) == expected, "\(what)")
        }
    }

    @Test func aRemovedOrAddedFileIsNamed() throws {
        let scratch = try BundleScratch()
        let bundle = try scratch.write()
        let cases: [((inout [EvidenceBundle.File]) -> Void, String)] = [
            (
                { $0.remove("requests/RQ-2026-000005.json") },
                "SHA256SUMS line 7: names requests/RQ-2026-000005.json, which is not a file of the bundle"
            ),
            ({ $0.remove("SHA256SUMS.sig") }, "missing file: SHA256SUMS.sig"),
            ({ $0.remove("SHA256SUMS") }, "missing file: SHA256SUMS"),
            (
                { $0.remove("HUONG-DAN.txt") },
                "SHA256SUMS line 1: names HUONG-DAN.txt, which is not a file of the bundle"
            ),
            (
                { $0.append(EvidenceBundle.File(path: "x.txt", text: "hello")) },
                "SHA256SUMS has no line for x.txt: a file was added to the bundle or its line removed"
            ),
            (
                { $0.insert(EvidenceBundle.File(path: "report.html", text: "again"), at: 0) },
                "the bundle holds two entries named report.html"
            ),
        ]
        for (index, (change, expected)) in cases.enumerated() {
            let copy = try scratch.tampered(bundle, "files-\(index).zip", change)
            #expect(failure(try BundleVerifier.verify(bundleAt: copy, fingerprint: nil)) == expected)
        }
        // Not a ZIP at all; no file at all.
        let text = scratch.path + "/not-a-zip.zip"
        #expect(FileManager.default.createFile(atPath: text, contents: Data("PK? no".utf8)))
        #expect(
            failure(try BundleVerifier.verify(bundleAt: text, fingerprint: nil))
                == "the bundle is not a readable ZIP archive")
        #expect(throws: FileError.self) {
            _ = try BundleVerifier.verify(bundleAt: scratch.path + "/absent.zip", fingerprint: nil)
        }
    }

    @Test func aSwappedKeyVerifiesOnlyWithoutPinning() throws {
        let scratch = try BundleScratch()
        let bundle = try scratch.write()
        let other = KeyFile.generate(now: BundleScratch.now).activeSigningKey
        // Re-signed with another key, which replaces public-key.pem and key_fingerprint: consistent in itself.
        let swapped = try scratch.tampered(bundle, "swapped.zip") { try $0.resign(with: other) }
        let unpinned = try #require(intact(try BundleVerifier.verify(bundleAt: swapped, fingerprint: nil)))
        #expect(unpinned.fingerprint == other.fingerprint && !unpinned.pinned)
        #expect(
            failure(try BundleVerifier.verify(bundleAt: swapped, fingerprint: scratch.key.fingerprint))
                == "the key's fingerprint \(other.fingerprint) is not the pinned fingerprint \(scratch.key.fingerprint)"
        )
        // Only public-key.pem swapped, the manifest left alone.
        let keyOnly = try scratch.tampered(bundle, "key-only.zip") {
            $0.edit("public-key.pem") { $0 = Array(other.publicKeyPEM.utf8) }
        }
        #expect(
            failure(try BundleVerifier.verify(bundleAt: keyOnly, fingerprint: nil))
                == "public-key.pem: its fingerprint \(other.fingerprint) is not the manifest's key_fingerprint "
                + scratch.key.fingerprint)
    }

    /// The company holds the key, so it could re-sign an edited excerpt: the chain's links are what stop it.
    @Test func aReSignedExcerptWithABrokenChainIsNamed() throws {
        let scratch = try BundleScratch()
        let bundle = try scratch.write()
        let events = scratch.events
        let cases: [(String, (inout [String]) -> Void, String)] = [
            (
                "reordered", { $0.swapAt(1, 2) },
                "audit/events.jsonl line 2 (seq 4): expected seq 3, the seqs must run without gaps or reordering"
            ),
            (
                "middle removed", { $0.remove(at: 2) },
                "audit/events.jsonl line 3 (seq 5): expected seq 4, the seqs must run without gaps or reordering"
            ),
            (
                "last removed", { $0.removeLast() },
                "audit/events.jsonl ends at seq 6, before the manifest's last_seq 7"
            ),
            (
                "content changed", { $0[1] = $0[1].replacingOccurrences(of: "officer", with: "officeR") },
                "audit/events.jsonl line 2 (seq 3): its content does not match its hash"
            ),
            (
                "link changed",
                {
                    $0[2] = $0[2].replacingOccurrences(of: Hex.encode(events[2].hash), with: Hex.encode(events[1].hash))
                },
                "audit/events.jsonl line 3 (seq 4): prev_hash does not link to seq 3"
            ),
            (
                "not canonical", { $0[1] = $0[1].replacingOccurrences(of: #""actor":"#, with: #""actor": "#) },
                "audit/events.jsonl line 2 (seq 3): not in the canonical form of an audit event"
            ),
            (
                "extra member", { $0[0] = $0[0].replacingOccurrences(of: #"{"hash""#, with: #"{"actor":"x","hash""#) },
                "audit/events.jsonl line 1 (seq 2): neither a whole event nor a link (seq, prev_hash, hash)"
            ),
        ]
        for (index, (what, change, expected)) in cases.enumerated() {
            let copy = try scratch.tampered(bundle, "chain-\(index).zip") {
                $0.editAuditLines(change)
                try $0.resign(with: scratch.key)
            }
            #expect(
                failure(try BundleVerifier.verify(bundleAt: copy, fingerprint: scratch.key.fingerprint)) == expected,
                "\(what)")
        }
        // The head moved: a manifest whose head_hash is not the last line's.
        let head = try scratch.tampered(bundle, "head.zip") {
            $0.replace(Hex.encode(events[6].hash), with: Hex.encode(events[5].hash), in: "manifest.json")
            try $0.resign(with: scratch.key)
        }
        #expect(
            failure(try BundleVerifier.verify(bundleAt: head, fingerprint: nil))
                == "audit/events.jsonl: the hash of seq 7 is not the manifest's head_hash")
        // The re-signing itself is faithful: with no edit the bundle stays intact.
        let resigned = try scratch.tampered(bundle, "resigned.zip") { try $0.resign(with: scratch.key) }
        #expect(intact(try BundleVerifier.verify(bundleAt: resigned, fingerprint: scratch.key.fingerprint)) != nil)
    }
}
