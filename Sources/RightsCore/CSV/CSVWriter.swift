/// Writes RFC 4180 CSV (comma-separated, CRLF-free `\n` line ends, quotes only where needed) to a sink, keeping
/// a SHA-256 of everything written so the audit chain can name the exact file produced.
public struct CSVWriter {
    private var buffer: [UInt8] = []
    private var digest = StreamingDigest()
    private let hashing: Bool
    private let sink: ([UInt8]) throws -> Void
    public private(set) var bytesWritten = 0

    /// `hashing: false` for output no one names by its digest (a gate's files): a million-row batch then does not
    /// pay for hashing them.
    public init(hashing: Bool = true, sink: @escaping ([UInt8]) throws -> Void) {
        self.sink = sink
        self.hashing = hashing
        buffer.reserveCapacity(1 << 16)
    }

    /// A cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`, `-2+3`) is written
    /// with a leading `'`, which spreadsheets show as text (OWASP's advice for CSV injection). A signed number
    /// (`+84912345678`, `-5`) is left as it is. For files people open: exports, a gate's refused rows.
    public var neutralizesFormulas = false

    public mutating func write(_ fields: [String]) throws {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            if neutralizesFormulas, CSVWriter.looksLikeFormula(field) {
                append("'" + field)
            } else {
                append(field)
            }
        }
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Whether a spreadsheet would read the cell as a formula: it starts with `=`, `+`, `-`, `@`, a tab or a
    /// carriage return, and is not a plain signed number.
    public static func looksLikeFormula(_ field: String) -> Bool {
        guard let first = field.utf8.first else { return false }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "@"), 0x09, 0x0D: return true
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let rest = field.utf8.dropFirst()
            return rest.isEmpty || !rest.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        default: return false
        }
    }

    private mutating func append(_ field: String) { CSVWriter.append(field, delimiter: UInt8(ascii: ","), to: &buffer) }

    /// One record in RFC 4180 form with any delimiter, without a line end: how a corrected row is stored again.
    public static func record(_ fields: [String], delimiter: UInt8) -> String {
        var bytes: [UInt8] = []
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(delimiter) }
            append(field, delimiter: delimiter, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func append(_ field: String, delimiter: UInt8, to buffer: inout [UInt8]) {
        var field = field
        field.withUTF8 { append(utf8: $0, delimiter: delimiter, to: &buffer) }
    }

    private static func append(utf8 field: UnsafeBufferPointer<UInt8>, delimiter: UInt8, to buffer: inout [UInt8]) {
        let needsQuotes = field.contains { byte in
            byte == delimiter || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D
        }
        guard needsQuotes else {
            buffer.append(contentsOf: field)
            return
        }
        buffer.append(UInt8(ascii: "\""))
        for byte in field {
            if byte == UInt8(ascii: "\"") { buffer.append(byte) }
            buffer.append(byte)
        }
        buffer.append(UInt8(ascii: "\""))
    }

    /// Writes record `index` of `arena` followed by one more field, `extra`: a batch's rows written once they are decided.
    public mutating func write(_ arena: CSVRecordArena, record index: Int, appending extra: String) throws {
        for field in 0..<arena.fieldCount {
            if field > 0 { buffer.append(UInt8(ascii: ",")) }
            arena.withUTF8(record: index, field: field) {
                CSVWriter.append(utf8: $0, delimiter: UInt8(ascii: ","), to: &buffer)
            }
        }
        buffer.append(UInt8(ascii: ","))
        append(extra)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Appends bytes already in CSV form (records another writer produced), after what is buffered.
    public mutating func write(encoded bytes: [UInt8]) throws {
        try flush()
        guard !bytes.isEmpty else { return }
        if hashing { digest.update(bytes) }
        bytesWritten += bytes.count
        try sink(bytes)
    }

    /// Hands everything buffered to the sink.
    public mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        if hashing { digest.update(buffer) }
        bytesWritten += buffer.count
        try sink(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and returns the SHA-256 of all bytes written.
    public mutating func finish() throws -> String {
        precondition(hashing, "a CSVWriter made with hashing: false has no digest")
        try flush()
        return digest.finalizeHex()
    }
}
