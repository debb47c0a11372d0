import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The pieces the delivery and portal tests run beside the desk: the SMTP sink and the Zalo OA stub of
// Tests/Fixtures, a `rightsdesk serve` on a free port, a small HTTP/1.1 client, and readers for what they record.
// Every process started here is stopped by its owner's `stop()` (called from a `defer`), failure or not.

/// Why a helper could not be started or read; its description is the test's failure message.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum Harness {
    /// `Tests/Fixtures`, beside this folder.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    /// The repository's root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// The virtualenv with aiosmtpd that `scripts/install-deps` makes.
    static let mailPython = root.appendingPathComponent(".venv-mail/bin/python").path

    static let mailFrom = "dpo@vidu.example.vn"

    /// A port on 127.0.0.1 free a moment ago (the kernel's pick for port 0).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, socketStream, 0)
        guard descriptor >= 0 else { throw HarnessError("socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw HarnessError("bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw HarnessError("getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    #if canImport(Glibc)
        static let socketStream = Int32(SOCK_STREAM.rawValue)
    #else
        static let socketStream = SOCK_STREAM
    #endif

    /// Polls `probe` until it gives a value or `timeout` passes; nil then.
    static func eventually<T>(
        timeout: TimeInterval, every interval: Duration = .milliseconds(100), _ probe: () throws -> T?
    ) async throws -> T? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let value = try probe() { return value }
            if Date() >= deadline { return nil }
            try await Task.sleep(for: interval)
        }
    }
}

// MARK: - Processes

/// A helper process with its stdout (and stderr, merged or apart) in files of the test's folder.
final class Background: @unchecked Sendable {
    let name: String
    let process = Process()
    let output: URL
    let errors: URL
    private let handles: [FileHandle]

    init(
        name: String, executable: String, arguments: [String], environment: [String: String]? = nil,
        directory: URL, mergeErrors: Bool = false
    ) throws {
        self.name = name
        output = directory.appendingPathComponent("\(name).out")
        errors = mergeErrors ? output : directory.appendingPathComponent("\(name).err")
        for file in Set([output, errors]) {
            guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
                throw HarnessError("cannot create \(file.path)")
            }
        }
        let out = try FileHandle(forWritingTo: output)
        let err = mergeErrors ? out : try FileHandle(forWritingTo: errors)
        handles = mergeErrors ? [out] : [out, err]
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        do {
            try Background.launch(process)
        } catch {
            throw HarnessError("\(name) did not start (\(executable)): \(error)")
        }
    }

    /// Starts `process` from a thread of its own with no signal blocked. A child inherits the signal mask of the
    /// thread that spawns it, and the threads Swift concurrency runs tests on (libdispatch's workers) block nearly
    /// every signal: a Python fixture started from one never sees SIGTERM (its handlers do not unblock it).
    static func launch(_ process: Process) throws {
        final class Launch: @unchecked Sendable {
            let process: Process
            var error: (any Error)?
            let done = DispatchSemaphore(value: 0)
            init(_ process: Process) { self.process = process }
        }
        let launch = Launch(process)
        let thread = Thread {
            var none = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, nil)
            do { try launch.process.run() } catch { launch.error = error }
            launch.done.signal()
        }
        thread.start()
        launch.done.wait()
        if let error = launch.error { throw error }
    }

    var outputText: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
    var errorText: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

    /// Waits for the `READY <port>` line the fixtures print once they listen.
    func ready(timeout: TimeInterval = 15) async throws -> Int {
        let port = try await Harness.eventually(timeout: timeout, every: .milliseconds(20)) { () -> Int? in
            if let line = outputText.split(separator: "\n").first(where: { $0.hasPrefix("READY ") }),
                let port = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
            {
                return port
            }
            guard process.isRunning else {
                throw HarnessError(
                    "\(name) exited (\(process.terminationStatus)) before READY: \(outputText) \(errorText)")
            }
            return nil
        }
        guard let port else { throw HarnessError("\(name) printed no READY line in \(Int(timeout)) s: \(errorText)") }
        return port
    }

    /// SIGTERM, then SIGKILL after 5 s; waits for the exit. Safe to call twice.
    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        if process.processIdentifier != 0 { process.waitUntilExit() }
        for handle in handles { try? handle.close() }
    }

    deinit { stop() }
}

/// `Tests/Fixtures/smtp-sink.py`: a real SMTP server on loopback that keeps every message it accepts.
final class SMTPSink: @unchecked Sendable {
    let background: Background
    let port: Int
    let directory: URL

    private init(background: Background, port: Int, directory: URL) {
        self.background = background
        self.port = port
        self.directory = directory
    }

    static func start(in folder: URL, failFirst: Int = 0, arguments extra: [String] = []) async throws -> SMTPSink {
        guard FileManager.default.isExecutableFile(atPath: Harness.mailPython) else {
            throw HarnessError(
                "\(Harness.mailPython) is missing: run scripts/install-deps to make the virtualenv with aiosmtpd "
                    + "that the mail tests' SMTP sink needs")
        }
        let directory = folder.appendingPathComponent("mail")
        let background = try Background(
            name: "smtp-sink", executable: Harness.mailPython,
            arguments: [
                Harness.fixtures.appendingPathComponent("smtp-sink.py").path, "--dir", directory.path,
                "--fail-first", String(failFirst),
            ] + extra, directory: folder)
        do {
            return SMTPSink(background: background, port: try await background.ready(), directory: directory)
        } catch {
            background.stop()
            throw error
        }
    }

    /// The delivery settings that send to this sink.
    var environment: [String: String] {
        ["RIGHTSDESK_SMTP_URL": "smtp://127.0.0.1:\(port)", "RIGHTSDESK_MAIL_FROM": Harness.mailFrom]
    }

    /// Every message stored so far, in order (a message counts once its .json is there: the .eml is written first).
    func messages() throws -> [Mail] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return try names.filter { $0.count == 9 && $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map {
            let number = String($0.prefix(4))
            let raw = try Data(contentsOf: directory.appendingPathComponent(number + ".eml"))
            let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent($0)))
            return try Mail(number: number, raw: Array(raw), envelope: meta as? [String: Any] ?? [:])
        }
    }

    func messages(to address: String) throws -> [Mail] { try messages().filter { $0.recipients == [address] } }

    /// Waits until `count` messages to `address` are stored; fails the wait with what is there.
    func waitForMessages(_ count: Int, to address: String, timeout: TimeInterval) async throws -> [Mail] {
        let found = try await Harness.eventually(timeout: timeout) { () -> [Mail]? in
            let mails = try messages(to: address)
            return mails.count >= count ? mails : nil
        }
        guard let found else {
            throw HarnessError(
                "\(count) message(s) to \(address) expected within \(Int(timeout)) s; the sink has "
                    + "\(try messages().map(\.recipients)); sink stderr: \(background.errorText)")
        }
        return found
    }

    func stop() { background.stop() }
}

/// `Tests/Fixtures/zalo-oa-stub.py`: stands in for the Zalo OA message API and logs every call.
final class ZaloStub: @unchecked Sendable {
    let background: Background
    let port: Int
    let log: URL
    let token: String

    private init(background: Background, port: Int, log: URL, token: String) {
        self.background = background
        self.port = port
        self.log = log
        self.token = token
    }

    /// `failUsers`: `USER:CODE`, answered with Zalo's error shape.
    static func start(in folder: URL, token: String, failUsers: [String] = []) async throws -> ZaloStub {
        let log = folder.appendingPathComponent("zalo-requests.jsonl")
        let python = FileManager.default.isExecutableFile(atPath: Harness.mailPython) ? Harness.mailPython : nil
        let background = try Background(
            name: "zalo-oa-stub", executable: python ?? "/usr/bin/env",
            arguments: (python == nil ? ["python3"] : []) + [
                Harness.fixtures.appendingPathComponent("zalo-oa-stub.py").path, "--log", log.path, "--token", token,
            ] + failUsers.flatMap { ["--fail-user", $0] }, directory: folder)
        do {
            return ZaloStub(background: background, port: try await background.ready(), log: log, token: token)
        } catch {
            background.stop()
            throw error
        }
    }

    var environment: [String: String] {
        ["RIGHTSDESK_ZALO_OA_ACCESS_TOKEN": token, "RIGHTSDESK_ZALO_API_BASE": "http://127.0.0.1:\(port)"]
    }

    /// Every call received so far, one JSON object each (written before the stub answers).
    func requests() throws -> [[String: Any]] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map {
            guard let object = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] else {
                throw HarnessError("the stub's log line is not an object: \($0)")
            }
            return object
        }
    }

    /// The calls that posted a message to `user`.
    func messages(to user: String) throws -> [(text: String, call: [String: Any])] {
        try requests().compactMap { call in
            guard let body = call["body"] as? [String: Any],
                (body["recipient"] as? [String: Any])?["user_id"] as? String == user
            else { return nil }
            return ((body["message"] as? [String: Any])?["text"] as? String ?? "", call)
        }
    }

    func stop() { background.stop() }
}

/// `rightsdesk serve` on a free port of 127.0.0.1, its stdout and stderr in one file (the server's log).
final class ServeProcess: @unchecked Sendable {
    let background: Background
    let port: Int

    private init(background: Background, port: Int) {
        self.background = background
        self.port = port
    }

    /// Starts it and waits for `/healthz` to answer 200 (another port if the first was taken meanwhile).
    static func start(_ desk: Desk, environment: [String: String], name: String = "serve") async throws -> ServeProcess
    {
        var failures: [String] = []
        for attempt in 1...3 {
            let port = try Harness.freePort()
            let background = try Background(
                name: "\(name)-\(attempt)", executable: Desk.binary, arguments: ["serve", "--port", String(port)],
                environment: desk.environment(adding: environment), directory: desk.directory, mergeErrors: true)
            let healthy = try await Harness.eventually(timeout: 20, every: .milliseconds(50)) { () -> Bool? in
                if (try? HTTP.request(port: port, "GET", "/healthz", timeout: 2))?.status == 200 { return true }
                return background.process.isRunning ? nil : false
            }
            if healthy == true { return ServeProcess(background: background, port: port) }
            background.stop()
            failures.append("port \(port): \(background.outputText)")
        }
        throw HarnessError("serve did not answer /healthz: \(failures.joined(separator: "; "))")
    }

    /// Everything the server wrote to stdout and stderr so far.
    var log: String { background.outputText }

    func get(_ path: String, cookie: String? = nil) throws -> HTTPAnswer {
        try HTTP.request(port: port, "GET", path, headers: cookie.map { [("Cookie", $0)] } ?? [])
    }

    func postForm(_ path: String, _ fields: [(String, String)], cookie: String?) throws -> HTTPAnswer {
        var headers = [("Content-Type", "application/x-www-form-urlencoded")]
        if let cookie { headers.append(("Cookie", cookie)) }
        return try HTTP.request(port: port, "POST", path, headers: headers, body: Array(HTTP.form(fields).utf8))
    }

    func stop() { background.stop() }
}

// MARK: - HTTP

/// An answer read off the wire.
struct HTTPAnswer {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
}

/// HTTP/1.1 over a plain socket, one request per connection (`Connection: close`): every header is the test's
/// own, cookies included.
enum HTTP {
    static func request(
        port: Int, _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = [],
        timeout: Int = 15
    ) throws -> HTTPAnswer {
        let descriptor = socket(AF_INET, Harness.socketStream, 0)
        guard descriptor >= 0 else { throw HarnessError("socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        var time = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        #if canImport(Darwin)
            var one: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var address = Harness.loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw HarnessError("connect to 127.0.0.1:\(port) failed: errno \(errno)") }

        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { buffer -> Int in
                #if canImport(Glibc)
                    return send(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
                #else
                    return send(descriptor, buffer.baseAddress, buffer.count, 0)
                #endif
            }
            guard count > 0 else { throw HarnessError("send to 127.0.0.1:\(port) failed: errno \(errno)") }
            sent += count
        }

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let answer = try parse(received, complete: false) { return answer }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else {
                throw HarnessError("no answer from 127.0.0.1:\(port)\(path) within \(timeout) s: errno \(errno)")
            }
            received += buffer[0..<count]
        }
        guard let answer = try parse(received, complete: true) else {
            throw HarnessError("incomplete answer from \(path): \(String(decoding: received, as: UTF8.self))")
        }
        return answer
    }

    /// The answer once `bytes` hold all of it: by Content-Length, by the last chunk, or by the end of the stream.
    private static func parse(_ bytes: [UInt8], complete: Bool) throws -> HTTPAnswer? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.indices.dropLast(3).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            return nil
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw HarnessError("not an HTTP status line: \(lines[0])")
        }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let rest = Array(bytes[(end + 4)...])
        var answer = HTTPAnswer(status: status, headers: headers, body: rest)
        if let length = answer.header("Content-Length").flatMap(Int.init) {
            guard rest.count >= length else { return nil }
            answer.body = Array(rest.prefix(length))
            return answer
        }
        if answer.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            var body: [UInt8] = []
            var index = 0
            while true {
                guard
                    let lineEnd = (index..<max(index, rest.count - 1)).first(where: {
                        rest[$0] == 13 && rest[$0 + 1] == 10
                    })
                else { return complete ? answer : nil }
                let sizeText = String(decoding: rest[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                    throw HarnessError("bad chunk size \(sizeText)")
                }
                if size == 0 {
                    answer.body = body
                    return answer
                }
                let start = lineEnd + 2
                guard rest.count >= start + size + 2 else { return complete ? answer : nil }
                body += rest[start..<start + size]
                index = start + size + 2
            }
        }
        return complete ? answer : nil
    }

    /// `application/x-www-form-urlencoded`, every byte outside the unreserved set percent-encoded.
    static func form(_ fields: [(String, String)]) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        func encode(_ text: String) -> String {
            text.utf8.map { unreserved.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }
                .joined()
        }
        return fields.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }
}

// MARK: - Mail

/// A message the sink stored, read as a mail reader would: unfolded headers, RFC 2047 words, MIME parts, base64.
struct Mail {
    var number: String
    var raw: [UInt8]
    var envelope: [String: Any]
    var headers: [(name: String, value: String)]
    /// The decoded text/plain part.
    var text: String
    /// The decoded text/html part, when there is one.
    var html: String?

    init(number: String, raw: [UInt8], envelope: [String: Any]) throws {
        self.number = number
        self.raw = raw
        self.envelope = envelope
        let (headers, body) = try Mail.split(raw)
        self.headers = headers
        let type = headers.first { $0.name.lowercased() == "content-type" }?.value ?? "text/plain"
        if type.lowercased().hasPrefix("multipart/") {
            guard let boundary = Mail.parameter("boundary", of: type) else {
                throw HarnessError("multipart without a boundary in \(number).eml")
            }
            var text: String?
            var html: String?
            for part in Mail.parts(body, boundary: boundary) {
                let (partHeaders, partBody) = try Mail.split(part)
                let partType = partHeaders.first { $0.name.lowercased() == "content-type" }?.value.lowercased() ?? ""
                let decoded = try Mail.decode(partBody, headers: partHeaders, in: number)
                if partType.hasPrefix("text/plain") { text = decoded }
                if partType.hasPrefix("text/html") { html = decoded }
            }
            guard let text else { throw HarnessError("no text/plain part in \(number).eml") }
            self.text = text
            self.html = html
        } else {
            text = try Mail.decode(body, headers: headers, in: number)
            html = nil
        }
    }

    var recipients: [String] { envelope["rcpt_tos"] as? [String] ?? [] }
    var rawText: String { String(decoding: raw, as: UTF8.self) }

    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }

    /// The Subject as a reader shows it.
    var subject: String { Mail.decodeWords(header("Subject") ?? "") }

    /// Headers (unfolded) and body of a message or part.
    static func split(_ bytes: [UInt8]) throws -> ([(name: String, value: String)], [UInt8]) {
        let separator: [UInt8] = [13, 10, 13, 10]
        let end = bytes.indices.dropLast(3).first { Array(bytes[$0..<$0 + 4]) == separator }
        let headerBytes = end.map { bytes[..<$0] } ?? bytes[...]
        let body = end.map { Array(bytes[($0 + 4)...]) } ?? []
        var headers: [(name: String, value: String)] = []
        for line in String(decoding: headerBytes, as: UTF8.self).components(separatedBy: "\r\n") where !line.isEmpty {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append(
                    (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            } else {
                throw HarnessError("not a header line: \(line)")
            }
        }
        return (headers, body)
    }

    static func parameter(_ name: String, of value: String) -> String? {
        for piece in value.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == name {
                return pair[1].hasPrefix("\"") ? String(pair[1].dropFirst().dropLast()) : pair[1]
            }
        }
        return nil
    }

    /// The parts between `--boundary` lines, up to `--boundary--`.
    static func parts(_ body: [UInt8], boundary: String) -> [[UInt8]] {
        let lines = String(decoding: body, as: UTF8.self).components(separatedBy: "\r\n")
        var parts: [[UInt8]] = []
        var current: [String]?
        for line in lines {
            if line == "--" + boundary || line == "--" + boundary + "--" {
                if let current { parts.append(Array(current.joined(separator: "\r\n").utf8)) }
                if line.hasSuffix(boundary + "--") { break }
                current = []
            } else {
                current?.append(line)
            }
        }
        return parts
    }

    /// A body by its Content-Transfer-Encoding, as UTF-8 (which must be valid).
    static func decode(_ body: [UInt8], headers: [(name: String, value: String)], in number: String) throws -> String {
        let encoding = headers.first { $0.name.lowercased() == "content-transfer-encoding" }?.value.lowercased()
        var bytes = body
        if encoding == "base64" {
            let text = String(decoding: body, as: UTF8.self).filter { !$0.isWhitespace }
            guard let data = Data(base64Encoded: text) else { throw HarnessError("bad base64 in \(number).eml") }
            bytes = Array(data)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw HarnessError("the body of \(number).eml is not UTF-8")
        }
        return text
    }

    /// RFC 2047: `=?charset?B|Q?…?=` words decoded; white space between two adjacent words dropped. Each word must
    /// hold whole UTF-8 characters (a word that does not decodes to U+FFFD and shows in the comparison).
    static func decodeWords(_ value: String) -> String {
        let word = #/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/#
        var result = ""
        var rest = Substring(value)
        var lastWasWord = false
        while let match = rest.firstMatch(of: word) {
            let between = rest[rest.startIndex..<match.range.lowerBound]
            if !(lastWasWord && between.allSatisfy(\.isWhitespace)) { result += between }
            let (_, _, encoding, payload) = match.output
            var bytes: [UInt8] = []
            if encoding.uppercased() == "B" {
                bytes = Data(base64Encoded: String(payload)).map(Array.init) ?? Array("\u{FFFD}".utf8)
            } else {
                var index = payload.startIndex
                while index < payload.endIndex {
                    let character = payload[index]
                    if character == "=", let end = payload.index(index, offsetBy: 3, limitedBy: payload.endIndex),
                        let byte = UInt8(payload[payload.index(after: index)..<end], radix: 16)
                    {
                        bytes.append(byte)
                        index = end
                        continue
                    }
                    bytes += character == "_" ? [0x20] : Array(String(character).utf8)
                    index = payload.index(after: index)
                }
            }
            result += String(validating: bytes, as: UTF8.self) ?? "\u{FFFD}"
            rest = rest[match.range.upperBound...]
            lastWasWord = true
        }
        return result + rest
    }
}

// MARK: - The desk, with delivery

extension Desk {
    /// A `--json` command that must succeed, run with `environment`.
    func json(_ arguments: [String], environment: [String: String] = [:]) throws -> [String: Any] {
        let result = try run(arguments + ["--json"], environment: environment)
        #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
        return try result.json()
    }

    /// A request's timeline as (kind, note) pairs, oldest first.
    func events(_ id: String) throws -> [(kind: String, note: String)] {
        let show = try json(["request", "show", id])
        return (show["events"] as? [[String: Any]] ?? []).map {
            ($0["kind"] as? String ?? "", $0["note"] as? String ?? "")
        }
    }

    /// The deliveries `outbox list --json` shows waiting (or given up).
    func outbox() throws -> [[String: Any]] {
        try json(["outbox", "list"])["deliveries"] as? [[String: Any]] ?? []
    }
}

// MARK: - Personal data in logs

/// The items of `personalData` that appear in `log`: text case-insensitively (canonical equivalents match), digit
/// strings (codes, phone numbers, Zalo ids) only as whole numbers, so a timestamp cannot match by chance.
func personalData(in log: String, _ personalData: [String]) -> [String] {
    personalData.filter { datum in
        guard !datum.isEmpty else { return false }
        guard datum.allSatisfy(\.isNumber) else { return log.range(of: datum, options: [.caseInsensitive]) != nil }
        return log.ranges(of: datum).contains { range in
            let before = range.lowerBound == log.startIndex ? nil : log[log.index(before: range.lowerBound)]
            let after = range.upperBound == log.endIndex ? nil : log[range.upperBound]
            return !(before?.isNumber ?? false) && !(after?.isNumber ?? false)
        }
    }
}

/// Fails when any of `personalData` appears in `log` (see `personalData(in:_:)`).
func expectNoPersonalData(
    in log: String, _ data: [String], _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let leaked = personalData(in: log, data)
    #expect(leaked.isEmpty, "\(what) contains personal data \(leaked):\n\(log)", sourceLocation: sourceLocation)
}

/// The harness's own readers, so a log check or a subject comparison cannot pass by reading nothing.
@Suite("delivery harness")
struct DeliveryHarnessTests {
    @Test("the log check finds an address in any case, a decomposed name, and a code only as a whole number")
    func logCheck() {
        #expect(personalData(in: "mail to Thu.Pham@example.vn sent", ["thu.pham@example.vn"]).count == 1)
        #expect(personalData(in: "code 123456.", ["123456"]) == ["123456"])
        #expect(personalData(in: "Pha\u{323}m Thi\u{323} Thu", ["Phạm Thị Thu"]).count == 1)
        #expect(personalData(in: "request id 91234567, 1234567", ["123456"]).isEmpty)
        #expect(personalData(in: "delivered to t***@example.vn", ["thu.pham@example.vn", "thu.pham"]).isEmpty)
    }

    @Test("RFC 2047 words are decoded, B and Q, the folding between adjacent words dropped")
    func encodedWords() {
        #expect(Mail.decodeWords("=?UTF-8?B?Q8O0bmcgdHk=?=\r\n =?UTF-8?Q?_V=C3=AD?= x") == "Công ty Ví x")
        #expect(Mail.decodeWords("plain ASCII") == "plain ASCII")
    }
}
