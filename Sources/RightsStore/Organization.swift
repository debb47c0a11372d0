import Foundation
import GRDB
import RightsCore

/// The company as letters, the portal, reports and evidence bundles name it (`rightsdesk org set|show`): the
/// controller's identity a person and an inspector are entitled to (Law 91/2025 Art. 4(1)(b), Decree 356 Art. 5).
public struct Organization: Sendable, Codable, Equatable {
    public var name: String
    public var contact: String?
    public var address: String?
    public var taxCode: String?
    /// The data protection officer or the department in charge (Law 91/2025 Art. 33).
    public var dpo: String?

    enum CodingKeys: String, CodingKey {
        case name, contact, address, dpo
        case taxCode = "tax_code"
    }

    public init(
        name: String, contact: String? = nil, address: String? = nil, taxCode: String? = nil, dpo: String? = nil
    ) {
        self.name = name
        self.contact = contact
        self.address = address
        self.taxCode = taxCode
        self.dpo = dpo
    }

    /// The company on one line for a letter's or a report's header: name, tax code, address.
    public var identityLine: String {
        [name, taxCode.map { "MST \($0)" }, address].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · ")
    }
}

/// The fields `org set` changes; nil leaves a field as it is, an empty text clears it.
public struct OrganizationChange: Sendable {
    public var name: String?
    public var contact: String?
    public var address: String?
    public var taxCode: String?
    public var dpo: String?

    public init(
        name: String? = nil, contact: String? = nil, address: String? = nil, taxCode: String? = nil, dpo: String? = nil
    ) {
        self.name = name
        self.contact = contact
        self.address = address
        self.taxCode = taxCode
        self.dpo = dpo
    }

    var isEmpty: Bool { [name, contact, address, taxCode, dpo].allSatisfy { $0 == nil } }
}

extension RightsStore {
    /// The organisation as recorded.
    public func organizationRecord() throws -> Organization {
        let meta = try meta()
        // `organization` and `contact` are the keys `init` has always written.
        return Organization(
            name: meta["organization"] ?? "", contact: meta["contact"], address: meta["org_address"],
            taxCode: meta["org_tax_code"], dpo: meta["org_dpo"])
    }

    /// Records a change of the organisation's identity, on the audit chain (the company's own data, not a person's).
    public func setOrganization(_ change: OrganizationChange, actor: String, at now: Date) throws -> Organization {
        guard !change.isEmpty else {
            throw StoreError.refused("nothing to change: give --name, --contact, --address, --tax-code or --dpo")
        }
        func clean(_ text: String) -> String {
            text.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
        }
        if let name = change.name, clean(name).isEmpty {
            throw StoreError.refused("the organisation needs a name: --name cannot be empty")
        }
        func digits(_ part: Substring, _ count: Int) -> Bool {
            part.count == count && part.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        }
        if let tax = change.taxCode.map(clean), !tax.isEmpty {
            let parts = tax.split(separator: "-", omittingEmptySubsequences: false)
            guard digits(parts[0], 10), parts.count == 1 || (parts.count == 2 && digits(parts[1], 3)) else {
                throw StoreError.refused(
                    "--tax-code \(tax) is not a Vietnamese tax code (10 digits, or a branch's 0123456789-001)")
            }
        }
        try perform(actor: actor, at: now) { db in
            // The chain names the fields changed; the values are in `meta` (a DPO's name is a person's).
            var changed: [JSONValue] = []
            func put(_ key: String, _ value: String?) throws {
                guard let value else { return }
                let text = clean(value)
                if text.isEmpty {
                    try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [key])
                } else {
                    try db.execute(
                        sql:
                            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        arguments: [key, text])
                }
                changed.append(.string(key == "organization" ? "name" : key.replacingOccurrences(of: "org_", with: "")))
            }
            try put("organization", change.name)
            try put("contact", change.contact)
            try put("org_address", change.address)
            try put("org_tax_code", change.taxCode)
            try put("org_dpo", change.dpo)
            return ((), AuditDraft(kind: "org.set", payload: ["fields": .array(changed)]))
        }
        return try organizationRecord()
    }
}
