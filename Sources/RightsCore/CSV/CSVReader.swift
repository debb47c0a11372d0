/// The text encoding a `CSVReader` found at the start of its input.
public enum CSVEncoding: Equatable, Sendable {
    case utf8
    case utf8WithBOM
    case utf16LE
    case utf16BE
}

/// Streams records from delimited text (RFC 4180), decoding UTF-8 (BOM optional) and UTF-16 LE/BE with BOM.
public final class CSVReader {
    // Quoting is strict RFC 4180: a quote may only open a field, and a closing quote must be followed by a
    // delimiter or a line end. A stray quote is an error (`unexpectedQuote`) rather than read leniently, because
    // values are stored exactly as written and a lenient guess would silently store something else; a broken
    // export is better fixed at its source. Line ends are CRLF, LF or a lone CR; blank lines are skipped but
    // counted. Every record must have as many fields as the first one (the header).

    /// The encoding found at the start of the input (known after the first `next(into:)`).
    public var encoding: CSVEncoding { scanner.pointee.encoding }
    /// The field delimiter: as given, or detected from the header as the most frequent of `,` `;` and TAB outside
    /// quotes (`,` when there is none; ties prefer `,` then `;`).
    public var delimiter: UInt8 { scanner.pointee.delimiter }
    /// The longest record accepted, in UTF-8 bytes without its line terminator.
    public var maxRecordBytes: Int { scanner.pointee.maxRecordBytes }

    // Behind a pointer rather than in a stored `var`: every access to a class's stored `var` pays a dynamic
    // exclusivity check, which per record costs more than the rest of the reader's bookkeeping.
    private let scanner: UnsafeMutablePointer<CSVScanner>

    /// Creates a reader over `source`, which hands out the next chunk of raw file bytes, or nil at the end.
    ///
    /// A given `delimiter` must be an ASCII byte other than a quote, CR or LF.
    public init(delimiter: UInt8? = nil, maxRecordBytes: Int = 1 << 20, source: @escaping () throws -> [UInt8]?) {
        if let delimiter {
            precondition(
                delimiter < 0x80 && delimiter != CSVBytes.quote && delimiter != CSVBytes.cr
                    && delimiter != CSVBytes.lf,
                "the delimiter must be an ASCII byte other than a quote or a line end")
        }
        precondition(maxRecordBytes > 0, "maxRecordBytes must be positive")
        scanner = .allocate(capacity: 1)
        scanner.initialize(to: CSVScanner(delimiter: delimiter, maxRecordBytes: maxRecordBytes, source: source))
    }

    /// Creates a reader over bytes already in memory, handed out in chunks of `chunkSize` bytes.
    public convenience init(
        bytes: [UInt8], delimiter: UInt8? = nil, maxRecordBytes: Int = 1 << 20, chunkSize: Int = 1 << 16
    ) {
        precondition(chunkSize > 0, "chunkSize must be positive")
        var offset = 0
        self.init(delimiter: delimiter, maxRecordBytes: maxRecordBytes) {
            guard offset < bytes.count else { return nil }
            let end = min(offset + chunkSize, bytes.count)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }
    }

    deinit {
        scanner.pointee.deallocateBuffers()
        scanner.deinitialize(count: 1)
        scanner.deallocate()
    }

    /// Fills `record` with the next non-blank record; returns false at the end.
    ///
    /// Reuses the record's storage, so reading a file allocates nothing per row once the buffers have grown; keep
    /// a record's contents only until the next call (copy out what must live longer). Throws `empty` when the input
    /// holds no record at all, and after any error throws that same error again.
    public func next(into record: inout CSVRecord) throws(CSVError) -> Bool {
        if let failure = scanner.pointee.failure { throw failure }
        do throws(CSVError) {
            return try scanner.pointee.readRecord(into: &record)
        } catch {
            scanner.pointee.failure = error
            throw error
        }
    }
}
