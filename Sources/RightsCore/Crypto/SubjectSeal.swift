import Crypto

/// Seals personal data under a per-subject key, so that deleting the key (crypto-shredding) makes every
/// sealed copy unreadable while the ciphertext, and so the audit chain, stays intact.
public enum SubjectSeal {
    public static func newKey() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// Sixteen random bytes, put before sealed data whose digest is kept beside it (the audit chain's `pii_sha256`),
    /// so that the digest cannot be matched against guesses once the key is gone.
    public static func salt() -> [UInt8] {
        SymmetricKey(size: .bits128).withUnsafeBytes { Array($0) }
    }

    /// ChaCha20-Poly1305, nonce and tag included in the returned bytes.
    public static func seal(_ plaintext: [UInt8], key: [UInt8]) throws -> [UInt8] {
        let box = try ChaChaPoly.seal(plaintext, using: SymmetricKey(data: key))
        return Array(box.combined)
    }

    public static func open(_ sealed: [UInt8], key: [UInt8]) throws -> [UInt8] {
        let box = try ChaChaPoly.SealedBox(combined: sealed)
        return Array(try ChaChaPoly.open(box, using: SymmetricKey(data: key)))
    }
}
