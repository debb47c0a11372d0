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

    public static func write(_ report: AccessReport, to directory: String) throws -> Written {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(report) + Data("\n".utf8)
        guard var view = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw EvidenceExportError.template("the access report did not encode as an object")
        }
        view = localized(view)
        let html = try EvidenceReport.loadTemplate("access-report").render(view).precomposedStringWithCanonicalMapping
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let htmlBytes = Array(html.utf8)
        for (name, bytes) in [("access-report.json", Array(json)), ("access-report.html", htmlBytes)] {
            let file = try AtomicFile(path: (directory as NSString).appendingPathComponent(name))
            try file.write(bytes)
            try file.commit()
        }
        return Written(
            directory: directory, jsonSHA256: Digest.sha256Hex(Array(json)), htmlSHA256: Digest.sha256Hex(htmlBytes))
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
