import Foundation
import RightsCore
import RightsStore

/// An installation on disk: the database and its key file beside it, opened together so that no command can run
/// with a secret that does not belong to the database (ARCHITECTURE.md invariant 3).
public struct Installation: Sendable {
    public let keys: KeyFile
    public let store: RightsStore

    /// Creates the database and its key file; refuses when either exists.
    public static func create(
        databasePath: String, organization: String, contact: String? = nil, actor: String, now: Date
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
                contact: contact, actor: actor, now: now)
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
        let keys = try KeyFile.load(from: KeyFile.path(forDatabase: databasePath))
        let store = try RightsStore.open(at: databasePath, hasher: keys.hasher, installationID: keys.installationID)
        ProtectedFiles.protect(database: databasePath)
        // Files made before they were kept private (0600) are made so now.
        for path in [databasePath, databasePath + "-wal", databasePath + "-shm"] { chmod(path, 0o600) }
        return Installation(keys: keys, store: store)
    }
}
