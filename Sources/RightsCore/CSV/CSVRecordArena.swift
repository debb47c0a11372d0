/// Records kept compactly in one buffer (their unescaped field bytes and where each field ends), so that a
/// batch of a million rows can be held until every row is decided without a million arrays of strings.
public struct CSVRecordArena: Sendable {
    /// Fields per record: every record of a file has as many as its header.
    public let fieldCount: Int
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    public init(fieldCount: Int) {
        precondition(fieldCount > 0, "a record has at least one field")
        self.fieldCount = fieldCount
    }

    /// The number of records held.
    public var count: Int { ends.count / fieldCount }

    /// Keeps a copy of `record`'s fields; it must have `fieldCount` of them.
    public mutating func append(_ record: CSVRecord) {
        precondition(record.count == fieldCount, "record has \(record.count) fields, the arena \(fieldCount)")
        for field in 0..<fieldCount {
            record.withUTF8(at: field) { bytes.append(contentsOf: $0) }
            ends.append(bytes.count)
        }
    }

    /// Calls `body` with the unescaped bytes of one field of one record, without copying them.
    public func withUTF8<R>(record: Int, field: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let slot = record * fieldCount + field
        let start = slot == 0 ? 0 : ends[slot - 1]
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<ends[slot]])) }
    }

    /// One field as a string.
    public func string(record: Int, field: Int) -> String {
        withUTF8(record: record, field: field) { String(decoding: $0, as: UTF8.self) }
    }
}
