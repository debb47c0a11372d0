import Foundation
import RightsCore
import RightsStore
import ZIPFoundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a backup file says about itself (`backup.json`): which installation, how far its audit chain goes, when
/// its snapshot was taken (the point from which a restore replays the erasure journal) and the SHA-256 of each part.
public struct BackupManifest: Sendable, Equatable {
    public static let format = "rightsdesk-backup/1"

    /// One file inside the backup and the digest it must have.
    public struct Part: Sendable, Equatable {
        public let path: String
        public let sha256: String
        public let bytes: Int64
    }

    /// On the millisecond, as written: the replay compares journal times with it.
    public let createdAt: Date
    public let organization: String
    public let installationID: String
    public let headSeq: Int64
    public let headHash: String
    public let parts: [Part]

    /// Canonical JSON (RFC 8785), so that the same backup always has the same manifest bytes.
    var bytes: [UInt8] {
        let value: JSONValue = [
            "format": .string(Self.format), "created_at": .string(Timestamp.utc(createdAt)),
            "organization": .string(organization), "installation_id": .string(installationID),
            "audit": ["head_seq": .int(headSeq), "head_hash": .string(headHash)],
            "files": .array(
                parts.map { ["path": .string($0.path), "sha256": .string($0.sha256), "bytes": .int($0.bytes)] }),
        ]
        return value.canonicalBytes + [0x0A]
    }

    init(
        createdAt: Date, organization: String, installationID: String, headSeq: Int64, headHash: String,
        parts: [Part]
    ) {
        // Through the written form, so that the writer and a restore compare the same instant.
        self.createdAt = Timestamp.parse(Timestamp.utc(createdAt)) ?? createdAt
        self.organization = organization
        self.installationID = installationID
        self.headSeq = headSeq
        self.headHash = headHash
        self.parts = parts
    }

    /// The manifest in `bytes`, or nil when it is not a `rightsdesk-backup/1` manifest naming exactly the parts
    /// `BackupArchive` writes.
    init?(parsing bytes: [UInt8]) {
        guard let value = try? JSONValue(parsing: bytes), value["format"]?.stringValue == Self.format,
            let created = value["created_at"]?.stringValue.flatMap({ Timestamp.parse($0) }),
            let organization = value["organization"]?.stringValue,
            let installation = value["installation_id"]?.stringValue,
            let seq = value["audit"]?["head_seq"]?.intValue, let head = value["audit"]?["head_hash"]?.stringValue,
            BundlePath.isDigest(head), case .array(let files)? = value["files"]
        else { return nil }
        var parts: [Part] = []
        for file in files {
            guard let path = file["path"]?.stringValue, let digest = file["sha256"]?.stringValue,
                BundlePath.isDigest(digest), let size = file["bytes"]?.intValue, size >= 0
            else { return nil }
            parts.append(Part(path: path, sha256: digest, bytes: size))
        }
        guard parts.map(\.path).sorted() == [BackupArchive.databaseName, BackupArchive.keyFileName] else { return nil }
        self.init(
            createdAt: created, organization: organization, installationID: installation, headSeq: seq,
            headHash: head, parts: parts)
    }

    func part(_ path: String) -> Part? { parts.first { $0.path == path } }
}

/// A backup file written: where, its manifest, and the file's own digest (recorded on the audit chain).
public struct BackupReport: Sendable {
    public let path: String
    public let manifest: BackupManifest
    public let sha256: String
    public let bytes: Int64
}

/// A restore done: the files put in place, the backup they came from, and the erasures replayed into them.
public struct RestoreReport: Sendable {
    public let databasePath: String
    public let keyFilePath: String
    public let manifest: BackupManifest
    /// The SHA-256 of the backup file, as `backup.create` recorded it.
    public let sha256: String
    /// True when an installation was there before (`--force`).
    public let replaced: Bool
    /// The journal records replayed, oldest first.
    public let replayed: [ErasureRecord]
}

/// Why a backup could not be written or restored; every case leaves the installation as it was.
public enum BackupError: Error, Sendable, CustomStringConvertible {
    case targetExists(String)
    case damaged(file: String, reason: String)
    case unsafeOutput(String)
    case keyFileChanged(String)
    case notClosed(String)
    case otherInstallation(path: String, present: String, backup: String)
    case inUse(String)

    public var description: String {
        switch self {
        case .targetExists(let path):
            "\(path) already exists; restore replaces a database and its key file only with --force"
        case .damaged(let file, let reason):
            "\(file) is not an intact RightsDesk backup: \(reason); nothing was changed"
        case .unsafeOutput(let path): "refusing to write the backup over \(path), a file of the installation itself"
        case .keyFileChanged(let path):
            "the key file \(path) changed during the backup and no longer matches the database; nothing was written"
        case .notClosed(let path): "the restored copy \(path) could not be closed cleanly; nothing was changed"
        case .otherInstallation(let path, let present, let backup):
            "\(path) is installation \(present) and the backup is of installation \(backup); the erasure journal "
                + "\(path).erasures belongs to the one there. Restore to another --db, or move the database, its key "
                + "file and its journal away first; nothing was changed"
        case .inUse(let path):
            "\(path) is open in another rightsdesk process (a running `rightsdesk serve`, an import): stop it first, "
                + "or it would go on writing to the replaced files and what it records would be lost; nothing was changed"
        }
    }
}

/// The backup file, `rightsdesk-backup/1`: one ZIP holding `backup.json`, the database copy (`database.sqlite`)
/// and its key file (`database.sqlite.keys`), named as a pair so that a hand-unzipped backup opens with
/// `--db database.sqlite`. The key file is the installation's secret, so the backup is written with mode 0600 (and so
/// are its entries). The erasure journal is not inside: it stays beside the live database, and a restore replays it.
public enum BackupArchive {
    public static let manifestName = "backup.json"
    public static let databaseName = "database.sqlite"
    public static let keyFileName = "database.sqlite.keys"
    /// The most a restore reads into memory for the manifest or the key file; the database streams.
    static let smallPartLimit = 1 << 20

    // MARK: - Writing

    /// Writes a consistent online copy of `installation` to `out`: the database as one snapshot (other processes may
    /// keep writing), then its key file, read after the snapshot so that it holds every signing key the copy's chain
    /// names. The file is built beside `out` in a private folder and renamed into place inside the transaction that
    /// records `backup.create`, so there is no backup without its audit event and no event without the backup.
    public static func write(_ installation: Installation, to out: String, actor: String, now: Date) throws
        -> BackupReport
    {
        let store = installation.store
        let keyPath = KeyFile.path(forDatabase: store.path)
        // The installation's own files, by any path or link (the installation registered them when it opened).
        ProtectedFiles.protect(database: store.path)
        do {
            try ProtectedFiles.refuse(out)
        } catch {
            throw BackupError.unsafeOutput(out)
        }

        let workspace = try temporaryDirectory(beside: out)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let copy = workspace + "/" + databaseName
        let info = try store.backup(to: copy)
        guard let keyData = FileManager.default.contents(atPath: keyPath) else { throw KeyFileError.missing(keyPath) }
        let keyBytes = Array(keyData)
        try writeSecret(keyBytes, to: copy + ".keys")
        let reread = try KeyFile.load(from: copy + ".keys")
        guard reread.installationID == installation.keys.installationID,
            reread.hasher.keyCheck == installation.keys.hasher.keyCheck
        else { throw BackupError.keyFileChanged(keyPath) }

        let database = try digest(ofFile: copy)
        let manifest = BackupManifest(
            createdAt: info.createdAt, organization: store.organization,
            installationID: installation.keys.installationID, headSeq: info.headSeq, headHash: info.headHash,
            parts: [
                .init(path: databaseName, sha256: database.sha256, bytes: database.bytes),
                .init(path: keyFileName, sha256: Digest.sha256Hex(keyBytes), bytes: Int64(keyBytes.count)),
            ])
        let built = workspace + "/backup.zip"
        try zip(manifest: manifest, database: copy, keys: keyBytes, to: built)
        // ZIPFoundation creates the file with the default mode; the private folder kept it unreadable until now.
        guard chmod(built, 0o600) == 0 else { throw FileError.cannotWrite(out, String(cString: strerror(errno))) }
        try synchronize(built)
        let archive = try digest(ofFile: built)

        try store.perform(actor: actor, at: now) { _ in
            guard rename(built, out) == 0 else { throw FileError.cannotWrite(out, String(cString: strerror(errno))) }
            synchronizeDirectory(of: out)
            let draft = AuditDraft(
                kind: "backup.create",
                payload: [
                    "created_at": .string(Timestamp.utc(manifest.createdAt)), "head_seq": .int(manifest.headSeq),
                    "head_hash": .string(manifest.headHash), "sha256": .string(archive.sha256),
                    "bytes": .int(archive.bytes),
                ])
            return ((), draft)
        }
        return BackupReport(path: out, manifest: manifest, sha256: archive.sha256, bytes: archive.bytes)
    }

    private static func zip(manifest: BackupManifest, database: String, keys: [UInt8], to path: String) throws {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        let date = manifest.createdAt
        func add(_ name: String, _ bytes: [UInt8]) throws {
            let data = Data(bytes)
            try archive.addEntry(
                with: name, type: .file, uncompressedSize: Int64(data.count), modificationDate: date,
                permissions: 0o600, compressionMethod: .deflate
            ) { position, size in
                let start = Int(position)
                return data.subdata(in: start..<min(start + size, data.count))
            }
        }
        try add(manifestName, manifest.bytes)
        // The database streams from the copy: it may be gigabytes.
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: database))
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        try archive.addEntry(
            with: databaseName, type: .file, uncompressedSize: Int64(size), modificationDate: date,
            permissions: 0o600, compressionMethod: .deflate
        ) { position, count in
            try handle.seek(toOffset: UInt64(position))
            return try handle.read(upToCount: count) ?? Data()
        }
        try add(keyFileName, keys)
        // `archive` closes its file when it goes out of scope here.
    }

    // MARK: - Restoring

    /// Restores the backup `file` as the installation at `databasePath`. Refuses when a database or key file is
    /// there, unless `force`, and even then when the key file there is another installation's. Nothing at the target changes until everything checked: every part's SHA-256, the key
    /// file against the database (the installation's key check), the audit head against the manifest; and until the
    /// erasure journal beside the target (which survives the restore) has been replayed into the copy for every
    /// record from the backup's time on. Only then is the pair renamed into place, stale `-wal` and `-shm` removed
    /// first, since SQLite would apply a stale WAL to the restored file.
    public static func restore(from file: String, to databasePath: String, force: Bool, actor: String, now: Date)
        throws -> RestoreReport
    {
        let keyPath = KeyFile.path(forDatabase: databasePath)
        let existing = [databasePath, keyPath].filter { FileManager.default.fileExists(atPath: $0) }
        if !force, let first = existing.first { throw BackupError.targetExists(first) }
        // The same path `RightsStore.erasureJournalPath` gives for the target; read now, so that a damaged journal
        // stops the restore before anything changes.
        let journal = databasePath + ".erasures"
        _ = try ErasureRecord.readJournal(at: journal)
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw FileError.cannotRead(file, "no such file, or not readable")
        }

        let workspace = try temporaryDirectory(beside: databasePath)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let copy = workspace + "/" + databaseName
        let manifest = try unpack(file, into: copy)
        // The journal beside the target belongs to the installation that lived there: replaying another's keyed
        // hashes would suppress nobody, and that installation's own erasures would go unreplayed.
        if let present = try? KeyFile.load(from: keyPath), present.installationID != manifest.installationID {
            throw BackupError.otherInstallation(
                path: databasePath, present: present.installationID, backup: manifest.installationID)
        }
        let backupDigest = try digest(ofFile: file).sha256
        let replayed = try prepare(
            copy, from: file, manifest: manifest, sha256: backupDigest, journal: journal, replacing: !existing.isEmpty,
            actor: actor, now: now)
        // The copy is closed: its WAL was emptied and SQLite removes it at close. One left with frames in it would
        // hold part of the restore.
        let wal = (try? FileManager.default.attributesOfItem(atPath: copy + "-wal"))?[.size] as? NSNumber
        guard (wal?.intValue ?? 0) == 0 else { throw BackupError.notClosed(copy) }
        // No other process may hold the database while it is replaced: it would write on into the old files.
        let exclusive = try InstallationLock.exclusive(databasePath)
        defer { exclusive.map { _ = close($0) } }

        for suffix in ["-wal", "-shm"] { unlink(databasePath + suffix) }
        try place(copy + ".keys", at: keyPath, replacing: force)
        do {
            try place(copy, at: databasePath, replacing: force)
        } catch {
            if !force { unlink(keyPath) }
            throw error
        }
        synchronizeDirectory(of: databasePath)
        return RestoreReport(
            databasePath: databasePath, keyFilePath: keyPath, manifest: manifest, sha256: backupDigest,
            replaced: !existing.isEmpty, replayed: replayed)
    }

    /// Reads the backup, checking every entry, and writes the database and key file to `copy` and `copy.keys`.
    private static func unpack(_ file: String, into copy: String) throws -> BackupManifest {
        func damaged(_ reason: String) -> BackupError { .damaged(file: file, reason: reason) }
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: file), accessMode: .read)
        } catch {
            throw damaged("it is not a readable ZIP archive (truncated, or not a backup file)")
        }
        let expected = [manifestName, databaseName, keyFileName]
        var entries: [String: Entry] = [:]
        for entry in archive {
            guard entry.type == .file, expected.contains(entry.path) else {
                throw damaged("it holds an unexpected entry \(entry.path)")
            }
            guard entries.updateValue(entry, forKey: entry.path) == nil else {
                throw damaged("it holds two entries named \(entry.path)")
            }
        }
        for name in expected where entries[name] == nil { throw damaged("it has no \(name)") }
        guard let manifestEntry = entries[manifestName], let databaseEntry = entries[databaseName],
            let keyEntry = entries[keyFileName]
        else { throw damaged("it lacks a part") }

        let manifestBytes = try extract(manifestEntry, of: archive, file: file)
        guard let manifest = BackupManifest(parsing: manifestBytes) else {
            throw damaged("\(manifestName) is not a \(BackupManifest.format) manifest")
        }
        func check(_ name: String, _ sha256: String, _ bytes: Int64) throws {
            guard let part = manifest.part(name), part.sha256 == sha256, part.bytes == bytes else {
                throw damaged("\(name) does not match the SHA-256 in \(manifestName)")
            }
        }
        let keyBytes = try extract(keyEntry, of: archive, file: file)
        try check(keyFileName, Digest.sha256Hex(keyBytes), Int64(keyBytes.count))
        try writeSecret(keyBytes, to: copy + ".keys")

        // The database is checked against the manifest before a byte of it is inflated (its size as the ZIP
        // declares it), and while it is (the size actually inflated, which a forged header can understate): a
        // backup that claims a small database cannot fill the disk with a large one.
        guard let expectedBytes = manifest.part(databaseName)?.bytes, expectedBytes >= 0,
            databaseEntry.uncompressedSize == UInt64(expectedBytes)
        else {
            throw damaged(
                "\(databaseName) is \(databaseEntry.uncompressedSize) bytes in the ZIP, not the size \(manifestName) gives"
            )
        }
        let fd = open(copy, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw FileError.cannotWrite(copy, String(cString: strerror(errno))) }
        defer { close(fd) }
        var digest = StreamingDigest()
        var size: Int64 = 0
        try extracting(databaseName, file: file) {
            _ = try archive.extract(databaseEntry) { chunk in
                size += Int64(chunk.count)
                guard size <= expectedBytes else {
                    throw damaged("\(databaseName) inflates beyond the \(expectedBytes) bytes \(manifestName) gives")
                }
                try chunk.withUnsafeBytes { buffer in
                    digest.update(buffer)
                    try writeAll(fd, buffer, path: copy)
                }
            }
        }
        guard fsync(fd) == 0 else { throw FileError.cannotWrite(copy, String(cString: strerror(errno))) }
        try check(databaseName, digest.finalizeHex(), size)
        return manifest
    }

    /// Opens the unpacked copy as an installation (the key check), checks it against the manifest, records the
    /// restore and replays the target's erasure journal into it, then closes it.
    private static func prepare(
        _ copy: String, from file: String, manifest: BackupManifest, sha256: String, journal: String,
        replacing: Bool, actor: String, now: Date
    ) throws -> [ErasureRecord] {
        let installation: Installation
        do {
            installation = try Installation.open(databasePath: copy)
        } catch {
            throw BackupError.damaged(file: file, reason: "\(error)")
        }
        let store = installation.store
        defer { try? store.close() }
        guard installation.keys.installationID == manifest.installationID else {
            throw BackupError.damaged(
                file: file,
                reason: "its key file is for installation \(installation.keys.installationID), "
                    + "\(manifestName) names \(manifest.installationID)")
        }
        let head = try store.auditHead()
        guard head.seq == manifest.headSeq, head.hash == manifest.headHash else {
            throw BackupError.damaged(
                file: file, reason: "its audit head (event \(head.seq)) is not the one \(manifestName) names")
        }
        try store.perform(actor: actor, at: now) { _ in
            let draft = AuditDraft(
                kind: "backup.restore",
                payload: [
                    "created_at": .string(Timestamp.utc(manifest.createdAt)), "head_seq": .int(manifest.headSeq),
                    "head_hash": .string(manifest.headHash), "sha256": .string(sha256), "replaced": .bool(replacing),
                ])
            return ((), draft)
        }
        let replayed = try store.replayErasures(from: journal, after: manifest.createdAt, actor: actor, now: now)
        // No page of the copy may stay in its WAL: only the database file is moved into place.
        try store.checkpointTruncating()
        try store.close()
        return replayed
    }

    /// The bytes of a small entry (the manifest, the key file), refusing one too large to be what it claims.
    private static func extract(_ entry: Entry, of archive: Archive, file: String) throws -> [UInt8] {
        guard entry.uncompressedSize <= UInt64(smallPartLimit) else {
            throw BackupError.damaged(file: file, reason: "\(entry.path) is too large to be what it claims")
        }
        var bytes: [UInt8] = []
        try extracting(entry.path, file: file) {
            _ = try archive.extract(entry) { chunk in
                bytes.append(contentsOf: chunk)
                guard bytes.count <= smallPartLimit else {
                    throw BackupError.damaged(file: file, reason: "\(entry.path) is too large to be what it claims")
                }
            }
        }
        return bytes
    }

    /// Runs an extraction, naming the entry when the ZIP layer finds it damaged.
    private static func extracting(_ name: String, file: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as BackupError {
            throw error
        } catch let error as FileError {
            throw error
        } catch Archive.ArchiveError.invalidCRC32 {
            throw BackupError.damaged(file: file, reason: "\(name) is damaged (its CRC-32 does not match)")
        } catch {
            throw BackupError.damaged(file: file, reason: "\(name) cannot be read (\(error))")
        }
    }

    // MARK: - Files

    /// Moves `source` to `target`: by rename when replacing, else by a hard link, which fails rather than replace a
    /// file that appeared since the first check.
    private static func place(_ source: String, at target: String, replacing: Bool) throws {
        if replacing {
            guard rename(source, target) == 0 else {
                throw FileError.cannotWrite(target, String(cString: strerror(errno)))
            }
            return
        }
        guard link(source, target) == 0 else {
            if errno == EEXIST { throw BackupError.targetExists(target) }
            throw FileError.cannotWrite(target, String(cString: strerror(errno)))
        }
        unlink(source)
    }

    /// A new folder beside `path` (same file system, so a rename from it is atomic) that only the owner can enter.
    private static func temporaryDirectory(beside path: String) throws -> String {
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, let result = mkdtemp(base) else { return nil }
            return String(cString: result)
        }
        guard let made else { throw FileError.cannotWrite(path, String(cString: strerror(errno))) }
        return made
    }

    /// Writes a new file readable by its owner alone (a key file).
    private static func writeSecret(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw FileError.cannotWrite(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
        guard fsync(fd) == 0 else { throw FileError.cannotWrite(path, String(cString: strerror(errno))) }
    }

    private static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw FileError.cannotWrite(path, String(cString: strerror(errno))) }
            offset += written
        }
    }

    private static func synchronize(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0, fsync(fd) == 0 else {
            if fd >= 0 { close(fd) }
            throw FileError.cannotWrite(path, String(cString: strerror(errno)))
        }
        close(fd)
    }

    /// Makes a rename in the folder of `path` durable; best effort, as the rename itself already happened.
    private static func synchronizeDirectory(of path: String) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let fd = open(directory, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    private static func digest(ofFile path: String) throws -> (sha256: String, bytes: Int64) {
        let chunks = try FileChunks(path: path)
        var digest = StreamingDigest()
        while let chunk = try chunks.next() { digest.update(chunk) }
        return (digest.finalizeHex(), Int64(chunks.bytesRead))
    }

    /// True when both paths name the same file, or would once `second` is written.
}
