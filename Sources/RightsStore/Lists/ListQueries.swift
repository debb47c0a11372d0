import Foundation
import GRDB
import RightsCore

/// `lists show`: how many entries a list has and how many are suppressed (CONTRACT.md).
public struct ListSummary: Sendable, Codable {
    public var name: String
    public var basis: LegalBasis
    public var flagged: Bool
    public var entries: Int
    public var active: Int
    public var suppressed: Int
    public var suppressedByPurpose: [String: Int]
    public var imports: Int

    enum CodingKeys: String, CodingKey {
        case name, basis, flagged, entries, active, suppressed, imports
        case suppressedByPurpose = "suppressed_by_purpose"
    }
}

/// The counts of a `lists export`.
public struct ListExportResult: Sendable, Codable {
    public var list: String
    public var entries = 0
    public var exported = 0
    public var excluded: [String: Int] = [:]
    public var fileSHA256 = ""

    enum CodingKeys: String, CodingKey {
        case list, entries, exported, excluded
        case fileSHA256 = "file_sha256"
    }
}

extension RightsStore {
    public func listSummary(name: String) throws -> ListSummary {
        try read { db in
            let list = try ListRecord.require(name: name, in: db)
            return try summary(list, db)
        }
    }

    public func listSummaries() throws -> [ListSummary] {
        try read { db in
            let names = try String.fetchAll(
                db, sql: "SELECT name FROM lists WHERE \(ListRecord.published) ORDER BY name")
            return try names.map { try summary(ListRecord.require(name: $0, in: db), db) }
        }
    }

    private func summary(_ list: ListRecord, _ db: Database) throws -> ListSummary {
        // Kept by imports and erasures (the table itself is not read: at 10M entries that took seconds).
        let entries =
            try Int.fetchOne(db, sql: "SELECT entry_count FROM lists WHERE id = ?", arguments: [list.id]) ?? 0
        let imports =
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM imports WHERE list_id = ? AND NOT pending", arguments: [list.id]) ?? 0
        // An entry counts under `all` when any matching suppression stops everything, else under `marketing`.
        let row = try Row.fetchOne(
            db,
            sql: """
                WITH refused(person, stops_all) AS (
                    -- The persons with a suppression on any of their identifiers, read in key order.
                    SELECT p.person, max(s.purpose = 'all') FROM suppressions s INDEXED BY suppressions_by_identifier
                    CROSS JOIN person_links p ON p.id_hash = s.id_hash
                    WHERE s.lifted_at IS NULL AND \(PendingImports.published("p.import_id")) GROUP BY p.person
                ), matched(entry_id, stops_all) AS (
                    SELECT e.id, s.purpose = 'all' FROM suppressions s
                    CROSS JOIN entries e ON e.key_hash = s.id_hash AND e.list_id = ?1
                    WHERE s.lifted_at IS NULL AND e.import_id NOT IN \(PendingImports.ids)
                    UNION ALL
                    SELECT e.id, s.purpose = 'all' FROM suppressions s
                    CROSS JOIN entry_identifiers i ON i.id_hash = s.id_hash
                    CROSS JOIN entries e ON e.id = i.entry_id AND e.list_id = ?1
                    WHERE s.lifted_at IS NULL AND e.import_id NOT IN \(PendingImports.ids)
                    UNION ALL
                    -- A suppression of any identifier of the person: every identifier of a row with more than
                    -- one is linked, so reaching the row's key through the person is enough.
                    SELECT e.id, r.stops_all FROM refused r
                    CROSS JOIN person_members q ON q.person = r.person
                    CROSS JOIN entries e ON e.key_hash = q.id_hash AND e.list_id = ?1
                    WHERE e.import_id NOT IN \(PendingImports.ids) AND \(PendingImports.published("q.import_id"))
                ), per_entry AS (SELECT entry_id, max(stops_all) AS stops_all FROM matched GROUP BY entry_id)
                SELECT count(*) AS suppressed, coalesce(sum(stops_all), 0) AS stops_all FROM per_entry
                """, arguments: [list.id])
        let suppressed: Int = row?["suppressed"] ?? 0
        let stopsAll: Int = row?["stops_all"] ?? 0
        return ListSummary(
            name: list.name, basis: list.basis, flagged: list.basis.isFlagged, entries: entries,
            active: entries - suppressed, suppressed: suppressed,
            suppressedByPurpose: ["marketing": suppressed - stopsAll, "all": stopsAll], imports: imports)
    }

    /// Deletes a list and its entries; suppressions and consent proof stay (they outlive lists and people).
    public func deleteList(name: String, actor: String, at now: Date) throws -> Int {
        try perform(actor: actor, at: now) { db in
            let list = try ListRecord.require(name: name, in: db)
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM imports WHERE list_id = ? AND pending)", arguments: [list.id]
                )
                    == false
            else {
                throw StoreError.refused(
                    "an import into \(name) is being applied; delete the list when it is done (or `serve` has removed it, "
                        + "if it was cut short)")
            }
            var entries = 0
            for range in try ImportRecord.entryRanges(listID: list.id, in: db) {
                entries += try ImportRecord.deleteEntries(range, listID: list.id, in: db)
            }
            try db.execute(
                sql: "DELETE FROM duplicate_rows WHERE import_id IN (SELECT id FROM imports WHERE list_id = ?)",
                arguments: [list.id])
            try db.execute(sql: "DELETE FROM imports WHERE list_id = ?", arguments: [list.id])
            try db.execute(sql: "DELETE FROM lists WHERE id = ?", arguments: [list.id])
            return (
                entries, AuditDraft(kind: "lists.delete", payload: ["list": .string(name), "entries": .int(entries)])
            )
        }
    }

    /// Writes the entries that may be contacted for `channel` (nil: every channel) and `purpose`, deciding as the
    /// gate does, with the union of the imported headers plus `normalized`; recorded on the audit chain.
    ///
    /// The entries are read and written in one read snapshot, without the write lock, so a long export never holds
    /// up an objection (ARCHITECTURE.md invariant 11); the audit event is then appended in a short transaction and
    /// names the last event that snapshot saw (`as_of_seq`): the file is the list as it stood then.
    public func exportList(
        name: String, channel: Channel?, purpose: Purpose, actor: String, at now: Date, to writer: inout CSVWriter
    ) throws -> ListExportResult {
        let (result, asOf) = try read { db in
            let list = try ListRecord.require(name: name, in: db)
            var result = ListExportResult(list: name)
            try writer.write(list.headers + ["normalized"])
            var importLayouts: [Int64: (delimiter: UInt8, columns: [Int])] = [:]
            let facts = ContactFactsQuery(db, at: now, dncVersion: try doNotCallVersion(at: now, db))
            // One import's entries in the order of its file: an import writes them in keyed-hash order.
            for range in try ImportRecord.entryRanges(listID: list.id, in: db) {
                let cursor = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT id, import_id, kind, key_hash, others, normalized, raw FROM entries
                        WHERE id BETWEEN ? AND ? AND list_id = ? ORDER BY line
                        """,
                    arguments: [range.lowerBound, range.upperBound, list.id])
                while let row = try cursor.next() {
                    result.entries += 1
                    let entryFacts = try facts.facts(recipient: entryMembers(row), channel: channel)
                    if let reason = ContactDecision.exclusion(for: entryFacts, channel: channel, purpose: purpose) {
                        result.excluded[reason.rawValue, default: 0] += 1
                        continue
                    }
                    let importID: Int64 = row["import_id"]
                    if importLayouts[importID] == nil {
                        importLayouts[importID] = try importLayout(importID, unionHeaders: list.headers, db)
                    }
                    let layout = importLayouts[importID]!
                    var fields = [String](repeating: "", count: list.headers.count)
                    let raw: String = row["raw"]
                    let values = try parseRecord(Array(raw.utf8), delimiter: layout.delimiter)
                    for (index, column) in layout.columns.enumerated() where index < values.count {
                        fields[column] = values[index]
                    }
                    fields.append(row["normalized"])
                    try writer.write(fields)
                    result.exported += 1
                }
            }
            result.fileSHA256 = try writer.finish()
            return (result, try AuditChain.headSeq(db))
        }
        return try perform(actor: actor, at: now) { db in
            let draft = AuditDraft(
                kind: "lists.export",
                payload: [
                    "list": .string(name), "channel": .string(channel?.rawValue ?? "any"),
                    "purpose": .string(purpose.rawValue), "entries": .int(result.entries),
                    "exported": .int(result.exported),
                    "excluded": .object(result.excluded.mapValues { .int($0) }),
                    "file_sha256": .string(result.fileSHA256), "as_of_seq": .int(asOf),
                ])
            return (result, draft)
        }
    }

    private func importLayout(_ importID: Int64, unionHeaders: [String], _ db: Database) throws -> (UInt8, [Int]) {
        let row = try Row.fetchOne(
            db, sql: "SELECT delimiter, headers FROM imports WHERE id = ?", arguments: [importID])
        let delimiter = (row?["delimiter"] as String?)?.utf8.first ?? UInt8(ascii: ",")
        var headers: [String] = []
        if case .array(let items)? = try? JSONValue(parsing: (row?["headers"] as String?) ?? "[]") {
            headers = items.compactMap(\.stringValue)
        }
        return (delimiter, headers.map { unionHeaders.firstIndex(of: $0) ?? 0 })
    }

    func parseRecord(_ raw: [UInt8], delimiter: UInt8) throws -> [String] {
        let reader = CSVReader(bytes: raw, delimiter: delimiter, chunkSize: max(raw.count, 1))
        var record = CSVRecord()
        guard try reader.next(into: &record) else { return [] }
        return record.fields
    }
}

/// The identifiers of a list row as the person links see them: its key first, then the others (their kinds come
/// from the links, which hold every identifier of a row with more than one).
func entryMembers(_ row: Row) -> [PersonLinks.Member] {
    let kind = Identifier.Kind(rawValue: row["kind"]) ?? .phone
    var members = PersonLinks.Member.from(row["key_hash"], kind: kind.rawValue).map { [$0] } ?? []
    for hash in EntryHashes.split(row["others"]) {
        if let key = HashKey(hash) { members.append(PersonLinks.Member(key: key, kind: .email)) }
    }
    return members
}

/// The `others` column: the keyed hashes of an entry's other identifiers, 32 bytes each.
enum EntryHashes {
    static func split(_ blob: Data?) -> [[UInt8]] {
        guard let blob, blob.count >= 32 else { return [] }
        let bytes = Array(blob)
        return stride(from: 0, through: bytes.count - 32, by: 32).map { Array(bytes[$0..<$0 + 32]) }
    }
}
