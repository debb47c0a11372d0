import Foundation
import RightsCore
import RightsStore
import Synchronization

/// An installation on disk: the database and its key file beside it, opened together so that no command can run
/// with a secret that does not belong to the database (ARCHITECTURE.md invariant 3).
public struct Installation: Sendable {
    public let keys: KeyFile
    public let store: RightsStore

    /// Every file of the installation whose database is `databasePath`, with what it is: the database, SQLite's
    /// companions, the key file, the erasure journal and the import lock.
    public static func files(databasePath database: String) -> [(path: String, what: String)] {
        [
            (database, "the database"), (database + "-wal", "the database's write-ahead log"),
            (database + "-shm", "the database's shared memory"), (database + "-journal", "the database's journal"),
            (KeyFile.path(forDatabase: database), "the key file"),
            (database + ".erasures", "the erasure journal"), (database + "-import.lock", "the import lock"),
        ]
    }

    /// Deletes every file of an installation (for the benchmarks' and the demo's own installations only).
    public static func removeFiles(databasePath: String) {
        for file in files(databasePath: databasePath) { unlink(file.path) }
    }

    /// Creates the database and its key file; refuses when either exists.
    public static func create(
        databasePath: String, organization: String, contact: String? = nil, actor: String, now: Date,
        busyTimeout: TimeInterval = RightsStore.defaultBusyTimeout
    ) throws -> Installation {
        let keyPath = KeyFile.path(forDatabase: databasePath)
        for path in [databasePath, keyPath] where FileManager.default.fileExists(atPath: path) {
            throw StoreError.alreadyExists(path)
        }
        let keys = KeyFile.generate(now: now)
        try keys.create(at: keyPath)
        ProtectedFiles.protect(database: databasePath)
        do {
            let store = try RightsStore.create(
                at: databasePath, hasher: keys.hasher, installationID: keys.installationID, organization: organization,
                contact: contact, actor: actor, now: now, busyTimeout: busyTimeout)
            return Installation(keys: keys, store: store)
        } catch {
            // Leave nothing half-made: a key file without its database would block the next `init`.
            for path in [keyPath, databasePath, databasePath + "-wal", databasePath + "-shm"] {
                try? FileManager.default.removeItem(atPath: path)
            }
            throw error
        }
    }

    /// Opens an existing installation, checking that the key file belongs to the database.
    public static func open(databasePath: String) throws -> Installation {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw StoreError.missingDatabase(databasePath)
        }
        let keyPath = KeyFile.path(forDatabase: databasePath)
        var info = stat()
        if stat(keyPath, &info) == 0, info.st_mode & 0o077 != 0 {
            throw KeyFileError.readableByOthers(keyPath, mode: String(info.st_mode & 0o777, radix: 8))
        }
        let keys = try KeyFile.load(from: keyPath)
        let store = try RightsStore.open(at: databasePath, hasher: keys.hasher, installationID: keys.installationID)
        ProtectedFiles.protect(database: databasePath)
        try InstallationLock.share(databasePath)
        // Files made before they were kept private (0600) are made so now.
        for path in [databasePath, databasePath + "-wal", databasePath + "-shm"] { chmod(path, 0o600) }
        return Installation(keys: keys, store: store)
    }
}

/// Which processes hold an installation: each one that opens it takes a shared `flock` on the database file for
/// as long as it runs, and `restore` takes an exclusive one before it replaces the files. (SQLite's own locks are
/// POSIX record locks, which `flock` does not touch.)
enum InstallationLock {
    private static let held = Mutex<[String: Int32]>([:])

    /// Takes the shared lock for this process, once per database.
    static func share(_ databasePath: String) throws {
        let path = ProtectedFiles.canonical(databasePath)
        try held.withLock { held in
            guard held[path] == nil else { return }
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return }
            guard flock(fd, LOCK_SH | LOCK_NB) == 0 else {
                close(fd)
                throw StoreError.refused("\(databasePath) is being restored from a backup; try again when that is done")
            }
            held[path] = fd
        }
    }

    /// Takes the exclusive lock on an existing database (nil when there is none), after letting go of this
    /// process's own shared one; throws when another process holds the database.
    static func exclusive(_ databasePath: String) throws -> Int32? {
        let path = ProtectedFiles.canonical(databasePath)
        held.withLock { held in
            if let own = held.removeValue(forKey: path) { close(own) }
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw BackupError.inUse(databasePath)
        }
        return fd
    }
}
