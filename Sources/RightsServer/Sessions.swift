import Foundation
import Hummingbird
import RightsCore
import RightsStore
import Synchronization

/// A signed-in browser of the web desk. Only the user's name is kept: the role and whether the user is still
/// active are read from the store on every request, so `users disable` and `users rotate` sign the user out at
/// their next click.
struct WebSession: Sendable, Equatable {
    var id: String
    var userName: String
    var signedInAt: Date
    /// The token every POST form of this session must carry in its hidden `csrf` field.
    var csrf: String
    var expires: Date
}

/// The desk's sessions, in memory only: a restart signs everyone out, which is the safe way to fail, and no session
/// id is ever written to disk. A session lasts 8 hours from sign-in (a working day), however active it is.
final class SessionStore: Sendable {
    static let cookieName = "rd_session"
    /// The pre-session cookie that carries the login form's CSRF token (double submit: there is no session yet).
    static let loginCookieName = "rd_login"
    static let lifetime: TimeInterval = 8 * 3600

    private let sessions = Mutex<[String: WebSession]>([:])

    /// Starts a session for `userName`, forgetting every expired one on the way (sign-ins are rare enough).
    func create(userName: String, now: Date) -> WebSession {
        let session = WebSession(
            id: Self.randomToken(), userName: userName, signedInAt: now, csrf: Self.randomToken(),
            expires: now.addingTimeInterval(Self.lifetime))
        sessions.withLock { table in
            table = table.filter { $0.value.expires > now }
            table[session.id] = session
        }
        return session
    }

    /// The live session with this id; an expired one is removed and answers nil.
    func session(id: String, now: Date) -> WebSession? {
        sessions.withLock { table in
            guard let session = table[id] else { return nil }
            guard session.expires > now else {
                table[id] = nil
                return nil
            }
            return session
        }
    }

    func end(id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// Whether `user` may go on in `session`: active, and signed in with the token they hold now. A session begun
    /// in the millisecond of a rotation ends too (sign in again), rather than outliving the old token.
    static func admits(_ user: StaffUser, to session: WebSession) -> Bool {
        guard user.name == session.userName, !user.disabled else { return false }
        guard let rotatedAt = user.rotatedAt else { return true }
        return Timestamp.milliseconds(session.signedInAt) > rotatedAt
    }

    /// How many sessions are held (for tests).
    var count: Int { sessions.withLock { $0.count } }

    /// 256 random bits as 64 hex digits, from the system's cryptographic generator.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Compares two secrets in time independent of where they first differ, so a CSRF token cannot be guessed
    /// byte by byte from response times.
    static func constantTimeEqual(_ first: String, _ second: String) -> Bool {
        let left = Array(first.utf8)
        let right = Array(second.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
