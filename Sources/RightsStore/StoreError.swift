import GRDB
import RightsCore

/// Why the store refused or failed; the CLI maps these to exit codes and one clear line on stderr.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// `init` on a path that already has a database or key file.
    case alreadyExists(String)
    case missingDatabase(String)
    /// The key file beside the database belongs to another installation: every keyed hash would silently differ.
    case keyFileMismatch(String)
    case notRightsDesk(String)
    /// No record of that kind under that id or name: 404 on the API and the desk, exit 1 on the command line.
    case notFound(StoreRecord, String)
    /// A step a request's state or rule set does not allow (the workflow's own reason): 409, exit 1.
    case step(RequestStepError)
    /// Bad input data, with the line it is on (exit 65).
    case badInput(file: String, line: Int?, column: Int?, message: String)
    case refused(String)
    case sqlite(code: Int32, message: String)

    public var description: String {
        switch self {
        case .alreadyExists(let path): "\(path) already exists; refusing to overwrite an installation"
        case .missingDatabase(let path): "no RightsDesk database at \(path) (run `rightsdesk init` first, or give --db)"
        case .keyFileMismatch(let detail): "the key file does not belong to this database: \(detail)"
        case .notRightsDesk(let path): "\(path) is not a RightsDesk database"
        case .notFound(.list, let name): "no list named \"\(name)\""
        case .notFound(.inboxMessage, let id): "no inbox message \(id) (rightsdesk inbox list shows them)"
        case .notFound(let record, let id): "no \(record.rawValue) \(id)"
        case .step(let error): error.description
        case .badInput(let file, let line, let column, let message):
            [file, line.map(String.init), column.map(String.init)].compactMap { $0 }.joined(separator: ":") + ": "
                + message
        case .refused(let reason): reason
        case .sqlite(let code, let message): "database error \(code): \(message)"
        }
    }
}

/// The kinds of record a lookup can miss.
public enum StoreRecord: String, Sendable {
    case request, list, user, delivery
    case inboxMessage = "inbox message"
}

/// What a store error means to whoever asked, whatever the channel: each front end (API problems, desk pages, exit
/// codes) maps these four once, instead of reading the text of an error.
public enum StoreErrorKind: Sendable {
    /// The record named does not exist (404).
    case notFound
    /// The request is refused as it stands: a step not allowed now, a rule, a duplicate name (409).
    case conflict
    /// The input is malformed (400, exit 65).
    case badInput
    /// Anything else: the installation or the database failed (500); the log gets the kind only.
    case failure
}

extension StoreError {
    /// The error as the desk says it in `language`: a step refused and a record not found are said in Vietnamese
    /// on the Vietnamese desk; other refusals keep the store's words.
    public func text(_ language: Vocabulary.Language) -> String {
        guard language == .vietnamese else { return description }
        switch self {
        case .step(let error): return error.text(language)
        case .notFound(let record, let id):
            let what: String =
                switch record {
                case .request: "yêu cầu"
                case .list: "danh sách"
                case .user: "người dùng"
                case .delivery: "lượt gửi thư"
                case .inboxMessage: "tin nhắn"
                }
            return "Không tìm thấy \(what) \(id)."
        default: return description
        }
    }

    public var kind: StoreErrorKind {
        switch self {
        case .notFound: .notFound
        case .step, .refused, .alreadyExists: .conflict
        case .badInput: .badInput
        case .missingDatabase, .keyFileMismatch, .notRightsDesk, .sqlite: .failure
        }
    }

    /// Whether `error` is SQLite saying another connection holds the write lock past the busy timeout (a long import
    /// commits in one transaction): nothing was written, and the same request can be made again in a moment.
    public static func isBusy(_ error: any Error) -> Bool {
        let code: Int32? =
            if let error = error as? DatabaseError {
                error.resultCode.primaryResultCode.rawValue
            } else if case
                .sqlite(let code, _)? = error as? StoreError
            { code & 0xFF } else { nil }
        return code == 5 || code == 6  // SQLITE_BUSY, SQLITE_LOCKED
    }
}
