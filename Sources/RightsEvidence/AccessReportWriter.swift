import Foundation
import RightsCore
import RightsStore

/// Writes an access report as `access-report.json` (complete, machine-readable) and `access-report.html`
/// (Vietnamese then English, for a phone). The page is rendered from the JSON document itself, so both hold the
/// same content by construction.
public enum AccessReportWriter {
    public struct Written: Sendable, Codable {
        public var directory: String
        public var jsonSHA256: String
        public var htmlSHA256: String

        enum CodingKeys: String, CodingKey {
            case directory
            case jsonSHA256 = "json_sha256"
            case htmlSHA256 = "html_sha256"
        }
    }

    /// The report's two files: the JSON document, and the page rendered from it.
    public struct Rendered: Sendable {
        public var json: [UInt8]
        public var html: [UInt8]
        public var jsonSHA256: String { Digest.sha256Hex(json) }

        var files: [(name: String, bytes: [UInt8])] { [("access-report.json", json), ("access-report.html", html)] }
    }

    public static func render(_ report: AccessReport) throws -> Rendered {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(report) + Data("\n".utf8)
        guard var view = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw EvidenceExportError.template("the access report did not encode as an object")
        }
        view = localized(view)
        view["identity"] = report.organization.identityLine
        let html = try EvidenceReport.loadTemplate("access-report").render(view).precomposedStringWithCanonicalMapping
        return Rendered(json: Array(json), html: Array(html.utf8))
    }

    public static func write(_ report: AccessReport, to directory: String) throws -> Written {
        try write(try render(report), to: directory)
    }

    /// Refuses a folder that holds an access report already (another person's, as likely as not): one report
    /// a folder, never one written over another.
    public static func write(_ rendered: Rendered, to directory: String) throws -> Written {
        for (name, _) in rendered.files {
            let path = (directory as NSString).appendingPathComponent(name)
            guard !FileManager.default.fileExists(atPath: path) else {
                throw StoreError.refused(
                    "\(path) exists already: an access report is written to a folder of its own (give --out NEW-FOLDER)"
                )
            }
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, bytes) in rendered.files {
            let file = try AtomicFile(path: (directory as NSString).appendingPathComponent(name))
            try file.write(bytes)
            try file.commit()
        }
        return Written(
            directory: directory, jsonSHA256: rendered.jsonSHA256, htmlSHA256: Digest.sha256Hex(rendered.html))
    }

    /// Both files in one ZIP, for the web desk to hand over as a download (nothing is kept on the server).
    public static func zip(_ rendered: Rendered, folder: String) throws -> Data {
        try BundleArchive.zip(rendered.files.map { EvidenceBundle.File(path: "\(folder)/\($0.name)", bytes: $0.bytes) })
    }

    /// Adds, beside each code and time of the document, the words the page shows in each half: `xVi` in
    /// Vietnamese, `xEn` in English. Only words are added; every datum the page shows is the document's own.
    private static func localized(_ document: [String: Any]) -> [String: Any] {
        typealias Object = [String: Any]
        func words(_ object: inout Object, _ key: String, _ say: (Vocabulary.Language) -> String?) {
            if let vi = say(.vietnamese) { object[key + "Vi"] = vi }
            if let en = say(.english) { object[key + "En"] = en }
        }
        func time(_ object: inout Object, _ key: String, from field: String) {
            guard let text = object[field] as? String else { return }
            words(&object, key) { VietnamDates.spoken(text, language: $0) ?? text }
        }
        func day(_ object: inout Object, _ key: String, from field: String) {
            guard let text = object[field] as? String else { return }
            words(&object, key) { VietnamDates.day(text, language: $0) }
        }
        func code(_ object: Object, _ field: String) -> String { object[field] as? String ?? "" }
        /// Each item of a list, read as it is (`item`) and added to (`out`).
        func each(_ object: inout Object, _ field: String, _ change: (_ item: Object, _ out: inout Object) -> Void) {
            object[field] = (object[field] as? [Object] ?? []).map { item in
                var out = item
                change(item, &out)
                return out
            }
        }

        var view = document
        view["organizationName"] = (document["organization"] as? Object)?["name"] ?? ""
        time(&view, "created", from: "created_at")
        each(&view, "subjects") { subject, out in
            each(&out, "records") { record, out in
                time(&out, "imported", from: "imported_at")
                words(&out, "basis") { Vocabulary.basis(code: code(record, "basis"), $0) }
                let suppressed = code(record, "status") == "suppressed"
                words(&out, "status") {
                    $0 == .vietnamese
                        ? (suppressed ? "đã ngừng liên hệ" : "đang sử dụng")
                        : (suppressed ? "no longer contacted" : "in use")
                }
            }
            each(&out, "consents") { consent, out in
                let withdraw = code(consent, "kind") == "withdraw"
                words(&out, "kind") {
                    $0 == .vietnamese
                        ? (withdraw ? "Rút lại sự đồng ý" : "Đồng ý") : (withdraw ? "Withdrawal" : "Consent")
                }
                words(&out, "channel") { Vocabulary.channel(code: code(consent, "channel"), $0) }
                words(&out, "purpose") { Vocabulary.purpose(code: code(consent, "purpose"), $0) }
                time(&out, "at", from: "at")
            }
            each(&out, "suppressions") { suppression, out in
                words(&out, "channel") { Vocabulary.channel(code: code(suppression, "channel"), $0) }
                words(&out, "purpose") { Vocabulary.purpose(code: code(suppression, "purpose"), $0) }
                time(&out, "since", from: "since")
                time(&out, "lifted", from: "lifted_at")
                let request = suppression["request_id"] as? String
                words(&out, "cause") { language in
                    switch (request, language) {
                    case (let id?, .vietnamese): "Theo yêu cầu \(id) của bạn"
                    case (let id?, .english): "Your request \(id)"
                    case (nil, .vietnamese): "Do công ty ghi nhận (kể cả khi bạn từ chối qua kênh nhắn tin)"
                    case (nil, .english): "Recorded by the company (an opt-out by message included)"
                    }
                }
            }
            words(&out, "dnc") { language in
                let listed = subject["dnc"] as? Bool ?? false
                return language == .vietnamese ? (listed ? "có" : "không") : (listed ? "yes" : "no")
            }
            each(&out, "messages") { message, out in
                words(&out, "channel") { Vocabulary.channel(code: code(message, "channel"), $0) }
                words(&out, "purpose") { Vocabulary.purpose(code: code(message, "purpose"), $0) }
                time(&out, "sent", from: "sent_at")
                let delivered = message["delivered"] as? Bool ?? false
                let planned = message["planned"] as? Bool ?? false
                words(&out, "result") { language in
                    switch (delivered, planned, language) {
                    case (true, _, .vietnamese): "đã gửi"
                    case (true, _, .english): "sent"
                    case (false, true, .vietnamese): "dự kiến gửi"
                    case (false, true, .english): "planned"
                    case (false, false, .vietnamese): "không gửi được"
                    case (false, false, .english): "not delivered"
                    }
                }
            }
        }
        each(&view, "purposes") { purpose, out in
            words(&out, "basis") { Vocabulary.basis(code: code(purpose, "basis"), $0) }
        }
        each(&view, "recipients") { recipient, out in
            time(&out, "notified", from: "notified_at")
            time(&out, "confirmed", from: "confirmed_at")
        }
        each(&view, "retention") { rule, out in
            let citation = rule["citation"] as? String
            words(&out, "text") { Self.retention(code(rule, "data"), citation: citation, $0) }
        }
        each(&view, "requests") { request, out in
            words(&out, "type") { language in
                RequestType(rawValue: code(request, "type")).map { Vocabulary.requestType($0, language) }
            }
            words(&out, "state") { language in
                RequestState(rawValue: code(request, "state")).map { Vocabulary.requestState($0, language) }
            }
            time(&out, "received", from: "received_at")
            time(&out, "closed", from: "closed_at")
            day(&out, "due", from: "due_date")
            each(&out, "steps") { step, out in
                time(&out, "at", from: "at")
                words(&out, "kind") { Vocabulary.event(code(step, "kind"), $0) }
            }
            each(&out, "letters") { letter, out in
                time(&out, "sent", from: "sent_at")
                words(&out, "kind") { Vocabulary.letter(code: code(letter, "kind"), $0) }
                words(&out, "lang") {
                    $0 == .vietnamese
                        ? (code(letter, "lang") == "en" ? "tiếng Anh" : "tiếng Việt")
                        : (code(letter, "lang") == "en" ? "English" : "Vietnamese")
                }
            }
        }
        return view
    }

    /// How long one kind of data is kept, as the person reads it.
    static func retention(_ data: String, citation: String?, _ language: Vocabulary.Language) -> String {
        let vi = language == .vietnamese
        switch data {
        case "lists":
            return vi
                ? "Dữ liệu trong danh sách liên hệ: giữ đến khi bạn yêu cầu xóa, hoặc đến khi công ty xóa danh sách."
                : "Contact list data: kept until you ask for it to be deleted, or the company deletes the list."
        case "messages":
            return vi
                ? "Nhật ký tin nhắn đã gửi: giữ để tính giới hạn số tin và trả lời khiếu nại; xóa cùng dữ liệu của bạn khi bạn yêu cầu xóa."
                : "The log of messages sent: kept to count message limits and answer complaints; deleted with your data when you ask."
        case "refusals":
            return vi
                ? "Việc bạn từ chối nhận quảng cáo: giữ ít nhất 1 năm (Điều 11 khoản 7 Nghị định 91/2020/NĐ-CP), kể cả sau khi xóa dữ liệu, chỉ dưới dạng mã băm không đọc ngược được, để không gửi lại cho bạn."
                : "Your refusal of advertising: kept at least 1 year (\(citation ?? "Decree 91/2020 Art. 11(7)")), even after deletion, only as a hash that cannot be read back, so that you are never sent advertising again."
        case "requests":
            return vi
                ? "Hồ sơ các yêu cầu của bạn: giữ ngày tháng và kết quả làm bằng chứng việc xử lý; tên, địa chỉ và ghi chú bị xóa khi bạn yêu cầu xóa dữ liệu."
                : "The record of your requests: their dates and outcomes are kept as evidence of their handling; names, addresses and notes are erased when you ask for deletion."
        default:
            return data
        }
    }
}

/// Completing an access request, for the command line and the web desk alike: the person's report is produced
/// first (a request closes only once their copy exists), `deliver` puts it where it goes (a folder, a download),
/// and the completion records the report's SHA-256 on the chain.
public enum AccessCompletion {
    public static func complete(
        _ id: String, store: RightsStore, completion: Completion, at: Date, actor: String, now: Date,
        deliver: (AccessReportWriter.Rendered) throws -> Void
    ) throws -> RequestView {
        let detail = try store.request(id)
        guard detail.request.type == .access else {
            throw StoreError.refused("\(id) is a \(detail.request.type.rawValue) request, not an access request")
        }
        // The workflow is checked first, so that no report is made for a request that cannot close.
        guard detail.request.state == .verified else {
            throw StoreError.refused(
                "\(id) is \(detail.request.state.rawValue): an access report is given once the person's identity "
                    + "is verified (request verify)")
        }
        let rendered = try AccessReportWriter.render(try store.accessReport(id, now: now))
        try deliver(rendered)
        var completion = completion
        completion.reportSHA256 = rendered.jsonSHA256
        return try store.completeRequest(id, completion: completion, at: at, actor: actor, now: now)
    }
}
