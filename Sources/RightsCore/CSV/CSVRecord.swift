/// One record of delimited text: its fields unescaped, its raw text and the line where it starts.
public struct CSVRecord: Sendable {
    /// The raw record, followed by the unescaped text of the fields that contained doubled quotes.
    var storage: [UInt8] = []
    /// How many bytes at the start of `storage` are the raw record.
    var rawCount = 0
    /// Start and end offsets into `storage`, two per field.
    var bounds: [Int] = []

    /// 1-based physical line where the record starts.
    public internal(set) var line = 0

    public init() {}

    /// The number of fields.
    public var count: Int { bounds.count >> 1 }

    /// The field's text, unescaped, exactly as written.
    public func string(at i: Int) -> String {
        withUTF8(at: i) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the field's unescaped UTF-8 bytes, without copying them.
    public func withUTF8<R>(at i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        precondition(i >= 0 && i < count, "field index \(i) out of range 0..<\(count)")
        let start = bounds[2 * i]
        let end = bounds[2 * i + 1]
        return try storage.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[start..<end]))
        }
    }

    /// The field's unescaped UTF-8 bytes as a slice (cheap: it shares the record's storage).
    public func utf8(at i: Int) -> ArraySlice<UInt8> {
        precondition(i >= 0 && i < count, "field index \(i) out of range 0..<\(count)")
        return storage[bounds[2 * i]..<bounds[2 * i + 1]]
    }

    /// Whether the field is empty (`,,` or `,"",`).
    public func isEmpty(at i: Int) -> Bool {
        precondition(i >= 0 && i < count, "field index \(i) out of range 0..<\(count)")
        return bounds[2 * i] == bounds[2 * i + 1]
    }

    /// Whether every field is empty, as in the `;;;;` rows spreadsheets leave below the data.
    public var allFieldsEmpty: Bool {
        var i = 0
        while i < bounds.count {
            if bounds[i] != bounds[i + 1] { return false }
            i += 2
        }
        return true
    }

    /// The record as written (UTF-8, quotes kept, without its line terminator), sharing the record's storage.
    public var rawUTF8: ArraySlice<UInt8> { storage[0..<rawCount] }

    /// All fields as strings; allocates, so prefer `withUTF8(at:_:)` or `string(at:)` for the columns you need.
    public var fields: [String] { (0..<count).map { string(at: $0) } }
}
