import Foundation
import Testing

/// Mail to a server that offers STARTTLS: the client upgrades, checks the certificate against the authority it
/// was told to trust, and only then authenticates; with an authority that did not sign the certificate nothing is
/// sent and the password never crosses.
@Suite("STARTTLS, end to end")
struct StartTLSEndToEndTests {
    /// A throwaway authority and a certificate for `localhost` signed by it, made with openssl.
    static func certificates(in folder: URL) throws -> (ca: String, cert: String, key: String, otherCA: String) {
        func openssl(_ arguments: String...) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            process.currentDirectoryURL = folder
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw HarnessError("openssl \(arguments.first ?? "") exited \(process.terminationStatus)")
            }
        }
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(
            to: folder.appendingPathComponent("san.ext"), atomically: true, encoding: .utf8)
        for name in ["ca", "other-ca"] {
            try openssl(
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(name).key", "-out", "\(name).pem",
                "-days", "2", "-subj", "/CN=RightsDesk test \(name)")
        }
        try openssl(
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj",
            "/CN=localhost")
        try openssl(
            "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
            "server.pem", "-days", "2", "-extfile", "san.ext")
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        return (path("ca.pem"), path("server.pem"), path("server.key"), path("other-ca.pem"))
    }

    @Test func aLetterGoesOverSTARTTLSWithTheCertificateVerifiedAndTheLoginAfterTheUpgrade() async throws {
        let desk = try Desk()
        defer { desk.cleanUp() }
        let files = try Self.certificates(in: desk.directory)
        let sink = try await SMTPSink.start(
            in: desk.directory, arguments: ["--tls-cert", files.cert, "--tls-key", files.key])
        defer { sink.stop() }
        let id =
            try json(
                desk, "request", "new", "--type", "objection", "--subject", "lan@example.vn", "--channel", "email")[
                "id"]
            as! String
        var environment = [
            "RIGHTSDESK_SMTP_URL": "smtp://rd:secret@localhost:\(sink.port)", "RIGHTSDESK_MAIL_FROM": Harness.mailFrom,
            "RIGHTSDESK_SMTP_CA_FILE": files.otherCA,
        ]
        // An authority that did not sign the server's certificate: refused, nothing sent, not retried.
        let refused = try desk.run(["request", "ack", id, "--send"], environment: environment)
        #expect(refused.status == 0)
        #expect(refused.stderr.contains("TLS"), "\(refused.stderr)")
        #expect(try sink.messages().isEmpty)
        // The right authority: upgraded, authenticated, delivered.
        environment["RIGHTSDESK_SMTP_CA_FILE"] = files.ca
        let letter = try desk.run(
            ["request", "letter", id, "--kind", "refusal-confirmation", "--send"], environment: environment)
        #expect(letter.status == 0, "\(letter.stderr)")
        #expect(letter.stderr.contains("delivered by mail"), "\(letter.stderr)")
        let mail = try #require(try sink.messages().first)
        #expect(mail.envelope["tls"] as? Bool == true)
        #expect(mail.envelope["auth_login"] as? String == "rd")
        #expect(mail.text.contains("Đây là thông báo duy nhất"))
    }
}
