import Foundation
import GRDB
import RightsCore

extension RightsStore {
    /// The ids of every list entry that carries one of `hashes`, by its naming identifier or another one.
    func entryIDs(matching hashes: [[UInt8]], _ db: Database) throws -> [Int64] {
        var ids = Set<Int64>()
        for hash in hashes {
            ids.formUnion(
                try Int64.fetchAll(db, sql: "SELECT id FROM entries WHERE key_hash = ?", arguments: [Data(hash)]))
            ids.formUnion(
                try Int64.fetchAll(
                    db, sql: "SELECT entry_id FROM entry_identifiers WHERE id_hash = ?", arguments: [Data(hash)]))
        }
        return ids.sorted()
    }

    /// Sets `field` to `value` in every entry of the person whose import has that column (matched as headers
    /// are: ignoring case, diacritics, spaces and underscores), re-storing each row with its import's delimiter.
    /// Identifier columns are refused: changing one changes who the row is, which a new import expresses.
    func applyCorrections(_ corrections: [(field: String, value: String)], to hashes: [[UInt8]], _ db: Database) throws
        -> Int
    {
        for correction in corrections {
            if let field = ListField(mapTarget: correction.field), [.phone, .email, .zaloID].contains(field) {
                throw StoreError.refused(
                    "\(correction.field) identifies the person; correct it by importing the corrected list")
            }
        }
        var changed = 0
        var found = Set<String>()
        for id in try entryIDs(matching: hashes, db) {
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT e.raw, i.delimiter, i.headers FROM entries e JOIN imports i ON i.id = e.import_id
                        WHERE e.id = ?
                        """, arguments: [id])
            else { continue }
            let delimiter = (row["delimiter"] as String).utf8.first ?? UInt8(ascii: ",")
            guard case .array(let items) = try JSONValue(parsing: row["headers"] as String) else { continue }
            let headers = items.compactMap(\.stringValue)
            let raw = Array((row["raw"] as String).utf8)
            let reader = CSVReader(bytes: raw, delimiter: delimiter, chunkSize: max(raw.count, 1))
            var record = CSVRecord()
            guard try reader.next(into: &record) else { continue }
            var fields = record.fields
            var touched = false
            for correction in corrections {
                let target = ColumnName.fold(correction.field)
                let mapped = ListField(mapTarget: correction.field)
                guard
                    let column = headers.firstIndex(where: {
                        ColumnName.fold($0) == target || (mapped != nil && ListField(header: $0) == mapped)
                    }), column < fields.count
                else { continue }
                found.insert(correction.field)
                if fields[column] != correction.value {
                    fields[column] = correction.value
                    touched = true
                }
            }
            if touched {
                try db.execute(
                    sql: "UPDATE entries SET raw = ? WHERE id = ?",
                    arguments: [CSVWriter.record(fields, delimiter: delimiter), id])
                changed += 1
            }
        }
        if let missing = corrections.first(where: { !found.contains($0.field) }) {
            throw StoreError.refused("no list entry of this person has a column \"\(missing.field)\"")
        }
        return changed
    }
}
