import Foundation
import GRDB
import RightsCore

/// A member of staff as the desk knows them; the token itself is never stored.
public struct StaffUser: Sendable, Codable, Equatable {
    public var name: String
    public var role: StaffRole
    public var createdAt: String
    public var disabled: Bool
    /// When the user's token was last replaced (`users rotate`), in milliseconds since 1970; nil for the token
    /// `users add` issued. A web session signed in before it has ended.
    public var rotatedAt: Int64? = nil

    public init(name: String, role: StaffRole, createdAt: String, disabled: Bool, rotatedAt: Int64? = nil) {
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.disabled = disabled
        self.rotatedAt = rotatedAt
    }

    enum CodingKeys: String, CodingKey {
        case name, role, disabled
        case createdAt = "created_at"
    }
}

/// `users add` and `users rotate`: the token, shown once.
public struct IssuedToken: Sendable, Codable {
    public var name: String
    public var role: StaffRole
    public var token: String
}

extension RightsStore {
    /// Adds a member of staff with a new random 256-bit token.
    public func addUser(_ name: String, role: StaffRole, actor: String, now: Date) throws -> IssuedToken {
        let trimmed = name.trimmingWhitespace()
        guard !trimmed.isEmpty, trimmed.count <= 64 else {
            throw StoreError.refused("a user name is 1 to 64 characters")
        }
        let token = Self.newToken()
        return try perform(actor: actor, at: now) { db in
            guard
                try !Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM users WHERE name = ?)"), arguments: [trimmed])!
            else { throw StoreError.refused("a user named \(trimmed) already exists (users rotate gives a new token)") }
            try db.execute(
                sql: "INSERT INTO users(name, role, token_sha256, created_at) VALUES (?, ?, ?, ?)",
                arguments: [trimmed, role.rawValue, Data(Digest.sha256(Array(token.utf8))), ms(now)])
            return (
                IssuedToken(name: trimmed, role: role, token: token),
                AuditDraft(kind: "users.add", payload: ["name": .string(trimmed), "role": .string(role.rawValue)])
            )
        }
    }

    /// Every member of staff, by name.
    public func users() throws -> [StaffUser] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM users ORDER BY name")).map { row in
                StaffUser(
                    name: row["name"], role: StaffRole(rawValue: row["role"]) ?? .support,
                    createdAt: Timestamp.vietnam(Timestamp.date(milliseconds: row["created_at"])),
                    disabled: (row["disabled_at"] as Int64?) != nil, rotatedAt: row["rotated_at"])
            }
        }
    }

    /// Stops a user's token from working; their past actions stay on the chain under their name.
    public func disableUser(_ name: String, actor: String, now: Date) throws {
        try perform(actor: actor, at: now) { db in
            try db.execute(
                sql: "UPDATE users SET disabled_at = ? WHERE name = ? AND disabled_at IS NULL",
                arguments: [ms(now), name])
            guard db.changesCount == 1 else { throw StoreError.refused("no active user named \(name)") }
            return ((), AuditDraft(kind: "users.disable", payload: ["name": .string(name)]))
        }
    }

    /// Replaces a user's token (the old one stops working at once) and enables them again.
    public func rotateUser(_ name: String, actor: String, now: Date) throws -> IssuedToken {
        let token = Self.newToken()
        return try perform(actor: actor, at: now) { db in
            guard
                let role = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT role FROM users WHERE name = ?"), arguments: [name]
                )
                .flatMap(StaffRole.init(rawValue:))
            else { throw StoreError.notFound(.user, name) }
            try db.execute(
                sql: "UPDATE users SET token_sha256 = ?, rotated_at = ?, disabled_at = NULL WHERE name = ?",
                arguments: [Data(Digest.sha256(Array(token.utf8))), ms(now), name])
            return (
                IssuedToken(name: name, role: role, token: token),
                AuditDraft(kind: "users.rotate", payload: ["name": .string(name)])
            )
        }
    }

    /// The active user whose token this is: one indexed read of its SHA-256.
    public func authenticate(token: String) throws -> StaffUser? {
        guard token.utf8.count == 64 else { return nil }
        let digest = Data(Digest.sha256(Array(token.utf8)))
        return try read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM users WHERE token_sha256 = ? AND disabled_at IS NULL"),
                arguments: [digest]
            ).map { row in
                StaffUser(
                    name: row["name"], role: StaffRole(rawValue: row["role"]) ?? .support,
                    createdAt: Timestamp.vietnam(Timestamp.date(milliseconds: row["created_at"])), disabled: false)
            }
        }
    }

    /// Records lookups of personal data by staff, many at once (off the request path).
    public func recordLookups(_ lookups: [(user: String, kind: String, identifier: Identifier?, at: Date)]) throws {
        guard !lookups.isEmpty else { return }
        try pool.write { db in
            let insert = try RawStatement(db, "INSERT INTO lookups(user, kind, id_hash, at) VALUES (?1, ?2, ?3, ?4)")
            for lookup in lookups {
                insert.bind(1, lookup.user)
                insert.bind(2, lookup.kind)
                if let identifier = lookup.identifier {
                    insert.bind(3, blob: hasher.hash(identifier))
                } else {
                    insert.bindNull(3)
                }
                insert.bind(4, ms(lookup.at))
                try insert.run()
            }
        }
    }

    /// 256 random bits as 64 hex digits.
    static func newToken() -> String {
        Hex.random(bytes: 32)
    }
}
