import Foundation
import Hummingbird

#if canImport(Glibc)
    import Glibc
#endif

/// A `multipart/form-data` body (a list uploaded from the desk), received into an unnamed temporary file readable by
/// this process only, so that a file of millions of rows never sits in memory and a killed server leaves nothing of
/// it on disk. The text fields are read out; the file part is read back in chunks, straight from where it lies.
final class MultipartUpload: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let fd: Int32
    /// The form's text fields, by name (the first of a repeated name).
    private(set) var fields: [String: String] = [:]
    /// The file part: the name the browser gave it, and where its bytes are.
    private(set) var fileName: String?
    private(set) var fileOffset = 0
    private(set) var fileLength = 0
    private let readLock = NSLock()
    private var consumed = 0

    /// Bytes of the file part read back so far.
    var bytesRead: Int { readLock.withLock { consumed } }

    /// Receives `request`'s body, at most `limit` bytes, and finds its parts.
    static func receive(_ request: Request, limit: Int) async throws -> MultipartUpload {
        guard let type = request.headers[.contentType], let boundary = Self.boundary(type) else {
            throw Failure(description: "not a multipart/form-data body with a boundary")
        }
        let upload = try MultipartUpload()
        var size = 0
        for try await buffer in request.body {
            size += buffer.readableBytes
            guard size <= limit else { throw HTTPError(.contentTooLarge) }
            try buffer.withUnsafeReadableBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(upload.fd, bytes.baseAddress! + offset, bytes.count - offset)
                    guard written > 0 else { throw Failure(description: String(cString: strerror(errno))) }
                    offset += written
                }
            }
        }
        try upload.parse(boundary: Array(("\r\n--" + boundary).utf8), size: size)
        return upload
    }

    private init() throws {
        // Linux's O_TMPFILE: a file with no name, gone when closed.
        let folder = NSTemporaryDirectory()
        var fd = open(folder, 0o20000000 | O_DIRECTORY | O_RDWR, 0o600)
        if fd < 0 {
            let path = (folder as NSString).appendingPathComponent("rightsdesk-upload-\(UUID().uuidString)")
            fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0o600)
            if fd >= 0 { unlink(path) }
        }
        guard fd >= 0 else { throw Failure(description: "no temporary file: \(String(cString: strerror(errno)))") }
        self.fd = fd
    }

    deinit { close(fd) }

    /// `boundary=...` of a Content-Type, quoted or not.
    static func boundary(_ contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.trimmingCharacters(in: .whitespaces)
            guard pair.lowercased().hasPrefix("boundary=") else { continue }
            var value = pair.dropFirst("boundary=".count)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            guard !value.isEmpty, value.count <= 200 else { return nil }
            return String(value)
        }
        return nil
    }

    /// Walks the parts: each is headers, a blank line, then content up to the next `CRLF--boundary`.
    private func parse(boundary delimiter: [UInt8], size: Int) throws {
        guard size > 0 else { throw Failure(description: "the form is empty") }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            throw Failure(description: String(cString: strerror(errno)))
        }
        defer { munmap(map, size) }
        let base = map.assumingMemoryBound(to: UInt8.self)
        func find(_ needle: [UInt8], from start: Int) -> Int? {
            guard start < size else { return nil }
            // memchr for the first byte, memcmp for the rest (Glibc's memmem is not imported into Swift).
            let first = Int32(needle[0])
            var at = start
            while at + needle.count <= size {
                guard let hit = memchr(base + at, first, size - at - needle.count + 1) else { return nil }
                let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + index, needle, needle.count) == 0 { return index }
                at = index + 1
            }
            return nil
        }
        // The body opens with the delimiter without its leading CRLF.
        let opening = Array(delimiter.dropFirst(2))
        guard size >= opening.count, memcmp(base, opening, opening.count) == 0 else {
            throw Failure(description: "the form does not start with its boundary")
        }
        var position = opening.count
        while true {
            guard position + 2 <= size else { throw Failure(description: "the form ends without its last boundary") }
            if base[position] == UInt8(ascii: "-"), base[position + 1] == UInt8(ascii: "-") { return }
            position += 2  // CRLF after the boundary
            guard let headerEnd = find(Array("\r\n\r\n".utf8), from: position), headerEnd - position < 8192 else {
                throw Failure(description: "a part of the form has no end to its headers")
            }
            let headers = String(
                decoding: UnsafeBufferPointer(start: base + position, count: headerEnd - position), as: UTF8.self)
            let start = headerEnd + 4
            guard let end = find(delimiter, from: start) else {
                throw Failure(description: "a part of the form has no boundary after it")
            }
            let (name, filename) = Self.disposition(headers)
            if let filename {
                if fileName == nil, name == "file" {
                    fileName = filename
                    fileOffset = start
                    fileLength = end - start
                }
            } else if let name, fields[name] == nil {
                guard end - start <= 64 * 1024,
                    let value = String(
                        validating: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
                else { throw Failure(description: "the field \(name) is not text") }
                fields[name] = value
            }
            position = end + delimiter.count
        }
    }

    /// `name` and `filename` of a part's Content-Disposition.
    private static func disposition(_ headers: String) -> (name: String?, filename: String?) {
        var name: String?
        var filename: String?
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            for parameter in line.split(separator: ";").dropFirst() {
                let pair = parameter.trimmingCharacters(in: .whitespaces)
                guard let equals = pair.firstIndex(of: "=") else { continue }
                let key = pair[..<equals].lowercased()
                var value = pair[pair.index(after: equals)...]
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                    value = value.dropFirst().dropLast()
                }
                if key == "name" { name = String(value) }
                if key == "filename" { filename = String(value) }
            }
        }
        return (name, filename)
    }

    /// The file part, 1 MiB at a time, for the importer.
    func nextChunk() throws -> [UInt8]? {
        try readLock.withLock {
            let remaining = fileLength - consumed
            guard remaining > 0 else { return nil }
            let count = min(remaining, 1 << 20)
            var chunk = [UInt8](repeating: 0, count: count)
            let read = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(fileOffset + consumed)) }
            guard read > 0 else { throw Failure(description: String(cString: strerror(errno))) }
            consumed += read
            if read < count { chunk.removeLast(count - read) }
            return chunk
        }
    }
}
