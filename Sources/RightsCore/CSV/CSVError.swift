/// A structural or encoding problem in delimited text, located by physical line and, when known, column.
public struct CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 1-based physical line of the problem (for field-count and length errors, the line where the record starts).
    public let line: Int
    /// 1-based column in characters (Unicode scalars) within that line, when the problem is at one place.
    public let column: Int?
    public let kind: Kind

    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// A byte sequence that is not UTF-8 in a file read as UTF-8, typically a Windows-1258 or Latin-1 export.
        case invalidUTF8
        /// No byte order mark, yet the bytes are full of NULs as UTF-16 text is.
        case utf16WithoutBOM
        /// A UTF-16 file that ends half-way through a code unit.
        case oddUTF16Length
        /// A UTF-16 surrogate without its partner.
        case invalidUTF16
        /// A quoted field still open at the end of the file.
        case unterminatedQuote(openedAtLine: Int)
        /// A quote inside an unquoted field.
        case unexpectedQuote
        /// Something other than a delimiter or a line end right after a closing quote.
        case textAfterClosingQuote
        /// A record longer than the reader's limit, in UTF-8 bytes.
        case recordTooLong(limit: Int)
        /// A record whose number of fields differs from the header's.
        case wrongFieldCount(expected: Int, found: Int)
        /// No record at all, not even a header.
        case empty
        /// The byte source itself failed; the text is the underlying error's description.
        case readFailed(String)
    }

    public init(line: Int, column: Int? = nil, kind: Kind) {
        self.line = line
        self.column = column
        self.kind = kind
    }

    public var description: String {
        let place = column.map { "line \(line), column \($0)" } ?? "line \(line)"
        return "\(place): \(message)"
    }

    /// The sentence saying what was expected, without the "line N, column M: " prefix.
    public var message: String {
        switch kind {
        case .invalidUTF8:
            return "expected UTF-8 text but found bytes that are not UTF-8 (perhaps Windows-1258 or Latin-1); "
                + "save the file as CSV UTF-8 or Unicode Text"
        case .utf16WithoutBOM:
            return "expected UTF-8, or UTF-16 with a byte order mark, but the file looks like UTF-16 without one; "
                + "save it as CSV UTF-8 or Unicode Text"
        case .oddUTF16Length:
            return
                "expected UTF-16 text to have an even number of bytes, but the file ends half-way through a character"
        case .invalidUTF16:
            return
                "expected valid UTF-16 text but found an unpaired surrogate; save the file as CSV UTF-8 or Unicode Text"
        case .unterminatedQuote(let openedAtLine):
            return "expected a closing quote for the field opened on line \(openedAtLine), but the file ended"
        case .unexpectedQuote:
            return "expected a quote only at the start of a field; quote the whole field and double any quote inside it"
        case .textAfterClosingQuote:
            return "expected a delimiter or the end of the line after a closing quote, but found more text"
        case .recordTooLong(let limit):
            return "expected a record of at most \(limit) bytes, but this one is longer (an unclosed quote can do this)"
        case .wrongFieldCount(let expected, let found):
            return "expected \(expected) fields as in the header, but found \(found)"
        case .empty:
            return "expected a header row, but the file has no records"
        case .readFailed(let reason):
            return "expected to read the file, but reading failed: \(reason)"
        }
    }
}
