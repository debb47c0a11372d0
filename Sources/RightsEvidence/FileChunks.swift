import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a file in fixed-size chunks, so that importing a file of any size takes the same memory.
public final class FileChunks: @unchecked Sendable {
    private let fd: Int32
    private let chunkSize: Int
    public let path: String
    public private(set) var bytesRead = 0

    public init(path: String, chunkSize: Int = 1 << 20) throws {
        fd = Glibc.open(path, O_RDONLY)
        guard fd >= 0 else { throw FileError.cannotRead(path, String(cString: strerror(errno))) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw FileError.cannotRead(path, "it is a directory")
        }
        self.path = path
        self.chunkSize = chunkSize
    }

    deinit { close(fd) }

    /// The next chunk, or nil at the end of the file.
    public func next() throws -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunkSize) }
        guard count >= 0 else { throw FileError.cannotRead(path, String(cString: strerror(errno))) }
        guard count > 0 else { return nil }
        bytesRead += count
        chunk.removeLast(chunkSize - count)
        return chunk
    }
}

/// A file that could not be read or written.
public enum FileError: Error, Sendable, CustomStringConvertible {
    case cannotRead(String, String)
    case cannotWrite(String, String)

    public var description: String {
        switch self {
        case .cannotRead(let path, let reason): "cannot read \(path): \(reason)"
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}

/// Writes a file through a temporary name and renames it into place, so a failed export leaves no partial file.
///
/// The file is readable by its owner only (it holds personal data). On Linux it is written unnamed (`O_TMPFILE`) and
/// given a name only at `commit`, so a process killed while writing leaves nothing behind; elsewhere, or on a file
/// system without unnamed files, under `PATH.partial-PID`. It refuses a path that is a file of an open installation
/// (its database, WAL, shared memory, key file or erasure journal): an export given the database's name would
/// otherwise replace it, and one given the key file's would lose the secret every keyed hash depends on.
public final class AtomicFile: @unchecked Sendable {
    public let path: String
    private let temporary: String
    private let handle: UnsafeMutablePointer<FILE>
    /// True while the file has no name yet.
    private let unnamed: Bool
    private var closed = false

    public init(path: String) throws {
        try ProtectedFiles.refuse(path)
        self.path = path
        temporary = path + ".partial-\(getpid())"
        let folder = (path as NSString).deletingLastPathComponent
        var fd = Glibc.open(folder.isEmpty ? "." : folder, AtomicFile.unnamedFlag | O_WRONLY, 0o600)
        unnamed = fd >= 0
        if fd < 0 { fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600) }
        guard fd >= 0, let handle = fdopen(fd, "wb") else {
            let reason = String(cString: strerror(errno))
            if fd >= 0 { Glibc.close(fd) }
            throw FileError.cannotWrite(path, reason)
        }
        self.handle = handle
    }

    /// Linux's `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`; the macro is not imported into Swift, and `__O_TMPFILE`
    /// is 0o20000000 on every architecture Swift runs on). A kernel or file system without it answers an error and
    /// the named temporary file is used instead.
    private static let unnamedFlag: Int32 = 0o20000000 | O_DIRECTORY

    public func write(_ bytes: [UInt8]) throws {
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
        guard written == bytes.count else { throw FileError.cannotWrite(path, String(cString: strerror(errno))) }
    }

    /// Flushes to disk and moves the file into place.
    public func commit() throws {
        guard fflush(handle) == 0, fsync(fileno(handle)) == 0 else {
            throw FileError.cannotWrite(path, String(cString: strerror(errno)))
        }
        if unnamed {
            // Named under the temporary name first: `linkat` cannot replace an existing file, `rename` can.
            unlink(temporary)
            guard linkat(AT_FDCWD, "/proc/self/fd/\(fileno(handle))", AT_FDCWD, temporary, AT_SYMLINK_FOLLOW) == 0
            else {
                throw FileError.cannotWrite(path, String(cString: strerror(errno)))
            }
        }
        close()
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw FileError.cannotWrite(path, reason)
        }
    }

    /// Removes the temporary file (an unnamed one goes when it is closed).
    public func discard() {
        close()
        if !unnamed { unlink(temporary) }
    }

    private func close() {
        guard !closed else { return }
        closed = true
        fclose(handle)
    }

    deinit { discard() }
}

/// The files of the installations this process has open, which no output may overwrite.
public enum ProtectedFiles {
    private static let paths = Mutex<[(path: String, what: String)]>([])

    /// Registers the files of the installation whose database is `database`.
    public static func protect(database: String) {
        let files = Installation.files(databasePath: database)
        paths.withLock { known in
            for file in files where !known.contains(where: { $0.path == canonical(file.0) }) {
                known.append((canonical(file.0), file.1))
            }
        }
    }

    /// Throws when `path` names one of the protected files, by any path (relative, `..`, a symbolic link, a hard link).
    public static func refuse(_ path: String) throws {
        let target = canonical(path)
        var targetInfo = stat()
        let exists = stat(path, &targetInfo) == 0
        for file in paths.withLock({ $0 }) {
            var info = stat()
            let same =
                file.path == target
                || (exists && stat(file.path, &info) == 0 && info.st_dev == targetInfo.st_dev
                    && info.st_ino == targetInfo.st_ino)
            if same {
                throw FileError.cannotWrite(
                    path, "it is \(file.what) of the installation (\(file.path)); choose another file name")
            }
        }
    }

    /// The absolute path with its folder's symbolic links and `..` resolved, and the file's own link when it has one:
    /// two paths name one file when their canonical forms are equal.
    public static func canonical(_ path: String) -> String {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        guard let resolved = realpath(folder.isEmpty ? "." : folder, nil) else { return path }
        defer { free(resolved) }
        return (String(cString: resolved) as NSString).appendingPathComponent(name)
    }
}
