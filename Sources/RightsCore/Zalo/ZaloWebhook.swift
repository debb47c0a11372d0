import Foundation

// The pure core of `POST /webhooks/zalo` (CONTRACT.md "The web desk", RULES-VN.md section 5): checking Zalo's
// signature, reading the event, and deciding what it means for the person. The server owns the clock, the secret
// and the database; nothing here logs, stores or reads the time.

/// Why a webhook call was refused. Every case is answered with 401 and nothing recorded.
///
/// Descriptions name fields and reasons only — never a user id, an Official Account id or message text — so that
/// they can go to a log as they are: the payload of a refused call is unauthenticated, and that of an accepted one
/// is personal data.
public enum ZaloWebhookError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The desk has no OA secret: with an empty one anyone could sign a call, so nothing is accepted.
    case noSecret
    /// No `X-ZEvent-Signature` header.
    case missingSignature
    /// The header is not `mac=<digest>`.
    case malformedSignature
    /// `mac=` followed by something that is not 64 hexadecimal digits (a SHA-256).
    case badSignatureHex
    /// The body is not JSON this desk reads; `offset` is the byte where reading stopped.
    case unparsableBody(offset: Int)
    /// The body is JSON but not an object.
    case notAnObject
    /// A field the call needs is absent (a path such as `app_id` or `follower.id`).
    case missingField(String)
    /// A field is present but not of the expected shape (for example a `timestamp` that is not milliseconds).
    case invalidField(String)
    /// The signature does not match the body under the desk's OA secret.
    case signatureMismatch
    /// The signed `timestamp` is older than the allowed age; `seconds` is how much older than now it is.
    case staleTimestamp(seconds: Int)
    /// The signed `timestamp` is later than now by more than the allowed age.
    case futureTimestamp(seconds: Int)

    public var description: String {
        switch self {
        case .noSecret: "no Zalo OA secret is configured (RIGHTSDESK_ZALO_OA_SECRET); refusing every webhook call"
        case .missingSignature: "missing X-ZEvent-Signature header"
        case .malformedSignature: "X-ZEvent-Signature is not of the form mac=<hex SHA-256>"
        case .badSignatureHex: "X-ZEvent-Signature mac is not 64 hexadecimal digits"
        case .unparsableBody(let offset): "webhook body is not valid JSON (stopped at byte \(offset))"
        case .notAnObject: "webhook body is not a JSON object"
        case .missingField(let path): "webhook body has no \(path)"
        case .invalidField(let path): "webhook body has an invalid \(path)"
        case .signatureMismatch: "X-ZEvent-Signature does not match the body under the OA secret"
        case .staleTimestamp(let seconds): "webhook timestamp is \(seconds) s in the past, beyond the allowed age"
        case .futureTimestamp(let seconds): "webhook timestamp is \(seconds) s in the future, beyond the allowed age"
        }
    }
}

/// The two fields the signature covers besides the body, as the payload writes them.
private struct SignedFields {
    /// `app_id` exactly as written (a JSON string, or the decimal digits of a JSON integer).
    var appID: String
    /// `timestamp` exactly as written: the mac covers these characters, not a re-rendering of the number.
    var timestampText: String
    /// `timestamp` in milliseconds since 1970.
    var timestamp: Int64

    init(_ json: JSONValue) throws(ZaloWebhookError) {
        guard case .object = json else { throw .notAnObject }
        appID = try SignedFields.text(json["app_id"], field: "app_id")
        guard !appID.isEmpty else { throw .invalidField("app_id") }
        timestampText = try SignedFields.text(json["timestamp"], field: "timestamp")
        // Digits only: `Int64("+1")` would accept a sign, and a sign or a space is not a millisecond count.
        guard !timestampText.isEmpty, timestampText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let milliseconds = Int64(timestampText)
        else { throw .invalidField("timestamp") }
        timestamp = milliseconds
    }

    /// Zalo writes ids and timestamps as strings; an integer is accepted too and concatenated as its digits.
    static func text(_ value: JSONValue?, field: String) throws(ZaloWebhookError) -> String {
        switch value {
        case nil, .null?: throw .missingField(field)
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        default: throw .invalidField(field)
        }
    }
}

/// Parses a body, mapping the parser's error to one that carries only the byte offset: the parser's message may
/// quote a key, and a refused body is unauthenticated text that does not belong in a log.
private func parseBody(_ body: [UInt8]) throws(ZaloWebhookError) -> JSONValue {
    do {
        return try JSONValue(parsing: body)
    } catch {
        throw .unparsableBody(offset: error.offset)
    }
}

/// Zalo's webhook signature: `X-ZEvent-Signature: mac=<hex SHA-256 of app_id + raw body + timestamp + OA secret>`.
///
/// `app_id` and `timestamp` are the payload's own fields, so the body is parsed before the signature can be
/// checked; the raw bytes, not a re-serialisation, are what the digest covers. The timestamp is checked only after
/// the mac, so that "stale" and "future" always describe a call Zalo really signed (a replay or a clock problem),
/// never a forgery.
public enum ZaloSignature {
    /// The header Zalo signs webhook calls with.
    public static let headerName = "X-ZEvent-Signature"

    /// How far a signed timestamp may be from now, either way: five minutes.
    public static let defaultMaxAge: TimeInterval = 300

    /// The 32-byte SHA-256 of `appID + body + timestamp + secret`, each as UTF-8.
    public static func mac(appID: String, body: [UInt8], timestamp: String, secret: String) -> [UInt8] {
        var message: [UInt8] = []
        message.reserveCapacity(appID.utf8.count + body.count + timestamp.utf8.count + secret.utf8.count)
        message.append(contentsOf: appID.utf8)
        message.append(contentsOf: body)
        message.append(contentsOf: timestamp.utf8)
        message.append(contentsOf: secret.utf8)
        return Digest.sha256(message)
    }

    /// The header value Zalo would send for `body`: `mac=` and the lower-case hex digest. For tests and tools that
    /// play Zalo's part.
    public static func header(for body: [UInt8], secret: String) throws(ZaloWebhookError) -> String {
        let fields = try SignedFields(parseBody(body))
        return "mac="
            + Hex.encode(mac(appID: fields.appID, body: body, timestamp: fields.timestampText, secret: secret))
    }

    /// Checks a call: nil when `header` is Zalo's signature of `body` under `secret` and the signed timestamp is
    /// within `maxAge` seconds of `now` (inclusive, either direction); otherwise the first reason it is refused.
    public static func verify(
        body: [UInt8], header: String?, secret: String, now: Date, maxAge: TimeInterval = defaultMaxAge
    ) -> ZaloWebhookError? {
        do {
            try check(body: body, header: header, secret: secret, now: now, maxAge: maxAge)
            return nil
        } catch {
            return error
        }
    }

    /// `verify` as a throwing call.
    public static func check(
        body: [UInt8], header: String?, secret: String, now: Date, maxAge: TimeInterval = defaultMaxAge
    ) throws(ZaloWebhookError) {
        _ = try verifiedFields(body: body, header: header, secret: secret, now: now, maxAge: maxAge)
    }

    /// Checks a call and returns the parsed body, so that a caller going on to read the event parses it once.
    static func verifiedJSON(
        body: [UInt8], header: String?, secret: String, now: Date, maxAge: TimeInterval
    ) throws(ZaloWebhookError) -> JSONValue {
        try verifiedFields(body: body, header: header, secret: secret, now: now, maxAge: maxAge).json
    }

    private static func verifiedFields(
        body: [UInt8], header: String?, secret: String, now: Date, maxAge: TimeInterval
    ) throws(ZaloWebhookError) -> (json: JSONValue, fields: SignedFields) {
        guard !secret.isEmpty else { throw .noSecret }
        let expected = try claimedMac(header)
        let json = try parseBody(body)
        let fields = try SignedFields(json)
        let actual = mac(appID: fields.appID, body: body, timestamp: fields.timestampText, secret: secret)
        guard constantTimeEqual(actual, expected) else { throw .signatureMismatch }
        // In seconds as a Double: exact enough for millisecond timestamps of this era, and no Int64 overflow
        // for an absurd (but signed) timestamp.
        let skew = Double(fields.timestamp) / 1000 - now.timeIntervalSince1970
        if skew > maxAge { throw .futureTimestamp(seconds: Int(min(skew, 1e15))) }
        if -skew > maxAge { throw .staleTimestamp(seconds: Int(min(-skew, 1e15))) }
        return (json, fields)
    }

    /// The 32 bytes the header claims. Surrounding spaces are tolerated (proxies add them); the `mac` label is
    /// matched without case, the digits in either case.
    private static func claimedMac(_ header: String?) throws(ZaloWebhookError) -> [UInt8] {
        guard let header else { throw .missingSignature }
        let value = header.trimmingWhitespace()
        guard !value.isEmpty else { throw .missingSignature }
        guard let equals = value.firstIndex(of: "="), value[..<equals].lowercased() == "mac" else {
            throw .malformedSignature
        }
        let digits = String(value[value.index(after: equals)...])
        guard digits.utf8.count == 64, let bytes = Hex.decode(digits), bytes.count == 32 else {
            throw .badSignatureHex
        }
        return bytes
    }

    /// Compares two digests in time that depends on their length only, so that timing does not reveal how many
    /// leading bytes of a forged mac were right.
    private static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}

/// One Official Account webhook event, read from its body.
///
/// The person is `zalo:<oa_id>:<user id>` (a Zalo user id is different for every Official Account): for
/// `follow`/`unfollow` the user is `follower.id` under the payload's `oa_id`; for a message the user sends
/// (`user_send_*` and the other user-originated events) the user is `sender.id` and the account `recipient.id`.
/// For the events in which the Official Account is the sender (`oa_send_*`, `user_received_message`,
/// `user_seen_message`, per Zalo's documentation), the roles are the other way round, so that the person is never
/// the account itself.
public struct ZaloEvent: Sendable, Hashable, CustomStringConvertible {
    /// What the desk does with an event.
    public enum Action: String, Sendable, Hashable, CaseIterable {
        /// `unfollow`: an opt-out of the account's marketing — suppress Zalo marketing for the person.
        case suppressMarketing
        /// `follow`: recorded as an event. Following an account is not consent to its marketing (consent is per
        /// channel and purpose, RULES-VN.md section 4), so no consent is recorded.
        case recordFollow
        /// A message that is a refusal (`RefusalText.Verdict.refusal`): file an objection to marketing.
        case objection
        /// A message that looks like a refusal without clearly being one (`RefusalText.Verdict.possible`): queue it
        /// for an officer.
        case possibleRefusal
        /// Nothing to do beyond recording the event, if the desk records it.
        case none
    }

    public let eventName: String
    public let appID: String
    /// Milliseconds since 1970, as signed.
    public let timestamp: Int64
    public let oaID: String
    public let userID: String
    /// The text of a message (`message.text`), nil for other events.
    public let text: String?
    /// `message.msg_id`, nil for events that are not messages.
    public let messageID: String?
    /// `zalo:<oa_id>:<user id>`.
    public let person: Identifier

    /// Reads the event from a body. The body should have been verified first: `verified(body:...)` does both.
    public init(body: [UInt8]) throws(ZaloWebhookError) {
        try self.init(json: parseBody(body))
    }

    /// Reads the event from a parsed body.
    public init(json: JSONValue) throws(ZaloWebhookError) {
        let signed = try SignedFields(json)
        guard let name = json["event_name"]?.stringValue else {
            throw json["event_name"] == nil ? .missingField("event_name") : .invalidField("event_name")
        }
        guard !name.isEmpty else { throw .invalidField("event_name") }
        eventName = name
        appID = signed.appID
        timestamp = signed.timestamp

        let oa: String
        let user: String
        if name == "follow" || name == "unfollow" {
            oa = try ZaloEvent.field(json, "oa_id")
            user = try ZaloEvent.field(json, "follower", "id")
        } else if ZaloEvent.isSentByOfficialAccount(name) {
            oa = try ZaloEvent.field(json, "sender", "id")
            user = try ZaloEvent.field(json, "recipient", "id")
        } else {
            oa = try ZaloEvent.field(json, "recipient", "id")
            user = try ZaloEvent.field(json, "sender", "id")
        }
        do {
            person = try Identifier(zaloUser: user, oa: oa)
        } catch {
            // The identifier's own reasons quote no id; the field is named so the log says which one.
            throw .invalidField(name == "follow" || name == "unfollow" ? "follower.id or oa_id" : "sender/recipient id")
        }
        guard case .zalo(let oaValue, let userValue) = person else { throw .invalidField("sender/recipient id") }
        oaID = oaValue
        userID = userValue

        let message = json["message"]
        text = message?["text"]?.stringValue
        if let id = message?["msg_id"], id != .null {
            messageID = try SignedFields.text(id, field: "message.msg_id")
        } else {
            messageID = nil
        }
    }

    /// Verifies the call (`ZaloSignature.check`) and reads its event, parsing the body once.
    public static func verified(
        body: [UInt8], header: String?, secret: String, now: Date,
        maxAge: TimeInterval = ZaloSignature.defaultMaxAge
    ) throws(ZaloWebhookError) -> ZaloEvent {
        try ZaloEvent(
            json: ZaloSignature.verifiedJSON(body: body, header: header, secret: secret, now: now, maxAge: maxAge))
    }

    /// Whether the event is a message the person sent: only their own words can be a refusal, never the
    /// account's (an `oa_send_text` reading "STOP" is the business talking).
    public var isUserMessage: Bool { eventName.hasPrefix("user_send_") }

    /// What the desk does with the event (CONTRACT.md "The web desk").
    public var action: Action {
        switch eventName {
        case "unfollow": return .suppressMarketing
        case "follow": return .recordFollow
        default:
            guard isUserMessage, let text else { return .none }
            switch RefusalText.classify(text) {
            case .refusal: return .objection
            case .possible: return .possibleRefusal
            case .none: return .none
            }
        }
    }

    /// A stable key for replay detection: the lower-case hex SHA-256 of the canonical JSON array
    /// `["zalo-event-v1", app_id, event_name, timestamp, oa_id, user_id, msg_id or null]`.
    ///
    /// Zalo retries a call with the same event, so the same event always gives the same key, however its JSON is
    /// spaced or ordered; a JSON array (not a `|`-joined string) keeps distinct fields from running into each
    /// other. Message text is left out: the message id identifies a message, and the key should not carry a digest
    /// of what someone wrote. Two events of one kind for one person in the same millisecond without a message id
    /// are taken to be the same event.
    public var eventKey: String {
        let fields: [JSONValue] = [
            "zalo-event-v1", .string(appID), .string(eventName), .int(timestamp), .string(oaID), .string(userID),
            .optional(messageID),
        ]
        return Digest.sha256Hex(JSONValue.array(fields).canonicalBytes)
    }

    /// Names the event without the person or the text, so that an event interpolated into a log leaks neither.
    public var description: String { "Zalo \(eventName) event at \(timestamp) ms, key \(eventKey.prefix(16))" }

    private static func isSentByOfficialAccount(_ name: String) -> Bool {
        name.hasPrefix("oa_send_") || name == "user_received_message" || name == "user_seen_message"
    }

    /// A string (or integer) field at `path`, named by its dotted path when absent.
    private static func field(_ json: JSONValue, _ path: String...) throws(ZaloWebhookError) -> String {
        var value: JSONValue? = json
        for key in path { value = value?[key] }
        let text = try SignedFields.text(value, field: path.joined(separator: "."))
        guard !text.isEmpty else { throw .invalidField(path.joined(separator: ".")) }
        return text
    }
}
