import Crypto
import Foundation
import GRDB
import RightsCore
import Testing

@testable import RightsStore

/// The officer's queue: who each request is for, the days left, a late acknowledgement, and search by a name typed
/// without diacritics or by any written form of an identifier of the person.
@Suite("the request queue")
struct RequestQueueTests {
    static let monday = Timestamp.parse("2026-03-02T10:00:00+07:00")!

    final class Scratch {
        let folder = NSTemporaryDirectory() + "rightsdesk-queue-\(UUID().uuidString)"
        let store: RightsStore

        init() throws {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            store = try RightsStore.create(
                at: folder + "/d.sqlite", hasher: KeyedHasher(secret: SymmetricKey(size: .bits256)),
                installationID: "queue", organization: "Công ty TNHH Ví Dụ", actor: "installer",
                now: RequestQueueTests.monday)
        }

        deinit { try? FileManager.default.removeItem(atPath: folder) }

        func file(_ type: RequestType, _ subjects: [String], name: String?, at: Date) throws -> String {
            try store.createRequest(
                NewRequest(
                    type: type, subjects: subjects.map { try Identifier(parsing: $0) }, channel: .phone,
                    receivedAt: at, name: name), actor: "officer", at: at
            ).id
        }
    }

    @Test func theQueueNamesThePersonCountsDaysLeftAndFlagsALateAcknowledgement() throws {
        let scratch = try Scratch()
        // Received Monday 2 March: acknowledge by Wednesday 4 March; access within 10 days, Thursday 12 March.
        let lan = try scratch.file(.access, ["0912345678"], name: "Nguyễn Thị Lan", at: Self.monday)
        let nameless = try scratch.file(.objection, ["lan@example.vn"], name: nil, at: Self.monday)
        let friday = Timestamp.parse("2026-03-06T09:00:00+07:00")!
        _ = try scratch.store.acknowledgeRequest(nameless, at: Self.monday, actor: "officer", now: Self.monday)
        let items = try scratch.store.requestList(RequestFilter(asOf: friday))
        let first = try #require(items.first { $0.request.id == lan })
        #expect(first.name == "Nguyễn Thị Lan")
        #expect(first.subjects.map(\.identifier) == ["+84912345678"])
        #expect(first.daysLeft == 6)  // Friday 6 to Thursday 12 March
        #expect(first.ackLate, "no acknowledgement two days after it was due")
        let second = try #require(items.first { $0.request.id == nameless })
        #expect(second.name == nil && !second.ackLate)
        #expect(try scratch.store.requestList(RequestFilter(ackOverdue: true, asOf: friday)).map(\.request.id) == [lan])
        // Before the acknowledgement fell due, nothing is late.
        #expect(try scratch.store.requestList(RequestFilter(ackOverdue: true, asOf: Self.monday)).isEmpty)
        // Overdue: days left go negative.
        let later = Timestamp.parse("2026-03-20T09:00:00+07:00")!
        #expect(
            try scratch.store.requestList(RequestFilter(asOf: later)).first { $0.request.id == lan }?.daysLeft == -8)
        // The JSON carries the contract's fields.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(first)) as? [String: Any]
        #expect(json?["days_left"] as? Int == 6 && json?["ack_late"] as? Bool == true)
        #expect(json?["name"] as? String == "Nguyễn Thị Lan" && json?["id"] as? String == lan)
        let plain = try JSONSerialization.jsonObject(with: JSONEncoder().encode(second)) as? [String: Any]
        #expect(plain?["name"] is NSNull)
    }

    @Test func searchIgnoresCaseAndDiacriticsAndFindsAnyWrittenFormOfALinkedIdentifier() throws {
        let scratch = try Scratch()
        let lan = try scratch.file(.access, ["0912345678", "lan@example.vn"], name: "Nguyễn Thị Lan", at: Self.monday)
        let dung = try scratch.file(.deletion, ["0903000111"], name: "Đặng Văn Dũng", at: Self.monday)
        // A later request names only the email: the same person through the first request's link.
        let later = try scratch.file(.objection, ["LAN@example.vn"], name: nil, at: Self.monday.addingTimeInterval(60))
        func found(_ text: String) throws -> [String] {
            try scratch.store.requestList(RequestFilter(search: text, asOf: Self.monday)).map(\.request.id).sorted()
        }
        #expect(try found("nguyen thi") == [lan])
        #expect(try found("NGUYỄN   THỊ") == [lan])
        #expect(try found("dang van dung") == [dung])
        #expect(try found("dũng") == [dung])
        #expect(try found("+84 912 345 678") == [lan, later].sorted())
        #expect(try found("0912.345.678") == [lan, later].sorted())
        #expect(try found("trần") == [])
        #expect(try found("0999999999") == [])
    }

    @Test func theFoldingOfSearchesKeepsLettersAndDropsMarks() {
        #expect(SearchFolding.fold("Nguyễn Thị  Lan") == "nguyen thi lan")
        #expect(SearchFolding.fold("ĐẶNG") == "dang")
        // Decomposed input (a Mac's keyboard) folds the same.
        #expect(SearchFolding.fold("Nguye\u{302}\u{303}n") == "nguyen")
    }
}

/// The portal's attempts keep the person's words only as long as they are needed.
@Suite("portal attempts")
struct PortalAttemptTests {
    @Test func anExpiredAttemptIsClearedAndADayOldOneDeleted() throws {
        let scratch = try RequestQueueTests.Scratch()
        let start = RequestQueueTests.monday
        let attempt = try scratch.store.startPortalAttempt(
            type: .deletion, identifier: try Identifier(parsing: "lan@example.vn"), name: "Nguyễn Thị Lan",
            details: "Xin xóa", client: "127.0.0.1", language: "vi", now: start)
        func row() throws -> Row? {
            try scratch.store.read {
                try Row.fetchOne(
                    $0, sql: "SELECT identifier, name, details FROM portal_attempts WHERE id = ?",
                    arguments: [attempt.id])
            }
        }
        try scratch.store.purgePortalAttempts(now: start.addingTimeInterval(60))
        #expect(try row()?["identifier"] as String? == "lan@example.vn", "still live: kept")
        try scratch.store.purgePortalAttempts(now: start.addingTimeInterval(11 * 60))
        let expired = try #require(try row())
        #expect((expired["identifier"] as String?) == nil && (expired["name"] as String?) == nil)
        #expect((expired["details"] as String?) == nil)
        #expect(
            try scratch.store.verifyPortalAttempt(
                attempt.id, code: attempt.code, now: start.addingTimeInterval(12 * 60)) == .ended)
        try scratch.store.purgePortalAttempts(now: start.addingTimeInterval(86_400 + 60))
        #expect(try row() == nil)
    }
}
