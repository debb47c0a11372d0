import Foundation
import GRDB
import RightsCore

/// `rightsdesk link`: what an officer's link or its removal did.
public struct LinkResult: Sendable, Codable {
    /// The link recorded or removed.
    public var link: Int64
    /// How many identifiers the person has now (of the first identifier given).
    public var identifiers: Int
    public var removed: Bool
}

extension RightsStore {
    /// Records that two identifiers are one person's, on an officer's word (with its reason): from now on a
    /// refusal on either holds for both.
    public func link(_ first: Identifier, _ second: Identifier, reason: String?, actor: String, at now: Date) throws
        -> LinkResult
    {
        guard first != second else { throw StoreError.refused("an identifier is already linked to itself") }
        return try perform(actor: actor, at: now) { db in
            let members = [PersonLinks.Member(first, hasher), PersonLinks.Member(second, hasher)]
            let id = try insertLink(
                members[0], members[1], source: "officer", requestID: nil, reason: reason,
                actor: actor, now: now, db)
            try PersonLinks.link([members], db)
            let size = try PersonLinks.person(of: [members[0]], db).count
            let draft = AuditDraft(
                kind: "identity.link",
                payload: ["link": .int(id), "source": .string("officer"), "identifiers": .int(size)],
                subject: hasher.hash(first),
                pii: [
                    "identifiers": .array([.string(first.normalized), .string(second.normalized)]),
                    "reason": .optional(reason),
                ])
            return (LinkResult(link: id, identifiers: size, removed: false), draft)
        }
    }

    /// Removes an officer's own link between two identifiers and works the person out again from what remains
    /// (list rows, requests, other links). Links that come from a list row or a request are facts, not opinions,
    /// and cannot be removed this way.
    public func unlink(_ first: Identifier, _ second: Identifier, actor: String, at now: Date) throws -> LinkResult {
        try perform(actor: actor, at: now) { db in
            let (a, b) = (PersonLinks.Member(first, hasher), PersonLinks.Member(second, hasher))
            guard
                let id = try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT id FROM identity_links
                        WHERE source = 'officer' AND removed_at IS NULL
                            AND ((a_hash = ?1 AND b_hash = ?2) OR (a_hash = ?2 AND b_hash = ?1))
                        ORDER BY id LIMIT 1
                        """, arguments: [Data(a.key.bytes), Data(b.key.bytes)])
            else {
                throw StoreError.refused(
                    "no officer's link between \(first.normalized) and \(second.normalized) to remove "
                        + "(links from a list row or a request cannot be removed)")
            }
            try db.execute(
                sql: "UPDATE identity_links SET removed_at = ?, removed_by = ? WHERE id = ?",
                arguments: [ms(now), actor, id])
            try relink(PersonLinks.person(of: [a], pending: true, db), db)
            let size = try PersonLinks.person(of: [a], db).count
            let draft = AuditDraft(
                kind: "identity.unlink", payload: ["link": .int(id), "identifiers": .int(size)],
                subject: hasher.hash(first),
                pii: ["identifiers": .array([.string(first.normalized), .string(second.normalized)])])
            return (LinkResult(link: id, identifiers: size, removed: true), draft)
        }
    }

    /// Links the subjects of a request to each other, recording the link so it survives a recomputation.
    func linkSubjects(_ subjects: [Identifier], requestID: String, actor: String, now: Date, _ db: Database) throws {
        let members = subjects.map { PersonLinks.Member($0, hasher) }
        guard let first = members.first, Set(members.map(\.key)).count > 1 else { return }
        for other in members.dropFirst() where other.key != first.key {
            _ = try insertLink(
                first, other, source: "request", requestID: requestID, reason: nil, actor: actor, now: now, db)
        }
        try PersonLinks.link([members], db)
    }

    private func insertLink(
        _ a: PersonLinks.Member, _ b: PersonLinks.Member, source: String, requestID: String?, reason: String?,
        actor: String, now: Date, _ db: Database
    ) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO identity_links(a_hash, a_kind, b_hash, b_kind, source, request_id, reason, created_at, actor)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                Data(a.key.bytes), a.kind.rawValue, Data(b.key.bytes), b.kind.rawValue, source, requestID, reason,
                ms(now), actor,
            ])
        return db.lastInsertedRowID
    }

    /// Forgets the person of `members` and links them again from the evidence that remains: the list rows that
    /// carry them and the links still in force.
    private func relink(_ members: [PersonLinks.Member], _ db: Database) throws {
        var groups: [[PersonLinks.Member]] = []
        let kinds = Dictionary(members.map { ($0.key, $0.kind) }) { first, _ in first }
        var forgotten = 0
        for member in members {
            let blob = Data(member.key.bytes)
            try db.execute(sql: "DELETE FROM person_links WHERE id_hash = ?", arguments: [blob])
            forgotten += db.changesCount
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT e.kind, e.key_hash, e.others FROM entries e WHERE e.key_hash = ?1 AND e.others IS NOT NULL
                    UNION ALL
                    SELECT e.kind, e.key_hash, e.others FROM entry_identifiers x JOIN entries e ON e.id = x.entry_id
                    WHERE x.id_hash = ?1
                    """, arguments: [blob])
            for row in rows {
                var group = PersonLinks.Member.from(row["key_hash"], kind: row["kind"]).map { [$0] } ?? []
                for hash in EntryHashes.split(row["others"]) {
                    guard let key = HashKey(hash) else { continue }
                    group.append(PersonLinks.Member(key: key, kind: kinds[key] ?? .email))
                }
                groups.append(group)
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT a_hash, a_kind, b_hash, b_kind FROM identity_links
                    WHERE removed_at IS NULL AND (a_hash = ?1 OR b_hash = ?1)
                    """, arguments: [blob])
            {
                groups.append(
                    [
                        PersonLinks.Member.from(row["a_hash"], kind: row["a_kind"]),
                        PersonLinks.Member.from(row["b_hash"], kind: row["b_kind"]),
                    ].compactMap { $0 })
            }
        }
        try PersonLinks.adjustCount(by: -forgotten, db)
        try PersonLinks.link(groups, db)
    }
}
