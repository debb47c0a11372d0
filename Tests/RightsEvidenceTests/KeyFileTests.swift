import Foundation
import RightsCore
import RightsStore
import Testing

@testable import RightsEvidence

/// A unique temporary folder, removed when the value goes away.
private final class ScratchFolder {
    static let now = Date(timeIntervalSince1970: 1_772_420_400)  // 2026-03-02T10:00:00+07:00

    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "rightsdesk-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var database: String { path + "/rightsdesk.sqlite" }
    var keys: String { path + "/rightsdesk.sqlite.keys" }

    func permissions(_ file: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    func exists(_ file: String) -> Bool { FileManager.default.fileExists(atPath: file) }
}

@Suite("The key file and the installation")
struct KeyFileTests {
    // MARK: - Key file

    @Test func theKeyFileSitsBesideTheDatabase() {
        #expect(KeyFile.path(forDatabase: "/srv/rightsdesk.sqlite") == "/srv/rightsdesk.sqlite.keys")
    }

    @Test func aNewKeyFileIsReadableByItsOwnerOnly() throws {
        let folder = try ScratchFolder()
        try KeyFile.generate(now: ScratchFolder.now).create(at: folder.keys)
        // 0o600: read and write for the owner, nothing for group and others.
        #expect(try folder.permissions(folder.keys) == 0o600)
    }

    @Test func creatingAKeyFileRefusesToOverwriteOne() throws {
        let folder = try ScratchFolder()
        let first = KeyFile.generate(now: ScratchFolder.now)
        try first.create(at: folder.keys)
        let before = FileManager.default.contents(atPath: folder.keys)
        let error = #expect(throws: KeyFileError.self) {
            try KeyFile.generate(now: ScratchFolder.now).create(at: folder.keys)
        }
        guard case .cannotWrite? = error else {
            Issue.record("expected cannotWrite, got \(String(describing: error))")
            return
        }
        #expect(FileManager.default.contents(atPath: folder.keys) == before)
        #expect(try KeyFile.load(from: folder.keys).installationID == first.installationID)
    }

    @Test func aKeyFileLoadsBackAsWritten() throws {
        let folder = try ScratchFolder()
        let keys = KeyFile.generate(now: ScratchFolder.now)
        try keys.create(at: folder.keys)
        let loaded = try KeyFile.load(from: folder.keys)
        #expect(loaded.installationID == keys.installationID)
        // Same secret: the same keyed hashes and key check.
        #expect(loaded.hasher.keyCheck == keys.hasher.keyCheck)
        #expect(loaded.hasher.hash("+84912345678") == keys.hasher.hash("+84912345678"))
        // Same signing key: the same public key, and the time it started signing.
        #expect(loaded.signingKeys.count == 1)
        #expect(loaded.activeSigningKey.publicKeyDER == keys.activeSigningKey.publicKeyDER)
        #expect(loaded.activeSigningKey.fingerprint == keys.activeSigningKey.fingerprint)
        #expect(loaded.activeSigningKey.createdAt == ScratchFolder.now)
    }

    @Test func theKeyFileIsCanonicalJSONNamingItsFormat() throws {
        let folder = try ScratchFolder()
        let keys = KeyFile.generate(now: ScratchFolder.now)
        try keys.create(at: folder.keys)
        let bytes = Array(try #require(FileManager.default.contents(atPath: folder.keys)))
        #expect(bytes.last == 0x0A)
        let value = try JSONValue(parsing: Array(bytes.dropLast()))
        #expect(value.canonicalBytes == Array(bytes.dropLast()))
        #expect(value["format"] == "rightsdesk-keys/1")
        #expect(value["installation_id"]?.stringValue == keys.installationID)
        // 2026-03-02T10:00:00+07:00 is stored in UTC.
        if case .array(let signing)? = value["signing_keys"] {
            #expect(signing.first?["created_at"] == "2026-03-02T03:00:00.000Z")
        } else {
            Issue.record("signing_keys is not an array")
        }
    }

    @Test func aMissingOrDamagedKeyFileIsRefused() throws {
        let folder = try ScratchFolder()
        let missing = #expect(throws: KeyFileError.self) { try KeyFile.load(from: folder.keys) }
        guard case .missing? = missing else {
            Issue.record("expected missing, got \(String(describing: missing))")
            return
        }
        for text in ["not json", #"{"format":"rightsdesk-keys/2"}"#, "{}"] {
            let path = folder.path + "/damaged-\(text.count).keys"
            #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
            let damaged = #expect(throws: KeyFileError.self, "\(text)") { try KeyFile.load(from: path) }
            guard case .malformed? = damaged else {
                Issue.record("expected malformed for \(text), got \(String(describing: damaged))")
                continue
            }
        }
    }

    @Test func aRotatedKeyFileKeepsItsSecretAndOldKeysAndStaysPrivate() throws {
        let folder = try ScratchFolder()
        let keys = KeyFile.generate(now: ScratchFolder.now)
        try keys.create(at: folder.keys)
        let rotated = keys.rotated(now: ScratchFolder.now.addingTimeInterval(86_400))
        try rotated.replace(at: folder.keys)
        let loaded = try KeyFile.load(from: folder.keys)
        #expect(loaded.signingKeys.count == 2)
        #expect(loaded.signingKeys[0].fingerprint == keys.activeSigningKey.fingerprint)
        #expect(loaded.activeSigningKey.fingerprint == rotated.activeSigningKey.fingerprint)
        #expect(loaded.activeSigningKey.fingerprint != keys.activeSigningKey.fingerprint)
        #expect(loaded.hasher.keyCheck == keys.hasher.keyCheck)
        #expect(try folder.permissions(folder.keys) == 0o600)
    }

    // MARK: - Public key forms

    @Test func thePublicKeyIsAnEd25519SubjectPublicKeyInfo() throws {
        let key = KeyFile.generate(now: ScratchFolder.now).activeSigningKey
        let der = key.publicKeyDER
        // RFC 8410: 30 2A 30 05 06 03 2B 65 70 03 21 00, then the 32-byte key; 44 bytes in all.
        #expect(der.count == 44)
        #expect(Array(der.prefix(12)) == [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00])
        #expect(key.fingerprint == Digest.sha256Hex(der))
        #expect(key.publicKeyPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        #expect(key.publicKeyPEM.hasSuffix("\n-----END PUBLIC KEY-----\n"))
        #expect(Ed25519PublicKey.raw(fromPEM: key.publicKeyPEM) == Array(der.suffix(32)))
        #expect(Ed25519PublicKey.raw(fromPEM: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n") == nil)
    }

    @Test func opensslReadsThePublicKeyAndAgreesOnItsFingerprint() throws {
        let key = KeyFile.generate(now: ScratchFolder.now).activeSigningKey
        let openssl = "/usr/bin/openssl"
        // Checked against the tool a regulator uses, where it is installed.
        guard FileManager.default.isExecutableFile(atPath: openssl) else { return }
        let folder = try ScratchFolder()
        let pem = folder.path + "/key.pem"
        #expect(FileManager.default.createFile(atPath: pem, contents: Data(key.publicKeyPEM.utf8)))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = ["pkey", "-pubin", "-in", pem, "-outform", "DER"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        let der = Array(output.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(der == key.publicKeyDER)
        // `openssl pkey -pubin -in key.pem -outform DER | sha256sum` is the fingerprint.
        #expect(Digest.sha256Hex(der) == key.fingerprint)
    }

    // MARK: - Installation

    @Test func creatingAnInstallationWritesTheDatabaseAndAPrivateKeyFile() throws {
        let folder = try ScratchFolder()
        let installation = try Installation.create(
            databasePath: folder.database, organization: "Công ty TNHH Lan", actor: "admin", now: ScratchFolder.now)
        #expect(folder.exists(folder.database))
        #expect(try folder.permissions(folder.keys) == 0o600)
        #expect(installation.store.organization == "Công ty TNHH Lan")
        let meta = try installation.store.meta()
        #expect(meta["installation_id"] == installation.keys.installationID)
        #expect(meta["key_check"] == installation.keys.hasher.keyCheck)
        // The secret is in the key file, never in the database.
        let keyFile = Array(try #require(FileManager.default.contents(atPath: folder.keys)))
        let secret = try #require(try JSONValue(parsing: Array(keyFile.dropLast()))["hmac_secret"]?.stringValue)
        #expect(!meta.values.contains(secret))
    }

    @Test func creatingAnInstallationRefusesWhenTheDatabaseExists() throws {
        let folder = try ScratchFolder()
        #expect(FileManager.default.createFile(atPath: folder.database, contents: Data("precious".utf8)))
        let error = #expect(throws: StoreError.self) {
            try Installation.create(
                databasePath: folder.database, organization: "x", actor: "admin", now: ScratchFolder.now)
        }
        guard case .alreadyExists? = error else {
            Issue.record("expected alreadyExists, got \(String(describing: error))")
            return
        }
        #expect(FileManager.default.contents(atPath: folder.database) == Data("precious".utf8))
        #expect(!folder.exists(folder.keys))
    }

    @Test func creatingAnInstallationRefusesWhenTheKeyFileExists() throws {
        let folder = try ScratchFolder()
        let keys = KeyFile.generate(now: ScratchFolder.now)
        try keys.create(at: folder.keys)
        let error = #expect(throws: StoreError.self) {
            try Installation.create(
                databasePath: folder.database, organization: "x", actor: "admin", now: ScratchFolder.now)
        }
        guard case .alreadyExists? = error else {
            Issue.record("expected alreadyExists, got \(String(describing: error))")
            return
        }
        #expect(!folder.exists(folder.database))
        #expect(try KeyFile.load(from: folder.keys).installationID == keys.installationID)
    }

    @Test func creatingTwiceRefusesTheSecondTime() throws {
        let folder = try ScratchFolder()
        let first = try Installation.create(
            databasePath: folder.database, organization: "x", actor: "admin", now: ScratchFolder.now)
        #expect(throws: StoreError.self) {
            try Installation.create(
                databasePath: folder.database, organization: "y", actor: "admin", now: ScratchFolder.now)
        }
        #expect(try KeyFile.load(from: folder.keys).installationID == first.keys.installationID)
    }

    @Test func openingAnInstallationChecksItsKeyFile() throws {
        let folder = try ScratchFolder()
        let created = try Installation.create(
            databasePath: folder.database, organization: "x", actor: "admin", now: ScratchFolder.now)
        let opened = try Installation.open(databasePath: folder.database)
        #expect(opened.keys.installationID == created.keys.installationID)
        #expect(opened.store.hasher.hash("+84912345678") == created.store.hasher.hash("+84912345678"))
        #expect(try opened.store.verifyAuditChain() == created.store.verifyAuditChain())
    }

    @Test func openingWithAnotherInstallationsKeyFileIsRefused() throws {
        let folder = try ScratchFolder()
        let other = try ScratchFolder()
        _ = try Installation.create(
            databasePath: folder.database, organization: "x", actor: "admin", now: ScratchFolder.now)
        _ = try Installation.create(
            databasePath: other.database, organization: "y", actor: "admin", now: ScratchFolder.now)
        // Copy the other installation's key file over this one's.
        try FileManager.default.removeItem(atPath: folder.keys)
        try FileManager.default.copyItem(atPath: other.keys, toPath: folder.keys)
        let error = #expect(throws: StoreError.self) { try Installation.open(databasePath: folder.database) }
        guard case .keyFileMismatch? = error else {
            Issue.record("expected keyFileMismatch, got \(String(describing: error))")
            return
        }
    }

    @Test func openingWithAForgedSecretUnderTheRightInstallationIdIsRefused() throws {
        let folder = try ScratchFolder()
        let created = try Installation.create(
            databasePath: folder.database, organization: "x", actor: "admin", now: ScratchFolder.now)
        // The same installation id and signing key, another HMAC secret.
        let forged = KeyFile(
            installationID: created.keys.installationID,
            hmacSecret: KeyFile.generate(now: ScratchFolder.now).hmacSecret,
            signingKeys: created.keys.signingKeys)
        try FileManager.default.removeItem(atPath: folder.keys)
        try forged.create(at: folder.keys)
        let error = #expect(throws: StoreError.self) { try Installation.open(databasePath: folder.database) }
        guard case .keyFileMismatch? = error else {
            Issue.record("expected keyFileMismatch, got \(String(describing: error))")
            return
        }
    }

    @Test func openingWithoutTheKeyFileOrTheDatabaseIsRefused() throws {
        let folder = try ScratchFolder()
        let noDatabase = #expect(throws: StoreError.self) { try Installation.open(databasePath: folder.database) }
        guard case .missingDatabase? = noDatabase else {
            Issue.record("expected missingDatabase, got \(String(describing: noDatabase))")
            return
        }
        _ = try Installation.create(
            databasePath: folder.database, organization: "x", actor: "admin", now: ScratchFolder.now)
        try FileManager.default.removeItem(atPath: folder.keys)
        let noKeys = #expect(throws: KeyFileError.self) { try Installation.open(databasePath: folder.database) }
        guard case .missing? = noKeys else {
            Issue.record("expected missing, got \(String(describing: noKeys))")
            return
        }
    }
}
