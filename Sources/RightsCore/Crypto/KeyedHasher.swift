import Crypto

#if canImport(CCryptoBoringSSL)
    // swift-crypto's own BoringSSL, which its `Crypto` module is built on here (Linux). HMAC through the Swift API
    // allocates a context per call and costs about 0.7 µs; the C context copied by value costs 0.1 µs, which is
    // most of a million-row gate. Where the module is absent (Apple platforms), the Swift API is used instead.
    // `KeyedHasherTests` checks both paths give the same bytes as `HMAC<SHA256>`.
    import CCryptoBoringSSL
#endif

/// A keyed hash as a value: 32 bytes held as four big-endian words, so that comparing keys orders them as
/// `memcmp` orders their bytes (the order SQLite sorts blobs in) and hashing one costs no allocation.
public struct HashKey: Hashable, Comparable, Sendable {
    public var w0: UInt64
    public var w1: UInt64
    public var w2: UInt64
    public var w3: UInt64

    /// Thirty-two zero bytes: a placeholder, never the hash of anything in practice.
    public static let zero = HashKey(w0: 0, w1: 0, w2: 0, w3: 0)

    /// The key whose bytes are these four words, most significant first.
    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// Reads the first 32 bytes of `bytes`; nil when there are fewer.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 32 else { return nil }
        w0 = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        w1 = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        w2 = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        w3 = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    public init?(_ bytes: [UInt8]) {
        guard let key = bytes.withUnsafeBytes({ HashKey($0) }) else { return nil }
        self = key
    }

    /// The 32 bytes, as stored in the database.
    public var bytes: [UInt8] {
        var big = (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)
        return withUnsafeBytes(of: &big) { Array($0) }
    }

    /// Calls `body` with the 32 bytes without allocating.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var big = (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)
        return try withUnsafeBytes(of: &big, body)
    }

    public static func < (lhs: HashKey, rhs: HashKey) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }

    public static func == (lhs: HashKey, rhs: HashKey) -> Bool {
        lhs.w0 == rhs.w0 && lhs.w1 == rhs.w1 && lhs.w2 == rhs.w2 && lhs.w3 == rhs.w3
    }

    // An HMAC output is uniformly distributed, so one word identifies it well enough for a hash table.
    public func hash(into hasher: inout Hasher) { hasher.combine(w0) }
}

/// The keyed hash (HMAC-SHA-256 under the installation's secret) that matches and suppresses identifiers
/// without storing them: whoever holds the database alone cannot test phone numbers against it.
public struct KeyedHasher: Sendable {
    private let base: HMAC<SHA256>
    #if canImport(CCryptoBoringSSL)
        /// SHA-256 states after absorbing the key XOR ipad and XOR opad: HMAC's key schedule, done once.
        private let inner: SHA256_CTX
        private let outer: SHA256_CTX
    #endif

    public init(secret: SymmetricKey) {
        base = HMAC<SHA256>(key: secret)
        #if canImport(CCryptoBoringSSL)
            var block = secret.withUnsafeBytes { Array($0) }
            if block.count > 64 { block = Array(SHA256.hash(data: block)) }
            block += Array(repeating: 0, count: 64 - block.count)
            var innerState = SHA256_CTX()
            var outerState = SHA256_CTX()
            CCryptoBoringSSL_SHA256_Init(&innerState)
            CCryptoBoringSSL_SHA256_Init(&outerState)
            _ = block.map { $0 ^ 0x36 }.withUnsafeBytes {
                CCryptoBoringSSL_SHA256_Update(&innerState, $0.baseAddress, 64)
            }
            _ = block.map { $0 ^ 0x5C }.withUnsafeBytes {
                CCryptoBoringSSL_SHA256_Update(&outerState, $0.baseAddress, 64)
            }
            inner = innerState
            outer = outerState
        #endif
    }

    /// The keyed hash of a normalised identifier (`+84912345678`, `lan@example.vn`, `zalo:oa:user`) as a value.
    public func key(_ normalized: String) -> HashKey {
        var text = normalized
        return text.withUTF8 { key(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// The keyed hash of UTF-8 bytes.
    public func key(utf8 message: UnsafeRawBufferPointer) -> HashKey {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        #if canImport(CCryptoBoringSSL)
            var state = inner
            var innerDigest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            CCryptoBoringSSL_SHA256_Update(&state, message.baseAddress, message.count)
            withUnsafeMutableBytes(of: &innerDigest) {
                _ = CCryptoBoringSSL_SHA256_Final($0.baseAddress!.assumingMemoryBound(to: UInt8.self), &state)
            }
            state = outer
            withUnsafeBytes(of: &innerDigest) { _ = CCryptoBoringSSL_SHA256_Update(&state, $0.baseAddress, 32) }
            withUnsafeMutableBytes(of: &words) {
                _ = CCryptoBoringSSL_SHA256_Final($0.baseAddress!.assumingMemoryBound(to: UInt8.self), &state)
            }
        #else
            var mac = base
            mac.update(data: message)
            let code = mac.finalize()
            withUnsafeMutableBytes(of: &words) { target in code.withUnsafeBytes { target.copyMemory(from: $0) } }
        #endif
        return withUnsafeBytes(of: &words) { HashKey($0)! }
    }

    /// The 32-byte keyed hash of a normalised identifier, as the database stores it.
    public func hash(_ normalized: String) -> [UInt8] { key(normalized).bytes }

    public func hash(_ identifier: Identifier) -> [UInt8] { hash(identifier.normalized) }

    /// The same hash through swift-crypto's `HMAC` API alone: the reference the fast path is tested against.
    public func referenceHash(_ normalized: String) -> [UInt8] {
        var mac = base
        mac.update(data: Array(normalized.utf8))
        return Array(mac.finalize())
    }

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
