import Foundation
import RightsCore
import RightsStore
import Testing
import ZIPFoundation

@testable import RightsEvidence

/// Erasure of every trace (ARCHITECTURE.md invariant 5): a person known by a phone, an email and a Zalo id, about
/// whom staff, a list and the person themselves typed free text in every field that takes it, asks to be deleted.
/// Afterwards no form of what identified them is in the database, its WAL or journal, nor in a bundle exported
/// after; the chain still verifies and the proof the law keeps (keyed hashes, times, scopes) is there.
@Suite("erasure of every trace")
struct ForensicErasureTests {
    static let day = 86_400.0
    static let start = Timestamp.parse("2026-06-01T09:00:00+07:00")!
    static let oa = "1837640183716473281"
    static let zaloUser = "2512883701246639817"

    /// Everything that identifies Xoá, in each form it may take in a file.
    static let forms = [
        "912345678", "912 345 678", "Phạm Thị Xoá", "Xoá", "xoa.pham@example.vn", "079188001234", zaloUser,
        "12 Nguyễn Huệ",
    ]

    @Test("no form of the person is left in any free-text field, file or later bundle; the chain verifies")
    func everyField() throws {
        let folder = NSTemporaryDirectory() + "rightsdesk-forensic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = folder + "/desk.sqlite"
        let installation = try Installation.create(
            databasePath: database, organization: "Công ty TNHH Ví Dụ", actor: "admin", now: Self.start - 30 * Self.day)
        let store = installation.store
        let phone = try Identifier(phone: "0912345678")
        let email = try Identifier(email: "xoa.pham@example.vn")
        var clock = Self.start - 20 * Self.day
        func tick() -> Date {
            clock += 3600
            return clock
        }

        // A list row with her three identifiers and the consent columns a CRM export carries.
        let csv =
            "phone,ho_ten,email,zalo_id,consent_at,consent_method,consent_text,consent_evidence\n"
            + "0912345678,Phạm Thị Xoá,xoa.pham@example.vn,\(Self.zaloUser),2025-09-01T08:00:00+07:00,"
            + "Gọi cho Phạm Thị Xoá,Phạm Thị Xoá đồng ý nhận tin khuyến mãi,CCCD 079188001234\n"
            + "0903000111,Trần Văn Bình,binh@example.vn,,2025-09-01T08:00:00+07:00,web,Tôi đồng ý,WEB-1\n"
        var chunks = [Array(csv.utf8)]
        _ = try store.importList(
            ListImportRequest(list: "khach-hang", fileName: "khach-hang.csv", consentChannel: .sms, zaloOA: Self.oa),
            actor: "officer", at: tick(), chunks: { chunks.isEmpty ? nil : chunks.removeFirst() })

        // An officer's consent record, a suppression and its lift, a link, all with typed text.
        _ = try store.recordConsent(
            ConsentRecord(
                identifier: email, channel: .email, at: Self.start - 21 * Self.day, method: "Xoá ký phiếu tại quầy",
                text: "Tôi, Phạm Thị Xoá, đồng ý nhận thư", evidence: "CCCD 079188001234"), actor: "officer",
            at: tick())
        _ = try store.suppress(
            [(line: 0, identifier: phone)], invalid: [], channel: .call, purpose: .marketing,
            reason: "chị Xoá gọi phàn nàn, CCCD 079188001234", source: nil, actor: "officer", at: tick())
        _ = try store.liftSuppression(
            phone, channel: .call, purpose: .marketing, consentRef: nil, reason: "Phạm Thị Xoá đổi ý qua điện thoại",
            actor: "officer", at: tick())
        _ = try store.link(
            phone, try Identifier(phone: "0987000111"), reason: "số thứ hai của Phạm Thị Xoá", actor: "officer",
            at: tick())

        // Her own Zalo message, queued for an officer, and the officer's note on it.
        let body = """
            {"app_id":"4318201762311590281","event_name":"user_send_text","timestamp":"\(Int64(tick().timeIntervalSince1970 * 1000))",\
            "sender":{"id":"\(Self.zaloUser)"},"recipient":{"id":"\(Self.oa)"},\
            "message":{"msg_id":"m1","text":"Tôi là Phạm Thị Xoá, CCCD 079188001234, hủy đơn hàng giúp tôi"}}
            """
        _ = try store.recordZaloEvent(try ZaloEvent(body: Array(body.utf8)), at: clock)
        let queued = try #require(try store.inbox().first)
        _ = try store.resolveInbox(
            queued.id, objection: false, note: "Xoá hỏi về đơn hàng", actor: "officer", at: tick())

        // An earlier correction, completed with new values, and letters sent.
        let correction = try store.createRequest(
            NewRequest(
                type: .correction, subjects: [phone], channel: .email, receivedAt: tick(), name: "Phạm Thị Xoá",
                address: "12 Nguyễn Huệ, Quận 1", note: "Xoá muốn sửa họ tên"), actor: "officer", at: clock)
        _ = try store.verifyRequest(
            correction.id, subject: nil, method: "CCCD 079188001234 của Phạm Thị Xoá", at: tick(), actor: "officer",
            now: clock)
        _ = try store.completeRequest(
            correction.id, completion: Completion(corrections: [(field: "name", value: "Phạm Thị Xoá (mới)")]),
            at: tick(), actor: "officer", now: clock)

        // A restriction with its condition and form, and a protection request completed with its measures, both
        // in the person's or the officer's words.
        _ = try store.createRequest(
            NewRequest(
                type: .restriction, subjects: [email], channel: .paper, receivedAt: tick(),
                restrictionCondition: "Xoá chỉ cho lưu trữ", evidence: "Đơn của Phạm Thị Xoá"), actor: "officer",
            at: clock)
        let protection = try store.createRequest(
            NewRequest(type: .protection, subjects: [phone], channel: .email, receivedAt: tick()), actor: "officer",
            at: clock)
        _ = try store.verifyRequest(
            protection.id, subject: nil, method: "otp", at: tick(), actor: "officer", now: clock)
        var measures = Completion()
        measures.measures = "Khóa tài khoản của Phạm Thị Xoá"
        _ = try store.completeRequest(protection.id, completion: measures, at: tick(), actor: "officer", now: clock)

        // The deletion itself: named, addressed, verified by ID card, extended, a processor told, letters sent,
        // completed late with a reason that names her.
        let deletion = try store.createRequest(
            NewRequest(
                type: .deletion, subjects: [phone, email], channel: .zalo, receivedAt: Self.start,
                name: "Phạm Thị Xoá", address: "12 Nguyễn Huệ, Quận 1", note: "Xoá gọi tổng đài",
                representative: Representative(
                    name: "Lê Văn Xoá", relation: .agent, evidence: "Giấy ủy quyền 079188001234"),
                evidence: "Thư của Xoá ngày 01/9"), actor: "officer",
            at: Self.start)
        clock = Self.start
        _ = try store.acknowledgeRequest(deletion.id, at: tick(), actor: "officer", now: clock)
        try store.recordLetter(
            deletion.id, kind: "ack", language: "vi", text: "Kính gửi chị Phạm Thị Xoá, số 0912 345 678 …",
            actor: "officer", now: clock)
        _ = try store.verifyRequest(
            deletion.id, subject: nil, method: "CCCD 079188001234 của Phạm Thị Xoá", at: tick(), actor: "officer",
            now: clock)
        _ = try store.extendRequest(
            deletion.id, reason: "chờ Phạm Thị Xoá gửi bản sao CCCD", at: tick(), actor: "officer", now: clock)
        _ = try store.recordProcessor(
            deletion.id, processorID: "esms", name: "Công ty eSMS", notifiedAt: clock, confirmedAt: nil,
            actor: "officer", now: clock)

        let files = [database, database + "-wal", database + "-shm", store.erasureJournalPath]
        func bytes() throws -> [(String, Data)] {
            try files.compactMap { path in
                FileManager.default.fileExists(atPath: path)
                    ? (path, try Data(contentsOf: URL(fileURLWithPath: path))) : nil
            }
        }
        // Before: every form is there to be found, so the search below could fail.
        let before = try bytes()
        for form in Self.forms where !["912 345 678", "12 Nguyễn Huệ"].contains(form) {
            #expect(before.contains { $0.1.range(of: Data(form.utf8)) != nil }, "\(form) was never stored")
        }

        let late = Timestamp.parse("2026-09-30T10:00:00+07:00")!
        _ = try store.completeRequest(
            deletion.id, completion: Completion(lateReason: "Phạm Thị Xoá gửi CCCD 079188001234 muộn"), at: late,
            actor: "officer", now: late)

        for (path, data) in try bytes() {
            for form in Self.forms {
                #expect(data.range(of: Data(form.utf8)) == nil, "\(form) is still in \(path)")
            }
        }
        // Others are untouched, and what the law keeps is there.
        let kept = try #require(try bytes().first?.1)
        #expect(kept.range(of: Data("Trần Văn Bình".utf8)) != nil)
        guard case .intact = try store.verifyAuditChain() else {
            Issue.record("the chain does not verify after the erasure")
            return
        }
        let shown = try store.request(deletion.id)
        #expect(shown.request.state == .completed && shown.request.late && shown.request.extended)
        #expect(try !store.why(phone, now: late).suppressions.isEmpty)

        // A bundle exported afterwards carries the handling (dates, outcome) and none of her.
        let bundle = folder + "/after.zip"
        _ = try EvidenceExporter(installation: installation).export(
            .period(from: LocalDate("2026-05-01")!, to: LocalDate("2026-06-30")!), to: bundle, actor: "auditor",
            now: late + 60)
        let archive = try Archive(url: URL(fileURLWithPath: bundle), accessMode: .read)
        var names: [String] = []
        for entry in archive {
            names.append(entry.path)
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            for form in Self.forms {
                #expect(data.range(of: Data(form.utf8)) == nil, "\(form) is in \(entry.path) of the bundle")
            }
        }
        #expect(names.contains("requests/\(deletion.id).json") && names.contains("requests/\(correction.id).json"))
        guard case .intact = try BundleVerifier.verify(bundleAt: bundle, fingerprint: nil) else {
            Issue.record("the bundle exported after the erasure does not verify")
            return
        }
    }
}
