import Foundation
import RightsCore
import RightsStore

/// The run of audit links a bundle carries in `audit/events.jsonl` (ARCHITECTURE.md invariant 2): every event from
/// the first to the last seq given, the events in scope whole, the others as their `seq`, `prev_hash` and `hash`
/// only, so the chain checks without showing anyone else's events. One canonical JSON object a line, LF endings.
public struct AuditExcerpt: Sendable {
    public static let path = "audit/events.jsonl"

    public let bytes: [UInt8]
    /// The seqs and head hash the manifest's `audit` object states.
    public let range: EvidenceBundle.AuditRange

    /// The excerpt as a bundle file.
    public var file: EvidenceBundle.File { EvidenceBundle.File(path: AuditExcerpt.path, bytes: bytes) }

    /// Builds the excerpt from `events`, which must be contiguous and in seq order (as `RightsStore.auditEvents`
    /// returns them); the range runs from the first to the last of them, so a caller that wants the bundle to end
    /// at the chain's head passes the events up to it. Refuses events whose links or hashes do not check, so that
    /// no bundle is signed over a broken chain, and in-scope seqs outside the events given.
    public init(events: [AuditEvent], inScope: Set<Int64>) throws(EvidenceBundleError) {
        guard let first = events.first, let last = events.last else { throw .noAuditEvents }
        var out: [UInt8] = []
        var previous: AuditEvent?
        for event in events {
            if let previous {
                guard event.seq == previous.seq + 1 else {
                    throw .brokenAuditChain(
                        "seq \(event.seq) follows seq \(previous.seq): the events are not contiguous")
                }
                guard event.prevHash == previous.hash else {
                    throw .brokenAuditChain("seq \(event.seq): prev_hash does not link to seq \(previous.seq)")
                }
            }
            let line: [String: JSONValue]
            if inScope.contains(event.seq) {
                var object = try AuditEventForm.object(of: event)
                guard AuditEventForm.hash(of: object, prevHash: event.prevHash) == event.hash else {
                    throw .brokenAuditChain("seq \(event.seq): its content does not match its hash")
                }
                object["hash"] = .string(Hex.encode(event.hash))
                line = object
            } else {
                line = AuditEventForm.link(seq: event.seq, prevHash: event.prevHash, hash: event.hash)
            }
            JSONValue.object(line).write(into: &out)
            out.append(0x0A)
            previous = event
        }
        if let outside = inScope.filter({ !(first.seq...last.seq).contains($0) }).min() {
            throw .scopeOutsideEvents(outside)
        }
        bytes = out
        range = EvidenceBundle.AuditRange(firstSeq: first.seq, lastSeq: last.seq, headHash: Hex.encode(last.hash))
    }
}

/// The canonical JSON object of one audit event without its `hash`: what the chain hashes (ARCHITECTURE.md
/// invariant 2). The writer and the verifier both build it here so that their forms cannot drift; `AuditEvent`
/// builds the same object for the store, and a test holds the two together on real events.
enum AuditEventForm {
    /// The members of a line that shows only the link of an event outside the bundle's scope.
    static let linkKeys: Set<String> = ["seq", "prev_hash", "hash"]

    static func object(
        seq: Int64, at: String, actor: String, kind: String, payload: JSONValue, subject: String?, pii: [UInt8]?,
        piiSHA256: String?, prevHash: [UInt8]
    ) -> [String: JSONValue] {
        [
            "seq": .int(seq), "at": .string(at), "actor": .string(actor), "kind": .string(kind),
            "payload": payload, "subject": .optional(subject),
            "pii": .optional(pii.map { Data($0).base64EncodedString() }), "pii_sha256": .optional(piiSHA256),
            "prev_hash": .string(Hex.encode(prevHash)),
        ]
    }

    /// The object of a stored event; its payload must be stored in canonical form, as `AuditEvent` requires.
    static func object(of event: AuditEvent) throws(EvidenceBundleError) -> [String: JSONValue] {
        guard let payload = try? JSONValue(parsing: Array(event.payload.utf8)),
            payload.canonicalString == event.payload
        else { throw .brokenAuditChain("seq \(event.seq): its payload is not canonical JSON") }
        return object(
            seq: event.seq, at: event.at, actor: event.actor, kind: event.kind, payload: payload,
            subject: event.subject, pii: event.pii, piiSHA256: event.piiSHA256, prevHash: event.prevHash)
    }

    static func link(seq: Int64, prevHash: [UInt8], hash: [UInt8]) -> [String: JSONValue] {
        ["seq": .int(seq), "prev_hash": .string(Hex.encode(prevHash)), "hash": .string(Hex.encode(hash))]
    }

    /// `SHA-256(prev_hash || canonical bytes)`, prev_hash as 32 raw bytes.
    static func hash(of object: [String: JSONValue], prevHash: [UInt8]) -> [UInt8] {
        Digest.sha256(prevHash + JSONValue.object(object).canonicalBytes)
    }

    /// Checks an `audit/events.jsonl` against the manifest's range: seqs contiguous from `first_seq` to `last_seq`,
    /// every line in the canonical form the writer gives it, each `prev_hash` equal to the previous line's hash,
    /// every whole event's hash recomputed, and the last hash equal to `head_hash`. Throws naming the first line
    /// at fault. The first line's `prev_hash` is the hash of an event outside the bundle: nothing here can check it.
    static func check(_ bytes: [UInt8], against range: EvidenceBundle.AuditRange) throws(BundleFailure) {
        let name = AuditExcerpt.path
        guard !bytes.isEmpty else { throw BundleFailure("\(name) is empty") }
        guard bytes.last == 0x0A else { throw BundleFailure("\(name): the last line does not end with a line feed") }
        var expectedSeq = range.firstSeq
        var previousHash: [UInt8]?
        for (index, line) in bytes.dropLast().split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let lineBytes = Array(line)
            if let hash = intactLine(lineBytes, seq: expectedSeq, lastSeq: range.lastSeq, previousHash: previousHash) {
                previousHash = hash
                expectedSeq += 1
                continue
            }
            // Not shown intact in one pass: parsed, to say what is wrong with it (or, should the pass have been too
            // strict, to accept it).
            guard let value = try? JSONValue(parsing: lineBytes), case .object(let members) = value,
                let seq = members["seq"]?.intValue
            else { throw BundleFailure("\(name) line \(index + 1): not a JSON object with a seq") }
            let place = "\(name) line \(index + 1) (seq \(seq))"
            guard seq == expectedSeq else {
                throw BundleFailure(
                    "\(place): expected seq \(expectedSeq), the seqs must run without gaps or reordering")
            }
            guard seq <= range.lastSeq else {
                throw BundleFailure("\(place): after the manifest's last_seq \(range.lastSeq)")
            }
            guard let prevHash = digest(members["prev_hash"]), let hash = digest(members["hash"]) else {
                throw BundleFailure("\(place): prev_hash and hash must be 64 lower-case hex digits")
            }
            let whole = Set(members.keys) != linkKeys
            if whole { try checkWholeEvent(members, place: place) }
            // Its members checked for type, the line is canonical when it is its own members serialised again.
            guard value.canonicalBytes == lineBytes else {
                throw BundleFailure("\(place): not in the canonical form of an audit event")
            }
            if let previousHash, prevHash != previousHash {
                throw BundleFailure("\(place): prev_hash does not link to seq \(seq - 1)")
            }
            if whole {
                // The event the chain hashed: the line's own members, less its hash.
                var event = members
                event["hash"] = nil
                if AuditEventForm.hash(of: event, prevHash: prevHash) != hash {
                    throw BundleFailure("\(place): its content does not match its hash")
                }
            }
            previousHash = hash
            expectedSeq += 1
        }
        guard expectedSeq - 1 == range.lastSeq else {
            throw BundleFailure(
                "\(name) ends at seq \(expectedSeq - 1), before the manifest's last_seq \(range.lastSeq)")
        }
        guard let previousHash, Hex.encode(previousHash) == range.headHash else {
            throw BundleFailure("\(name): the hash of seq \(range.lastSeq) is not the manifest's head_hash")
        }
    }

    /// The hash of a line shown intact in one pass over its bytes (`CanonicalObject`): canonical, a link or a whole
    /// event with members of the right types, the expected seq, linked to the previous hash, and for a whole event
    /// its hash recomputed over the line less its `"hash":"…",` member (keys sort `actor`, `at`, `hash`, `kind`, …, so
    /// that member is never first or last). Nil when anything is not so: the caller then checks it the slow way.
    private static func intactLine(_ line: [UInt8], seq: Int64, lastSeq: Int64, previousHash: [UInt8]?) -> [UInt8]? {
        guard let object = CanonicalObject(line) else { return nil }
        let keys = Set(object.members.map(\.key))
        let whole = keys == wholeKeys
        guard whole || keys == linkKeys, object.members.count == keys.count,
            object["seq"]?.value == .int(seq), seq <= lastSeq,
            case .string(let prevText?)? = object["prev_hash"]?.value, BundlePath.isDigest(prevText),
            let hashMember = object["hash"], case .string(let hashText?) = hashMember.value,
            BundlePath.isDigest(hashText)
        else { return nil }
        guard let prevHash = Hex.decode(prevText), let hash = Hex.decode(hashText) else { return nil }
        if let previousHash, prevHash != previousHash { return nil }
        guard whole else { return hash }
        for key in ["at", "actor", "kind"] {
            guard case .string? = object[key]?.value else { return nil }
        }
        for key in ["subject", "pii", "pii_sha256"] {
            switch object[key]?.value {
            case .null?: continue
            case .string(let text?)?: if key == "pii" && !isBase64(text) { return nil }
            default: return nil
            }
        }
        let end = hashMember.range.upperBound
        guard end < line.count, line[end] == UInt8(ascii: ",") else { return nil }
        var hashed = prevHash
        hashed.reserveCapacity(prevHash.count + line.count)
        hashed += line[..<hashMember.range.lowerBound]
        hashed += line[(end + 1)...]
        return Digest.sha256(hashed) == hash ? hash : nil
    }

    /// The members of a whole event line, checked for type; members it does not know, or a missing one, make it
    /// neither a whole event nor a link.
    private static func checkWholeEvent(_ members: [String: JSONValue], place: String) throws(BundleFailure) {
        guard members.count == wholeKeys.count, Set(members.keys) == wholeKeys,
            members["at"]?.stringValue != nil, members["actor"]?.stringValue != nil,
            members["kind"]?.stringValue != nil
        else { throw BundleFailure("\(place): neither a whole event nor a link (seq, prev_hash, hash)") }
        guard nullableString(members["subject"]) != nil, let sealed = nullableString(members["pii"]),
            nullableString(members["pii_sha256"]) != nil
        else { throw BundleFailure("\(place): subject, pii and pii_sha256 must each be a string or null") }
        if let sealed, !isBase64(sealed) { throw BundleFailure("\(place): pii is not base64") }
    }

    /// The members of a whole event line: what `object` builds, and its hash.
    static let wholeKeys: Set<String> = [
        "seq", "at", "actor", "kind", "payload", "subject", "pii", "pii_sha256", "prev_hash", "hash",
    ]

    /// Standard base64 with padding, as `Data.base64EncodedString()` writes it.
    private static func isBase64(_ text: String) -> Bool {
        let bytes = text.utf8
        guard bytes.count % 4 == 0 else { return false }
        var padding = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                if padding > 0 { return false }
            case UInt8(ascii: "="): padding += 1
            default: return false
            }
        }
        return padding <= 2
    }

    /// `.some(nil)` for null, `.some(text)` for a string, nil for anything else (a missing member included).
    private static func nullableString(_ value: JSONValue?) -> String?? {
        switch value {
        case .null?: .some(nil)
        case .string(let text)?: .some(text)
        default: nil
        }
    }

    private static func digest(_ value: JSONValue?) -> [UInt8]? {
        guard let text = value?.stringValue, BundlePath.isDigest(text) else { return nil }
        return Hex.decode(text)
    }
}
