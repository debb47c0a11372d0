import Foundation

/// Which column of a contact-list file holds which field, decided once from its header row.
public struct ListLayout: Sendable {
    public let headers: [String]
    public let columns: [ListField: Int]

    /// Reads the header; `map` takes a header (folded) to a field for exports whose names we do not know.
    /// Throws when no column identifies a person, since nothing could then be matched or suppressed.
    public init(headers: [String], map: [String: ListField] = [:]) throws(ListLayoutError) {
        self.headers = headers
        var columns: [ListField: Int] = [:]
        let folded = Dictionary(map.map { (ColumnName.fold($0.key), $0.value) }, uniquingKeysWith: { $1 })
        for (index, header) in headers.enumerated() {
            guard let field = folded[ColumnName.fold(header)] ?? ListField(header: header) else { continue }
            if let first = columns[field] {
                throw .repeatedField(field.rawValue, first: headers[first], second: header)
            }
            columns[field] = index
        }
        let unknownMaps = map.keys.filter { key in !headers.contains { ColumnName.fold($0) == ColumnName.fold(key) } }
        if let missing = unknownMaps.sorted().first { throw .unknownMappedHeader(missing, headers: headers) }
        guard columns[.phone] != nil || columns[.email] != nil || columns[.zaloID] != nil else {
            throw .noIdentifierColumn(headers: headers)
        }
        self.columns = columns
    }

    /// The fields of one row, interpreted: identifiers, and a consent when the row records one.
    public func interpret(_ record: CSVRecord, consentChannel: Channel?, zaloOA: String?) -> ListRowResult {
        var primary: Identifier?
        var others: [Identifier] = []
        for field in [ListField.phone, .email, .zaloID] {
            guard let column = columns[field], !record.isEmpty(at: column) else { continue }
            if record.withUTF8(at: column, { $0.allSatisfy { $0 == 0x20 || $0 == 0x09 } }) { continue }
            let text = record.string(at: column)
            let parsed: Identifier
            do {
                switch field {
                case .phone: parsed = try Identifier(phone: text)
                case .email: parsed = try Identifier(email: text)
                default: parsed = try Identifier(zaloColumn: text, oa: zaloOA)
                }
            } catch {
                // The identifier that names the row decides; a bad secondary one is left out of matching only.
                if primary == nil { return .invalid("\(field.rawValue): \(error)") }
                continue
            }
            if primary == nil { primary = parsed } else { others.append(parsed) }
        }
        guard let primary else { return .invalid(IdentifierError.missing.description) }
        var row = ListRow(primary: primary, others: others)
        guard let atColumn = columns[.consentAt], !record.isEmpty(at: atColumn) else { return .valid(row) }
        let consentAt = record.withUTF8(at: atColumn) { Timestamp.parse(bytes: $0.trimmingSpaces()) }
        guard let consentAt else {
            return .invalid(
                "consent_at: \"\(record.string(at: atColumn))\" is not a time (write 2025-08-12T09:15:00+07:00, "
                    + "2025-08-12 or 12/08/2025 09:15)")
        }
        var channels: [Channel] = []
        if let channelColumn = columns[.channel], !record.isEmpty(at: channelColumn) {
            if let fast = record.withUTF8(at: channelColumn, Channel.parseASCIIList) {
                channels = fast
            } else {
                for part in record.string(at: channelColumn).split(whereSeparator: { $0 == ";" || $0 == "," }) {
                    let word = part.trimmingWhitespace()
                    if word.isEmpty { continue }
                    guard let channel = Channel(text: word) else {
                        return .invalid("channel: \"\(word)\" is not one of sms, zalo, email, call")
                    }
                    if !channels.contains(channel) { channels.append(channel) }
                }
            }
        } else if let consentChannel {
            channels = [consentChannel]
        }
        row.consent = ListRow.Consent(
            at: consentAt, channels: channels, method: text(.consentMethod, record),
            text: text(.consentText, record), evidence: text(.consentEvidence, record))
        return .valid(row)
    }

    private func text(_ field: ListField, _ record: CSVRecord) -> String? {
        guard let column = columns[field], !record.isEmpty(at: column) else { return nil }
        return record.string(at: column)
    }
}

/// One row of a contact list, interpreted.
public struct ListRow: Sendable {
    /// The identifier that names the row: phone, else email, else Zalo id. Duplicates are judged on it.
    public var primary: Identifier
    public var others: [Identifier]
    public var consent: Consent?

    /// A marketing consent the row records, per channel; no channel means the file did not say which.
    public struct Consent: Sendable {
        public var at: Date
        public var channels: [Channel]
        public var method: String?
        public var text: String?
        public var evidence: String?
    }

    public var identifiers: [Identifier] { [primary] + others }

    /// The identifier a channel reaches: the phone for SMS and calls, the email for email, the Zalo id (else the
    /// phone, as ZNS addresses people) for Zalo; the row's own identifier when it lacks that kind.
    public func identifier(for channel: Channel) -> Identifier {
        guard let index = identifierIndex(for: channel) else { return primary }
        return others[index]
    }

    /// Where `identifier(for:)` finds its answer: nil for the primary identifier, else an index into `others`.
    /// Lets a caller reuse a hash it already computed for that identifier.
    public func identifierIndex(for channel: Channel) -> Int? {
        func find(_ kind: Identifier.Kind) -> Int?? {
            if primary.kind == kind { return .some(nil) }
            if let index = others.firstIndex(where: { $0.kind == kind }) { return .some(index) }
            return .none
        }
        switch channel {
        case .sms, .call: return find(.phone) ?? nil
        case .email: return find(.email) ?? nil
        case .zalo: return find(.zalo) ?? find(.phone) ?? nil
        }
    }
}

public enum ListRowResult: Sendable {
    case valid(ListRow)
    case invalid(String)
}

/// Why a header row cannot be imported.
public enum ListLayoutError: Error, Sendable, Equatable, CustomStringConvertible {
    case noIdentifierColumn(headers: [String])
    case repeatedField(String, first: String, second: String)
    case unknownMappedHeader(String, headers: [String])

    public var description: String {
        switch self {
        case .noIdentifierColumn(let headers):
            "no identifier column: expected a phone, email or zalo_id column (or --map HEADER=phone); "
                + "the header has \(headers.map { "\"\($0)\"" }.joined(separator: ", "))"
        case .repeatedField(let field, let first, let second):
            "both \"\(first)\" and \"\(second)\" read as \(field); rename one or use --map"
        case .unknownMappedHeader(let header, let headers):
            "--map names \"\(header)\", which is not in the header (\(headers.joined(separator: ", ")))"
        }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// The bytes without leading and trailing ASCII spaces and tabs.
    func trimmingSpaces() -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = count
        while start < end, self[start] == 0x20 || self[start] == 0x09 { start += 1 }
        while end > start, self[end - 1] == 0x20 || self[end - 1] == 0x09 { end -= 1 }
        return UnsafeBufferPointer(rebasing: self[start..<end])
    }
}
