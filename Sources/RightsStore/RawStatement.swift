import GRDB
import GRDBSQLite
import RightsCore

/// A prepared statement driven through SQLite's C API, for loops that insert millions of rows: binding
/// buffers directly avoids building a `StatementArguments` array per row.
struct RawStatement {
    /// What keeps the statement alive: GRDB's `Statement`, or a `Finalizer` for one prepared here.
    private let owner: AnyObject
    private let handle: OpaquePointer
    private let connection: OpaquePointer

    init(_ db: Database, _ sql: String) throws {
        let statement = try db.makeStatement(sql: sql)
        owner = statement
        handle = statement.sqliteStatement
        connection = db.sqliteConnection!
    }

    /// A statement on a connection opened without GRDB (`ScratchDatabase`).
    init(connection: OpaquePointer, _ sql: String) throws {
        var prepared: OpaquePointer?
        let code = sqlite3_prepare_v2(connection, sql, -1, &prepared, nil)
        guard code == SQLITE_OK, let prepared else {
            sqlite3_finalize(prepared)
            throw StoreError.sqlite(code: code, message: String(cString: sqlite3_errmsg(connection)))
        }
        owner = Finalizer(prepared)
        handle = prepared
        self.connection = connection
    }

    private final class Finalizer {
        let handle: OpaquePointer
        init(_ handle: OpaquePointer) { self.handle = handle }
        deinit { sqlite3_finalize(handle) }
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    func bind(_ index: Int32, _ value: Int) { sqlite3_bind_int64(handle, index, Int64(value)) }

    /// Binds the integer, or NULL for nil.
    func bind(_ index: Int32, _ value: Int64?) {
        if let value { bind(index, value) } else { bindNull(index) }
    }

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

    /// Binds bytes that SQLite copies before this call returns.
    func bind(_ index: Int32, blob: UnsafeRawBufferPointer) {
        _ = sqlite3_bind_blob(handle, index, blob.baseAddress, Int32(blob.count), sqliteTransient)
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

    // Reading row by row: `step` until it returns false, reading columns in between; `reset` to run it again.

    /// Steps once: true when a row is there to read, false when the statement is done (and reset).
    func step() throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw StoreError.sqlite(code: code, message: String(cString: sqlite3_errmsg(connection)))
        }
        return false
    }

    func reset() { sqlite3_reset(handle) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// A column's bytes (text or blob) as SQLite holds them, valid only inside `body`.
    func withBytes<T>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        // The pointer first, then the size (SQLite's documented order).
        let base = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let base else {
            return try body(UnsafeBufferPointer(start: nil, count: 0))
        }
        return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: count))
    }

    func bytes(_ column: Int32) -> [UInt8] { withBytes(column) { Array($0) } }

    func text(_ column: Int32) -> String? {
        isNull(column) ? nil : withBytes(column) { String(decoding: $0, as: UTF8.self) }
    }

    /// Binds column `column` of `row`'s current row, whatever its type, as parameter `index` of this statement.
    func bind(_ index: Int32, columnOf row: RawStatement, _ column: Int32) {
        sqlite3_bind_value(handle, index, sqlite3_column_value(row.handle, column))
    }
}

private let emptyText: [CChar] = [0]

// SQLITE_TRANSIENT is a C macro that does not import into Swift.
let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// One prepared `INSERT ... SELECT * FROM (VALUES (...), (...), ...)` that inserts up to `rows` rows per step.
/// SQLite's fixed cost of running a statement (opening its cursors, a statement transaction, a descent from the
/// root for the first key) is then paid once per batch instead of once per row: for an import's sorted inserts
/// that halves the time. Each row's values are bound in place as it comes; a batch run before it is full has its
/// unused rows' first value bound to NULL, which the statement's `column1 IS NOT NULL` skips, so the first value
/// of a row must never be NULL.
struct BatchedInsert {
    static let rows = 64
    let statement: RawStatement
    private let columns: Int32
    /// Rows bound in the batch under way.
    private(set) var count = 0

    /// `insert`: `INSERT INTO t(a, b, c)`; `row`: one row's values with `columns` anonymous parameters, e.g.
    /// `(?, ?, 'grant', ?)`; `condition`: more of the WHERE clause over column1, column2, ... (`AND EXISTS (...)`);
    /// `conflict`: an upsert clause (`ON CONFLICT(k) DO NOTHING`).
    init(_ db: Database, _ insert: String, row: String, columns: Int, condition: String = "", conflict: String = "")
        throws
    {
        statement = try RawStatement(db, Self.sql(insert, row: row, condition: condition, conflict: conflict))
        self.columns = Int32(columns)
    }

    init(connection: OpaquePointer, _ insert: String, row: String, columns: Int) throws {
        statement = try RawStatement(connection: connection, Self.sql(insert, row: row, condition: "", conflict: ""))
        self.columns = Int32(columns)
    }

    private static func sql(_ insert: String, row: String, condition: String, conflict: String) -> String {
        "\(insert) SELECT * FROM \(values(row)) WHERE column1 IS NOT NULL \(condition) \(conflict)"
    }

    /// `(VALUES row, row, ...)`, a batch's worth of `row`.
    static func values(_ row: String) -> String {
        "(VALUES " + Array(repeating: row, count: rows).joined(separator: ", ") + ")"
    }

    /// The parameter number of the row under way's `column` (from 1).
    func parameter(_ column: Int32) -> Int32 { Int32(count) * columns + column }

    /// The row under way is bound: returns the rows changed when that filled the batch and it was run, else nil.
    mutating func endRow() throws -> Int? {
        count += 1
        return count == Self.rows ? try run() : nil
    }

    /// Runs the rows bound so far (none: nothing is run); returns how many rows it changed.
    mutating func run() throws -> Int {
        guard count > 0 else { return 0 }
        for unused in count..<Self.rows { statement.bindNull(Int32(unused) * columns + 1) }
        count = 0
        return try statement.run()
    }
}

/// Many keys looked up per step of one prepared query over `(VALUES (key, position), ...) AS v`, for the same
/// reason as `BatchedInsert`: an import's probes of a million identifiers paid SQLite's fixed cost per statement
/// once per key. The query's first column is the position of the key it answers for; a key bound as NULL (the
/// unused rows of a batch run before it is full) matches nothing.
struct BatchedLookup {
    static let rows = BatchedInsert.rows
    let statement: RawStatement
    private var count = 0

    /// `query`: the SELECT, with `%VALUES%` where the `(VALUES ...) AS v` goes; `v.column1` is the key and
    /// `v.column2` its position.
    init(_ db: Database, _ query: String) throws {
        statement = try RawStatement(
            db, query.replacingOccurrences(of: "%VALUES%", with: BatchedInsert.values("(?, ?)") + " AS v"))
    }

    /// Adds a key; when that fills the batch, runs it and calls `found` on each row it returns.
    mutating func add(_ key: HashKey, position: Int, found: (RawStatement) throws -> Void) throws {
        key.withBytes { statement.bind(Int32(2 * count + 1), blob: $0) }
        statement.bind(Int32(2 * count + 2), position)
        count += 1
        if count == Self.rows { try run(found) }
    }

    /// Runs the keys added so far (none: nothing is run), calling `found` on each row returned.
    mutating func run(_ found: (RawStatement) throws -> Void) throws {
        guard count > 0 else { return }
        for unused in count..<Self.rows { statement.bindNull(Int32(2 * unused + 1)) }
        count = 0
        while try statement.step() { try found(statement) }
    }
}
