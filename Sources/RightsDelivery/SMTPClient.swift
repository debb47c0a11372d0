import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// Where and how to submit mail: `smtp://[user:password@]host:port` (STARTTLS when the server offers it) or
/// `smtps://…` (TLS from the first byte), as `$RIGHTSDESK_SMTP_URL` gives it.
public struct SMTPServer: Sendable, Equatable {
    public enum Security: Sendable, Equatable {
        /// Plain TCP, upgraded with STARTTLS whenever the server offers it.
        case startTLSWhenOffered
        /// TLS from the first byte (port 465).
        case implicitTLS
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var user: String?
    public var password: String?
    /// A PEM file of the certificate authorities to trust instead of the system's (a company's own mail server).
    public var caFile: String?

    public init(
        host: String, port: Int, security: Security, user: String? = nil, password: String? = nil,
        caFile: String? = nil
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.user = user
        self.password = password
        self.caFile = caFile
    }

    /// Reads `smtp://[user:password@]host[:port]` or `smtps://…`; nil with a reason otherwise.
    public static func parse(_ text: String) throws(DeliveryConfigurationError) -> SMTPServer {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
            let host = url.host, !host.isEmpty
        else {
            throw .invalid("RIGHTSDESK_SMTP_URL is not smtp://[user:password@]host:port or smtps://…")
        }
        let security: Security
        switch scheme {
        case "smtp": security = .startTLSWhenOffered
        case "smtps": security = .implicitTLS
        default: throw .invalid("RIGHTSDESK_SMTP_URL must start with smtp:// or smtps://, not \(scheme)://")
        }
        let port = url.port ?? (security == .implicitTLS ? 465 : 25)
        guard (1...65535).contains(port) else { throw .invalid("RIGHTSDESK_SMTP_URL has no valid port") }
        return SMTPServer(
            host: host, port: port, security: security, user: url.user?.removingPercentEncoding,
            password: url.password?.removingPercentEncoding)
    }

    /// Whether the server is this machine, where credentials may cross without TLS.
    var isLoopback: Bool { ["127.0.0.1", "::1", "localhost"].contains(host.lowercased()) }
}

/// Why the configuration of delivery cannot be used.
public enum DeliveryConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): reason
        }
    }
}

/// What the server answered: its code and its text, lines joined.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var lines: [String]

    public var text: String { lines.joined(separator: " ") }
    public var description: String { "\(code) \(text)" }
    var isPositive: Bool { (200..<400).contains(code) }
}

/// Why a message was not accepted. `transient` (a 4xx, a lost connection) is worth trying again later;
/// `permanent` (a 5xx) is not, unless the configuration or the address changes.
public enum SMTPError: Error, Equatable, CustomStringConvertible {
    case transient(String)
    case permanent(String)

    public var description: String {
        switch self {
        case .transient(let reason): reason
        case .permanent(let reason): reason
        }
    }

    public var isTransient: Bool {
        if case .transient = self { return true }
        return false
    }
}

/// A small, strict SMTP submission client (RFC 5321) on SwiftNIO: EHLO, STARTTLS when offered (NIOSSL, the
/// certificate verified), AUTH PLAIN or LOGIN only over TLS or on this machine, one message per connection. Every
/// reply is checked; anything unexpected ends the conversation with a reason.
public struct SMTPClient: Sendable {
    public var server: SMTPServer
    /// The name this client gives in EHLO.
    public var clientName: String
    /// The longest the whole conversation may take.
    public var timeout: Duration

    public init(server: SMTPServer, clientName: String = "rightsdesk.localdomain", timeout: Duration = .seconds(60)) {
        self.server = server
        self.clientName = clientName
        self.timeout = timeout
    }

    /// Sends `message` (a whole RFC 5322 message) from `sender` to `recipients`; returns the server's reply to the
    /// end of DATA ("250 2.0.0 Ok: queued as …").
    public func send(_ message: [UInt8], from sender: String, to recipients: [String]) async throws(SMTPError)
        -> SMTPReply
    {
        guard !recipients.isEmpty else { throw .permanent("no recipient") }
        for address in [sender] + recipients where !Self.isPlausible(address) {
            throw .permanent("\(address.count > 80 ? "an address" : address) is not an email address")
        }
        let server = self.server
        let clientName = self.clientName
        let timeout = self.timeout
        do {
            return try await withThrowingTaskGroup(of: SMTPReply.self) { group in
                group.addTask {
                    try await Self.converse(
                        server: server, clientName: clientName, message: message, sender: sender,
                        recipients: recipients)
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw SMTPError.transient("the mail server did not finish within \(timeout)")
                }
                defer { group.cancelAll() }
                guard let first = try await group.next() else { throw SMTPError.transient("no answer") }
                return first
            }
        } catch let error as SMTPError {
            throw error
        } catch let error as NIOSSLError {
            throw .permanent("TLS with \(server.host) failed: \(error)")
        } catch let error as BoringSSLError {
            throw .permanent("TLS with \(server.host) failed: \(error)")
        } catch is CancellationError {
            throw .transient("cancelled")
        } catch {
            throw .transient("could not talk to \(server.host):\(server.port): \(error)")
        }
    }

    /// An address with one `@`, no spaces, brackets or line breaks: enough to keep a header or a command intact.
    static func isPlausible(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, address.utf8.count <= 254 else { return false }
        return !address.contains { $0.isWhitespace || "<>()[],;:\"\\".contains($0) || $0.isNewline }
    }

    private static func converse(
        server: SMTPServer, clientName: String, message: [UInt8], sender: String, recipients: [String]
    ) async throws -> SMTPReply {
        let tls = try makeTLSContext(server)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(15))
            .connect(host: server.host, port: server.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if server.security == .implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: serverName(server.host)))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var session = Session(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            try await session.expect(220, after: "connecting")
            var extensions = try await session.hello(clientName)
            var secure = server.security == .implicitTLS
            if !secure && extensions.keys.contains("STARTTLS") {
                try await session.command("STARTTLS", expect: 220)
                // Bytes that arrived before the upgrade would be read as if they came over TLS: refuse them.
                guard session.pending.isEmpty else {
                    throw SMTPError.permanent("the server sent data after 220 to STARTTLS (possible injection)")
                }
                let raw = channel.channel
                // EHLO waits for the handshake: written before it, a failed handshake would surface as a write on
                // a closed channel instead of the TLS error that says why.
                try await raw.eventLoop.flatSubmit {
                    let handshake = raw.eventLoop.makePromise(of: Void.self)
                    do {
                        let tlsHandler = try NIOSSLClientHandler(context: tls, serverHostname: serverName(server.host))
                        try raw.pipeline.syncOperations.addHandler(tlsHandler, position: .first)
                        try raw.pipeline.syncOperations.addHandler(
                            HandshakeWatcher(handshake), position: .after(tlsHandler))
                    } catch {
                        handshake.fail(error)
                    }
                    return handshake.futureResult
                }.get()
                secure = true
                extensions = try await session.hello(clientName)
            }
            if let user = server.user {
                guard secure || server.isLoopback else {
                    throw SMTPError.permanent(
                        "\(server.host) offers no STARTTLS: the password is not sent in the clear (use smtps://)")
                }
                try await session.authenticate(user: user, password: server.password ?? "", extensions: extensions)
            }
            let needsUTF8 = ([sender] + recipients).contains { !$0.utf8.allSatisfy { $0 < 0x80 } }
            if needsUTF8 && !extensions.keys.contains("SMTPUTF8") {
                throw SMTPError.permanent("an address is not ASCII and the server does not offer SMTPUTF8")
            }
            if let limit = extensions["SIZE"].flatMap({ Int($0) }), limit > 0, message.count > limit {
                throw SMTPError.permanent("the message (\(message.count) bytes) is larger than the server takes")
            }
            try await session.command("MAIL FROM:<\(sender)>\(needsUTF8 ? " SMTPUTF8" : "")", expect: 250)
            for recipient in recipients { try await session.command("RCPT TO:<\(recipient)>", expect: 250) }
            try await session.command("DATA", expect: 354)
            try await session.write(Self.dataBlock(message))
            let accepted = try await session.expect(250, after: "the message")
            // The message is accepted: a failing QUIT changes nothing.
            _ = try? await session.command("QUIT", expect: 221)
            return accepted
        }
    }

    private static func serverName(_ host: String) -> String? {
        // SNI takes names, not addresses.
        host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? nil : host
    }

    private static func makeTLSContext(_ server: SMTPServer) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let caFile = server.caFile { configuration.trustRoots = .file(caFile) }
        return try NIOSSLContext(configuration: configuration)
    }

    /// The message as DATA sends it: every line ending CRLF, lines starting with "." doubled, then CRLF.CRLF.
    static func dataBlock(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 40 + 5)
        var atLineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            if atLineStart && byte == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            if byte == 0x0A {
                out.append(contentsOf: [0x0D, 0x0A])
                atLineStart = true
            } else if byte == 0x0D {
                out.append(contentsOf: [0x0D, 0x0A])
                if index + 1 < message.count && message[index + 1] == 0x0A { index += 1 }
                atLineStart = true
            } else {
                out.append(byte)
                atLineStart = false
            }
            index += 1
        }
        if !atLineStart { out.append(contentsOf: [0x0D, 0x0A]) }
        out.append(contentsOf: Array(".\r\n".utf8))
        return out
    }

    /// One conversation: replies read line by line from what the server sent.
    struct Session {
        var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        var pending: [UInt8] = []

        init(
            inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
            outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        ) {
            self.inbound = inbound
            self.outbound = outbound
        }

        mutating func write(_ bytes: [UInt8]) async throws {
            try await outbound.write(ByteBuffer(bytes: bytes))
        }

        /// Sends one command line and checks the reply's code.
        @discardableResult
        mutating func command(_ line: String, expect code: Int) async throws -> SMTPReply {
            precondition(!line.contains("\r") && !line.contains("\n"), "a command is one line")
            try await write(Array((line + "\r\n").utf8))
            let verb = line.split(separator: " ").first.map(String.init) ?? line
            return try await expect(code, after: verb.hasPrefix("AUTH") || verb.count > 12 ? "AUTH" : verb)
        }

        /// Reads one reply; a code other than `code` is an error, transient for 4xx and permanent otherwise.
        @discardableResult
        mutating func expect(_ code: Int, after step: String) async throws -> SMTPReply {
            let reply = try await readReply()
            guard reply.code == code else {
                let reason = "the mail server answered \(reply) to \(step)"
                throw (400..<500).contains(reply.code) ? SMTPError.transient(reason) : SMTPError.permanent(reason)
            }
            return reply
        }

        /// EHLO, and the extensions it lists (keyword → parameters).
        mutating func hello(_ name: String) async throws -> [String: String] {
            let reply = try await command("EHLO \(name)", expect: 250)
            var extensions: [String: String] = [:]
            for line in reply.lines.dropFirst() {
                let parts = line.split(separator: " ", maxSplits: 1)
                guard let keyword = parts.first else { continue }
                extensions[keyword.uppercased()] = parts.count > 1 ? String(parts[1]) : ""
            }
            return extensions
        }

        mutating func authenticate(user: String, password: String, extensions: [String: String]) async throws {
            let mechanisms = Set((extensions["AUTH"] ?? "").uppercased().split(separator: " ").map(String.init))
            if mechanisms.contains("PLAIN") {
                let token = Data(([0] + Array(user.utf8) + [0] + Array(password.utf8))).base64EncodedString()
                try await command("AUTH PLAIN \(token)", expect: 235)
            } else if mechanisms.contains("LOGIN") {
                try await command("AUTH LOGIN", expect: 334)
                try await command(Data(user.utf8).base64EncodedString(), expect: 334)
                try await command(Data(password.utf8).base64EncodedString(), expect: 235)
            } else {
                throw SMTPError.permanent("the mail server offers neither AUTH PLAIN nor AUTH LOGIN")
            }
        }

        mutating func readReply() async throws -> SMTPReply {
            var lines: [String] = []
            var code: Int?
            while true {
                let line = try await readLine()
                let bytes = Array(line.utf8)
                guard bytes.count >= 3, let value = Int(String(line.prefix(3))), (200..<600).contains(value) else {
                    throw SMTPError.permanent("the mail server sent a line that is not a reply: \(line.prefix(60))")
                }
                if let code, code != value {
                    throw SMTPError.permanent("a reply changed its code mid-way (\(code), then \(value))")
                }
                code = value
                lines.append(bytes.count > 4 ? String(line.dropFirst(4)) : "")
                if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") { break }
                guard bytes[3] == UInt8(ascii: "-") else {
                    throw SMTPError.permanent("a reply line has no separator after its code: \(line.prefix(60))")
                }
                guard lines.count < 100 else { throw SMTPError.permanent("a reply of more than 100 lines") }
            }
            return SMTPReply(code: code!, lines: lines)
        }

        mutating func readLine() async throws -> String {
            while true {
                if let end = pending.firstIndex(of: 0x0A) {
                    var line = Array(pending[..<end])
                    pending.removeSubrange(...end)
                    if line.last == 0x0D { line.removeLast() }
                    return String(decoding: line, as: UTF8.self)
                }
                guard pending.count <= 4096 else { throw SMTPError.permanent("a reply line longer than 4096 bytes") }
                guard let buffer = try await inbound.next() else {
                    throw SMTPError.transient("the mail server closed the connection")
                }
                pending.append(contentsOf: buffer.readableBytesView)
            }
        }
    }
}

/// Completes its promise when the TLS handshake before it in the pipeline completes, and fails it with the error
/// the handshake raised (or with the channel's closing); passes everything on.
private final class HandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private let promise: EventLoopPromise<Void>
    private var done = false

    init(_ promise: EventLoopPromise<Void>) { self.promise = promise }

    private func finish(_ result: Result<Void, any Error>) {
        guard !done else { return }
        done = true
        promise.completeWith(result)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent { finish(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(SMTPError.transient("the mail server closed the connection during the TLS handshake")))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(SMTPError.transient("the TLS handshake was abandoned")))
    }
}
