import Crypto
import Foundation
import RightsCore
import Testing

@Suite("Identifiers")
struct IdentifierTests {
    // MARK: - Emails

    @Test(
        arguments: [
            // Trimmed (spaces, tabs, line ends, no-break spaces) and lower-cased.
            ("Lan.Nguyen@Example.VN", "lan.nguyen@example.vn"),
            ("  lan@example.vn\t", "lan@example.vn"),
            ("\u{00A0}HUONG.TRAN@GMAIL.COM\r\n", "huong.tran@gmail.com"),
            ("a+tag@sub.example.com.vn", "a+tag@sub.example.com.vn"),
        ])
    func emailsAreTrimmedAndLowerCased(text: String, normalized: String) throws {
        let identifier = try Identifier(email: text)
        #expect(identifier == .email(normalized))
        #expect(identifier.normalized == normalized)
        #expect(identifier.kind == .email)
    }

    @Test(
        arguments: [
            "lan",  // no @
            "lan@",  // no domain
            "@example.vn",  // no local part
            "lan@example",  // no dot in the domain
            "lan@.example.vn",  // domain starts with a dot
            "lan@example.vn.",  // domain ends with a dot
            "lan@@example.vn",  // two @
            "lan@ex@ample.vn",  // two @
            "lan nguyen@example.vn",  // white space inside
            "lan@example.vn,huong@example.vn",  // two addresses with a comma
            "lan@example.vn;huong@example.vn",  // two addresses with a semicolon
            "",
            "   ",
        ])
    func malformedEmailsAreRefused(text: String) {
        let error = #expect(throws: IdentifierError.self) { try Identifier(email: text) }
        guard case .email? = error else {
            Issue.record("expected an email error, got \(String(describing: error))")
            return
        }
    }

    @Test func emailsThatDifferOnlyInCaseAreTheSameIdentifier() throws {
        #expect(try Identifier(email: "Lan@Example.vn") == Identifier(email: "lan@example.VN"))
    }

    // MARK: - Zalo

    @Test func zaloIdsAreParsedAsOfficialAccountAndUser() throws {
        let identifier = try Identifier(parsing: "zalo:4318245678:8412345678901")
        #expect(identifier == .zalo(oa: "4318245678", user: "8412345678901"))
        #expect(identifier.normalized == "zalo:4318245678:8412345678901")
        #expect(identifier.description == "zalo:4318245678:8412345678901")
        #expect(identifier.kind == .zalo)
    }

    @Test func theSameZaloUserUnderAnotherOfficialAccountIsAnotherIdentifier() throws {
        #expect(try Identifier(parsing: "zalo:oa1:123") != Identifier(parsing: "zalo:oa2:123"))
    }

    @Test(
        arguments: [
            "zalo:4318245678",  // no user part
            "zalo:4318245678:",  // empty user
            "zalo::8412345678901",  // empty Official Account
            "zalo:a:b:c",  // three parts
            "zalo:43 18:123",  // a space in the Official Account
            "zalo:oa:12.34",  // a dot in the user id
            "zalo:oa:ngườidùng",  // letters outside ASCII
        ])
    func malformedZaloIdsAreRefused(text: String) {
        let error = #expect(throws: IdentifierError.self) { try Identifier(parsing: text) }
        guard case .zalo? = error else {
            Issue.record("expected a Zalo error, got \(String(describing: error))")
            return
        }
    }

    @Test func aBareZaloUserIdNeedsItsOfficialAccount() throws {
        #expect(throws: IdentifierError.self) { try Identifier(zaloUser: "8412345678901", oa: nil) }
        #expect(throws: IdentifierError.self) { try Identifier(zaloUser: "8412345678901", oa: "") }
        #expect(throws: IdentifierError.self) { try Identifier(zaloColumn: "8412345678901", oa: nil) }
        #expect(try Identifier(zaloUser: " 8412345678901 ", oa: "oa_1") == .zalo(oa: "oa_1", user: "8412345678901"))
    }

    @Test func aZaloColumnAcceptsBareIdsUnderTheGivenAccountAndFullIdsUnderTheirOwn() throws {
        #expect(try Identifier(zaloColumn: "8412345678901", oa: "shop") == .zalo(oa: "shop", user: "8412345678901"))
        // A full id keeps its own account, even when --zalo-oa names another.
        #expect(try Identifier(zaloColumn: "zalo:other:77", oa: "shop") == .zalo(oa: "other", user: "77"))
        #expect(try Identifier(zaloColumn: "zalo:other:77", oa: nil) == .zalo(oa: "other", user: "77"))
    }

    // MARK: - Dispatch

    @Test(
        arguments: [
            // "zalo:" first, then anything with "@" is an email, else a phone number.
            ("zalo:oa:42", "zalo:oa:42", Identifier.Kind.zalo),
            ("Lan@Example.vn", "lan@example.vn", .email),
            ("0912 345 678", "+84912345678", .phone),
            ("0912345678", "+84912345678", .phone),
            ("  +84 912 345 678  ", "+84912345678", .phone),
            ("84912345678", "+84912345678", .phone),
        ])
    func parsingDispatchesOnTheWrittenForm(text: String, normalized: String, kind: Identifier.Kind) throws {
        let identifier = try Identifier(parsing: text)
        #expect(identifier.normalized == normalized)
        #expect(identifier.kind == kind)
    }

    @Test func aStringWithAnAtThatIsNotAnEmailIsRefusedAsAnEmail() {
        let error = #expect(throws: IdentifierError.self) { try Identifier(parsing: "0912@345678") }
        guard case .email? = error else {
            Issue.record("expected an email error, got \(String(describing: error))")
            return
        }
    }

    @Test func anythingElseThatIsNotAPhoneNumberIsRefusedAsAPhoneNumber() {
        let error = #expect(throws: IdentifierError.self) { try Identifier(parsing: "12345") }
        guard case .phone? = error else {
            Issue.record("expected a phone error, got \(String(describing: error))")
            return
        }
    }

    @Test func eachKindNamesItsCSVColumn() {
        #expect(Identifier.Kind.phone.column == "phone")
        #expect(Identifier.Kind.email.column == "email")
        #expect(Identifier.Kind.zalo.column == "zalo_id")
    }

    @Test func errorsReadAsOneSentence() {
        #expect(IdentifierError.missing.description == "no phone, email or Zalo id in this row")
        #expect(IdentifierError.email("x").description == "invalid email: x")
        #expect(IdentifierError.zalo("y").description == "invalid Zalo id: y")
    }

    @Test func trimmingRemovesNoBreakSpacesAndLineEndsButNotInnerSpaces() {
        #expect("\u{00A0} Trần  Văn \r\n".trimmingWhitespace() == "Trần  Văn")
        #expect(" \t ".trimmingWhitespace() == "")
    }

    // MARK: - Keyed hashes

    private static let secretBytes: [UInt8] = Array(0..<32)

    @Test func theSameSecretAndIdentifierGiveTheSame32Bytes() {
        let first = KeyedHasher(secret: SymmetricKey(data: Self.secretBytes))
        let second = KeyedHasher(secret: SymmetricKey(data: Self.secretBytes))
        let hash = first.hash("+84912345678")
        #expect(hash.count == 32)
        #expect(hash == second.hash("+84912345678"))
        // Hashing again with the same hasher does not drift (the key schedule is copied, not consumed).
        #expect(first.hash("+84912345678") == hash)
        #expect(first.hash("lan@example.vn") != hash)
    }

    @Test func differentSecretsGiveDifferentHashes() {
        let first = KeyedHasher(secret: SymmetricKey(size: .bits256))
        let second = KeyedHasher(secret: SymmetricKey(size: .bits256))
        #expect(first.hash("+84912345678") != second.hash("+84912345678"))
        #expect(first.keyCheck != second.keyCheck)
    }

    @Test func anIdentifierHashesAsItsNormalisedForm() throws {
        let hasher = KeyedHasher(secret: SymmetricKey(data: Self.secretBytes))
        // "0912 345 678" and "+84 912 345 678" are both +84912345678.
        #expect(try hasher.hash(Identifier(parsing: "0912 345 678")) == hasher.hash("+84912345678"))
        #expect(try hasher.hash(Identifier(parsing: "+84 912 345 678")) == hasher.hash("+84912345678"))
        #expect(try hasher.hash(Identifier(parsing: " LAN@example.vn")) == hasher.hash("lan@example.vn"))
    }

    @Test func theKeyedHashIsHMACSHA256OfTheUTF8Text() {
        let key = SymmetricKey(data: Self.secretBytes)
        let hasher = KeyedHasher(secret: key)
        for text in ["+84912345678", "lan@example.vn", "zalo:oa:42", "Nguyễn", ""] {
            let expected = Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key))
            #expect(hasher.hash(text) == expected, "\(text)")
        }
    }

    @Test func theKeyedHashMatchesRFC4231TestCase2() {
        // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
        let hasher = KeyedHasher(secret: SymmetricKey(data: Array("Jefe".utf8)))
        #expect(
            Hex.encode(hasher.hash("what do ya want for nothing?"))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func theKeyCheckIsAStableHexDigestOfTheSecret() {
        let first = KeyedHasher(secret: SymmetricKey(data: Self.secretBytes))
        let second = KeyedHasher(secret: SymmetricKey(data: Self.secretBytes))
        #expect(first.keyCheck == second.keyCheck)
        #expect(first.keyCheck.count == 64)
        #expect(first.keyCheck == Hex.encode(first.hash("rightsdesk key check v1")))
    }

    // MARK: - Subject seals

    @Test func aSealOpensWithItsKey() throws {
        let key = SubjectSeal.newKey()
        let plaintext = Array(#"{"name":"Nguyễn Thị Lan","phone":"+84912345678"}"#.utf8)
        let sealed = try SubjectSeal.seal(plaintext, key: key)
        // ChaCha20-Poly1305 combined: 12-byte nonce + ciphertext + 16-byte tag.
        #expect(sealed.count == 12 + plaintext.count + 16)
        #expect(try SubjectSeal.open(sealed, key: key) == plaintext)
    }

    @Test func theSealedBytesDoNotContainThePlaintext() throws {
        let plaintext = Array("+84912345678".utf8)
        let sealed = try SubjectSeal.seal(plaintext, key: SubjectSeal.newKey())
        #expect(!sealed.indices.contains { start in sealed[start...].starts(with: plaintext) })
    }

    @Test func sealingTwiceGivesDifferentBytes() throws {
        let key = SubjectSeal.newKey()
        let plaintext = Array("same text".utf8)
        #expect(try SubjectSeal.seal(plaintext, key: key) != SubjectSeal.seal(plaintext, key: key))
    }

    @Test func aSealDoesNotOpenWithAnotherKey() throws {
        let sealed = try SubjectSeal.seal(Array("secret".utf8), key: SubjectSeal.newKey())
        #expect(throws: (any Error).self) { try SubjectSeal.open(sealed, key: SubjectSeal.newKey()) }
    }

    @Test func aTamperedSealDoesNotOpen() throws {
        let key = SubjectSeal.newKey()
        var sealed = try SubjectSeal.seal(Array("secret".utf8), key: key)
        sealed[14] ^= 0x01
        #expect(throws: (any Error).self) { try SubjectSeal.open(sealed, key: key) }
        #expect(throws: (any Error).self) { try SubjectSeal.open(Array(sealed.prefix(10)), key: key) }
    }

    @Test func newSubjectKeysAre32RandomBytes() {
        let first = SubjectSeal.newKey()
        #expect(first.count == 32)
        #expect(first != SubjectSeal.newKey())
    }
}
