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
        let html = try EvidenceReport.loadTemplate("access-report").render(view).precomposedStringWithCanonicalMapping
        return Rendered(json: Array(json), html: Array(html.utf8))
    }

    public static func write(_ report: AccessReport, to directory: String) throws -> Written {
        try write(try render(report), to: directory)
    }

    public static func write(_ rendered: Rendered, to directory: String) throws -> Written {
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

    /// Adds the Vietnamese words the page shows beside the document's codes, and flattens `why` into the subject.
    private static func localized(_ document: [String: Any]) -> [String: Any] {
        var view = document
        view["subjects"] = (document["subjects"] as? [[String: Any]] ?? []).map { subject -> [String: Any] in
            var subject = subject
            let why = subject["why"] as? [String: Any] ?? [:]
            subject["suppressions"] = why["suppressions"] ?? []
            subject["dnc"] = why["dnc"] ?? false
            subject["records"] = (subject["records"] as? [[String: Any]] ?? []).map { record -> [String: Any] in
                var record = record
                record["statusVi"] = (record["status"] as? String) == "suppressed" ? "đã ngừng liên hệ" : "đang dùng"
                return record
            }
            subject["consents"] = (subject["consents"] as? [[String: Any]] ?? []).map { consent -> [String: Any] in
                var consent = consent
                consent["kindVi"] = (consent["kind"] as? String) == "withdraw" ? "rút lại đồng ý" : "đồng ý"
                return consent
            }
            return subject
        }
        return view
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
