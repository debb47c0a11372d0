import Crypto
import Testing

@testable import RightsCore

@Suite("Keyed hash")
struct KeyedHasherTests {
    @Test("RFC 4231 vectors: a short key and a key longer than the block")
    func rfc4231() {
        let short = KeyedHasher(secret: SymmetricKey(data: Array("Jefe".utf8)))
        #expect(
            Hex.encode(short.hash("what do ya want for nothing?"))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let long = KeyedHasher(secret: SymmetricKey(data: [UInt8](repeating: 0xAA, count: 131)))
        #expect(
            Hex.encode(long.hash("Test Using Larger Than Block-Size Key - Hash Key First"))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test("the fast path gives the bytes of swift-crypto's HMAC for every length around the block sizes")
    func matchesReference() {
        var random = SystemRandomNumberGenerator()
        let hasher = KeyedHasher(secret: SymmetricKey(size: .bits256))
        for length in 0..<200 {
            let text = String(
                (0..<length).map { _ in Character(UnicodeScalar(UInt8.random(in: 0x21...0x7E, using: &random))) })
            #expect(hasher.hash(text) == hasher.referenceHash(text), "length \(length)")
        }
        #expect(hasher.hash("Nguyễn Thị Lan") == hasher.referenceHash("Nguyễn Thị Lan"))
    }

    @Test("keys order as their bytes do and survive a round trip")
    func keyOrder() {
        let hasher = KeyedHasher(secret: SymmetricKey(size: .bits256))
        let keys = (0..<500).map { hasher.key("+8491\($0)") }
        for key in keys { #expect(HashKey(key.bytes) == key) }
        let byKey = keys.sorted().map(\.bytes)
        let byBytes = keys.map(\.bytes).sorted { $0.lexicographicallyPrecedes($1) }
        #expect(byKey == byBytes)
        #expect(HashKey([1, 2, 3]) == nil)
    }
}
