import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RightsServer

/// While another process holds the database's write lock past the busy timeout (a long import), a write through
/// the API is a problem that says so and when to try again, never a bare 500, and nothing half-made is left.
@Suite("a busy database")
struct BusyDatabaseTests {
    @Test("an objection filed while another process holds the write lock is 503 with Retry-After, then succeeds")
    func busyIsSaid() async throws {
        // A short busy timeout, so that the test need not outwait the default one.
        let desk = try DeskFixture(busyTimeout: 2)
        // Another process takes the write lock and keeps it for longer than the desk's busy timeout.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            "import sqlite3, sys, time\n"
                + "c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=0)\n"
                + "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); sys.stdin.readline()\n"
                + "c.execute('ROLLBACK')\n",
            desk.installation.store.path,
        ]
        // It holds the lock until told to let go (a line on its standard input), however slow the machine is.
        let out = Pipe()
        let release = Pipe()
        holder.standardOutput = out
        holder.standardInput = release
        try holder.run()
        defer { if holder.isRunning { holder.terminate() } }
        // Its "held" line: the lock is taken.
        #expect(String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).hasPrefix("held"))
        let objection = #"{"type":"objection","subjects":["0912 345 678"],"channel":"zalo"}"#
        try await Application(router: try desk.router()).test(.router) { client in
            try await client.execute(
                uri: "/api/v1/requests", method: .post, headers: desk.headers(.support, json: true),
                body: ByteBuffer(string: objection)
            ) { response in
                #expect(response.status == .serviceUnavailable, "\(String(buffer: response.body))")
                #expect(response.headers[.retryAfter] == "5")
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(String(buffer: response.body).contains("nothing was recorded"))
            }
            release.fileHandleForWriting.write(Data("\n".utf8))
            holder.waitUntilExit()
            try await client.execute(
                uri: "/api/v1/requests", method: .post, headers: desk.headers(.support, json: true),
                body: ByteBuffer(string: objection)
            ) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
            }
        }
    }
}
