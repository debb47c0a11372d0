import GRDB
import GRDBSQLite

/// A prepared statement driven through SQLite's C API, for loops that insert millions of rows: binding
/// buffers directly avoids building a `StatementArguments` array per row.
struct RawStatement {
    private let statement: Statement
    private let handle: OpaquePointer
    private let connection: OpaquePointer

    init(_ db: Database, _ sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection!
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    func bind(_ index: Int32, _ value: Int) { sqlite3_bind_int64(handle, index, Int64(value)) }

    func bindNull(_ index: Int32) { sqlite3_bind_null(handle, index) }

    /// Binds UTF-8 text that SQLite copies before this call returns.
    func bind(_ index: Int32, text: UnsafeBufferPointer<UInt8>) {
        guard let base = text.baseAddress, text.count > 0 else {
            // A zero-length text must still be text, not NULL: bind a pointer to a constant empty string.
            _ = emptyText.withUnsafeBufferPointer {
                sqlite3_bind_text(handle, index, $0.baseAddress, 0, sqliteTransient)
            }
            return
        }
        base.withMemoryRebound(to: CChar.self, capacity: text.count) { chars in
            _ = sqlite3_bind_text(handle, index, chars, Int32(text.count), sqliteTransient)
        }
    }

    func bind(_ index: Int32, _ text: String?) {
        guard var text else {
            sqlite3_bind_null(handle, index)
            return
        }
        text.withUTF8 { bind(index, text: $0) }
    }

    func bind(_ index: Int32, blob: [UInt8]) {
        blob.withUnsafeBytes { bytes in
            _ = sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), sqliteTransient)
        }
    }

    /// Runs the statement to completion; returns the number of rows it changed.
    @discardableResult
    func run() throws -> Int {
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else {
            throw StoreError.sqlite(code: code, message: String(cString: sqlite3_errmsg(connection)))
        }
        return Int(sqlite3_changes(connection))
    }

    /// Steps once and reads an integer from the first column of the first row, if any.
    func firstInt() throws -> Int64? {
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return sqlite3_column_int64(handle, 0) }
        guard code == SQLITE_DONE else {
            throw StoreError.sqlite(code: code, message: String(cString: sqlite3_errmsg(connection)))
        }
        return nil
    }

    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(connection) }
}

private let emptyText: [CChar] = [0]

// SQLITE_TRANSIENT is a C macro that does not import into Swift.
let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
