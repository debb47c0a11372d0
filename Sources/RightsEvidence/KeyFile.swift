import Crypto
import Foundation
import RightsCore

#if canImport(Glibc)
    import Glibc
#endif

/// The installation's secrets, kept in `PATH.keys` beside the database and never inside it: the HMAC secret
/// behind every keyed hash, and the Ed25519 keys that sign evidence bundles (the last one signs; older ones
/// stay so that earlier bundles remain verifiable after a rotation).
public struct KeyFile: Sendable {
    public static let format = "rightsdesk-keys/1"

    public let installationID: String
    public let hmacSecret: SymmetricKey
    public let signingKeys: [SigningKey]

    /// An Ed25519 key with the time it started signing.
    public struct SigningKey: Sendable {
        public let privateKey: Curve25519.Signing.PrivateKey
        public let createdAt: Date

        public var publicKeyDER: [UInt8] { Ed25519PublicKey.spki(Array(privateKey.publicKey.rawRepresentation)) }
        public var fingerprint: String { Digest.sha256Hex(publicKeyDER) }
        public var publicKeyPEM: String { Ed25519PublicKey.pem(der: publicKeyDER) }
    }

    public var hasher: KeyedHasher { KeyedHasher(secret: hmacSecret) }
    public var activeSigningKey: SigningKey { signingKeys[signingKeys.count - 1] }

    /// The key file of a database: the same path with `.keys` appended.
    public static func path(forDatabase path: String) -> String { path + ".keys" }

    /// A new installation's secrets.
    public static func generate(now: Date) -> KeyFile {
        KeyFile(
            installationID: UUID().uuidString.lowercased(), hmacSecret: SymmetricKey(size: .bits256),
            signingKeys: [SigningKey(privateKey: Curve25519.Signing.PrivateKey(), createdAt: now)])
    }

    /// Writes a new key file with mode 0600; refuses to replace an existing one.
    public func create(at path: String) throws {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw KeyFileError.cannotWrite(path, String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let bytes = try serialized()
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw KeyFileError.cannotWrite(path, String(cString: strerror(errno)))
        }
    }

    /// Replaces the key file atomically (a rotation), keeping mode 0600.
    public func replace(at path: String) throws {
        let temporary = path + ".tmp"
        unlink(temporary)
        try create(at: temporary)
        guard rename(temporary, path) == 0 else {
            throw KeyFileError.cannotWrite(path, String(cString: strerror(errno)))
        }
    }

    public static func load(from path: String) throws -> KeyFile {
        guard let data = FileManager.default.contents(atPath: path) else { throw KeyFileError.missing(path) }
        guard let value = try? JSONValue(parsing: Array(data)), value["format"]?.stringValue == format,
            let installation = value["installation_id"]?.stringValue,
            let secretText = value["hmac_secret"]?.stringValue, let secret = Data(base64Encoded: secretText),
            secret.count == 32, case .array(let keys)? = value["signing_keys"], !keys.isEmpty
        else { throw KeyFileError.malformed(path) }
        var signingKeys: [SigningKey] = []
        for key in keys {
            guard let raw = key["private_key"]?.stringValue.flatMap({ Data(base64Encoded: $0) }),
                let created = key["created_at"]?.stringValue.flatMap({ Timestamp.parse($0) }),
                let privateKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
            else { throw KeyFileError.malformed(path) }
            signingKeys.append(SigningKey(privateKey: privateKey, createdAt: created))
        }
        return KeyFile(installationID: installation, hmacSecret: SymmetricKey(data: secret), signingKeys: signingKeys)
    }

    /// A copy with a new signing key appended (the old ones keep verifying old bundles).
    public func rotated(now: Date) -> KeyFile {
        KeyFile(
            installationID: installationID, hmacSecret: hmacSecret,
            signingKeys: signingKeys + [SigningKey(privateKey: Curve25519.Signing.PrivateKey(), createdAt: now)])
    }

    func serialized() throws -> [UInt8] {
        let secret = hmacSecret.withUnsafeBytes { Data($0).base64EncodedString() }
        let value: JSONValue = [
            "format": .string(KeyFile.format), "installation_id": .string(installationID),
            "hmac_secret": .string(secret),
            "signing_keys": .array(
                signingKeys.map {
                    [
                        "private_key": .string($0.privateKey.rawRepresentation.base64EncodedString()),
                        "created_at": .string(Timestamp.utc($0.createdAt)),
                    ]
                }),
        ]
        return value.canonicalBytes + [0x0A]
    }
}

/// Why the key file could not be used.
public enum KeyFileError: Error, Sendable, CustomStringConvertible {
    case missing(String)
    case malformed(String)
    case cannotWrite(String, String)
    case readableByOthers(String, mode: String)

    public var description: String {
        switch self {
        case .missing(let path): "the key file \(path) is missing; without it no keyed hash can be checked"
        case .malformed(let path): "the key file \(path) is damaged or not a RightsDesk key file"
        case .cannotWrite(let path, let reason): "cannot write the key file \(path): \(reason)"
        case .readableByOthers(let path, let mode):
            "the key file \(path) can be read by other users (mode \(mode)); it holds the secret of every keyed hash "
                + "and the signing key: make it private with `chmod 600 \(path)` and run the command again"
        }
    }
}

/// Ed25519 public keys in the forms a regulator's tools read: SubjectPublicKeyInfo DER and PEM.
public enum Ed25519PublicKey {
    /// RFC 8410: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING key }.
    static let spkiPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    public static func spki(_ raw: [UInt8]) -> [UInt8] { spkiPrefix + raw }

    public static func pem(der: [UInt8]) -> String {
        let base64 = Data(der).base64EncodedString()
        return "-----BEGIN PUBLIC KEY-----\n\(base64)\n-----END PUBLIC KEY-----\n"
    }

    /// The raw 32-byte key from a PEM `PUBLIC KEY`, or nil when it is not an Ed25519 key.
    public static func raw(fromPEM pem: String) -> [UInt8]? {
        let body = pem.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
        guard let der = Data(base64Encoded: body), der.count == 44, Array(der.prefix(12)) == spkiPrefix else {
            return nil
        }
        return Array(der.suffix(32))
    }
}
