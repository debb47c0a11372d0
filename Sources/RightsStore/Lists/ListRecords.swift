import Foundation
import GRDB
import RightsCore

/// A row of `lists`.
struct ListRecord {
    var id: Int64
    var name: String
    var basis: LegalBasis
    var headers: [String]

    /// A list made by an import not yet published is not there yet.
    static let published = """
        NOT EXISTS (SELECT 1 FROM imports WHERE imports.list_id = lists.id AND imports.made_list AND imports.pending)
        """

    static func find(name: String, in db: Database) throws -> ListRecord? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT id, name, basis, headers FROM lists WHERE name = ? AND \(published)",
                arguments: [name])
        else { return nil }
        let headerValue = try? JSONValue(parsing: row["headers"] as String)
        var headers: [String] = []
        if case .array(let items)? = headerValue { headers = items.compactMap(\.stringValue) }
        return ListRecord(
            id: row["id"], name: row["name"], basis: LegalBasis(rawValue: row["basis"]) ?? .other, headers: headers)
    }

    static func require(name: String, in db: Database) throws -> ListRecord {
        guard let list = try find(name: name, in: db) else { throw StoreError.notFound(.list, name) }
        return list
    }

    static func findOrCreate(name: String, basis: LegalBasis, actor: String, now: Date, in db: Database) throws
        -> ListRecord
    {
        if let list = try find(name: name, in: db) { return list }
        guard !name.isEmpty else { throw StoreError.refused("a list needs a name") }
        try db.execute(
            sql: "INSERT INTO lists(name, basis, created_at, created_by) VALUES (?, ?, ?, ?)",
            arguments: [name, basis.rawValue, Timestamp.milliseconds(now), actor])
        return ListRecord(id: db.lastInsertedRowID, name: name, basis: basis, headers: [])
    }

    /// Keeps the union of every import's headers in first-seen order, for exports.
    static func addHeaders(_ headers: [String], listID: Int64, in db: Database) throws {
        let current =
            try String.fetchOne(db, sql: "SELECT headers FROM lists WHERE id = ?", arguments: [listID]) ?? "[]"
        var union: [String] = []
        if case .array(let items)? = try? JSONValue(parsing: current) { union = items.compactMap(\.stringValue) }
        for header in headers where !union.contains(header) { union.append(header) }
        try db.execute(
            sql: "UPDATE lists SET headers = ? WHERE id = ?",
            arguments: [JSONValue.array(union.map(JSONValue.string)).canonicalString, listID])
    }
}

/// A row of `imports`: one file's provenance.
enum ImportRecord {
    static func insert(
        listID: Int64, request: ListImportRequest, basis: LegalBasis, encoding: CSVEncoding, delimiter: UInt8,
        headers: [String], madeList: Bool, actor: String, now: Date, in db: Database
    ) throws -> Int64 {
        // Pending until `finish`: its rows are in no answer meanwhile (`PendingImports`).
        try db.execute(
            sql: """
                INSERT INTO imports(list_id, file_name, file_sha256, file_bytes, encoding, delimiter, headers, source,
                    basis, consent_channel, zalo_oa, imported_at, actor, pending, made_list)
                VALUES (?, ?, '', 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
                """,
            arguments: [
                listID, request.fileName, "\(encoding)", String(UnicodeScalar(delimiter)),
                JSONValue.array(headers.map(JSONValue.string)).canonicalString, request.source, basis.rawValue,
                request.consentChannel?.rawValue, request.zaloOA, Timestamp.milliseconds(now), actor, madeList,
            ])
        return db.lastInsertedRowID
    }

    static func finish(
        _ id: Int64, result: ListImportResult, entries: (first: Int64?, last: Int64?), bytes: Int, in db: Database
    ) throws {
        try db.execute(
            sql: """
                UPDATE imports SET file_sha256 = ?, file_bytes = ?, rows = ?, imported = ?, duplicates = ?,
                    invalid = ?, consents = ?, first_entry_id = ?, last_entry_id = ?, pending = 0 WHERE id = ?
                """,
            arguments: [
                result.fileSHA256, bytes, result.rows, result.imported, result.duplicates, result.invalid.count,
                result.consents, entries.first, entries.last, id,
            ])
    }

    /// The id ranges holding a list's entries, one per import that wrote any, in import order.
    static func entryRanges(listID: Int64, in db: Database) throws -> [ClosedRange<Int64>] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT first_entry_id, last_entry_id FROM imports
                WHERE list_id = ? AND first_entry_id IS NOT NULL AND NOT pending ORDER BY id
                """, arguments: [listID]
        ).map { ($0[0] as Int64)...($0[1] as Int64) }
    }

    /// Deletes the entries with ids in `range` (of `listID`, when given) and the other identifiers beside them
    /// (found from each entry's `others`); returns how many entries.
    @discardableResult
    static func deleteEntries(_ range: ClosedRange<Int64>, listID: Int64? = nil, in db: Database) throws -> Int {
        let bounds: StatementArguments = [range.lowerBound, range.upperBound, listID]
        let others = try Row.fetchAll(
            db,
            sql: """
                SELECT id, others FROM entries
                WHERE id BETWEEN ?1 AND ?2 AND (?3 IS NULL OR list_id = ?3) AND others IS NOT NULL
                """, arguments: bounds)
        for row in others {
            for hash in EntryHashes.split(row["others"]) {
                try db.execute(
                    sql: "DELETE FROM entry_identifiers WHERE id_hash = ? AND entry_id = ?",
                    arguments: [Data(hash), row["id"] as Int64])
            }
        }
        try db.execute(
            sql: "DELETE FROM entries WHERE id BETWEEN ?1 AND ?2 AND (?3 IS NULL OR list_id = ?3)", arguments: bounds)
        return db.changesCount
    }

    /// The lines of this import's entries that a suppression recorded after `id` (and not lifted) matches, by the
    /// entry's key or another identifier of its row.
    static func linesMatching(suppressionsAfter id: Int64, importID: Int64, in db: Database) throws -> [Int] {
        try Int.fetchAll(
            db,
            sql: """
                WITH added(id_hash) AS (SELECT DISTINCT id_hash FROM suppressions WHERE id > ?1 AND lifted_at IS NULL)
                SELECT e.line FROM added a JOIN entries e ON e.key_hash = a.id_hash WHERE e.import_id = ?2
                UNION
                SELECT e.line FROM added a JOIN entry_identifiers x ON x.id_hash = a.id_hash
                JOIN entries e ON e.id = x.entry_id WHERE e.import_id = ?2
                """, arguments: [id, importID])
    }

    /// Entries of this import that an active suppression already matches, found by probing the suppressions'
    /// index with each entry's hashes: the cost follows the size of the import, not of the installation.
    static func suppressedCount(importID: Int64, in db: Database) throws -> Int {
        guard
            let range = try Row.fetchOne(
                db,
                sql: "SELECT first_entry_id, last_entry_id FROM imports WHERE id = ? AND first_entry_id IS NOT NULL",
                arguments: [importID]),
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM suppressions WHERE lifted_at IS NULL)") == true
        else { return 0 }
        let probe = try db.makeStatement(
            sql: "SELECT EXISTS (SELECT 1 FROM suppressions WHERE id_hash = ? AND lifted_at IS NULL)")
        var count = 0
        let entries = try Row.fetchCursor(
            db, sql: "SELECT key_hash, others FROM entries WHERE id BETWEEN ? AND ?",
            arguments: [range[0] as Int64, range[1] as Int64])
        while let entry = try entries.next() {
            let hashes = [Array(entry["key_hash"] as Data)] + EntryHashes.split(entry["others"])
            for hash in hashes where try Bool.fetchOne(probe, arguments: [Data(hash)]) == true {
                count += 1
                break
            }
        }
        return count
    }
}
