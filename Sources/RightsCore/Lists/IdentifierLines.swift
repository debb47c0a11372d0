/// Reads the one-identifier-per-line files companies already have: provider opt-out exports and the national
/// Do-Not-Call list. Blank lines and `#` comments are skipped; a first line with no digit and no `@` is a header;
/// when a line has several fields (`,` `;` or tab), the first is the identifier.
public enum IdentifierLines {
    public static func read(_ bytes: [UInt8]) throws(IdentifierLinesError) -> [(line: Int, value: String)] {
        try readOptOuts(bytes).map { ($0.line, $0.value) }
    }

    /// One line of an opt-out export: the identifier and, when the file has an `opted_out_at` column, when the
    /// person opted out as the provider wrote it.
    public struct OptOut: Sendable, Equatable {
        public var line: Int
        public var value: String
        public var optedOutAt: String?
        /// The `kind` column of a Do-Not-Call file, as written, when it has one.
        public var kind: String? = nil
    }

    /// Header names of a Do-Not-Call file's registration kind column (folded as list headers are).
    static let kindColumns: Set<String> = ["kind", "loai", "loaidangky", "dnc", "dnckind"]

    /// Header names of the column that says when the person opted out (folded as list headers are).
    static let optedOutColumns: Set<String> = [
        "optedoutat", "optedout", "optoutat", "unsubscribedat", "ngayhuy", "thoidiemhuy", "ngaytuchoi",
        "thoidiemtuchoi",
    ]

    /// Reads an opt-out export; the identifier is the first field, `opted_out_at` (any column of that name in the
    /// header) the time of the refusal.
    public static func readOptOuts(_ bytes: [UInt8]) throws(IdentifierLinesError) -> [OptOut] {
        let text = try decode(bytes)
        var values: [OptOut] = []
        var sawData = false
        var timeColumn: Int?
        var kindColumn: Int?
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(
                separator: line.contains("\t") ? "\t" : line.contains(";") ? ";" : ",", omittingEmptySubsequences: false
            ).map { $0.trimmingWhitespace().trimmingCharacters(in: "\"") }
            let value = fields.first ?? line
            if !sawData && !value.contains(where: { $0.isNumber || $0 == "@" }) {
                sawData = true
                timeColumn = fields.firstIndex { optedOutColumns.contains(ColumnName.fold($0)) }
                kindColumn = fields.firstIndex { kindColumns.contains(ColumnName.fold($0)) }
                continue
            }
            sawData = true
            let time = timeColumn.flatMap { $0 < fields.count ? fields[$0] : nil }.flatMap { $0.isEmpty ? nil : $0 }
            let kind = kindColumn.map { $0 < fields.count ? fields[$0] : "" }
            values.append(OptOut(line: offset + 1, value: value, optedOutAt: time, kind: kind))
        }
        return values
    }

    private static func decode(_ bytes: [UInt8]) throws(IdentifierLinesError) -> String {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let littleEndian = bytes[0] == 0xFF
            var units: [UInt16] = []
            var index = 2
            while index + 1 < bytes.count {
                let (low, high) = littleEndian ? (bytes[index], bytes[index + 1]) : (bytes[index + 1], bytes[index])
                units.append(UInt16(high) << 8 | UInt16(low))
                index += 2
            }
            return String(decoding: units, as: UTF16.self)
        }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        guard let decoded = String(validating: body, as: UTF8.self) else {
            let lines = body.split(separator: 0x0A, omittingEmptySubsequences: false)
            let bad = lines.firstIndex { String(validating: $0, as: UTF8.self) == nil } ?? 0
            throw .notUTF8(line: bad + 1)
        }
        return decoded
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var value = Substring(self)
        while value.first == set { value = value.dropFirst() }
        while value.last == set { value = value.dropLast() }
        return String(value)
    }
}

/// Why an identifier-per-line file could not be read.
public enum IdentifierLinesError: Error, Sendable, Equatable, CustomStringConvertible {
    case notUTF8(line: Int)

    public var line: Int {
        switch self {
        case .notUTF8(let line): line
        }
    }

    public var description: String {
        switch self {
        case .notUTF8: "the file is not UTF-8 (save it as UTF-8 or UTF-16 with a byte-order mark)"
        }
    }
}
