import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends a text to a follower of the company's Zalo Official Account through the OA API v3
/// (`POST {base}/v3.0/oa/message/cs`, header `access_token`, body `{"recipient":{"user_id"},"message":{"text"}}`).
/// Zalo answers HTTP 200 with `{"error": 0, "data": {"message_id"}}` on success and a negative `error` with its
/// `message` otherwise.
public struct ZaloOAClient: Sendable {
    public var accessToken: String
    /// `https://openapi.zalo.me` unless `$RIGHTSDESK_ZALO_API_BASE` says otherwise.
    public var baseURL: String
    public var timeout: TimeAmount

    /// The longest text one OA message takes.
    public static let maximumText = 2000

    public init(accessToken: String, baseURL: String = "https://openapi.zalo.me", timeout: TimeAmount = .seconds(30)) {
        self.accessToken = accessToken
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.timeout = timeout
    }

    /// What Zalo said about one message.
    public enum Outcome: Sendable, Equatable {
        /// Delivered; Zalo's message id.
        case sent(messageID: String)
        /// Refused with Zalo's error code and message (`-213`: the user does not follow the OA).
        case refused(code: Int, message: String)
    }

    /// Why the API could not be asked (no answer, an answer that is not Zalo's): worth trying again later.
    public struct TransportError: Error, CustomStringConvertible {
        public var description: String
    }

    public func send(text: String, toUser userID: String) async throws(TransportError) -> Outcome {
        guard text.count <= Self.maximumText else {
            return .refused(code: -201, message: "the text is longer than \(Self.maximumText) characters")
        }
        var request = HTTPClientRequest(url: baseURL + "/v3.0/oa/message/cs")
        request.method = .POST
        request.headers.add(name: "access_token", value: accessToken)
        request.headers.add(name: "Content-Type", value: "application/json")
        let body: [String: Any] = ["recipient": ["user_id": userID], "message": ["text": text]]
        let data: Data
        do {
            data = try JSONSerialization.data(withJSONObject: body)
        } catch {
            throw TransportError(description: "the message could not be encoded")
        }
        request.body = .bytes(ByteBuffer(bytes: data))
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout)
            bytes = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw TransportError(description: "the Zalo API did not answer: \(error)")
        }
        guard response.status == .ok else {
            throw TransportError(description: "the Zalo API answered HTTP \(response.status.code)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any],
            let code = (object["error"] as? NSNumber)?.intValue
        else {
            throw TransportError(description: "the Zalo API's answer is not its JSON")
        }
        let message = object["message"] as? String ?? ""
        guard code == 0 else { return .refused(code: code, message: message) }
        let messageID = (object["data"] as? [String: Any])?["message_id"] as? String ?? ""
        return .sent(messageID: messageID)
    }
}
