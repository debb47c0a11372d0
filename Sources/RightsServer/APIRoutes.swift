import Foundation
import Hummingbird
import RightsCore
import RightsStore

/// `/api/v1`: requests, why, suppressions. Each route checks the role matrix first, then calls the store.
struct APIRoutes {
    let server: DeskServer
    var store: RightsStore { server.store }

    func add(to api: RouterGroup<DeskContext>) {
        api.get("requests") { request, context in
            _ = try context.require(.readRequests)
            let query = request.uri.queryParameters
            var filter = RequestFilter(asOf: server.now())
            if let state = query["state"] {
                guard let value = RequestState(rawValue: String(state)) else {
                    throw Problem.badRequest("state must be one of \(RequestState.allCases.map(\.rawValue))")
                }
                filter.state = value
            }
            if let type = query["type"] {
                guard let value = RequestType(rawValue: String(type)) else {
                    throw Problem.badRequest("type must be one of \(RequestType.allCases.map(\.rawValue))")
                }
                filter.type = value
            }
            let chosen = filter
            return try json(try await server.offload { [store] in try store.requests(chosen) })
        }
        api.get("requests/{id}") { _, context in
            _ = try context.require(.readRequests)
            let id = try context.parameters.require("id")
            let detail = try store.request(id)
            return try json(detail)
        }
        api.post("requests") { request, context in
            let body = try await request.decode(as: NewRequestBody.self, context: context)
            guard let type = RequestType(rawValue: body.type) else {
                throw Problem.badRequest("type must be one of \(RequestType.allCases.map(\.rawValue))")
            }
            // Support takes objections on the spot; every other request is an officer's.
            let user = try context.require(type == .objection ? .fileObjection : .manageRequests)
            guard let channel = IntakeChannel(rawValue: body.channel ?? "web") else {
                throw Problem.badRequest("channel must be one of \(IntakeChannel.allCases.map(\.rawValue))")
            }
            guard !body.subjects.isEmpty else { throw Problem.badRequest("subjects: give at least one identifier") }
            var subjects: [Identifier] = []
            for (index, text) in body.subjects.enumerated() {
                do throws(IdentifierError) {
                    subjects.append(try Identifier(parsing: text))
                } catch {
                    throw Problem.badRequest("subjects[\(index)]: \(error.description)")
                }
            }
            let now = server.now()
            var receivedAt = now
            if let text = body.receivedAt {
                guard let date = Timestamp.parse(text) else {
                    throw Problem.badRequest("received_at must be an ISO 8601 time, e.g. 2026-06-01T09:00:00+07:00")
                }
                receivedAt = date
            }
            let new = NewRequest(
                type: type, subjects: subjects, channel: channel, receivedAt: receivedAt,
                processors: body.processors ?? false, name: body.name, address: body.address, note: body.note,
                representative: body.representative, restrictionCondition: body.restrictionCondition,
                evidence: body.evidence)
            let view = try await server.offload { [store] in try store.createRequest(new, actor: user.name, at: now) }
            return try json(view, status: .created)
        }
        api.get("why") { request, context in
            let user = try context.require(.lookUp)
            guard let text = request.uri.queryParameters["id"] else {
                throw Problem.badRequest("give the identifier as ?id=, e.g. ?id=0912345678")
            }
            let identifier: Identifier
            do throws(IdentifierError) {
                identifier = try Identifier(parsing: String(text))
            } catch {
                throw Problem.badRequest("id: \(error.description)")
            }
            let now = server.now()
            server.lookups.record(user: user.name, kind: "why", identifier: identifier, at: now)
            return json(try store.why(identifier, now: now).json)
        }
        api.post("gate") { request, context in
            let user = try context.require(.manageRequests)
            let query = request.uri.queryParameters
            guard let channel = query["channel"].flatMap({ Channel(rawValue: String($0)) }) else {
                throw Problem.badRequest("channel must be one of \(Channel.allCases.map(\.rawValue))")
            }
            guard let purpose = query["purpose"].flatMap({ Purpose(rawValue: String($0)) }) else {
                throw Problem.badRequest("purpose must be one of \(Purpose.allCases.map(\.rawValue))")
            }
            func time(_ name: String) throws -> Date? {
                guard let text = query[Substring(name)] else { return nil }
                guard let date = Timestamp.parse(text) else {
                    throw Problem.badRequest("\(name) must be an ISO 8601 time, e.g. 2026-06-01T09:00:00+07:00")
                }
                return date
            }
            let dryRun: Bool
            switch query["dry_run"].map(String.init) {
            case nil, "false", "0": dryRun = false
            case "true", "1": dryRun = true
            case let other?: throw Problem.badRequest("dry_run must be true or false, not \(other)")
            }
            let now = server.now()
            let (at, until) = (try time("at") ?? now, try time("until"))
            if let until, until < at { throw Problem.badRequest("until is before at: a batch ends after it starts") }
            let gate = GateRequest(
                channel: channel, purpose: purpose, at: at, until: until,
                campaign: query["campaign"].map(String.init), dryRun: dryRun,
                idColumn: query["id_column"].map(String.init), zaloOA: query["zalo_oa"].map(String.init),
                fileName: "the request body")
            let batch: ByteBuffer
            do {
                batch = try await request.body.collect(upTo: Self.batchLimit)
            } catch {
                throw Problem(
                    status: .contentTooLarge, title: "Content Too Large",
                    detail: "a batch is at most \(Self.batchLimit >> 20) MiB; split it")
            }
            let bytes = Array(batch.readableBytesView)
            let outcome = try await server.offload { [store] in
                try GateOutcome.run(gate, batch: bytes, store: store, actor: user.name, now: now)
            }
            return json(outcome.json)
        }
        api.post("suppressions") { request, context in
            let user = try context.require(.manageRequests)
            let body = try await request.decode(as: SuppressionBody.self, context: context)
            let identifier: Identifier
            do throws(IdentifierError) {
                identifier = try Identifier(parsing: body.identifier)
            } catch {
                throw Problem.badRequest("identifier: \(error.description)")
            }
            var channel: Channel?
            if let text = body.channel, text != "any" {
                guard let value = Channel(rawValue: text) else {
                    throw Problem.badRequest("channel must be sms, zalo, email, call or any")
                }
                channel = value
            }
            guard let purpose = SuppressionPurpose(rawValue: body.purpose ?? "marketing") else {
                throw Problem.badRequest("purpose must be marketing or all")
            }
            guard !body.reason.trimmingWhitespace().isEmpty else { throw Problem.badRequest("reason: say why") }
            let (reason, now) = (body.reason, server.now())
            let result = try await server.offload { [store, channel] in
                try store.suppress(
                    [(1, identifier)], invalid: [], channel: channel, purpose: purpose, reason: reason, source: "api",
                    actor: user.name, at: now)
            }
            return try json(result, status: .created)
        }
    }
}

extension APIRoutes {
    /// The largest batch `POST /api/v1/gate` takes in one call.
    static let batchLimit = 256 << 20
}

/// A gate run over a batch posted to the API: the counts of `gate --json`, and the two files as CSV text.
struct GateOutcome: Sendable {
    var result: GateResult
    var clean: [UInt8]
    var excluded: [UInt8]

    static func run(_ gate: GateRequest, batch: [UInt8], store: RightsStore, actor: String, now: Date) throws -> Self {
        final class Sink {
            var bytes: [UInt8] = []
        }
        let (cleanSink, excludedSink) = (Sink(), Sink())
        var clean = CSVWriter(hashing: false) { cleanSink.bytes.append(contentsOf: $0) }
        var excluded = CSVWriter(hashing: false) { excludedSink.bytes.append(contentsOf: $0) }
        var pending: [UInt8]? = batch
        var gate = gate
        gate.sizeHint = batch.count
        let result = try store.runGate(
            gate,
            chunks: {
                defer { pending = nil }
                return pending
            }, clean: &clean, excluded: &excluded,
            actor: actor, at: now)
        return GateOutcome(result: result, clean: cleanSink.bytes, excluded: excludedSink.bytes)
    }

    var json: JSONValue {
        [
            "rows": .int(result.rows), "allowed": .int(result.allowed),
            "excluded": .object(result.excluded.mapValues { .int($0) }), "input_sha256": .string(result.inputSHA256),
            "run": .int(result.run), "clean_csv": .string(String(decoding: clean, as: UTF8.self)),
            "excluded_csv": .string(String(decoding: excluded, as: UTF8.self)),
        ]
    }
}

struct NewRequestBody: Decodable {
    var type: String
    var subjects: [String]
    var channel: String?
    var receivedAt: String?
    var processors: Bool?
    var name: String?
    var address: String?
    var note: String?
    var representative: Representative?
    var restrictionCondition: String?
    var evidence: String?

    enum CodingKeys: String, CodingKey {
        case type, subjects, channel, processors, name, address, note, representative, evidence
        case receivedAt = "received_at"
        case restrictionCondition = "restriction_condition"
    }
}

struct SuppressionBody: Decodable {
    var identifier: String
    var channel: String?
    var purpose: String?
    var reason: String
}
