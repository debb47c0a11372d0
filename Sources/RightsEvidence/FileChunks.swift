import Foundation

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
public final class AtomicFile: @unchecked Sendable {
    public let path: String
    private let temporary: String
    private let handle: UnsafeMutablePointer<FILE>

    public init(path: String) throws {
        self.path = path
        temporary = path + ".partial-\(getpid())"
        guard let handle = fopen(temporary, "wb") else {
            throw FileError.cannotWrite(path, String(cString: strerror(errno)))
        }
        self.handle = handle
    }

    public func write(_ bytes: [UInt8]) throws {
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
        guard written == bytes.count else { throw FileError.cannotWrite(path, String(cString: strerror(errno))) }
    }

    /// Flushes to disk and moves the file into place.
    public func commit() throws {
        guard fflush(handle) == 0, fsync(fileno(handle)) == 0 else {
            throw FileError.cannotWrite(path, String(cString: strerror(errno)))
        }
        fclose(handle)
        guard rename(temporary, path) == 0 else { throw FileError.cannotWrite(path, String(cString: strerror(errno))) }
    }

    /// Removes the temporary file.
    public func discard() {
        fclose(handle)
        unlink(temporary)
    }
}
