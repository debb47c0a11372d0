import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RightsServer

#if canImport(Glibc)
    import Glibc
#endif

/// The live server drops a client that stops halfway through its request's headers, so that hundreds of
/// half-sent requests cannot hold the desk's connections for minutes.
@Suite("connection limits of the live server")
struct ConnectionLimitsTests {
    @Test("a request left half-sent is closed by the server within its idle timeout")
    func halfSentRequestIsDropped() async throws {
        let desk = try DeskFixture()
        let server = DeskServer(installation: desk.installation, zaloSecret: nil)
        let app = try server.makeApplication(host: "127.0.0.1", port: 0)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            #expect(fd >= 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            #expect(connected == 0)
            let partial = Array("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".utf8)
            #expect(partial.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) } == partial.count)
            // Wait for the server to close: a read of 0 bytes. Bounded at twice the timeout.
            var timeout = timeval(tv_sec: 2 * Int(DeskServer.idleTimeout.nanoseconds / 1_000_000_000), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let started = Date()
            var buffer = [UInt8](repeating: 0, count: 256)
            let read = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            let waited = Date().timeIntervalSince(started)
            #expect(read == 0, "the server answered \(read) bytes instead of closing")
            #expect(waited < Double(DeskServer.idleTimeout.nanoseconds) / 1e9 + 5, "closed after \(waited) s")
        }
    }
}
