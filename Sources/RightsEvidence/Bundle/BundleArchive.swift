import Foundation
import RightsCore
import ZIPFoundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why a bundle did not check, in one sentence that names the file (and line) at fault. Internal: the verifier
/// turns it into `BundleVerification.failed`, the writer into `EvidenceBundleError`.
struct BundleFailure: Error, Sendable {
    let message: String

    init(_ message: String) { self.message = message }
}

/// The paths a bundle may carry. Kept to what every unzip tool, file system and `sha256sum -c` line reads the same
/// way: ASCII letters, digits, `.`, `_` and `-` in segments joined by `/`, no `.` or `..` segment.
enum BundlePath {
    static func isValid(_ path: String) -> Bool {
        guard !path.isEmpty, path.utf8.count <= 255 else { return false }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return segments.allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".."
                && segment.utf8.allSatisfy { byte in
                    switch byte {
                    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                        UInt8(ascii: "-"):
                        true
                    default: false
                    }
                }
        }
    }

    /// Paths sort by their UTF-8 bytes, the order `LC_ALL=C sort` gives, so it never depends on a locale.
    static func precedes(_ first: String, _ second: String) -> Bool {
        first.utf8.lexicographicallyPrecedes(second.utf8)
    }

    /// True when `text` is 64 lower-case hexadecimal digits, the form every digest in a bundle takes.
    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64
            && text.utf8.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
    }
}

/// The ZIP side of a bundle, kept apart so that the writer and the verifier deal in paths and bytes only.
enum BundleArchive {
    /// 1980-01-01 00:00:00, the earliest time a ZIP entry can carry. Every entry gets it (ZIPFoundation converts
    /// through `gmtime`, so the time zone does not matter), so that exporting the same content twice gives the
    /// same entry bytes: the bundle proves content, and its export time is in the signed manifest.
    static let entryDate = Date(timeIntervalSince1970: 315_532_800)

    /// Every entry is an ordinary file readable by everyone; permissions are fixed for the same reason as the time.
    static let entryPermissions: UInt16 = 0o644

    /// A ZIP holding `files` in the order given, deflated, with fixed times and permissions.
    static func zip(_ files: [EvidenceBundle.File]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for file in files {
            let data = Data(file.bytes)
            try archive.addEntry(
                with: file.path, type: .file, uncompressedSize: Int64(data.count), modificationDate: entryDate,
                permissions: entryPermissions, compressionMethod: .deflate
            ) { position, size in
                let start = Int(position)
                return data.subdata(in: start..<min(start + size, data.count))
            }
        }
        guard let data = archive.data else { throw FileError.cannotWrite("(in memory)", "the ZIP was not built") }
        return data
    }

    /// One entry as the verifier sees it: its kind, size and SHA-256, and its bytes when they were asked for.
    struct ReadEntry {
        let path: String
        let isFile: Bool
        let kind: String
        let size: Int
        let sha256: String
        let bytes: [UInt8]?
    }

    /// The most the verifier holds in memory for one entry it must parse (the manifest, the signature, the key,
    /// SHA256SUMS, the audit excerpt); every other entry is hashed as it streams.
    static let parsedEntryLimit = 256 << 20

    /// Reads every entry of the ZIP at `path` in archive order (those `include` takes), keeping the bytes of those
    /// named in `keeping`.
    /// A bundle that is not a ZIP, holds two entries of one name or has a damaged entry is a `BundleFailure`.
    static func read(
        at path: String, keeping: Set<String>, including include: (String) -> Bool = { _ in true }
    ) throws(BundleFailure) -> [ReadEntry] {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw BundleFailure("the bundle is not a readable ZIP archive")
        }
        // Every deflated entry is checked to end where it says before ZIPFoundation inflates it.
        do {
            guard let whole = FileManager.default.contents(atPath: path) else {
                throw BundleFailure("the bundle cannot be read")
            }
            try ZipPrecheck.check(Array(whole), limit: UInt64(UInt32.max))
        } catch let damaged as ZipPrecheck.Damaged {
            throw BundleFailure(damaged.description)
        } catch let failure as BundleFailure {
            throw failure
        } catch {
            throw BundleFailure("the bundle cannot be read")
        }
        var entries: [ReadEntry] = []
        var seen: Set<String> = []
        let fileSize = UInt64(
            (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)??.uint64Value ?? 0)
        // A folder entry (`zip -r` writes one per folder) holds nothing: it is not a file of the bundle.
        for entry in archive where entry.type != .directory {
            let name = entry.path
            guard seen.insert(name).inserted else {
                throw BundleFailure("the bundle holds two entries named \(name)")
            }
            guard include(name) else { continue }
            // Checked before inflating: an entry cannot hold more compressed bytes than the file has (a damaged or
            // forged header would have the reader chase bytes that are not there), nor inflate past what it says.
            guard entry.compressedSize <= fileSize else {
                throw BundleFailure("\(name): the ZIP entry claims more bytes than the bundle has")
            }
            let declared = entry.uncompressedSize
            let keep = keeping.contains(name)
            var digest = StreamingDigest()
            var size = 0
            var bytes: [UInt8] = []
            do {
                // No CRC-32 pass: every entry is hashed with SHA-256 and checked against the signed sums, which a
                // damaged entry fails as surely, and the CRC in Swift costs as much as the inflating.
                _ = try archive.extract(entry, skipCRC32: true) { chunk in
                    size += chunk.count
                    guard UInt64(size) <= declared else {
                        throw BundleFailure("\(name): the ZIP entry inflates past the size it declares")
                    }
                    chunk.withUnsafeBytes { digest.update($0) }
                    if keep {
                        guard size <= parsedEntryLimit else { throw BundleFailure("\(name) is too large to check") }
                        bytes.append(contentsOf: chunk)
                    }
                }
            } catch let failure as BundleFailure {
                throw failure
            } catch Archive.ArchiveError.invalidCRC32 {
                throw BundleFailure("\(name): the ZIP entry is damaged (its CRC-32 does not match)")
            } catch {
                throw BundleFailure("\(name): the ZIP entry cannot be read (\(error))")
            }
            let kind =
                switch entry.type {
                case .file: "file"
                case .directory: "directory"
                case .symlink: "symbolic link"
                }
            entries.append(
                ReadEntry(
                    path: name, isFile: entry.type == .file, kind: kind, size: size, sha256: digest.finalizeHex(),
                    bytes: keep ? bytes : nil))
        }
        return entries
    }
}
