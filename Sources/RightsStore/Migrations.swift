import Foundation
import GRDB
import RightsCore

/// The schema's history. Migrations are frozen once landed: never edit one, add a new one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("Create the installation and the audit chain") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

                    CREATE TABLE audit_events (
                        seq INTEGER PRIMARY KEY,
                        at TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        subject TEXT,
                        pii BLOB,
                        pii_sha256 TEXT,
                        prev_hash BLOB NOT NULL,
                        hash BLOB NOT NULL
                    ) STRICT;
                    CREATE TRIGGER audit_events_are_append_only_update BEFORE UPDATE ON audit_events
                    BEGIN SELECT RAISE(ABORT, 'the audit chain is append-only'); END;
                    CREATE TRIGGER audit_events_are_append_only_delete BEFORE DELETE ON audit_events
                    BEGIN SELECT RAISE(ABORT, 'the audit chain is append-only'); END;

                    -- One key per person (by keyed hash of an identifier): deleting it crypto-shreds their audit data.
                    CREATE TABLE subject_keys (
                        subject TEXT PRIMARY KEY,
                        key BLOB NOT NULL,
                        created_at INTEGER NOT NULL
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("Create contact lists") { db in
            try db.execute(
                sql: """
                    CREATE TABLE lists (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        basis TEXT NOT NULL,
                        headers TEXT NOT NULL DEFAULT '[]',
                        created_at INTEGER NOT NULL,
                        created_by TEXT NOT NULL
                    ) STRICT;

                    CREATE TABLE imports (
                        id INTEGER PRIMARY KEY,
                        list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
                        file_name TEXT NOT NULL,
                        file_sha256 TEXT NOT NULL,
                        file_bytes INTEGER NOT NULL,
                        encoding TEXT NOT NULL,
                        delimiter TEXT NOT NULL,
                        headers TEXT NOT NULL,
                        source TEXT,
                        basis TEXT NOT NULL,
                        consent_channel TEXT,
                        zalo_oa TEXT,
                        imported_at INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        -- An import's entries have consecutive ids (one transaction): the range finds them without
                        -- an index that every inserted row would have to update.
                        first_entry_id INTEGER,
                        last_entry_id INTEGER,
                        rows INTEGER NOT NULL DEFAULT 0,
                        imported INTEGER NOT NULL DEFAULT 0,
                        duplicates INTEGER NOT NULL DEFAULT 0,
                        invalid INTEGER NOT NULL DEFAULT 0,
                        consents INTEGER NOT NULL DEFAULT 0
                    ) STRICT;
                    CREATE INDEX imports_by_list ON imports(list_id);

                    -- One row per person per list. `raw` is the record exactly as the file had it (UTF-8),
                    -- read back with the import's delimiter; `key_hash` is the keyed hash of the identifier
                    -- that makes a row a duplicate (phone, else email, else Zalo id); `others` holds the keyed
                    -- hashes of the row's other identifiers, 32 bytes each. Entries are reached by id range
                    -- (imports.first_entry_id..last_entry_id) or by keyed hash; the only index is the one
                    -- matching needs, because a million-row import pays for every index on every row.
                    CREATE TABLE entries (
                        id INTEGER PRIMARY KEY,
                        list_id INTEGER NOT NULL,
                        import_id INTEGER NOT NULL,
                        line INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        key_hash BLOB NOT NULL,
                        normalized TEXT NOT NULL,
                        raw TEXT NOT NULL,
                        others BLOB
                    ) STRICT;
                    CREATE UNIQUE INDEX entries_by_key ON entries(key_hash, list_id);

                    -- The other identifiers a row carries (an email beside the phone), for matching by hash.
                    CREATE TABLE entry_identifiers (
                        id_hash BLOB NOT NULL,
                        entry_id INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        normalized TEXT NOT NULL,
                        PRIMARY KEY (id_hash, entry_id)
                    ) STRICT, WITHOUT ROWID;

                    -- Rows that repeated an identifier already in the list: kept as provenance.
                    CREATE TABLE duplicate_rows (
                        import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
                        line INTEGER NOT NULL,
                        entry_id INTEGER NOT NULL,
                        PRIMARY KEY (import_id, line)
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX duplicate_rows_by_entry ON duplicate_rows(entry_id);

                    CREATE TABLE consent_texts (
                        id INTEGER PRIMARY KEY,
                        sha256 TEXT NOT NULL UNIQUE,
                        text TEXT NOT NULL
                    ) STRICT;

                    -- The consent ledger: grants and withdrawals, never overwritten.
                    CREATE TABLE consent_events (
                        id INTEGER PRIMARY KEY,
                        id_hash BLOB NOT NULL,
                        channel TEXT NOT NULL,
                        purpose TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('grant', 'withdraw')),
                        at INTEGER NOT NULL,
                        method TEXT,
                        text_id INTEGER REFERENCES consent_texts(id),
                        evidence TEXT,
                        source TEXT,
                        import_id INTEGER REFERENCES imports(id) ON DELETE SET NULL,
                        line INTEGER,
                        request_id TEXT,
                        recorded_at INTEGER NOT NULL
                    ) STRICT;
                    CREATE INDEX consent_events_by_identifier ON consent_events(id_hash, channel, purpose, at);
                    CREATE INDEX consent_events_by_import ON consent_events(import_id);

                    -- Keyed-hash tombstones: they outlive the person (ARCHITECTURE.md invariant 3).
                    CREATE TABLE suppressions (
                        id INTEGER PRIMARY KEY,
                        id_hash BLOB NOT NULL,
                        channel TEXT NOT NULL,
                        purpose TEXT NOT NULL CHECK (purpose IN ('marketing', 'all')),
                        reason TEXT NOT NULL,
                        since INTEGER NOT NULL,
                        request_id TEXT,
                        source TEXT,
                        created_at INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        lifted_at INTEGER,
                        lift_reason TEXT
                    ) STRICT;
                    CREATE INDEX suppressions_by_identifier ON suppressions(id_hash);
                    """)
        }
        migrator.registerMigration("Create rights requests") { db in
            try db.execute(
                sql: """
                    -- A data-subject request and its legal clock. Deadlines are fixed at intake and at an
                    -- extension: later calendar changes do not move them. Name, address and note are the
                    -- person's own words, erased with them.
                    CREATE TABLE requests (
                        id TEXT PRIMARY KEY,
                        type TEXT NOT NULL,
                        state TEXT NOT NULL,
                        rule_set TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        received_at INTEGER NOT NULL,
                        processors INTEGER NOT NULL,
                        scope TEXT NOT NULL,
                        ack_due INTEGER NOT NULL,
                        ack_due_date TEXT NOT NULL,
                        due INTEGER NOT NULL,
                        due_date TEXT NOT NULL,
                        citation TEXT NOT NULL,
                        original_due INTEGER NOT NULL,
                        original_due_date TEXT NOT NULL,
                        extended INTEGER NOT NULL DEFAULT 0,
                        extension_reason TEXT,
                        duplicate_of TEXT,
                        name TEXT,
                        address TEXT,
                        note TEXT,
                        acknowledged_at INTEGER,
                        closed_at INTEGER,
                        late INTEGER NOT NULL DEFAULT 0,
                        late_reason TEXT,
                        ground TEXT,
                        ground_citation TEXT,
                        closing_note TEXT,
                        created_at INTEGER NOT NULL,
                        created_by TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX requests_by_state_and_due ON requests(state, due);

                    CREATE TABLE request_subjects (
                        request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        normalized TEXT NOT NULL,
                        id_hash BLOB NOT NULL,
                        verified_at INTEGER,
                        method TEXT,
                        PRIMARY KEY (request_id, position)
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX request_subjects_by_identifier ON request_subjects(id_hash);

                    CREATE TABLE request_events (
                        id INTEGER PRIMARY KEY,
                        request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
                        at INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        note TEXT,
                        recorded_at INTEGER NOT NULL
                    ) STRICT;
                    CREATE INDEX request_events_by_request ON request_events(request_id, at);

                    -- Processors and third parties told to act (Decree 356 Art. 5: the longer period).
                    CREATE TABLE request_processors (
                        request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
                        processor_id TEXT NOT NULL,
                        name TEXT NOT NULL,
                        notified_at INTEGER NOT NULL,
                        confirmed_at INTEGER,
                        PRIMARY KEY (request_id, processor_id)
                    ) STRICT, WITHOUT ROWID;

                    -- Letters sent to the person, with their exact text (for the access report and evidence).
                    CREATE TABLE letters (
                        id INTEGER PRIMARY KEY,
                        request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL,
                        lang TEXT NOT NULL,
                        text TEXT NOT NULL,
                        sent_at INTEGER NOT NULL,
                        actor TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX letters_by_request ON letters(request_id);

                    -- Days off and swapped working days the government announces, added by an officer.
                    CREATE TABLE holidays (
                        date TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        working INTEGER NOT NULL,
                        added_by TEXT NOT NULL,
                        added_at INTEGER NOT NULL
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("Create Do-Not-Call versions, send logs and gate runs") { db in
            try db.execute(
                sql: """
                    -- Each import of the national list is a version in force from `as_of`; a send is judged
                    -- against the version then in force.
                    CREATE TABLE dnc_versions (
                        id INTEGER PRIMARY KEY,
                        as_of INTEGER NOT NULL,
                        file_name TEXT NOT NULL,
                        file_sha256 TEXT NOT NULL,
                        numbers INTEGER NOT NULL,
                        imported_at INTEGER NOT NULL,
                        actor TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX dnc_versions_by_time ON dnc_versions(as_of);
                    CREATE TABLE dnc_numbers (
                        id_hash BLOB NOT NULL,
                        version_id INTEGER NOT NULL,
                        PRIMARY KEY (id_hash, version_id)
                    ) STRICT, WITHOUT ROWID;

                    -- The plain form of identifiers suppressed by name (a provider's opt-out file, an officer),
                    -- so `suppress export` can hand them to a provider's block list. Personal data: an erasure
                    -- removes it; the keyed-hash suppression stays.
                    CREATE TABLE suppressed_contacts (
                        id_hash BLOB PRIMARY KEY,
                        normalized TEXT NOT NULL
                    ) STRICT, WITHOUT ROWID;

                    CREATE TABLE send_imports (
                        id INTEGER PRIMARY KEY,
                        file_name TEXT NOT NULL,
                        file_sha256 TEXT NOT NULL,
                        campaign TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        purpose TEXT NOT NULL,
                        rows INTEGER NOT NULL,
                        imported_at INTEGER NOT NULL,
                        actor TEXT NOT NULL
                    ) STRICT;

                    CREATE TABLE gate_runs (
                        id INTEGER PRIMARY KEY,
                        at INTEGER NOT NULL,
                        until INTEGER,
                        channel TEXT NOT NULL,
                        purpose TEXT NOT NULL,
                        campaign TEXT,
                        dry_run INTEGER NOT NULL,
                        input_sha256 TEXT NOT NULL,
                        rows INTEGER NOT NULL,
                        allowed INTEGER NOT NULL,
                        excluded TEXT NOT NULL,
                        recorded_at INTEGER NOT NULL,
                        actor TEXT NOT NULL
                    ) STRICT;

                    -- Sends from providers' logs and recipients planned by non-dry gate runs. `delivered` is 0 for
                    -- a provider error (ZNS -114 soft refusal, -118 unreachable): recorded, never counted.
                    CREATE TABLE sends (
                        id INTEGER PRIMARY KEY,
                        id_hash BLOB NOT NULL,
                        normalized TEXT NOT NULL,
                        campaign TEXT NOT NULL,
                        channel TEXT NOT NULL,
                        purpose TEXT NOT NULL,
                        sent_at INTEGER NOT NULL,
                        delivered INTEGER NOT NULL,
                        planned INTEGER NOT NULL DEFAULT 0,
                        error TEXT,
                        message TEXT,
                        tag TEXT,
                        send_import_id INTEGER REFERENCES send_imports(id),
                        gate_run_id INTEGER REFERENCES gate_runs(id),
                        line INTEGER
                    ) STRICT;
                    CREATE INDEX sends_by_identifier ON sends(id_hash, channel, sent_at);
                    """)
        }
        migrator.registerMigration("Store Do-Not-Call versions as sorted blocks; index sends by time") { db in
            // The national list has millions of numbers and is read whole by every large gate: a version is kept as
            // its keyed hashes sorted and packed into blobs of `DoNotCallBlocks.perBlock`, keyed by each blob's
            // first hash. A million-row gate streams 160 MB of sorted hashes instead of 5 million B-tree rows, and
            // one number is still found with one index seek and a binary search.
            try db.execute(
                sql: """
                    CREATE TABLE dnc_blocks (
                        version_id INTEGER NOT NULL REFERENCES dnc_versions(id),
                        first_hash BLOB NOT NULL,
                        hashes BLOB NOT NULL,
                        PRIMARY KEY (version_id, first_hash)
                    ) STRICT, WITHOUT ROWID;
                    """)
            try DoNotCallBlocks.convertRows(db)
            // Frequency caps read the sends of the 24 hours before a batch: by time, not by person. A large gate
            // merges its sorted recipients with suppressions and consents read in hash order, so their indexes
            // cover what the decision reads and no row is fetched from the table.
            try db.execute(
                sql: """
                    DROP TABLE dnc_numbers;
                    CREATE INDEX sends_by_time ON sends(channel, sent_at);
                    DROP INDEX suppressions_by_identifier;
                    CREATE INDEX suppressions_by_identifier ON suppressions(id_hash, since, lifted_at, channel, purpose);
                    DROP INDEX consent_events_by_identifier;
                    CREATE INDEX consent_events_by_identifier ON consent_events(id_hash, channel, purpose, at, kind);
                    """)
        }
        migrator.registerMigration("Create staff users and the Zalo webhook log") { db in
            try db.execute(
                sql: """
                    -- Staff of the desk. A token is 256 random bits shown once; only its SHA-256 is kept, so a
                    -- request is authenticated with one indexed read.
                    CREATE TABLE users (
                        name TEXT PRIMARY KEY,
                        role TEXT NOT NULL CHECK (role IN ('officer', 'support', 'auditor')),
                        token_sha256 BLOB NOT NULL UNIQUE,
                        created_at INTEGER NOT NULL,
                        rotated_at INTEGER,
                        disabled_at INTEGER
                    ) STRICT;

                    -- Every webhook event recorded once (Zalo retries): the key makes a replay a no-op. `text`
                    -- and `identifier` are kept only for messages an officer must judge; an erasure removes them.
                    CREATE TABLE webhook_events (
                        event_key TEXT PRIMARY KEY,
                        source TEXT NOT NULL,
                        event TEXT NOT NULL,
                        id_hash BLOB,
                        identifier TEXT,
                        outcome TEXT NOT NULL,
                        request_id TEXT,
                        text TEXT,
                        received_at INTEGER NOT NULL,
                        reviewed_at INTEGER
                    ) STRICT;
                    CREATE INDEX webhook_events_by_identifier ON webhook_events(id_hash);

                    -- Who looked up whose data, written in batches off the request path (not on the chain).
                    CREATE TABLE lookups (
                        id INTEGER PRIMARY KEY,
                        user TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        id_hash BLOB,
                        at INTEGER NOT NULL
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("Index consents by the list row that gave them") { db in
            // `why` reads the consent of each list row; by import alone that was a scan of the whole import.
            try db.execute(
                sql: """
                    DROP INDEX consent_events_by_import;
                    CREATE INDEX consent_events_by_import ON consent_events(import_id, line);
                    """)
        }
        migrator.registerMigration("Count each list's entries") { db in
            // The lists page and `lists show` counted a list's entries by reading the whole table: six seconds at
            // 10M entries. Imports add what they wrote; erasures take away what they erased.
            try db.execute(
                sql: """
                    ALTER TABLE lists ADD COLUMN entry_count INTEGER NOT NULL DEFAULT 0;
                    UPDATE lists SET entry_count = (SELECT count(*) FROM entries WHERE entries.list_id = lists.id);
                    """)
        }
        migrator.registerMigration("Link the identifiers of one person") { db in
            try db.execute(
                sql: """
                    -- Which person each linked identifier belongs to, as keyed hashes only: links outlive an
                    -- erasure like suppressions do (CONTRACT.md "One person, several identifiers"). An identifier
                    -- linked to nothing has no row: it is a person of its own.
                    CREATE TABLE person_links (
                        id_hash BLOB PRIMARY KEY,
                        person INTEGER NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('phone', 'email', 'zalo'))
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX person_links_by_person ON person_links(person);

                    -- The links that are not list rows (those are read from the rows themselves): identifiers
                    -- named together on one request, an officer's `link`, a Zalo event. Kept so that removing an
                    -- officer's link can work out the person again from what remains.
                    CREATE TABLE identity_links (
                        id INTEGER PRIMARY KEY,
                        a_hash BLOB NOT NULL,
                        a_kind TEXT NOT NULL,
                        b_hash BLOB NOT NULL,
                        b_kind TEXT NOT NULL,
                        source TEXT NOT NULL CHECK (source IN ('request', 'officer', 'zalo')),
                        request_id TEXT,
                        reason TEXT,
                        created_at INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        removed_at INTEGER,
                        removed_by TEXT
                    ) STRICT;
                    CREATE INDEX identity_links_by_a ON identity_links(a_hash);
                    CREATE INDEX identity_links_by_b ON identity_links(b_hash);
                    """)
            // Link what the first round already holds: the identifiers of each list row, and of each request that
            // named several.
            var groups: [[PersonLinks.Member]] = []
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, kind, key_hash FROM entries WHERE others IS NOT NULL ORDER BY id")
            let others = try db.makeStatement(sql: "SELECT id_hash, kind FROM entry_identifiers WHERE entry_id = ?")
            while let row = try rows.next() {
                var group = PersonLinks.Member.from(row["key_hash"], kind: row["kind"]).map { [$0] } ?? []
                for other in try Row.fetchAll(others, arguments: [row["id"] as Int64]) {
                    if let member = PersonLinks.Member.from(other["id_hash"], kind: other["kind"]) {
                        group.append(member)
                    }
                }
                groups.append(group)
            }
            var requests: [String: [PersonLinks.Member]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT request_id, kind, id_hash FROM request_subjects") {
                if let member = PersonLinks.Member.from(row["id_hash"], kind: row["kind"]) {
                    requests[row["request_id"], default: []].append(member)
                }
            }
            groups += requests.values
            try PersonLinks.link(groups, db)
        }
        migrator.registerMigration("Seal the texts kept for the inbox and record how an officer resolved them") { db in
            // A text that may be a refusal is personal data: sealed under the person's subject key, it is gone
            // with that key when the person is erased, like their audit payloads.
            try db.execute(
                sql: """
                    ALTER TABLE webhook_events ADD COLUMN sealed_text BLOB;
                    ALTER TABLE webhook_events ADD COLUMN resolution TEXT
                        CHECK (resolution IS NULL OR resolution IN ('objection', 'dismissed'));
                    ALTER TABLE webhook_events ADD COLUMN resolved_by TEXT;
                    ALTER TABLE webhook_events ADD COLUMN resolution_note BLOB;
                    """)
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT rowid, id_hash, text FROM webhook_events WHERE text IS NOT NULL AND id_hash IS NOT NULL")
            for row in rows {
                let subject = Hex.encode([UInt8](row["id_hash"] as Data))
                let key = try AuditChain.subjectKey(subject, in: db, now: Date())
                let sealed = try SubjectSeal.seal(Array((row["text"] as String).utf8), key: key)
                try db.execute(
                    sql: "UPDATE webhook_events SET sealed_text = ?, text = NULL WHERE rowid = ?",
                    arguments: [Data(sealed), row["rowid"] as Int64])
            }
            // A message the first round marked reviewed was judged not to be a refusal.
            try db.execute(
                sql:
                    "UPDATE webhook_events SET resolution = 'dismissed' WHERE outcome = 'queued' AND reviewed_at IS NOT NULL"
            )
        }
        migrator.registerMigration("Record representatives, a restriction's condition and the request's form") { db in
            // Law 91 Art. 24 (who acts for the person) and Art. 10(1)-(2) (the condition of a restriction, and the
            // written or verifiable form of a withdrawal or restriction). Names and texts are personal data, erased
            // with the person; the relation stays as evidence of how the request was handled.
            try db.execute(
                sql: """
                    ALTER TABLE requests ADD COLUMN representative_name TEXT;
                    ALTER TABLE requests ADD COLUMN representative_relation TEXT
                        CHECK (representative_relation IS NULL OR representative_relation IN ('parent', 'guardian', 'agent'));
                    ALTER TABLE requests ADD COLUMN representative_evidence TEXT;
                    ALTER TABLE requests ADD COLUMN restriction_condition TEXT;
                    ALTER TABLE requests ADD COLUMN evidence TEXT;
                    """)
        }
        migrator.registerMigration("Keep the kind of each Do-Not-Call registration") { db in
            // Circular 22/2021 Art. 6(2): a number is registered against SMS (DNC S), calls (DNC V) or both. Each
            // number sits in one kind's blocks; the versions imported before kinds existed are `both`, as the
            // first round judged them.
            try db.execute(
                sql: """
                    ALTER TABLE dnc_blocks ADD COLUMN kind TEXT NOT NULL DEFAULT 'both'
                        CHECK (kind IN ('sms', 'call', 'both'));
                    CREATE INDEX dnc_blocks_by_kind ON dnc_blocks(version_id, kind, first_hash);
                    """)
        }
        migrator.registerMigration("Correct the citation of refusals that named Law 91 Art. 26") { db in
            // The first rule set cited "Law 91 Art. 4(3), 26" for identity-not-verified and no-data: Art. 26 is
            // about health and insurance data. A letter rendered again for such a refusal must cite the right
            // provisions; the chain keeps what was recorded then.
            for ground in [RefusalGround.identityNotVerified, .noData] {
                guard let rule = RuleSet.pdpl2026.refusal(ground) else { continue }
                try db.execute(
                    sql: """
                        UPDATE requests SET ground_citation = ?
                        WHERE rule_set = 'vn-pdpl-2026' AND ground = ? AND ground_citation LIKE 'Law 91 Art. 4(3), 26%'
                        """, arguments: [rule.citation, ground.rawValue])
            }
        }
        migrator.registerMigration("Create the outbox of letters to deliver") { db in
            // One row per message of a letter to deliver (mail, or Zalo OA message): written with the letter in one
            // transaction, attempted under a lease so two processes never send it at once, retried with backoff
            // until delivered or refused for good. Recipient and text are personal data, erased with the person.
            try db.execute(
                sql: """
                    CREATE TABLE deliveries (
                        id INTEGER PRIMARY KEY,
                        request_id TEXT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
                        letter_id INTEGER REFERENCES letters(id) ON DELETE CASCADE,
                        channel TEXT NOT NULL CHECK (channel IN ('email', 'zalo')),
                        recipient TEXT NOT NULL,
                        subject TEXT,
                        body TEXT NOT NULL,
                        html TEXT,
                        message_id TEXT NOT NULL UNIQUE,
                        state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
                        attempts INTEGER NOT NULL,
                        next_attempt_at INTEGER NOT NULL,
                        leased_until INTEGER,
                        reply TEXT,
                        last_error TEXT,
                        delivered_at INTEGER,
                        created_at INTEGER NOT NULL
                    ) STRICT;
                    CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);
                    CREATE INDEX deliveries_by_request ON deliveries(request_id);
                    """)
        }
        migrator.registerMigration("Create the public portal's attempts") { db in
            // One row per code sent: the code only as a keyed hash, the identifier and client address as keyed
            // hashes for the hourly limits, the person's words until the request holds them (cleared when filed
            // or expired, the row deleted after a day).
            try db.execute(
                sql: """
                    CREATE TABLE portal_attempts (
                        id TEXT PRIMARY KEY,
                        id_hash BLOB NOT NULL,
                        client_hash BLOB NOT NULL,
                        type TEXT NOT NULL,
                        identifier TEXT,
                        name TEXT,
                        details TEXT,
                        lang TEXT NOT NULL,
                        code_hash BLOB NOT NULL,
                        expires_at INTEGER NOT NULL,
                        wrong_codes INTEGER NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('open', 'ended', 'filed')),
                        request_id TEXT,
                        created_at INTEGER NOT NULL
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX portal_attempts_by_identifier ON portal_attempts(id_hash, created_at);
                    CREATE INDEX portal_attempts_by_client ON portal_attempts(client_hash, created_at);
                    """)
        }
        migrator.registerMigration("Correct the request citations the first rule set gave access and objection") { db in
            // The first rule set cited Law 91 Art. 13 (correction) for access and Art. 4, 10 (withdrawal and
            // restriction) for objection; pages print the citation fixed at intake, so it is corrected in place.
            // Deadlines are not touched: only the text that names the provisions.
            let corrections: [(RequestType, String)] = [
                (.access, "Law 91 Art. 13, 15; Decree 356 Art. 5(3)"),
                (.objection, "Law 91 Art. 4, 10; Decree 356 Art. 5(2)"),
                (.restriction, "Law 91 Art. 4, 10; Decree 356 Art. 5(2)"),
                (.withdrawConsent, "Law 91 Art. 10; Decree 356 Art. 5(2)"),
            ]
            for (type, old) in corrections {
                let new = RuleSet.pdpl2026.rule(for: type).citation
                try db.execute(
                    sql: """
                        UPDATE requests SET citation = replace(citation, ?, ?)
                        WHERE rule_set = 'vn-pdpl-2026' AND type = ? AND instr(citation, ?) = 1
                        """, arguments: [old, new, type.rawValue, old])
            }
        }
        migrator.registerMigration("Apply imports in short transactions, published at their end") { db in
            // An import writes its rows in transactions of a fifth of a second, so that the desk's refusals are
            // recorded between them (invariant 11); its rows stay out of every answer until one last transaction
            // clears `pending` (invariant 9). A pending import whose process is gone is removed by the next import
            // or `serve` (`ImportRecovery`). `made_list`: the import created its list, which goes with it then.
            // `person_links.import_id`: the import that linked the identifier, pending with it.
            try db.execute(
                sql: """
                    ALTER TABLE imports ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE imports ADD COLUMN made_list INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX imports_pending ON imports(id) WHERE pending;
                    ALTER TABLE person_links ADD COLUMN import_id INTEGER;
                    """)
        }
        migrator.registerMigration("Index consents by import in the order they are written") { db in
            // An import writes its consents in keyed-hash order, so an index on (import_id, line) took each of them
            // at a random place: a page written to the WAL per consent. By import alone, the index follows the
            // rowids and only grows at its end; `why` finds a row's consents through its identifiers instead.
            try db.execute(
                sql: """
                    DROP INDEX consent_events_by_import;
                    CREATE INDEX consent_events_by_import ON consent_events(import_id);
                    """)
        }
        migrator.registerMigration("Keep each person's identifiers in a table of their own, written in person order") {
            db in
            // `person_links` is written in keyed-hash order; an index on it by person took every identifier but a
            // person's first at a random place (a person's identifiers are far apart in hash order), a page written
            // to the WAL per link. `person_members` holds the same rows the other way round and is written in a
            // pass of its own, in person order: a new person's identifiers are appended. Every row of one is a row
            // of the other (PersonLinks keeps them so); a link's deletion takes its member with it.
            try db.execute(
                sql: """
                    CREATE TABLE person_members (
                        person INTEGER NOT NULL,
                        id_hash BLOB NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('phone', 'email', 'zalo')),
                        import_id INTEGER,
                        PRIMARY KEY (person, id_hash)
                    ) STRICT, WITHOUT ROWID;
                    INSERT INTO person_members(person, id_hash, kind, import_id)
                        SELECT person, id_hash, kind, import_id FROM person_links ORDER BY person, id_hash;
                    DROP INDEX person_links_by_person;
                    CREATE TRIGGER person_links_delete_member AFTER DELETE ON person_links BEGIN
                        DELETE FROM person_members WHERE person = OLD.person AND id_hash = OLD.id_hash;
                    END;
                    """)
        }
        return migrator
    }
}
