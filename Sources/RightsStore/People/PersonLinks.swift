import Foundation
import GRDB
import GRDBSQLite
import RightsCore

/// The identifiers of one person (CONTRACT.md "One person, several identifiers"): a phone, an email and a Zalo id
/// that appeared on one list row, were named on one request, or that an officer linked. Kept in `person_links` as
/// keyed hashes with a person number, so that a refusal on one identifier is found from any other, and so that the
/// links outlive an erasure as suppressions do. `person_members` holds the same rows by person (a person's
/// identifiers are read there): every write here keeps the two the same, and deleting a link deletes its member.
/// Every decision reads the person through here.
enum PersonLinks {
    /// One identifier of a person: its keyed hash and its kind.
    struct Member: Hashable, Sendable {
        var key: HashKey
        var kind: Identifier.Kind

        static func from(_ data: Data?, kind: String?) -> Member? {
            guard let data, let key = HashKey([UInt8](data)), let kind = kind.flatMap(Identifier.Kind.init) else {
                return nil
            }
            return Member(key: key, kind: kind)
        }

        init(key: HashKey, kind: Identifier.Kind) {
            self.key = key
            self.kind = kind
        }

        init(_ identifier: Identifier, _ hasher: KeyedHasher) {
            key = hasher.key(identifier.normalized)
            kind = identifier.kind
        }
    }

    /// The number of linked identifiers, kept in `meta` so a gate can choose between a scan and probes without
    /// counting a WITHOUT ROWID table.
    static func count(_ db: Database) throws -> Int {
        Int(try MetaCounter.value("person_links", db))
    }

    /// Groups of identifiers to link, kept flat: a million-row import makes a million groups. Each identifier
    /// carries its group's number beside its key and kind.
    struct Groups {
        /// One identifier of a group in 36 bytes: the key as 32-bit words (so the entry is 4-byte aligned: 40 bytes
        /// with 64-bit words, 80 MB more for the 20M identifiers of a 10M-row file), and the kind in the top two
        /// bits of the word that holds the group's number.
        struct Entry {
            private var words: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
            private var tag: UInt32

            /// Groups are numbered below this: the tag's other two bits are the kind.
            static let groupLimit = 1 << 30

            init(member: Member, group: Int32) {
                let key = member.key
                func high(_ word: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: word >> 32) }
                func low(_ word: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: word) }
                words = (
                    high(key.w0), low(key.w0), high(key.w1), low(key.w1), high(key.w2), low(key.w2), high(key.w3),
                    low(key.w3)
                )
                let kind: UInt32 =
                    switch member.kind {
                    case .phone: 0
                    case .email: 1
                    case .zalo: 2
                    }
                tag = kind << 30
                self.group = group
            }

            var key: HashKey {
                func word(_ high: UInt32, _ low: UInt32) -> UInt64 { UInt64(high) << 32 | UInt64(low) }
                return HashKey(
                    w0: word(words.0, words.1), w1: word(words.2, words.3), w2: word(words.4, words.5),
                    w3: word(words.6, words.7))
            }

            /// The key's first byte.
            var firstByte: Int { Int(words.0 >> 24) }

            var kind: Identifier.Kind {
                switch tag >> 30 {
                case 0: .phone
                case 1: .email
                default: .zalo
                }
            }

            /// The group's number; once planned, the number of its component's first identifier instead (`Plan`).
            var group: Int32 {
                get { Int32(bitPattern: tag & (1 << 30 - 1)) }
                set {
                    precondition(
                        newValue >= 0 && Int(newValue) < Self.groupLimit, "too many groups to link in one plan")
                    tag = tag & ~(1 << 30 - 1) | UInt32(newValue)
                }
            }

            var member: Member { Member(key: key, kind: kind) }
        }

        /// The entries in chunks of at most `chunkSize`: one growing array would, on doubling, hold its old and
        /// new storage at once (1.3 GB for the 20M identifiers of a 10M-row file).
        private var chunks: [[Entry]] = []
        private let chunkSize: Int
        /// How many groups were added.
        private(set) var count = 0

        init(chunkSize: Int = 1 << 20) { self.chunkSize = chunkSize }

        init(_ groups: [[Member]], chunkSize: Int = 1 << 20) {
            self.init(chunkSize: chunkSize)
            for group in groups { add(group) }
        }

        /// Adds a group; one of a single distinct identifier links nothing and is dropped.
        mutating func add(_ group: some Collection<Member>) {
            guard let first = group.first, group.contains(where: { $0.key != first.key }) else { return }
            for member in group {
                if chunks.last.map({ $0.count >= chunkSize }) ?? true { chunks.append([]) }
                chunks[chunks.count - 1].append(Entry(member: member, group: Int32(count)))
            }
            count += 1
        }

        var isEmpty: Bool { count == 0 }

        /// The entries in one array, left empty here; each chunk is let go as soon as it is copied.
        fileprivate mutating func takeEntries() -> [Entry] {
            var taken: [Entry] = []
            taken.reserveCapacity(chunks.reduce(0) { $0 + $1.count })
            for index in chunks.indices {
                taken += chunks[index]
                chunks[index] = []
            }
            chunks = []
            return taken
        }
    }

    /// What linking a set of groups needs of the groups alone: their distinct identifiers in key order and the
    /// components the groups join them into. An import works it out before it takes the write lock.
    struct Plan {
        /// The distinct identifiers in key order, with their kinds; each carries, where its group's number was, the
        /// first identifier of its component (the groups it is in, joined wherever two share an identifier), so
        /// that no array of them is kept beside (80 MB for the 20M identifiers of a 10M-row file). A component's
        /// first points at itself.
        fileprivate var entries: [Groups.Entry] = []

        /// Plans `groups`, sorting their identifiers where they are: pass groups no one else holds, or they are
        /// copied first.
        init(_ groups: consuming Groups) {
            let groupCount = groups.count
            var entries = groups.takeEntries()
            guard !entries.isEmpty else { return }
            Self.sortByKey(&entries)
            // The groups are joined wherever one identifier is in two of them (union-find over groups), then each
            // distinct identifier points at the first of its component in key order.
            var groupParent = [Int32](0..<Int32(groupCount))
            func root(_ group: Int32) -> Int32 {
                var node = group
                while groupParent[Int(node)] != node {
                    groupParent[Int(node)] = groupParent[Int(groupParent[Int(node)])]
                    node = groupParent[Int(node)]
                }
                return node
            }
            var unique = 0
            for index in entries.indices {
                if unique > 0 && entries[unique - 1].key == entries[index].key {
                    let (a, b) = (root(entries[unique - 1].group), root(entries[index].group))
                    if a != b { groupParent[Int(max(a, b))] = min(a, b) }
                } else {
                    entries[unique] = entries[index]
                    unique += 1
                }
            }
            entries.removeSubrange(unique...)
            // Every group is pointed straight at its root; then each root's place is taken, in key order, by its
            // component's first identifier, written as `-1 - index` (no array of firsts beside them).
            for group in 0..<Int32(groupCount) { groupParent[Int(group)] = root(group) }
            for index in 0..<unique {
                let pointer = groupParent[Int(entries[index].group)]
                let first = pointer < 0 ? pointer : groupParent[Int(pointer)]
                if first < 0 {
                    entries[index].group = -1 - first
                } else {
                    groupParent[Int(pointer)] = -1 - Int32(index)
                    entries[index].group = Int32(index)
                }
            }
            self.entries = entries
        }

        /// Sorts `entries` by key in place: first split on the keys' first byte (keyed hashes are uniform, so the
        /// 256 parts are even), then each part sorted on its own, so that the sort's buffer is a part's instead of
        /// half the array (400 MB for the 20M identifiers of a 10M-row file).
        static func sortByKey(_ entries: inout [Groups.Entry]) {
            func part(_ entry: Groups.Entry) -> Int { entry.firstByte }
            var ends = [Int](repeating: 0, count: 257)
            for entry in entries { ends[part(entry) + 1] += 1 }
            for index in 0..<256 { ends[index + 1] += ends[index] }
            // Each entry is swapped straight into the next free place of its part (an American flag sort's pass).
            var next = Array(ends[0..<256])
            for current in 0..<256 {
                while next[current] < ends[current + 1] {
                    let target = part(entries[next[current]])
                    if target == current {
                        next[current] += 1
                    } else {
                        entries.swapAt(next[current], next[target])
                        next[target] += 1
                    }
                }
            }
            for index in 0..<256 where ends[index + 1] - ends[index] > 1 {
                entries[ends[index]..<ends[index + 1]].sort { $0.key < $1.key }
            }
        }

        func key(_ index: Int) -> HashKey { entries[index].key }
        fileprivate func kind(_ index: Int) -> Identifier.Kind { entries[index].kind }

        var isEmpty: Bool { entries.isEmpty }
        /// How many distinct identifiers the groups hold.
        var count: Int { entries.count }

        /// The first identifier (in key order) of identifier `index`'s component.
        fileprivate func component(_ index: Int) -> Int32 { entries[index].group }
    }

    /// Links the identifiers of each group into one person, joining the persons a group spans. Set-wise: the
    /// identifiers are looked up in key order, joined in memory, and new rows inserted in key order, so a
    /// million-row import pays sequential B-tree work. Returns how many identifiers were newly linked.
    @discardableResult
    static func link(_ groups: [[Member]], _ db: Database) throws -> Int { try link(Plan(Groups(groups)), db) }

    @discardableResult
    static func link(_ groups: Groups, _ db: Database) throws -> Int { try link(Plan(groups), db) }

    /// Which of a plan's identifiers are already someone's, as read in one snapshot, and the version of the links
    /// that snapshot saw: read before the write lock, and used under it when no link changed in between.
    struct Probe {
        /// Per identifier, its person, or 0 for none (persons are numbered from 1); empty when none of them is
        /// anyone's yet, as with a new installation's first lists (160 MB less for a 10M-row file's 20M identifiers).
        fileprivate(set) var persons: [Int64]
        fileprivate var version: Int64

        /// Whether no link changed since it was read.
        func isCurrent(_ db: Database) throws -> Bool { try version == PersonLinks.version(db) }

        /// The persons, handed over (the probe keeps its version only), so that an `Assignment` lets them go before
        /// it makes its own codes, instead of both being held (160 MB for the 20M identifiers of a 10M-row file).
        mutating func takePersons() -> [Int64] {
            defer { persons = [] }
            return persons
        }
    }

    /// Reads, in key order, the person of each of the plan's identifiers.
    static func probe(_ plan: Plan, _ db: Database) throws -> Probe {
        var persons: [Int64] = []
        var lookup = try BatchedLookup(
            db, "SELECT v.column2, p.person FROM %VALUES% JOIN person_links AS p ON p.id_hash = v.column1")
        func found(_ row: RawStatement) {
            if persons.isEmpty { persons = [Int64](repeating: 0, count: plan.count) }
            persons[Int(row.int64(0))] = row.int64(1)
        }
        for index in 0..<plan.count { try lookup.add(plan.key(index), position: index, found: found) }
        try lookup.run(found)
        return Probe(persons: persons, version: try version(db))
    }

    /// Counts every change to `person_links`, so that a probe can tell whether it is still true.
    private static func version(_ db: Database) throws -> Int64 { try MetaCounter.value("person_links_version", db) }

    static func bumpVersion(_ db: Database) throws { try MetaCounter.add(1, to: "person_links_version", db) }

    /// Links a plan's identifiers, reading first which of them are already someone's.
    @discardableResult
    static func link(_ plan: Plan, _ db: Database) throws -> Int {
        guard !plan.isEmpty else { return 0 }
        var probed = try probe(plan, db)
        let assignment = Assignment(plan, existing: probed.takePersons())
        let merged = try assignment.merge(db)
        var writer = assignment.writer(firstNewPerson: try nextPerson(db), importID: nil)
        _ = try writer.insert(db, until: nil)
        _ = try writer.insertMembers(db, until: nil, verify: false)
        if writer.added > 0 { try adjustCount(by: writer.added, db) } else if merged { try bumpVersion(db) }
        return writer.added
    }

    /// Who each of a plan's identifiers is once linked: an existing person, or the n-th of the new persons; and the
    /// existing persons that the plan's groups join, to be merged into the lowest of each set.
    struct Assignment {
        fileprivate let plan: Plan
        /// Which identifiers were someone's before the plan: those get no new link.
        fileprivate let linkedBefore: Bits
        /// Per identifier: `n` > 0 for `survivors[n - 1]`, an existing person, or `-n` for the n-th new person (from
        /// 0); 32 bits, so 80 MB for the 20M identifiers of a 10M-row file, where persons' numbers would take 160.
        private let code: [Int32]
        /// The existing persons the plan's components keep, one per component that touches any.
        private let survivors: [Int64]
        /// How many new persons the plan makes.
        private(set) var newPersons: Int64 = 0
        /// The existing persons to merge, each into the survivor of its set.
        private(set) var merges: [(survivor: Int64, other: Int64)] = []

        var isEmpty: Bool { plan.isEmpty }

        /// Identifier `index`'s person: an existing one (> 0), or `-n` for the n-th new one.
        func person(_ index: Int) -> Int64 {
            let code = code[index]
            return code > 0 ? survivors[Int(code) - 1] : Int64(code)
        }

        /// Whether identifier `index` goes to a new person.
        fileprivate func isNew(_ index: Int) -> Bool { code[index] <= 0 }

        /// `existing`: per identifier, its person before the plan, or 0; or empty when none is anyone's.
        init(_ plan: Plan, existing: consuming [Int64]) {
            precondition(plan.count < Int(Int32.max), "too many identifiers to link in one plan")
            // The plan's components, joined where one existing person spans several: a union-find over the
            // components' first identifiers, holding only those joined (few, unless the file relinks what is linked
            // already), so that the plan's components are not copied.
            var joined: [Int32: Int32] = [:]
            func root(_ component: Int32) -> Int32 {
                guard !joined.isEmpty else { return component }
                var node = component
                while let up = joined[node] { node = up }
                var step = component
                while let up = joined[step], up != node {
                    joined[step] = node
                    step = up
                }
                return node
            }
            var personNode: [Int64: Int32] = [:]
            var linkedBefore = Bits(count: plan.count)
            precondition(existing.isEmpty || existing.count == plan.count, "one person (or 0) per identifier")
            for index in existing.indices where existing[index] > 0 {
                linkedBefore[index] = true
                let component = plan.component(index)
                if let node = personNode[existing[index]] {
                    let (a, b) = (root(component), root(node))
                    if a != b { joined[max(a, b)] = min(a, b) }
                } else {
                    personNode[existing[index]] = component
                }
            }
            // Each component keeps the lowest person it already touches, or gets a new number.
            var personsOf: [Int32: [Int64]] = [:]
            for (person, node) in personNode { personsOf[root(node), default: []].append(person) }
            existing = []
            // A component's root is its lowest identifier (unions keep the lower root), so it comes first here and
            // the others take its person.
            var code = [Int32](repeating: 0, count: plan.count)
            var survivors: [Int64] = []
            for index in 0..<plan.count {
                let first = Int(root(plan.component(index)))
                if first != index {
                    code[index] = code[first]
                    continue
                }
                if let persons = personsOf[Int32(index)]?.sorted(), let survivor = persons.first {
                    survivors.append(survivor)
                    code[index] = Int32(survivors.count)
                    for other in persons.dropFirst() { merges.append((survivor, other)) }
                } else {
                    code[index] = Int32(-newPersons)
                    newPersons += 1
                }
            }
            self.plan = plan
            self.linkedBefore = linkedBefore
            self.code = code
            self.survivors = survivors
        }

        /// Joins the persons the plan's groups span; returns whether any were.
        func merge(_ db: Database) throws -> Bool {
            for (survivor, other) in merges { try PersonLinks.merge(other, into: survivor, db) }
            return !merges.isEmpty
        }

        /// The inserts of the identifiers no one had yet, in key order, new persons numbered from `firstNewPerson`;
        /// their members are put in person order `personsPerPass` new persons at a time.
        func writer(firstNewPerson: Int64, importID: Int64?, personsPerPass: Int = 1 << 22) -> Writer {
            Writer(assignment: self, firstNewPerson: firstNewPerson, importID: importID, personsPerPass: personsPerPass)
        }

        /// Inserts an assignment's new links, resumably: an import inserts them a transaction at a time.
        struct Writer {
            fileprivate let assignment: Assignment
            let firstNewPerson: Int64
            let importID: Int64?
            /// The next identifier to consider, and how many were inserted.
            private(set) var position = 0
            private(set) var added = 0
            /// Identifiers the desk linked meanwhile (an import's links are inserted after its probe).
            private(set) var taken = 0
            /// Which identifiers this writer inserted: their persons' members are written after them.
            private var inserted: Bits
            /// Some of the inserted identifiers in person order, once every link is in (`nextMembers`), and the
            /// next of them to write; how many members were written in all.
            private var memberOrder: [Int32] = []
            private var orderPosition = 0
            private(set) var memberPosition = 0
            /// Which persons' members `nextMembers` orders next: 0 for the existing persons', then `n` for the n-th
            /// range of `personsPerPass` new persons.
            private var pass = 0
            private let personsPerPass: Int

            fileprivate init(assignment: Assignment, firstNewPerson: Int64, importID: Int64?, personsPerPass: Int) {
                self.assignment = assignment
                self.firstNewPerson = firstNewPerson
                self.importID = importID
                self.personsPerPass = max(personsPerPass, 1)
                inserted = Bits(count: assignment.plan.count)
            }

            /// The person identifier `index` is linked to.
            private func person(_ index: Int) -> Int64 {
                let person = assignment.person(index)
                return person > 0 ? person : firstNewPerson - person
            }

            /// Inserts until done, or until `deadline` (uptime nanoseconds) has passed; returns whether done. The
            /// links go in batches (`BatchedInsert`); a batch in which the desk had linked some identifier first is
            /// read back to tell which of its links are this writer's.
            mutating func insert(_ db: Database, until deadline: UInt64?) throws -> Bool {
                var insert = try BatchedInsert(
                    db, "INSERT INTO person_links(id_hash, person, kind, import_id)", row: "(?, ?, ?, ?)",
                    columns: 4, conflict: "ON CONFLICT(id_hash) DO NOTHING")
                let mine = try RawStatement(
                    db, "SELECT person = ?2 AND import_id IS ?3 FROM person_links WHERE id_hash = ?1")
                mine.bind(3, importID)
                let statement = insert.statement
                let plan = assignment.plan
                var batch: [Int] = []
                batch.reserveCapacity(BatchedInsert.rows)
                func written(changed: Int) throws {
                    for index in batch {
                        var isMine = changed == batch.count
                        if !isMine {
                            plan.key(index).withBytes { mine.bind(1, blob: $0) }
                            mine.bind(2, person(index))
                            isMine = try mine.firstInt() == 1
                        }
                        if isMine {
                            added += 1
                            inserted[index] = true
                        } else {
                            taken += 1
                        }
                    }
                    batch.removeAll(keepingCapacity: true)
                }
                while position < plan.count {
                    if let deadline, position & 0x3FF == 0, DispatchTime.now().uptimeNanoseconds > deadline {
                        try written(changed: try insert.run())
                        return false
                    }
                    let index = position
                    position += 1
                    guard !assignment.linkedBefore[index] else { continue }
                    plan.key(index).withBytes { statement.bind(insert.parameter(1), blob: $0) }
                    statement.bind(insert.parameter(2), person(index))
                    statement.bind(insert.parameter(3), plan.kind(index).rawValue)
                    statement.bind(insert.parameter(4), importID)
                    batch.append(index)
                    if let changed = try insert.endRow() { try written(changed: changed) }
                }
                try written(changed: try insert.run())
                return true
            }

            /// After every link is in: inserts the persons' members of the links this writer inserted, in person
            /// order, so that a new person's are appended to `person_members`; until done, or until `deadline`.
            /// `verify`: the desk changed a link since the plan's probe (it may have removed one of this writer's),
            /// so each member is written only while its link still says that person. Returns whether done.
            mutating func insertMembers(_ db: Database, until deadline: UInt64?, verify: Bool) throws -> Bool {
                precondition(position == assignment.plan.count, "the links are written before their members")
                var insert = try BatchedInsert(
                    db, "INSERT \(verify ? "OR IGNORE " : "")INTO person_members(person, id_hash, kind, import_id)",
                    row: "(?, ?, ?, ?)",
                    columns: 4,
                    condition: verify
                        ? "AND EXISTS (SELECT 1 FROM person_links WHERE id_hash = column2 AND person = column1)" : "")
                let statement = insert.statement
                let plan = assignment.plan
                while true {
                    if orderPosition == memberOrder.count {
                        guard let next = nextMembers() else { break }
                        (memberOrder, orderPosition) = (next, 0)
                    }
                    if let deadline, memberPosition & 0x3FF == 0, DispatchTime.now().uptimeNanoseconds > deadline {
                        _ = try insert.run()
                        return false
                    }
                    let index = Int(memberOrder[orderPosition])
                    orderPosition += 1
                    memberPosition += 1
                    statement.bind(insert.parameter(1), person(index))
                    plan.key(index).withBytes { statement.bind(insert.parameter(2), blob: $0) }
                    statement.bind(insert.parameter(3), plan.kind(index).rawValue)
                    statement.bind(insert.parameter(4), importID)
                    _ = try insert.endRow()
                }
                _ = try insert.run()
                (inserted, memberOrder) = (Bits(count: 0), [])
                return true
            }

            /// The next inserted identifiers in person order, in key order within one person; nil after the last.
            /// First those joining existing persons (ascending), then the new persons', whose numbers are
            /// consecutive, a range of them at a time (a counting sort per range: the whole order at once was 120
            /// MB beside the plan for the 20M identifiers of a 10M-row file).
            mutating func nextMembers() -> [Int32]? {
                while true {
                    if pass == 0 {
                        pass = 1
                        var joining: [Int32] = []
                        for index in 0..<inserted.count where inserted[index] && !assignment.isNew(index) {
                            joining.append(Int32(index))
                        }
                        joining.sort { (assignment.person(Int($0)), $0) < (assignment.person(Int($1)), $1) }
                        if !joining.isEmpty { return joining }
                        continue
                    }
                    let low = (pass - 1) * personsPerPass
                    guard low < assignment.newPersons else { return nil }
                    let high = min(low + personsPerPass, Int(assignment.newPersons))
                    pass += 1
                    var starts = [Int32](repeating: 0, count: high - low + 1)
                    for index in 0..<inserted.count where inserted[index] && assignment.isNew(index) {
                        let new = Int(-assignment.person(index))
                        if new >= low && new < high { starts[new - low + 1] += 1 }
                    }
                    for new in 0..<(high - low) { starts[new + 1] += starts[new] }
                    guard starts[high - low] > 0 else { continue }
                    var order = [Int32](repeating: 0, count: Int(starts[high - low]))
                    for index in 0..<inserted.count where inserted[index] && assignment.isNew(index) {
                        let new = Int(-assignment.person(index))
                        guard new >= low && new < high else { continue }
                        order[Int(starts[new - low])] = Int32(index)
                        starts[new - low] += 1
                    }
                    return order
                }
            }
        }
    }

    /// The number the next new person gets: above every person in the table and every number an import being
    /// applied has reserved for the persons it will insert.
    static func nextPerson(_ db: Database) throws -> Int64 {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT max(ifnull((SELECT max(person) FROM person_members), 0),
                    ifnull((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'person_reserved'), 0))
                """)
        return (row?[0] ?? 0) + 1
    }

    /// Reserves `count` person numbers from `nextPerson` for an import; returns the first.
    static func reserve(_ count: Int64, _ db: Database) throws -> Int64 {
        let first = try nextPerson(db)
        try db.execute(
            sql: """
                INSERT INTO meta(key, value) VALUES ('person_reserved', ?1)
                ON CONFLICT(key) DO UPDATE SET value = excluded.value
                """, arguments: [String(first + count - 1)])
        return first
    }

    /// Moves every identifier of person `other` to `survivor`, in both tables.
    static func merge(_ other: Int64, into survivor: Int64, _ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE person_links SET person = ?1
                WHERE id_hash IN (SELECT id_hash FROM person_members WHERE person = ?2)
                """, arguments: [survivor, other])
        try db.execute(
            sql: "UPDATE person_members SET person = ?1 WHERE person = ?2", arguments: [survivor, other])
    }

    /// After an abandoned import's links were removed: the links the desk made since it began (a request naming
    /// an identifier the import had linked) are made again, so that none of them is lost with it.
    static func relink(since: Int64, _ db: Database) throws {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT a_hash, a_kind, b_hash, b_kind FROM identity_links WHERE removed_at IS NULL AND created_at >= ?
                """, arguments: [since])
        let groups = rows.map { row in
            [
                Member.from(row["a_hash"], kind: row["a_kind"]), Member.from(row["b_hash"], kind: row["b_kind"]),
            ].compactMap { $0 }
        }
        try link(Groups(groups), db)
    }

    /// Keeps the count of linked identifiers, and the version, after rows were added or removed.
    static func adjustCount(by delta: Int, _ db: Database) throws {
        try bumpVersion(db)
        try MetaCounter.add(Int64(delta), to: "person_links", db)
    }

    /// Every identifier of the persons of `members`: the asked-about ones first, in the order asked (with the kind
    /// the links recorded, when they did), then the others in key order. An identifier linked to nothing is a
    /// person of its own. `pending`: with the links of imports not yet published, for the writes that act for a
    /// person (an erasure, an officer's unlink), so that publishing cannot bring back what they changed.
    static func person(of members: [Member], pending: Bool = false, _ db: Database) throws -> [Member] {
        let published = pending ? "" : try PendingImports.condition("import_id", db)
        let lookup = try db.cachedStatement(
            sql: "SELECT person, kind FROM person_links WHERE id_hash = ?" + published)
        let everyone = try db.cachedStatement(
            sql: "SELECT id_hash, kind FROM person_members WHERE person = ?" + published)
        var result: [Member] = []
        var seen = Set<HashKey>()
        var persons = Set<Int64>()
        for member in members where seen.insert(member.key).inserted {
            if let row = try Row.fetchOne(lookup, arguments: [Data(member.key.bytes)]) {
                persons.insert(row["person"])
                result.append(Member(key: member.key, kind: Identifier.Kind(rawValue: row["kind"]) ?? member.kind))
            } else {
                result.append(member)
            }
        }
        var others: [Member] = []
        for person in persons.sorted() {
            for row in try Row.fetchAll(everyone, arguments: [person]) {
                if let member = Member.from(row["id_hash"], kind: row["kind"]), seen.insert(member.key).inserted {
                    others.append(member)
                }
            }
        }
        return result + others.sorted { $0.key < $1.key }
    }

    /// A batch of recipients with their persons: the keys whose facts must be read (the batch's and their linked
    /// identifiers'), and for each recipient the positions of its linked identifiers among them.
    struct Expansion {
        /// The linked identifiers that are not themselves recipients, distinct and ascending, with their kinds:
        /// their facts are read beside the batch's own.
        var extra: [HashKey]
        var extraKinds: [Identifier.Kind]
        /// For each recipient, its linked identifiers: `linked[linkStart[r]..<linkStart[r+1]]`, each another
        /// recipient's slot (0 or more) or an index of `extra` written as `-1 - index`.
        var linkStart: [Int32]
        var linked: [Int32]
        /// The recipients that are another recipient's linked identifier (a batch with two numbers of one person).
        var linkedRecipients: [Int32]

        /// Whether no recipient has a linked identifier.
        var isTrivial: Bool { linked.isEmpty }

        /// Recipient `slot`'s linked identifiers.
        func links(of slot: Int) -> ArraySlice<Int32> { linked[Int(linkStart[slot])..<Int(linkStart[slot + 1])] }

        /// No links at all: the batch alone.
        static let unlinked = Expansion()

        private init() {
            extra = []
            extraKinds = []
            linkStart = []
            linked = []
            linkedRecipients = []
        }

        init(
            extra: [HashKey], extraKinds: [Identifier.Kind], linkStart: [Int32], linked: [Int32],
            linkedRecipients: [Int32]
        ) {
            self.extra = extra
            self.extraKinds = extraKinds
            self.linkStart = linkStart
            self.linked = linked
            self.linkedRecipients = linkedRecipients
        }
    }

    /// A linked identifier: its keyed hash, kind and person.
    struct LinkRow: Sendable {
        var key: HashKey
        var person: Int64
        var kind: Identifier.Kind
    }

    /// Linked identifiers in key order, grouped by person: the whole table (read on another core while a large
    /// batch is parsed, as it does not depend on the batch), or the persons of a small batch's recipients.
    struct LinkTable: Sendable {
        var rows: [LinkRow]
        /// Row positions ordered by person; `groups` are the persons' ranges in it.
        var byPerson: [Int32]
        var groups: [Range<Int>]

        init(rows: [LinkRow]) {
            self.rows = rows
            var order: [Int32]
            let largest = rows.lazy.map(\.person).max() ?? 0
            if largest > 0 && largest <= 4 * Int64(rows.count) && rows.allSatisfy({ $0.person > 0 }) {
                // Person numbers are handed out one after another: a counting sort is one pass.
                var starts = [Int32](repeating: 0, count: Int(largest) + 2)
                for row in rows { starts[Int(row.person) + 1] += 1 }
                for person in 0...Int(largest) { starts[person + 1] += starts[person] }
                order = [Int32](repeating: 0, count: rows.count)
                for (index, row) in rows.enumerated() {
                    order[Int(starts[Int(row.person)])] = Int32(index)
                    starts[Int(row.person)] += 1
                }
            } else {
                order = (0..<Int32(rows.count)).map { $0 }
                order.sort { rows[Int($0)].person < rows[Int($1)].person }
            }
            var groups: [Range<Int>] = []
            var start = 0
            while start < order.count {
                var end = start + 1
                let person = rows[Int(order[start])].person
                while end < order.count && rows[Int(order[end])].person == person { end += 1 }
                groups.append(start..<end)
                start = end
            }
            byPerson = order
            self.groups = groups
        }

        /// Every link, when there are at most `limit`; nil beyond (the batch probes instead).
        static func whole(_ db: Database, limit: Int) throws -> LinkTable? {
            let total = try PersonLinks.count(db)
            guard total <= limit else { return nil }
            var rows: [LinkRow] = []
            rows.reserveCapacity(total)
            let scan = try db.makeStatement(
                sql:
                    "SELECT id_hash, person, kind FROM person_links WHERE 1\(try PendingImports.condition("import_id", db)) "
                    + "ORDER BY id_hash")
            try BatchFacts.rows(scan, db) { row in
                guard let key = BatchFacts.key(row, 0), let kind = kindOf(row, 2) else { return }
                rows.append(LinkRow(key: key, person: sqlite3_column_int64(row, 1), kind: kind))
            }
            return LinkTable(rows: rows)
        }
    }

    /// Reads the persons of `recipients` (distinct, ascending) set-wise: from `table` when it was read ahead, else
    /// by one pass over `person_links` when it is not much larger than the batch, else by a probe per recipient.
    static func expand(_ recipients: [HashKey], table: LinkTable) -> Expansion {
        recipients.isEmpty ? Expansion.unlinked : assemble(recipients, table)
    }

    static func expand(_ recipients: [HashKey], _ db: Database) throws -> Expansion {
        guard !recipients.isEmpty else { return Expansion.unlinked }
        let total = try count(db)
        guard total > 0 else { return Expansion.unlinked }
        if let whole = try LinkTable.whole(db, limit: 4 * recipients.count) { return assemble(recipients, whole) }
        let published = try PendingImports.condition("import_id", db)
        let probe = try db.makeStatement(sql: "SELECT person FROM person_links WHERE id_hash = ?" + published)
        var persons = Set<Int64>()
        for key in recipients {
            if let person = try Int64.fetchOne(probe, arguments: [Data(key.bytes)]) { persons.insert(person) }
        }
        let everyone = try db.makeStatement(
            sql: "SELECT id_hash, kind FROM person_members WHERE person = ?" + published)
        var rows: [LinkRow] = []
        for person in persons {
            for row in try Row.fetchAll(everyone, arguments: [person]) {
                guard let member = Member.from(row["id_hash"], kind: row["kind"]) else { continue }
                rows.append(LinkRow(key: member.key, person: person, kind: member.kind))
            }
        }
        rows.sort { $0.key < $1.key }
        return assemble(recipients, LinkTable(rows: rows))
    }

    /// Joins the batch with its linked identifiers: only persons with a recipient among them count. Merges and
    /// passes over arrays, no hashing; the batch's own keys are not copied.
    private static func assemble(_ recipients: [HashKey], _ table: LinkTable) -> Expansion {
        let rows = table.rows
        guard !rows.isEmpty else { return Expansion.unlinked }
        // Which rows are recipients: both are in key order.
        var recipientOf = [Int32](repeating: -1, count: rows.count)
        var position = 0
        for index in rows.indices {
            let key = rows[index].key
            while position < recipients.count && recipients[position] < key { position += 1 }
            if position < recipients.count && recipients[position] == key { recipientOf[index] = Int32(position) }
        }
        // The persons a recipient belongs to, with how many of their identifiers are in the batch. The loops run
        // over buffers: slicing arrays per person would retain and release them a million times.
        var kept = [Bool](repeating: false, count: rows.count)
        var groups: [(range: Range<Int>, inBatch: Int)] = []
        var extra: [HashKey] = []
        var extraKinds: [Identifier.Kind] = []
        var target = [Int32](repeating: 0, count: rows.count)
        var linkStart = [Int32](repeating: 0, count: recipients.count + 1)
        var linkedRecipients: [Int32] = []
        var linked: [Int32] = []
        table.byPerson.withUnsafeBufferPointer { byPerson in
            recipientOf.withUnsafeBufferPointer { recipientOf in
                kept.withUnsafeMutableBufferPointer { kept in
                    for group in table.groups {
                        var inBatch = 0
                        for position in group where recipientOf[Int(byPerson[position])] >= 0 { inBatch += 1 }
                        guard inBatch > 0 else { continue }
                        for position in group { kept[Int(byPerson[position])] = true }
                        groups.append((group, inBatch))
                    }
                }
                // Their other identifiers, in key order, are read beside the batch.
                for index in rows.indices where kept[index] {
                    if recipientOf[index] >= 0 {
                        target[index] = recipientOf[index]
                    } else {
                        target[index] = -1 - Int32(extra.count)
                        extra.append(rows[index].key)
                        extraKinds.append(rows[index].kind)
                    }
                }
                // Each recipient's linked identifiers, as ranges per recipient (counted, then filled).
                for (group, inBatch) in groups {
                    for position in group {
                        let slot = recipientOf[Int(byPerson[position])]
                        guard slot >= 0 else { continue }
                        linkStart[Int(slot) + 1] = Int32(group.count - 1)
                        if inBatch > 1 { linkedRecipients.append(slot) }
                    }
                }
                for slot in 0..<recipients.count { linkStart[slot + 1] += linkStart[slot] }
                linked = [Int32](repeating: 0, count: Int(linkStart[recipients.count]))
                target.withUnsafeBufferPointer { target in
                    linked.withUnsafeMutableBufferPointer { linked in
                        for (group, _) in groups {
                            for position in group {
                                let slot = recipientOf[Int(byPerson[position])]
                                guard slot >= 0 else { continue }
                                var fill = Int(linkStart[Int(slot)])
                                for other in group where other != position {
                                    linked[fill] = target[Int(byPerson[other])]
                                    fill += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        guard !groups.isEmpty else { return Expansion.unlinked }
        return Expansion(
            extra: extra, extraKinds: extraKinds, linkStart: linkStart, linked: linked,
            linkedRecipients: linkedRecipients)
    }

    /// A flag per identifier of a plan, a bit each.
    struct Bits {
        private var words: [UInt64]
        let count: Int

        init(count: Int) {
            self.count = count
            words = [UInt64](repeating: 0, count: (count + 63) / 64)
        }

        subscript(index: Int) -> Bool {
            get { words[index >> 6] & (1 << UInt64(index & 63)) != 0 }
            set {
                if newValue {
                    words[index >> 6] |= 1 << UInt64(index & 63)
                } else {
                    words[index >> 6] &= ~(1 << UInt64(index & 63))
                }
            }
        }
    }

    private static func kindOf(_ statement: OpaquePointer, _ column: Int32) -> Identifier.Kind? {
        guard let text = sqlite3_column_text(statement, column) else { return nil }
        switch text.pointee {
        case UInt8(ascii: "p"): return .phone
        case UInt8(ascii: "e"): return .email
        case UInt8(ascii: "z"): return .zalo
        default: return nil
        }
    }
}
