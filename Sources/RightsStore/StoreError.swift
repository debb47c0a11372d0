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
    case unknownList(String)
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
        case .unknownList(let name): "no list named \"\(name)\""
        case .badInput(let file, let line, let column, let message):
            [file, line.map(String.init), column.map(String.init)].compactMap { $0 }.joined(separator: ":") + ": "
                + message
        case .refused(let reason): reason
        case .sqlite(let code, let message): "database error \(code): \(message)"
        }
    }

    /// True for bad input data (exit 65), false for a refusal or failure (exit 1).
    public var isBadInput: Bool {
        if case .badInput = self { return true }
        return false
    }
}

extension StoreError {
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
