import Foundation
import GRDB
import RightsCore

/// A person's own request on the public portal, waiting for the one-time code that proves the identifier is theirs.
public struct PortalAttempt: Sendable, Equatable {
    /// Random, unguessable: the portal's second form carries it.
    public var id: String
    /// The six digits sent to the identifier; only their keyed hash is stored.
    public var code: String
    public var expiresAt: Date
}

/// What the portal says to a code.
public enum PortalVerification: Sendable, Equatable {
    /// The request is filed over channel `web`, the identifier verified by the code.
    case filed(RequestView)
    /// Not the code; this many tries remain.
    case wrongCode(remaining: Int)
    /// Five wrong codes, or too old, or unknown: the person asks for a new code.
    case ended
}

/// Why the portal sends no code now.
public enum PortalRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// Too many codes for this identifier or this client address in the last hour (429).
    case tooManyCodes
    case invalid(String)

    public var description: String {
        switch self {
        case .tooManyCodes: "too many codes asked for in the last hour; try again later"
        case .invalid(let reason): reason
        }
    }
}

extension RightsStore {
    /// How long a code lives (CONTRACT.md: 10 minutes).
    public static let portalCodeLifetime: TimeInterval = 10 * 60
    /// Wrong codes that end an attempt.
    public static let portalWrongCodeLimit = 5
    /// Codes per identifier, and per client address, in any hour.
    public static let portalCodesPerIdentifier = 5
    public static let portalCodesPerClient = 20

    /// Starts an attempt and makes its code, unless this identifier or client asked for too many in the last hour.
    /// Nothing says whether the company holds data about the identifier: every identifier gets the same answer.
    public func startPortalAttempt(
        type: RequestType, identifier: Identifier, name: String?, details: String?, client: String, language: String,
        now: Date
    ) throws -> PortalAttempt {
        let subjectHash = hasher.hash(identifier)
        let clientHash = hasher.hash("portal-client:" + client)
        let since = ms(now.addingTimeInterval(-3600))
        return try write { db in
            try Self.purgePortalAttempts(before: now, db)
            let forIdentifier =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM portal_attempts WHERE id_hash = ? AND created_at > ?",
                    arguments: [Data(subjectHash), since]) ?? 0
            let forClient =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM portal_attempts WHERE client_hash = ? AND created_at > ?",
                    arguments: [Data(clientHash), since]) ?? 0
            guard forIdentifier < Self.portalCodesPerIdentifier, forClient < Self.portalCodesPerClient else {
                throw PortalRefusal.tooManyCodes
            }
            var random = SystemRandomNumberGenerator()
            let id = Hex.random(bytes: 16)
            let code = String(format: "%06d", Int.random(in: 0...999_999, using: &random))
            let expires = now.addingTimeInterval(Self.portalCodeLifetime)
            try db.execute(
                sql: """
                    INSERT INTO portal_attempts(id, id_hash, client_hash, type, identifier, name, details, lang,
                        code_hash, expires_at, wrong_codes, state, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'open', ?)
                    """,
                arguments: [
                    id, Data(subjectHash), Data(clientHash), type.rawValue, identifier.normalized, name, details,
                    language, Data(codeHash(id, code)), ms(expires), ms(now),
                ])
            return PortalAttempt(id: id, code: code, expiresAt: expires)
        }
    }

    /// Checks a code: the right one files the request (channel `web`, the identifier verified by `otp-email` or
    /// `otp-sms`) in the same transaction that closes the attempt, so a code files one request at most.
    public func verifyPortalAttempt(_ id: String, code: String, now: Date) throws -> PortalVerification {
        let given = code.filter(\.isNumber)
        // A wrong code is counted in its own transaction: it stays counted though nothing is filed.
        enum Check {
            case right(Row)
            case wrong(remaining: Int)
            case ended
        }
        let check: Check = try write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM portal_attempts WHERE id = ? AND state = 'open'", arguments: [id]),
                (row["expires_at"] as Int64) > ms(now)
            else { return .ended }
            guard given.count == 6, Data(codeHash(id, given)) == (row["code_hash"] as Data) else {
                let wrong = (row["wrong_codes"] as Int) + 1
                let ended = wrong >= Self.portalWrongCodeLimit
                try db.execute(
                    sql: "UPDATE portal_attempts SET wrong_codes = ?, state = ? WHERE id = ?",
                    arguments: [wrong, ended ? "ended" : "open", id])
                return ended ? .ended : .wrong(remaining: Self.portalWrongCodeLimit - wrong)
            }
            return .right(row)
        }
        let row: Row
        switch check {
        case .ended: return .ended
        case .wrong(let remaining): return .wrongCode(remaining: remaining)
        case .right(let found): row = found
        }
        let identifier = try Identifier(parsing: row["identifier"] as String)
        let new = NewRequest(
            type: RequestType(rawValue: row["type"]) ?? .access, subjects: [identifier], channel: .web,
            receivedAt: now, name: row["name"], note: row["details"])
        let method = identifier.kind == .email ? "otp-email" : "otp-sms"
        return try pool.write { db in
            // Another tab may have filed it a moment ago.
            guard
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM portal_attempts WHERE id = ? AND state = 'open'", arguments: [id])
                    == 1
            else { return .ended }
            let (filed, intake) = try createRequest(new, actor: "portal", at: now, db)
            try AuditChain.append(intake, actor: "portal", at: now, in: db, hasher: hasher)
            let (verified, verification) = try verifyRequest(
                filed.id, subject: nil, method: method, at: now, actor: "portal", now: now, db)
            try AuditChain.append(verification, actor: "portal", at: now, in: db, hasher: hasher)
            // The attempt keeps no personal data once the request holds it.
            try db.execute(
                sql: """
                    UPDATE portal_attempts SET state = 'filed', request_id = ?, identifier = NULL, name = NULL,
                        details = NULL
                    WHERE id = ?
                    """, arguments: [filed.id, id])
            return .filed(verified)
        }
    }

    /// The language the person chose for an attempt, for the letters that follow.
    public func portalLanguage(_ id: String) throws -> String? {
        try read { try String.fetchOne($0, sql: "SELECT lang FROM portal_attempts WHERE id = ?", arguments: [id]) }
    }

    private func codeHash(_ id: String, _ code: String) -> [UInt8] {
        hasher.hash("portal-code:" + id + ":" + code)
    }

    /// Clears what expired attempts still hold and deletes those older than a day (`serve` calls it each turn of
    /// its outbox, so nothing lingers when no one uses the portal).
    public func purgePortalAttempts(now: Date) throws {
        try write { db in try Self.purgePortalAttempts(before: now, db) }
    }

    /// Attempts older than a day hold nothing anyone needs: their counters have done their hour, their identifiers
    /// must not linger.
    static func purgePortalAttempts(before now: Date, _ db: Database) throws {
        try db.execute(
            sql: "DELETE FROM portal_attempts WHERE created_at < ?", arguments: [ms(now.addingTimeInterval(-86_400))])
        try db.execute(
            sql: """
                UPDATE portal_attempts SET identifier = NULL, name = NULL, details = NULL
                WHERE state <> 'filed' AND expires_at < ? AND identifier IS NOT NULL
                """, arguments: [ms(now)])
    }
}
