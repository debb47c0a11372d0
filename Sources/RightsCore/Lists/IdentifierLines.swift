/// Reads the one-identifier-per-line files companies already have: provider opt-out exports and the national
/// Do-Not-Call list. Blank lines and `#` comments are skipped; a first line with no digit and no `@` is a header;
/// when a line has several fields (`,` `;` or tab), the first is the identifier.
public enum IdentifierLines {
    public static func read(_ bytes: [UInt8]) throws(IdentifierLinesError) -> [(line: Int, value: String)] {
        let text: String
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let littleEndian = bytes[0] == 0xFF
            var units: [UInt16] = []
            var index = 2
            while index + 1 < bytes.count {
                let (low, high) = littleEndian ? (bytes[index], bytes[index + 1]) : (bytes[index + 1], bytes[index])
                units.append(UInt16(high) << 8 | UInt16(low))
                index += 2
            }
            text = String(decoding: units, as: UTF16.self)
        } else {
            let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
            guard let decoded = String(validating: body, as: UTF8.self) else {
                let lines = body.split(separator: 0x0A, omittingEmptySubsequences: false)
                let bad = lines.firstIndex { String(validating: $0, as: UTF8.self) == nil } ?? 0
                throw .notUTF8(line: bad + 1)
            }
            text = decoded
        }
        var values: [(line: Int, value: String)] = []
        var sawData = false
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let first =
                line.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "\t" }).first.map(String.init) ?? line
            let value = first.trimmingWhitespace().trimmingCharacters(in: "\"")
            if !sawData && !value.contains(where: { $0.isNumber || $0 == "@" }) {
                sawData = true
                continue
            }
            sawData = true
            values.append((offset + 1, value))
        }
        return values
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
