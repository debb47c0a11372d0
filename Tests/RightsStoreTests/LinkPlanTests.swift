import GRDB
import RightsCore
import Testing

@testable import RightsStore

/// The plan an import makes of its rows' identifiers before it takes the write lock: its own sort and its chunked
/// groups must give what a plain sort of one array gives.
@Suite("link plan")
struct LinkPlanTests {
    private static func key(_ random: inout SeededGenerator, firstByte: UInt8? = nil) -> HashKey {
        var bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        if let firstByte { bytes[0] = firstByte }
        return HashKey(bytes)!
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func theSortByFirstByteThenPartOrdersLikeOneSort(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        // Uniform keys, keys that repeat, a crowded first byte and both extremes.
        var keys = (0..<5_000).map { _ in Self.key(&random) }
        keys += keys.prefix(300)
        keys += (0..<700).map { _ in Self.key(&random, firstByte: 0x7F) }
        keys += [HashKey.zero, HashKey([UInt8](repeating: 0xFF, count: 32))!, HashKey.zero]
        keys.shuffle(using: &random)
        var entries = keys.enumerated().map { index, key in
            PersonLinks.Groups.Entry(member: PersonLinks.Member(key: key, kind: .phone), group: Int32(index))
        }
        PersonLinks.Plan.sortByKey(&entries)
        #expect(entries.map(\.member.key) == keys.sorted())
        #expect(Set(entries.map(\.group)) == Set((0..<Int32(keys.count))))
    }

    @Test func groupsKeptInSmallChunksPlanAsInOne() {
        var random = SeededGenerator(seed: 9)
        let shared = (0..<40).map { _ in Self.key(&random) }
        // Pairs and triples, some sharing an identifier with an earlier group (so that groups join across chunks).
        let groups: [[PersonLinks.Member]] = (0..<2_000).map { n in
            var members = [Self.key(&random), Self.key(&random)]
            if n % 7 == 0 { members.append(shared[n % shared.count]) }
            return members.map { PersonLinks.Member(key: $0, kind: .email) }
        }
        let whole = PersonLinks.Plan(PersonLinks.Groups(groups))
        for chunkSize in [1, 3, 64, 4_095] {
            let chunked = PersonLinks.Plan(PersonLinks.Groups(groups, chunkSize: chunkSize))
            #expect(chunked.count == whole.count)
            #expect((0..<chunked.count).map(chunked.key) == (0..<whole.count).map(whole.key))
            let (a, b) = (
                PersonLinks.Assignment(chunked, existing: Array(repeating: 0, count: chunked.count)),
                PersonLinks.Assignment(whole, existing: Array(repeating: 0, count: whole.count))
            )
            #expect(a.newPersons == b.newPersons)
        }
        // 2,000 groups of two new identifiers each, of which every seventh also joins one of 40 shared ones.
        #expect(whole.count == 4_040)
        #expect(PersonLinks.Assignment(whole, existing: Array(repeating: 0, count: whole.count)).newPersons < 2_000)
        // A probe that found no one hands over no persons at all: the same as all of them 0.
        let none = PersonLinks.Assignment(whole, existing: [])
        let zeros = PersonLinks.Assignment(whole, existing: Array(repeating: 0, count: whole.count))
        #expect(none.newPersons == zeros.newPersons)
        #expect((0..<whole.count).map(none.person) == (0..<whole.count).map(zeros.person))
    }
}

/// The assignment of persons to a plan's identifiers, against a plain union-find over the identifiers themselves:
/// the groups join identifiers, an existing person joins every identifier it already holds.
@Suite("link assignment")
struct LinkAssignmentTests {
    @Test(arguments: [11, 12, 13, 14] as [UInt64])
    func personsAreThoseOfAPlainUnionFind(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let keys = (0..<600).map { _ in HashKey((0..<32).map { _ in UInt8.random(in: 0...255, using: &random) })! }
        let groups: [[PersonLinks.Member]] = (0..<400).map { _ in
            (0..<Int.random(in: 2...3, using: &random)).map { _ in
                PersonLinks.Member(key: keys[Int.random(in: 0..<keys.count, using: &random)], kind: .phone)
            }
        }
        let plan = PersonLinks.Plan(PersonLinks.Groups(groups))
        let position = Dictionary(uniqueKeysWithValues: (0..<plan.count).map { (plan.key($0), $0) })
        // A third of the identifiers are someone's already, among 60 persons (so that persons span components).
        let existing: [Int64] = (0..<plan.count).map { _ in
            Int.random(in: 0..<3, using: &random) == 0 ? Int64.random(in: 1...60, using: &random) : 0
        }
        var parent = Array(0..<plan.count)
        func find(_ node: Int) -> Int { parent[node] == node ? node : find(parent[node]) }
        func union(_ a: Int, _ b: Int) {
            let (x, y) = (find(a), find(b))
            if x != y { parent[max(x, y)] = min(x, y) }
        }
        for group in groups {
            for member in group.dropFirst() { union(position[group[0].key]!, position[member.key]!) }
        }
        var holder: [Int64: Int] = [:]
        for index in existing.indices where existing[index] > 0 {
            if let other = holder[existing[index]] { union(index, other) } else { holder[existing[index]] = index }
        }
        var personsOf: [Int: Set<Int64>] = [:]
        for index in existing.indices {
            personsOf[find(index), default: []].formUnion(existing[index] > 0 ? [existing[index]] : [])
        }

        let assignment = PersonLinks.Assignment(plan, existing: existing)
        var newOf: [Int: Int64] = [:]
        for index in 0..<plan.count {
            let persons = personsOf[find(index)]!
            if let survivor = persons.min() {
                #expect(assignment.person(index) == survivor)
            } else {
                // One new person per component, numbered in the order of its first identifier.
                let new = newOf[find(index)] ?? -Int64(newOf.count)
                newOf[find(index)] = new
                #expect(assignment.person(index) == new)
            }
        }
        #expect(assignment.newPersons == Int64(newOf.count))
        let expectedMerges = personsOf.values.reduce(0) { $0 + max($1.count - 1, 0) }
        #expect(assignment.merges.count == expectedMerges)
        #expect(Set(assignment.merges.map(\.other)).count == expectedMerges)
    }
}

/// The members of a plan's new links are put in person order a range of new persons at a time: any range gives the
/// order the whole does.
@Suite("link members' order")
struct LinkMemberOrderTests {
    @Test func membersComeInPersonOrderWhateverThePassSize() throws {
        var random = SeededGenerator(seed: 21)
        let keys = (0..<900).map { _ in HashKey((0..<32).map { _ in UInt8.random(in: 0...255, using: &random) })! }
        let groups: [[PersonLinks.Member]] = (0..<500).map { _ in
            (0..<Int.random(in: 2...3, using: &random)).map { _ in
                PersonLinks.Member(key: keys[Int.random(in: 0..<keys.count, using: &random)], kind: .email)
            }
        }
        let plan = PersonLinks.Plan(PersonLinks.Groups(groups))
        // Some identifiers are existing persons' (those are not inserted), some join them (inserted, ordered first).
        let existing: [Int64] = (0..<plan.count).map { _ in
            Int.random(in: 0..<10, using: &random) == 0 ? Int64.random(in: 1...30, using: &random) : 0
        }
        let assignment = PersonLinks.Assignment(plan, existing: existing)
        func order(personsPerPass: Int) throws -> [Int32] {
            let db = try DatabaseQueue()
            return try db.write { db in
                try db.execute(
                    sql: """
                        CREATE TABLE person_links (
                            id_hash BLOB PRIMARY KEY, person INTEGER NOT NULL, kind TEXT NOT NULL, import_id INTEGER
                        ) WITHOUT ROWID
                        """)
                var writer = assignment.writer(firstNewPerson: 100, importID: 1, personsPerPass: personsPerPass)
                #expect(try writer.insert(db, until: nil))
                var all: [Int32] = []
                while let next = writer.nextMembers() { all += next }
                return all
            }
        }
        let whole = try order(personsPerPass: 1 << 22)
        #expect(whole.count == (0..<plan.count).count { existing[$0] == 0 })
        // Existing persons' joiners first, then new persons in number order, each person's in key order.
        let persons = whole.map { index in
            let person = assignment.person(Int(index))
            return person > 0 ? person : 100 - person
        }
        let pairs = zip(persons, whole).map { [$0.0, Int64($0.1)] }
        #expect(pairs == pairs.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) })
        for size in [1, 2, 7, 64] { #expect(try order(personsPerPass: size) == whole) }
    }
}
