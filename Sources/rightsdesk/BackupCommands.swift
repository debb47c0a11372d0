import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsStore

/// Where a backup's audit chain ends, as both commands report it.
struct BackupAuditHead: Encodable {
    var headSeq: Int64
    var headHash: String

    enum CodingKeys: String, CodingKey {
        case headSeq = "head_seq"
        case headHash = "head_hash"
    }
}

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the database and its key file to one file (mode 0600).",
        discussion: """
            The copy is taken online: other commands and the server may keep working. The file holds the key \
            file's secret, so keep it as safe as the key file. The erasure journal (PATH.erasures) is not in it: \
            it stays beside the database, and `restore` replays it so that no backup brings back a person who \
            asked to be deleted.
            """)

    @Option(help: "Where to write the backup file.") var out: String
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var file: String
        var bytes: Int64
        var sha256: String
        var createdAt: String
        var organization: String
        var installationID: String
        var audit: BackupAuditHead

        enum CodingKeys: String, CodingKey {
            case file, bytes, sha256, organization, audit
            case createdAt = "created_at"
            case installationID = "installation_id"
        }
    }

    func run() throws {
        let result = try Output.run {
            try BackupArchive.write(try database.open(), to: out, actor: actor.resolved, now: Date())
        }
        let manifest = result.manifest
        let report = Report(
            file: result.path, bytes: result.bytes, sha256: result.sha256,
            createdAt: Timestamp.vietnam(manifest.createdAt), organization: manifest.organization,
            installationID: manifest.installationID,
            audit: BackupAuditHead(headSeq: manifest.headSeq, headHash: manifest.headHash))
        if output.json {
            try Output.json(report)
        } else {
            Output.line(
                "\(report.file): backup of \(database.resolvedPath) taken at \(report.createdAt), audit events "
                    + "1-\(report.audit.headSeq), \(report.bytes) bytes")
            Output.line(
                "It holds the key file's secret: keep it as safe as \(KeyFile.path(forDatabase: database.resolvedPath))."
            )
        }
    }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup file as the database and its key file, then replay the erasure journal.",
        discussion: """
            Refuses when a database or key file is already there, unless --force. Every part of the backup is \
            checked first, and every erasure journalled beside the database since the backup was taken is \
            replayed into it before it is put in place: a restore never brings back an erased person. Stop every \
            other rightsdesk process on the database (the server) before restoring over it.
            """)

    @Argument(help: "The backup file.") var file: String
    @Flag(help: "Replace the database and key file that are there.") var force = false
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var database: String
        var keyFile: String
        var backup: String
        var createdAt: String
        var organization: String
        var installationID: String
        var audit: BackupAuditHead
        var replaced: Bool
        var replayed: Int
        var replayedRequests: [String]

        enum CodingKeys: String, CodingKey {
            case database, backup, organization, audit, replaced, replayed
            case keyFile = "key_file"
            case createdAt = "created_at"
            case installationID = "installation_id"
            case replayedRequests = "replayed_requests"
        }
    }

    func run() throws {
        let result = try Output.run {
            try BackupArchive.restore(
                from: file, to: database.resolvedPath, force: force, actor: actor.resolved, now: Date())
        }
        let manifest = result.manifest
        let report = Report(
            database: result.databasePath, keyFile: result.keyFilePath, backup: file,
            createdAt: Timestamp.vietnam(manifest.createdAt), organization: manifest.organization,
            installationID: manifest.installationID,
            audit: BackupAuditHead(headSeq: manifest.headSeq, headHash: manifest.headHash), replaced: result.replaced,
            replayed: result.replayed.count, replayedRequests: result.replayed.compactMap(\.request))
        if output.json {
            try Output.json(report)
        } else {
            Output.line(
                "Restored \(report.database) and \(report.keyFile) from \(file), taken at \(report.createdAt) "
                    + "(audit events 1-\(report.audit.headSeq)).")
            Output.line("Replayed \(report.replayed) erasure(s) journalled since then.")
        }
    }
}
