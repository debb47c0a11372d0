import Crypto
import Foundation
import RightsCore

#if canImport(Glibc)
    import Glibc
#endif

/// The outcome of checking a bundle: intact, or the first thing that failed in one sentence naming its file.
public enum BundleVerification: Sendable, Equatable {
    case intact(VerifiedBundle)
    case failed(String)
}

/// What an intact bundle states, and which key vouched for it.
public struct VerifiedBundle: Sendable, Equatable {
    /// The signing key's fingerprint: hex SHA-256 of its SubjectPublicKeyInfo DER.
    public let fingerprint: String
    /// True when the key was checked against a fingerprint the caller gave; false when the bundle's own key was
    /// trusted, which proves integrity but not who signed.
    public let pinned: Bool
    public let createdAt: String
    public let organization: String
    public let scope: JSONValue
    public let auditRange: EvidenceBundle.AuditRange
    /// The files the manifest lists, in its order.
    public let files: [String]
}

/// Checks a `rightsdesk-evidence/2` bundle (or a format 1 one) without a database, as a regulator's tools would
/// and more: the key, the signature, every file's hash, SHA256SUMS, the manifest and the audit chain's links.
public enum BundleVerifier {
    /// Checks the bundle at `path`, in this order, and names the first thing that fails:
    /// 1. it is a ZIP holding `manifest.json`, `public-key.pem`, `SHA256SUMS` and its signature `SHA256SUMS.sig`
    ///    (format 1: `manifest.sig`, the manifest's signature), and the manifest is well-formed in that format;
    /// 2. the key's fingerprint is the manifest's `key_fingerprint` and, when `fingerprint` is given, that one
    ///    (hex, any case);
    /// 3. the signature is the key's over the exact bytes of `SHA256SUMS` (format 1: of `manifest.json`);
    /// 4. SHA256SUMS names every file but itself and its signature, once each, with its SHA-256; the manifest
    ///    lists every file but itself, SHA256SUMS and the signature, with its size and SHA-256;
    /// 5. `audit/events.jsonl` runs from `first_seq` to `last_seq` with every link and hash checking, and ends at
    ///    `head_hash`.
    ///
    /// Directory entries are not files of the bundle and are ignored, so a bundle unzipped and zipped again with
    /// `zip -r` still verifies. Throws `FileError` only when the file itself cannot be opened; anything wrong
    /// inside it is `.failed`.
    public static func verify(bundleAt path: String, fingerprint: String?) throws -> BundleVerification {
        guard let handle = fopen(path, "rb") else { throw FileError.cannotRead(path, String(cString: strerror(errno))) }
        fclose(handle)
        do {
            return .intact(try check(path, pin: fingerprint))
        } catch {
            return .failed(error.message)
        }
    }

    private static func check(_ path: String, pin: String?) throws(BundleFailure) -> VerifiedBundle {
        // 1. The ZIP, the fixed files and the manifest's form.
        let legacySignature = EvidenceBundle.LegacyFormat.signaturePath
        let parsed: Set<String> = [
            EvidenceBundle.manifestPath, EvidenceBundle.signaturePath, legacySignature, EvidenceBundle.publicKeyPath,
            EvidenceBundle.checksumsPath, AuditExcerpt.path,
        ]
        // The audit excerpt, the most work to check, is read and checked on another core while this one reads and
        // hashes every other entry; its verdict is given at step 5, in its turn.
        let excerpt = ExcerptCheck.start(path)
        var entries = try BundleArchive.read(at: path, keeping: parsed) { $0 != AuditExcerpt.path }
        let audit: ExcerptCheck
        do {
            audit = try excerpt.wait()
        } catch {
            // A ZIP that thread could not read fails as the main read would.
            throw error as? BundleFailure ?? BundleFailure("the bundle is not a readable ZIP archive")
        }
        if let entry = audit.entry { entries.append(entry) }
        var byPath: [String: BundleArchive.ReadEntry] = [:]
        for entry in entries { byPath[entry.path] = entry }
        func contents(_ name: String) throws(BundleFailure) -> [UInt8] {
            guard let entry = byPath[name] else { throw BundleFailure("missing file: \(name)") }
            guard entry.isFile, let bytes = entry.bytes else {
                throw BundleFailure("\(name) is a \(entry.kind) in the ZIP, not a file")
            }
            return bytes
        }
        // Format 2 signs SHA256SUMS; a bundle with only format 1's manifest signature is read as format 1.
        let legacy = byPath[EvidenceBundle.signaturePath] == nil && byPath[legacySignature] != nil
        let signaturePath = legacy ? legacySignature : EvidenceBundle.signaturePath
        let manifestBytes = try contents(EvidenceBundle.manifestPath)
        let signature = try contents(signaturePath)
        let pem = try contents(EvidenceBundle.publicKeyPath)
        let sums = try contents(EvidenceBundle.checksumsPath)
        let manifest = try Manifest(
            parsing: manifestBytes, format: legacy ? EvidenceBundle.LegacyFormat.format : EvidenceBundle.format)

        // 2. The key.
        guard let raw = Ed25519PublicKey.raw(fromPEM: String(decoding: pem, as: UTF8.self)),
            let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else { throw BundleFailure("public-key.pem: not an Ed25519 public key in PEM form") }
        let keyFingerprint = Digest.sha256Hex(Ed25519PublicKey.spki(raw))
        guard keyFingerprint == manifest.keyFingerprint.lowercased() else {
            throw BundleFailure(
                "public-key.pem: its fingerprint \(keyFingerprint) is not the manifest's key_fingerprint "
                    + manifest.keyFingerprint)
        }
        if let pin, keyFingerprint != pin.lowercased() {
            throw BundleFailure("the key's fingerprint \(keyFingerprint) is not the pinned fingerprint \(pin)")
        }

        // 3. The signature over the exact bytes it covers.
        let signed = legacy ? manifestBytes : sums
        guard signature.count == 64 else {
            throw BundleFailure("\(signaturePath): not a 64-byte Ed25519 signature (it has \(signature.count) bytes)")
        }
        guard publicKey.isValidSignature(signature, for: signed) else {
            throw BundleFailure(
                "\(signaturePath): the signature over \(legacy ? EvidenceBundle.manifestPath : EvidenceBundle.checksumsPath) "
                    + "does not verify with public-key.pem")
        }

        // 4. SHA256SUMS against the entries (format 2 signs it, so it comes first), then the manifest against both.
        let unlisted: Set<String> = [EvidenceBundle.manifestPath, signaturePath, EvidenceBundle.checksumsPath]
        let listed = Set(manifest.files.map(\.path))
        if legacy {
            try checkListing(manifest, byPath)
            for name in entries.map(\.path).sorted(by: BundlePath.precedes)
            where !listed.contains(name) && !unlisted.contains(name) {
                throw BundleFailure("extra file not in the manifest: \(name)")
            }
            var summed = byPath.filter { listed.contains($0.key) || $0.key == EvidenceBundle.manifestPath }
                .mapValues(\.sha256)
            try checkSums(sums, against: &summed)
        } else {
            var summed = byPath.filter { $0.key != signaturePath && $0.key != EvidenceBundle.checksumsPath }
                .mapValues(\.sha256)
            try checkSums(sums, against: &summed)
            try checkListing(manifest, byPath)
            for name in entries.map(\.path).sorted(by: BundlePath.precedes)
            where !listed.contains(name) && !unlisted.contains(name) {
                throw BundleFailure("manifest.json does not list \(name)")
            }
        }

        // 5. The audit excerpt.
        guard listed.contains(AuditExcerpt.path) else {
            throw BundleFailure("manifest.json does not list \(AuditExcerpt.path)")
        }
        _ = try contents(AuditExcerpt.path)
        if audit.range == manifest.audit, let verdict = audit.verdict {
            try verdict.get()
        } else {
            try AuditEventForm.check(contents(AuditExcerpt.path), against: manifest.audit)
        }

        return VerifiedBundle(
            fingerprint: keyFingerprint, pinned: pin != nil, createdAt: manifest.createdAt,
            organization: manifest.organization, scope: manifest.scope, auditRange: manifest.audit,
            files: manifest.files.map(\.path))
    }

    /// Every file the manifest lists is in the ZIP, of the listed size and SHA-256.
    private static func checkListing(
        _ manifest: Manifest, _ byPath: [String: BundleArchive.ReadEntry]
    ) throws(BundleFailure) {
        for file in manifest.files {
            guard let entry = byPath[file.path] else { throw BundleFailure("missing file: \(file.path)") }
            guard entry.isFile else { throw BundleFailure("\(file.path) is not a file in the ZIP") }
            guard entry.size == file.bytes else {
                throw BundleFailure(
                    "\(file.path): its size (\(entry.size) bytes) does not match the manifest (\(file.bytes) bytes)")
            }
            guard entry.sha256 == file.sha256 else {
                throw BundleFailure("\(file.path): its SHA-256 does not match the manifest")
            }
        }
    }

    /// Checks `SHA256SUMS` line by line against `expected` (path to SHA-256 of every file it must name),
    /// emptying it as lines match so that what is left was never named.
    private static func checkSums(_ bytes: [UInt8], against expected: inout [String: String]) throws(BundleFailure) {
        let name = EvidenceBundle.checksumsPath
        guard !bytes.isEmpty, bytes.last == 0x0A else {
            throw BundleFailure("\(name): the last line does not end with a line feed")
        }
        var named: Set<String> = []
        for (index, line) in bytes.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let place = "\(name) line \(index + 1)"
            // `sha256sum` writes `<hex>  <path>`: two spaces, the second meaning text mode.
            let text = String(decoding: line, as: UTF8.self)
            let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[1].isEmpty, BundlePath.isDigest(parts[0].lowercased()) else {
                throw BundleFailure("\(place): not a \"<sha256>  <path>\" line")
            }
            let path = String(parts[2])
            guard named.insert(path).inserted else { throw BundleFailure("\(place): names \(path) a second time") }
            guard let sha256 = expected.removeValue(forKey: path) else {
                throw BundleFailure("\(place): names \(path), which is not a file of the bundle")
            }
            guard sha256 == parts[0].lowercased() else {
                throw BundleFailure("\(place): the SHA-256 of \(path) does not match the file")
            }
        }
        if let missing = expected.keys.sorted(by: { BundlePath.precedes($0, $1) }).first {
            throw BundleFailure(
                "\(name) has no line for \(missing): a file was added to the bundle or its line removed")
        }
    }
}

/// `manifest.json` as the verifier reads it; every member the contract names must be there with its type.
private struct Manifest {
    struct Listed {
        let path: String
        let sha256: String
        let bytes: Int
    }

    let createdAt: String
    let organization: String
    let scope: JSONValue
    let keyFingerprint: String
    let files: [Listed]
    let audit: EvidenceBundle.AuditRange

    init(parsing bytes: [UInt8], format expected: String) throws(BundleFailure) {
        let name = EvidenceBundle.manifestPath
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw BundleFailure("\(name): not valid JSON (\(error))")
        }
        guard let format = value["format"]?.stringValue else { throw BundleFailure("\(name) names no format") }
        guard format == expected else {
            throw BundleFailure("\(name): the format is \(format), not \(expected)")
        }
        guard let createdAt = value["created_at"]?.stringValue, let organization = value["organization"]?.stringValue,
            let scope = value["scope"], let keyFingerprint = value["key_fingerprint"]?.stringValue
        else { throw BundleFailure("\(name): created_at, organization, scope and key_fingerprint are required") }
        guard case .array(let listed)? = value["files"] else { throw BundleFailure("\(name): files is not a list") }
        var files: [Listed] = []
        var seen: Set<String> = []
        for (index, file) in listed.enumerated() {
            guard let path = file["path"]?.stringValue, BundlePath.isValid(path),
                let sha256 = file["sha256"]?.stringValue, BundlePath.isDigest(sha256),
                let size = file["bytes"]?.intValue, size >= 0, let bytes = Int(exactly: size)
            else { throw BundleFailure("\(name): files[\(index)] needs a valid path, sha256 and bytes") }
            guard path != EvidenceBundle.manifestPath, path != EvidenceBundle.signaturePath,
                path != EvidenceBundle.LegacyFormat.signaturePath, path != EvidenceBundle.checksumsPath
            else { throw BundleFailure("\(name): files lists \(path), which it must not") }
            guard seen.insert(path).inserted else { throw BundleFailure("\(name): files lists \(path) twice") }
            files.append(Listed(path: path, sha256: sha256, bytes: bytes))
        }
        guard let first = value["audit"]?["first_seq"]?.intValue, let last = value["audit"]?["last_seq"]?.intValue,
            let head = value["audit"]?["head_hash"]?.stringValue, first >= 1, first <= last, BundlePath.isDigest(head)
        else { throw BundleFailure("\(name): audit needs first_seq <= last_seq and a head_hash of 64 hex digits") }
        self.createdAt = createdAt
        self.organization = organization
        self.scope = scope
        self.keyFingerprint = keyFingerprint
        self.files = files
        self.audit = EvidenceBundle.AuditRange(firstSeq: first, lastSeq: last, headHash: head)
    }
}

/// The audit excerpt of a bundle as another thread read and checked it: its entry, the audit range of the
/// manifest read beside it, and the verdict of `AuditEventForm.check` on the two (nil when the thread could not
/// make the check: no range or no excerpt, left for the main check to describe).
private struct ExcerptCheck: Sendable {
    var entry: BundleArchive.ReadEntry?
    var range: EvidenceBundle.AuditRange?
    var verdict: Result<Void, BundleFailure>?

    /// Starts reading and checking the excerpt of the bundle at `path` on another core.
    static func start(_ path: String) -> Pending<ExcerptCheck> {
        Pending.start {
            var outcome = ExcerptCheck()
            let wanted: Set<String> = [AuditExcerpt.path, EvidenceBundle.manifestPath]
            let entries = try BundleArchive.read(at: path, keeping: wanted) { wanted.contains($0) }
            outcome.entry = entries.first { $0.path == AuditExcerpt.path }
            guard let manifest = entries.first(where: { $0.path == EvidenceBundle.manifestPath })?.bytes,
                let value = try? JSONValue(parsing: manifest), let first = value["audit"]?["first_seq"]?.intValue,
                let last = value["audit"]?["last_seq"]?.intValue, let head = value["audit"]?["head_hash"]?.stringValue,
                let excerpt = outcome.entry, excerpt.isFile, let bytes = excerpt.bytes
            else { return outcome }
            let range = EvidenceBundle.AuditRange(firstSeq: first, lastSeq: last, headHash: head)
            outcome.range = range
            outcome.verdict = Result { () throws(BundleFailure) in try AuditEventForm.check(bytes, against: range) }
            return outcome
        }
    }
}
