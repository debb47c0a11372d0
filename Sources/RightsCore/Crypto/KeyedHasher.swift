import Crypto

/// The keyed hash (HMAC-SHA-256 under the installation's secret) that matches and suppresses identifiers
/// without storing them: whoever holds the database alone cannot test phone numbers against it.
public struct KeyedHasher: Sendable {
    private let base: HMAC<SHA256>

    public init(secret: SymmetricKey) {
        base = HMAC<SHA256>(key: secret)
    }

    /// The 32-byte keyed hash of a normalised identifier (`+84912345678`, `lan@example.vn`, `zalo:oa:user`).
    public func hash(_ normalized: String) -> [UInt8] {
        // The key schedule is computed once in `base`; copying it per call skips two compressions.
        var mac = base
        var text = normalized
        text.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
        return Array(mac.finalize())
    }

    public func hash(_ identifier: Identifier) -> [UInt8] { hash(identifier.normalized) }

    /// A value derived from the secret that the database keeps, so that a key file that does not belong to
    /// the database is noticed before it silently unmatches every suppression.
    public var keyCheck: String { Hex.encode(hash("rightsdesk key check v1")) }
}

/// SHA-256 helpers for file digests and chain links.
public enum Digest {
    public static func sha256(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        Array(SHA256.hash(data: Array(bytes)))
    }

    public static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String { Hex.encode(sha256(bytes)) }

    public static func sha256Hex(_ text: String) -> String { sha256Hex(Array(text.utf8)) }
}

/// Incremental SHA-256 for files and row streams too large to hold at once.
public struct StreamingDigest: Sendable {
    private var hasher = SHA256()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(data: bytes) }

    public mutating func update(_ bytes: [UInt8]) { hasher.update(data: bytes) }

    public func finalizeHex() -> String { Hex.encode(hasher.finalize()) }
}
