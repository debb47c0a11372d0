import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsStore

struct Evidence: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Signed evidence bundles for a regulator (rightsdesk-evidence/2).",
        subcommands: [Export.self, Verify.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export one request, or every request received in a period, as a signed bundle.")

        @Option(help: "The request to export.") var request: String?
        @Option(help: "First Vietnam date of the period (YYYY-MM-DD).") var from: String?
        @Option(help: "Last Vietnam date of the period, inclusive.") var to: String?
        @Option(help: "Where to write the bundle (.zip).") var out: String
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let result = try Output.run {
                let scope: EvidenceScope
                switch (request, from, to) {
                case (let id?, nil, nil): scope = .request(id)
                case (nil, let from?, let to?):
                    guard let start = LocalDate(from) else {
                        throw CLIError(message: "--from \(from) is not YYYY-MM-DD")
                    }
                    guard let end = LocalDate(to) else { throw CLIError(message: "--to \(to) is not YYYY-MM-DD") }
                    scope = .period(from: start, to: end)
                default:
                    throw CLIError(message: "give either --request ID or both --from DATE and --to DATE")
                }
                let installation = try database.open()
                return try EvidenceExporter(installation: installation).export(
                    scope, to: out, actor: actor.resolved, now: Date())
            }
            if output.json {
                try Output.json(result)
            } else {
                Output.line(
                    "\(result.path): \(result.requests) request(s), audit events \(result.firstSeq)-\(result.lastSeq) "
                        + "(\(result.events) in scope), signed by key \(result.fingerprint)")
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a bundle's signature, every file's hash and the audit links; needs no database.")

        @Argument(help: "The bundle (.zip).") var bundle: String
        @Option(help: "The key fingerprint (hex SHA-256) the company lodged; the bundle must be signed by it.")
        var fingerprint: String?
        @Option(
            name: .customLong("db"),
            help: ArgumentHelp(
                "Without --fingerprint, pin to this installation's keys when its database exists "
                    + "(default: $RIGHTSDESK_DB, else ./rightsdesk.sqlite)."))
        var databasePath: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (verification, trusted) = try Output.run { () -> (BundleVerification, String) in
                if let fingerprint {
                    return (try BundleVerifier.verify(bundleAt: bundle, fingerprint: fingerprint), "pinned")
                }
                let path = databasePath ?? ProcessInfo.processInfo.environment["RIGHTSDESK_DB"] ?? "rightsdesk.sqlite"
                let keyPath = KeyFile.path(forDatabase: path)
                let verification = try BundleVerifier.verify(bundleAt: bundle, fingerprint: nil)
                guard FileManager.default.fileExists(atPath: keyPath),
                    case .intact(let verified) = verification
                else { return (verification, "unpinned") }
                // An installation at hand: the bundle must be signed by one of its keys, old or current.
                let keys = try KeyFile.load(from: keyPath)
                guard keys.signingKeys.contains(where: { $0.fingerprint == verified.fingerprint }) else {
                    return (
                        .failed(
                            "the bundle is signed by key \(verified.fingerprint), which is not a key of the installation "
                                + "at \(path)"), "installation"
                    )
                }
                return (verification, "installation")
            }
            switch verification {
            case .intact(let verified):
                if output.json {
                    try Output.json(
                        BundleVerifyReport(
                            ok: true, fingerprint: verified.fingerprint, trusted: trusted, files: verified.files.count,
                            reason: nil))
                } else {
                    Output.line("OK")
                    switch trusted {
                    case "pinned": Output.line("signed by the pinned key \(verified.fingerprint)")
                    case "installation": Output.line("signed by this installation's key \(verified.fingerprint)")
                    default:
                        Output.line(
                            "signed by key \(verified.fingerprint), trusted as the bundle presents it: compare it with "
                                + "the fingerprint the company lodged, or pass --fingerprint")
                    }
                }
            case .failed(let reason):
                if output.json {
                    try Output.json(
                        BundleVerifyReport(ok: false, fingerprint: nil, trusted: trusted, files: nil, reason: reason))
                }
                Output.error("rightsdesk: the bundle does not verify: \(reason)")
                throw ExitCode(1)
            }
        }
    }
}

struct BundleVerifyReport: Encodable {
    var ok: Bool
    var fingerprint: String?
    var trusted: String
    var files: Int?
    var reason: String?
}

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The installation's signing keys.", subcommands: [Show.self, Rotate.self])

    struct KeyReport: Encodable {
        var fingerprint: String
        var publicKeyPEM: String

        enum CodingKeys: String, CodingKey {
            case fingerprint
            case publicKeyPEM = "public_key_pem"
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the current public key and its fingerprint (the one to lodge with the authority).")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let key = try Output.run { try database.open().keys.activeSigningKey }
            let report = KeyReport(fingerprint: key.fingerprint, publicKeyPEM: key.publicKeyPEM)
            if output.json {
                try Output.json(report)
            } else {
                Output.line("fingerprint: \(report.fingerprint)")
                Output.write(
                    Array((report.publicKeyPEM.hasSuffix("\n") ? report.publicKeyPEM : report.publicKeyPEM + "\n").utf8)
                )
            }
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a new signing key; bundles signed by the old ones stay verifiable.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: ActorOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let report = try Output.run {
                let installation = try database.open()
                let now = Date()
                let old = installation.keys.activeSigningKey
                let rotated = installation.keys.rotated(now: now)
                let new = rotated.activeSigningKey
                // The key file is replaced inside the transaction that records the rotation: if it cannot be
                // written, the chain does not claim a rotation that did not happen.
                try installation.store.perform(actor: actor.resolved, at: now) { _ in
                    try rotated.replace(at: KeyFile.path(forDatabase: database.resolvedPath))
                    let draft = AuditDraft(
                        kind: "keys.rotate",
                        payload: [
                            "previous_fingerprint": .string(old.fingerprint), "fingerprint": .string(new.fingerprint),
                            "keys": .int(rotated.signingKeys.count),
                        ])
                    return ((), draft)
                }
                return KeyReport(fingerprint: new.fingerprint, publicKeyPEM: new.publicKeyPEM)
            }
            if output.json {
                try Output.json(report)
            } else {
                Output.line("new signing key \(report.fingerprint); lodge this fingerprint with the authority")
            }
        }
    }
}
