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
            return try json(try store.requests(filter))
        }
        api.get("requests/{id}") { _, context in
            _ = try context.require(.readRequests)
            let id = try context.parameters.require("id")
            guard let detail = try? store.request(id) else { throw Problem.notFound("no request \(id)") }
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
                processors: body.processors ?? false, name: body.name, address: body.address, note: body.note)
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

struct NewRequestBody: Decodable {
    var type: String
    var subjects: [String]
    var channel: String?
    var receivedAt: String?
    var processors: Bool?
    var name: String?
    var address: String?
    var note: String?

    enum CodingKeys: String, CodingKey {
        case type, subjects, channel, processors, name, address, note
        case receivedAt = "received_at"
    }
}

struct SuppressionBody: Decodable {
    var identifier: String
    var channel: String?
    var purpose: String?
    var reason: String
}
