import Foundation
import GRDB
import RightsCore
import Testing

@testable import RightsStore

/// An installation of the first round holds refusals citing Law 91 Art. 26 (health and insurance data); the
/// migration corrects them, so a letter rendered again cites the right provisions, and leaves the rest alone.
@Suite("migrations of the law's corrections")
struct CitationMigrationTests {
    @Test func refusalsThatCitedArticle26CiteTheRightProvisionsAfterTheMigration() throws {
        let folder = NSTemporaryDirectory() + "rightsdesk-citation-migration-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pool = try DatabasePool(path: folder + "/old.sqlite")
        try Migrations.migrator.migrate(pool, upTo: "Keep the kind of each Do-Not-Call registration")
        let old = "Law 91 Art. 4(3), 26 (duty to protect personal data against disclosure to the wrong person)"
        let rows: [(id: String, ground: String, citation: String)] = [
            ("RQ-1", "identity-not-verified", old), ("RQ-2", "no-data", old),
            ("RQ-3", "legal-retention", "Law 91 Art. 14(2), with the other law that requires keeping the data"),
        ]
        try pool.write { db in
            for row in rows {
                try db.execute(
                    sql: """
                        INSERT INTO requests(id, type, state, rule_set, channel, received_at, processors, scope, ack_due,
                            ack_due_date, due, due_date, citation, original_due, original_due_date, ground,
                            ground_citation, created_at, created_by)
                        VALUES (?, 'deletion', 'rejected', 'vn-pdpl-2026', 'web', 0, 0, 'marketing', 0, '2026-03-04', 0,
                            '2026-03-23', 'Law 91 Art. 14', 0, '2026-03-23', ?, ?, 0, 'officer')
                        """, arguments: [row.id, row.ground, row.citation])
            }
        }
        try Migrations.migrator.migrate(pool)
        let after = try pool.read { db in
            try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT id, ground_citation FROM requests").map {
                    ($0["id"] as String, $0["ground_citation"] as String)
                })
        }
        #expect(after["RQ-1"] == RuleSet.pdpl2026.refusal(.identityNotVerified)?.citation)
        #expect(after["RQ-2"] == RuleSet.pdpl2026.refusal(.noData)?.citation)
        #expect(after["RQ-3"] == rows[2].citation, "another ground's citation is left as recorded")
        #expect(!after.values.contains { $0.contains("26") })
    }

    @Test func anAccessRequestsCitationNoLongerNamesTheCorrectionArticle() throws {
        let folder = NSTemporaryDirectory() + "rightsdesk-citation-migration-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pool = try DatabasePool(path: folder + "/old.sqlite")
        try Migrations.migrator.migrate(pool, upTo: "Create the public portal's attempts")
        let old = "Law 91 Art. 13, 15; Decree 356 Art. 5(3); acknowledgement: Decree 356 Art. 5"
        try pool.write { db in
            for (id, type, citation) in [
                ("RQ-1", "access", old), ("RQ-2", "deletion", "Law 91 Art. 14; Decree 356 Art. 5(4)"),
            ] {
                try db.execute(
                    sql: """
                        INSERT INTO requests(id, type, state, rule_set, channel, received_at, processors, scope, ack_due,
                            ack_due_date, due, due_date, citation, original_due, original_due_date, created_at, created_by)
                        VALUES (?, ?, 'received', 'vn-pdpl-2026', 'web', 0, 0, 'marketing', 0, '2026-03-04', 0,
                            '2026-03-12', ?, 0, '2026-03-12', 0, 'officer')
                        """, arguments: [id, type, citation])
            }
        }
        try Migrations.migrator.migrate(pool)
        let citations = try pool.read { db in
            try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT id, citation FROM requests").map {
                    ($0["id"] as String, $0["citation"] as String)
                })
        }
        #expect(
            citations["RQ-1"] == RuleSet.pdpl2026.rule(for: .access).citation + "; acknowledgement: Decree 356 Art. 5")
        #expect(citations["RQ-2"] == "Law 91 Art. 14; Decree 356 Art. 5(4)")
    }
}
