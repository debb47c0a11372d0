import Crypto
import Foundation
import RightsCore

/// An evidence bundle in the format `rightsdesk-evidence/2` (CONTRACT.md, "Evidence"): a ZIP a regulator checks
/// with `unzip`, `sha256sum`, `openssl` and `find` alone. The caller gives the content files (the report, the
/// requests, the audit excerpt); the bundle adds `manifest.json`, the signing key `public-key.pem`, the
/// instructions `HUONG-DAN.txt`, `SHA256SUMS` over every one of those files, and its signature `SHA256SUMS.sig`.
/// Signing the sums rather than the manifest is what makes the by-hand check complete: an edited file whose line
/// was updated, a removed or added file, an edited manifest and a key swapped for another all fail a standard tool.
///
/// Everything but the signature is reproducible: the same content gives the same bytes in every entry, since the
/// manifest is canonical JSON, lists are sorted and ZIP entries carry a fixed time. Ed25519 signatures may be
/// randomised by the crypto library, so `SHA256SUMS.sig` alone may differ between two exports.
public struct EvidenceBundle: Sendable {
    public static let format = "rightsdesk-evidence/2"
    public static let manifestPath = "manifest.json"
    public static let signaturePath = "SHA256SUMS.sig"
    public static let publicKeyPath = "public-key.pem"
    public static let checksumsPath = "SHA256SUMS"
    public static let instructionsPath = "HUONG-DAN.txt"

    /// The files the bundle writes itself; no content file may take their names (nor format 1's signature).
    static let reservedPaths: Set<String> = [
        manifestPath, signaturePath, publicKeyPath, checksumsPath, instructionsPath, LegacyFormat.signaturePath,
    ]

    /// What format 1 did differently: its signature was over the manifest, and `SHA256SUMS` was not signed.
    enum LegacyFormat {
        static let format = "rightsdesk-evidence/1"
        static let signaturePath = "manifest.sig"
    }

    /// One file of the bundle: its path inside the ZIP and its exact bytes.
    public struct File: Sendable, Equatable {
        public let path: String
        public let bytes: [UInt8]

        public init(path: String, bytes: [UInt8]) {
            self.path = path
            self.bytes = bytes
        }

        public init(path: String, text: String) { self.init(path: path, bytes: Array(text.utf8)) }
    }

    /// The run of the audit chain the bundle carries: the manifest's `audit` object.
    public struct AuditRange: Sendable, Equatable {
        public let firstSeq: Int64
        public let lastSeq: Int64
        /// The hash of `lastSeq`, lower-case hex.
        public let headHash: String

        public init(firstSeq: Int64, lastSeq: Int64, headHash: String) {
            self.firstSeq = firstSeq
            self.lastSeq = lastSeq
            self.headHash = headHash
        }
    }

    public let createdAt: String
    public let organization: String
    /// What the export selected (a request, or a period), as the caller states it.
    public let scope: JSONValue
    public let auditRange: AuditRange
    /// The content files; they must include `audit/events.jsonl` (an `AuditExcerpt`) matching `auditRange`.
    public let files: [File]

    public init(createdAt: String, organization: String, scope: JSONValue, auditRange: AuditRange, files: [File]) {
        self.createdAt = createdAt
        self.organization = organization
        self.scope = scope
        self.auditRange = auditRange
        self.files = files
    }

    /// Every entry of the bundle in ZIP order: `HUONG-DAN.txt` first (what a person opening the ZIP reads), then
    /// `SHA256SUMS`, `SHA256SUMS.sig`, `manifest.json`, `public-key.pem` and the content files sorted by path.
    /// Refuses a bundle the verifier would refuse: a bad or repeated path, a missing audit excerpt, or one that does
    /// not check against `auditRange`.
    public func entries(signingKey: KeyFile.SigningKey) throws(EvidenceBundleError) -> [File] {
        try checkFiles()
        let publicKey = File(path: Self.publicKeyPath, text: signingKey.publicKeyPEM)
        let instructions = File(
            path: Self.instructionsPath,
            text: BundleInstructions(
                organization: organization, createdAt: createdAt, fingerprint: signingKey.fingerprint,
                contentPaths: files.map(\.path), attestation: isAttestation
            ).text)
        let content = files.sorted { BundlePath.precedes($0.path, $1.path) }
        let listed = (content + [publicKey, instructions]).sorted { BundlePath.precedes($0.path, $1.path) }
        let manifest = File(path: Self.manifestPath, bytes: manifestBytes(listing: listed, key: signingKey))
        let summed = (listed + [manifest]).sorted { BundlePath.precedes($0.path, $1.path) }
        var sums = ""
        for file in summed { sums += "\(Digest.sha256Hex(file.bytes))  \(file.path)\n" }
        let checksums = File(path: Self.checksumsPath, text: sums)
        let signature: [UInt8]
        do {
            signature = Array(try signingKey.privateKey.signature(for: checksums.bytes))
        } catch {
            throw .cannotSign("\(error)")
        }
        return [instructions, checksums, File(path: Self.signaturePath, bytes: signature), manifest, publicKey]
            + content
    }

    /// True when the scope holds nothing: the bundle then attests that, rather than being refused.
    var isAttestation: Bool { scope["empty"] == .bool(true) }

    /// Writes the bundle to `path` through a temporary file renamed into place, so a failed export leaves no
    /// partial bundle. Throws `EvidenceBundleError` for content it refuses, `FileError` when it cannot write.
    public func write(to path: String, signingKey: KeyFile.SigningKey) throws {
        let zip: Data
        do {
            zip = try BundleArchive.zip(try entries(signingKey: signingKey))
        } catch let error as EvidenceBundleError {
            throw error
        } catch {
            throw FileError.cannotWrite(path, "the ZIP could not be built (\(error))")
        }
        let file = try AtomicFile(path: path)
        do {
            try file.write(Array(zip))
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
    }

    /// `manifest.json`: canonical JSON (RFC 8785) and a line feed, listing `listed` in path order.
    func manifestBytes(listing listed: [File], key: KeyFile.SigningKey) -> [UInt8] {
        let manifest: JSONValue = [
            "format": .string(Self.format), "created_at": .string(createdAt), "organization": .string(organization),
            "scope": scope, "key_fingerprint": .string(key.fingerprint),
            "files": .array(
                listed.map {
                    [
                        "path": .string($0.path), "sha256": .string(Digest.sha256Hex($0.bytes)),
                        "bytes": .int($0.bytes.count),
                    ]
                }),
            "audit": [
                "first_seq": .int(auditRange.firstSeq), "last_seq": .int(auditRange.lastSeq),
                "head_hash": .string(auditRange.headHash),
            ],
        ]
        return manifest.canonicalBytes + [0x0A]
    }

    private func checkFiles() throws(EvidenceBundleError) {
        var folded: [String: String] = [:]
        for file in files {
            guard BundlePath.isValid(file.path) else { throw .invalidPath(file.path) }
            guard !Self.reservedPaths.contains(file.path) else { throw .reservedPath(file.path) }
            // Two names that differ only in case overwrite each other when unzipped on macOS or Windows.
            if let other = folded.updateValue(file.path, forKey: file.path.lowercased()) {
                throw .duplicatePath(other, file.path)
            }
        }
        for file in files {
            // `requests` as a file and `requests/x.json` cannot both be unzipped.
            var folder = file.path
            while let slash = folder.lastIndex(of: "/") {
                folder = String(folder[..<slash])
                if let other = folded[folder.lowercased()] { throw .duplicatePath(other, file.path) }
            }
        }
        guard let audit = files.first(where: { $0.path == AuditExcerpt.path }) else { throw .missingAuditExcerpt }
        do {
            try AuditEventForm.check(audit.bytes, against: auditRange)
        } catch {
            throw .invalidAuditExcerpt(error.message)
        }
    }
}

/// Why a bundle could not be made.
public enum EvidenceBundleError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidPath(String)
    case reservedPath(String)
    case duplicatePath(String, String)
    case missingAuditExcerpt
    case invalidAuditExcerpt(String)
    case noAuditEvents
    case brokenAuditChain(String)
    case scopeOutsideEvents(Int64)
    case cannotSign(String)

    public var description: String {
        switch self {
        case .invalidPath(let path):
            "the bundle path \"\(path)\" is not allowed: use ASCII letters, digits, '.', '_' and '-' in segments "
                + "joined by '/'"
        case .reservedPath(let path): "\(path) is written by the bundle itself and cannot be given as a file"
        case .duplicatePath(let first, let second): "the bundle paths \(first) and \(second) collide when unzipped"
        case .missingAuditExcerpt: "the bundle has no \(AuditExcerpt.path)"
        case .invalidAuditExcerpt(let reason): "the audit excerpt does not check: \(reason)"
        case .noAuditEvents: "a bundle needs at least one audit event"
        case .brokenAuditChain(let reason):
            "the audit events cannot be exported: \(reason); `rightsdesk audit verify` checks the whole chain"
        case .scopeOutsideEvents(let seq): "the in-scope event \(seq) is not among the audit events given"
        case .cannotSign(let reason): "the manifest could not be signed: \(reason)"
        }
    }
}
