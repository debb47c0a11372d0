import Foundation
import GRDB
import RightsCore

/// A row of `lists`.
struct ListRecord {
    var id: Int64
    var name: String
    var basis: LegalBasis
    var headers: [String]

    static func find(name: String, in db: Database) throws -> ListRecord? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT id, name, basis, headers FROM lists WHERE name = ?", arguments: [name])
        else { return nil }
        let headerValue = try? JSONValue(parsing: row["headers"] as String)
        var headers: [String] = []
        if case .array(let items)? = headerValue { headers = items.compactMap(\.stringValue) }
        return ListRecord(
            id: row["id"], name: row["name"], basis: LegalBasis(rawValue: row["basis"]) ?? .other, headers: headers)
    }

    static func require(name: String, in db: Database) throws -> ListRecord {
        guard let list = try find(name: name, in: db) else { throw StoreError.unknownList(name) }
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
        headers: [String], actor: String, now: Date, in db: Database
    ) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO imports(list_id, file_name, file_sha256, file_bytes, encoding, delimiter, headers, source,
                    basis, consent_channel, zalo_oa, imported_at, actor)
                VALUES (?, ?, '', 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                listID, request.fileName, "\(encoding)", String(UnicodeScalar(delimiter)),
                JSONValue.array(headers.map(JSONValue.string)).canonicalString, request.source, basis.rawValue,
                request.consentChannel?.rawValue, request.zaloOA, Timestamp.milliseconds(now), actor,
            ])
        return db.lastInsertedRowID
    }

    static func finish(_ id: Int64, result: ListImportResult, fileSHA256: String, bytes: Int, in db: Database) throws {
        try db.execute(
            sql: """
                UPDATE imports SET file_sha256 = ?, file_bytes = ?, rows = ?, imported = ?, duplicates = ?,
                    invalid = ?, consents = ? WHERE id = ?
                """,
            arguments: [
                fileSHA256, bytes, result.rows, result.imported, result.duplicates, result.invalid.count,
                result.consents, id,
            ])
    }

    /// Entries of this import that an active suppression already matches.
    static func suppressedCount(importID: Int64, in db: Database) throws -> Int {
        try Int.fetchOne(
            db,
            sql: """
                SELECT count(*) FROM entries e WHERE e.import_id = ?1 AND (
                    EXISTS (SELECT 1 FROM suppressions s WHERE s.id_hash = e.key_hash AND s.lifted_at IS NULL)
                    OR EXISTS (SELECT 1 FROM entry_identifiers i JOIN suppressions s ON s.id_hash = i.id_hash
                               WHERE i.entry_id = e.id AND s.lifted_at IS NULL))
                """, arguments: [importID]) ?? 0
    }
}
