import Foundation
import Testing

@testable import RightsEvidence

#if canImport(Glibc)
    import Glibc
#endif

/// `AtomicFile`: nothing visible until it is committed, the owner's alone once it is, and never over the files of
/// an open installation.
@Suite("Atomic output files")
struct AtomicFileTests {
    let folder: String = {
        let path = NSTemporaryDirectory() + "rightsdesk-atomic-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    func listing() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: folder).sorted() }

    @Test("an uncommitted file leaves no name behind, written or discarded; a committed one is 0600 and replaces")
    func nothingUntilCommitted() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/out.csv"
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: path))
        do {
            let file = try AtomicFile(path: path)
            try file.write(Array("phone\n+84912345678\n".utf8))
            // Written but not committed: only the old file is there (a process killed now leaves nothing else).
            #expect(try listing() == ["out.csv"])
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
            file.discard()
        }
        #expect(try listing() == ["out.csv"])
        let file = try AtomicFile(path: path)
        try file.write(Array("new\n".utf8))
        try file.commit()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(try listing() == ["out.csv"])
    }

    @Test("a protected file is refused by any of its names")
    func protectedFiles() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = folder + "/desk.sqlite"
        try Data("SQLite".utf8).write(to: URL(fileURLWithPath: database))
        ProtectedFiles.protect(database: database)
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        #expect(link(database, folder + "/hard-link") == 0)
        for name in [
            database, folder + "/sub/../desk.sqlite", folder + "/hard-link", database + ".keys", database + "-wal",
        ] {
            #expect(throws: FileError.self, "\(name)") { _ = try AtomicFile(path: name) }
        }
        #expect(try String(contentsOfFile: database, encoding: .utf8) == "SQLite")
        #expect(throws: Never.self) { try AtomicFile(path: folder + "/other.csv").discard() }
    }
}
