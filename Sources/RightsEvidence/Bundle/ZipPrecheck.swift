import CRightsZlib
import Foundation

/// Reads a ZIP's central directory by itself and inflates each deflated entry with zlib over exactly its compressed
/// bytes, before ZIPFoundation touches it: ZIPFoundation's inflate loop keeps reading past the end of a damaged
/// entry (found by the bundle fuzzer: a 7 KB bundle kept `evidence verify` busy for minutes). An entry whose stream
/// does not end inside its bytes, or inflates past the size it declares, is refused with its name.
enum ZipPrecheck {
    struct Damaged: Error, CustomStringConvertible {
        var description: String
    }

    static func check(_ bytes: [UInt8], limit: UInt64) throws(Damaged) {
        func u16(_ at: Int) -> Int { at + 2 <= bytes.count ? Int(bytes[at]) | Int(bytes[at + 1]) << 8 : -1 }
        func u32(_ at: Int) -> Int {
            at + 4 <= bytes.count
                ? Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 : -1
        }
        // The end-of-central-directory record: within the last 64 KiB + 22 bytes.
        guard bytes.count >= 22 else { throw Damaged(description: "the bundle is not a ZIP archive") }
        var end = -1
        var position = bytes.count - 22
        while position >= max(0, bytes.count - 22 - 65_535) {
            if u32(position) == 0x0605_4b50 {
                end = position
                break
            }
            position -= 1
        }
        guard end >= 0 else { throw Damaged(description: "the bundle has no ZIP central directory") }
        let count = u16(end + 10)
        let directorySize = u32(end + 12)
        var entry = u32(end + 16)
        guard count >= 0, directorySize >= 0, entry >= 0, entry + directorySize <= end else {
            throw Damaged(description: "the ZIP central directory lies outside the bundle")
        }
        for _ in 0..<count {
            guard u32(entry) == 0x0201_4b50 else { throw Damaged(description: "a ZIP directory entry is damaged") }
            let method = u16(entry + 10)
            let compressed = u32(entry + 20)
            let declared = u32(entry + 24)
            let nameLength = u16(entry + 28)
            let extraLength = u16(entry + 30)
            let commentLength = u16(entry + 32)
            let local = u32(entry + 42)
            guard nameLength >= 0, extraLength >= 0, commentLength >= 0, entry + 46 + nameLength <= bytes.count else {
                throw Damaged(description: "a ZIP directory entry is damaged")
            }
            let name = String(decoding: bytes[(entry + 46)..<(entry + 46 + nameLength)], as: UTF8.self)
            entry += 46 + nameLength + extraLength + commentLength
            // Zip64 sizes (0xFFFFFFFF) are not written by any bundle writer: refused rather than half-read.
            guard compressed != 0xFFFF_FFFF, declared != 0xFFFF_FFFF, local != 0xFFFF_FFFF else {
                throw Damaged(description: "\(name): ZIP64 entries are not read")
            }
            guard UInt64(declared) <= limit else {
                throw Damaged(description: "\(name): the ZIP entry declares more than a bundle may hold")
            }
            guard u32(local) == 0x0403_4b50 else { throw Damaged(description: "\(name): the ZIP entry is damaged") }
            let start = local + 30 + u16(local + 26) + u16(local + 28)
            guard start >= 0, compressed >= 0, start + compressed <= bytes.count else {
                throw Damaged(description: "\(name): the ZIP entry claims more bytes than the bundle has")
            }
            switch method {
            case 0:
                guard compressed == declared else {
                    throw Damaged(description: "\(name): a stored ZIP entry's sizes disagree")
                }
            case 8:
                try inflates(bytes, from: start, count: compressed, declared: declared, name: name)
            default:
                throw Damaged(description: "\(name): the ZIP entry uses an unknown compression method \(method)")
            }
        }
    }

    /// Inflates `count` bytes at `start`: the stream must end within them and give exactly `declared` bytes.
    private static func inflates(_ bytes: [UInt8], from start: Int, count: Int, declared: Int, name: String)
        throws(Damaged)
    {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Damaged(description: "\(name): zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: 64 * 1024)
        var produced = 0
        var result = Z_OK
        bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + start)
            stream.avail_in = UInt32(count)
            repeat {
                output.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    result = inflate(&stream, Z_NO_FLUSH)
                    produced += buffer.count - Int(stream.avail_out)
                }
            } while result == Z_OK && produced <= declared
        }
        guard result == Z_STREAM_END, produced == declared else {
            throw Damaged(description: "\(name): the ZIP entry is damaged (its data does not inflate to its size)")
        }
    }
}
