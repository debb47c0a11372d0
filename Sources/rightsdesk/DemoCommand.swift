import ArgumentParser
import Foundation
import RightsCore
import RightsEvidence
import RightsSamples
import RightsStore

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a demo installation in DIR, import realistic sample lists and show what to run next.")

    @Option(help: "Where to create the demo (replaces an earlier demo there).") var dir: String = "rightsdesk-demo"
    @OptionGroup var actor: ActorOptions

    static let marker = ".rightsdesk-demo"

    func run() throws {
        try Output.run {
            let fileManager = FileManager.default
            let database = (dir as NSString).appendingPathComponent("rightsdesk.sqlite")
            if fileManager.fileExists(atPath: database) {
                // Only a folder this command made is cleared, never someone's real installation.
                guard fileManager.fileExists(atPath: (dir as NSString).appendingPathComponent(Self.marker)) else {
                    throw CLIError(message: "\(database) exists and is not a demo; choose another --dir")
                }
                Installation.removeFiles(databasePath: database)
            }
            let samples = (dir as NSString).appendingPathComponent("samples")
            try fileManager.createDirectory(atPath: samples, withIntermediateDirectories: true)
            _ = fileManager.createFile(atPath: (dir as NSString).appendingPathComponent(Self.marker), contents: Data())

            let who = actor.resolved
            let installation = try Installation.create(
                databasePath: database, organization: "Công ty TNHH Bán lẻ Sao Mai (demo)", actor: who, now: Date())
            Output.line("RightsDesk demo: Công ty TNHH Bán lẻ Sao Mai")
            Output.line("")
            Output.line("Imported sample contact lists (Vietnamese names, mixed phone formats):")
            for file in DemoFiles.make() {
                let path = (samples as NSString).appendingPathComponent(file.name)
                guard fileManager.createFile(atPath: path, contents: Data(file.bytes)) else {
                    throw FileError.cannotWrite(path, "could not create the file")
                }
                let chunks = try FileChunks(path: path)
                let result = try installation.store.importList(
                    ListImportRequest(
                        list: file.list, fileName: path, source: file.source, consentChannel: file.consentChannel,
                        basis: file.basis),
                    actor: who, at: Date(), chunks: chunks.next)
                Output.line("  \(file.list): \(result.imported) entries from \(result.rows) rows — \(file.describe)")
                Output.line(
                    "    \(result.duplicates) duplicates kept as provenance, \(result.invalid.count) invalid rows, "
                        + "\(result.consents) consents recorded")
                for row in result.invalid.prefix(3) { Output.line("    \(file.name):\(row.line): \(row.reason)") }
            }
            // A morning's requests: a refusal sent by Zalo, an access request taken by phone, a deletion on paper.
            let now = Date()
            let samplesPeople = DemoFiles.samplePeople()
            let requests: [(RequestType, IntakeChannel, Int, String)] = [
                (.objection, .zalo, 0, "Nhắn \"HỦY QC\" qua Zalo OA"),
                (.access, .phone, 1, "Gọi tổng đài, muốn biết công ty giữ dữ liệu gì"),
                (.deletion, .paper, 2, "Phiếu yêu cầu tại cửa hàng Quận 1"),
            ]
            Output.line("")
            Output.line("Logged sample requests:")
            for (offset, (type, channel, person, note)) in requests.enumerated() {
                let received = now.addingTimeInterval(Double(-86400 * (3 - offset)))
                let view = try installation.store.createRequest(
                    NewRequest(
                        type: type, subjects: [try Identifier(phone: samplesPeople[person].phone)], channel: channel,
                        receivedAt: received, name: samplesPeople[person].name, note: note),
                    actor: who, at: now)
                Output.line("  \(view.id)  \(type.rawValue) by \(channel.rawValue), due \(view.dueDate)")
            }
            switch try installation.store.verifyAuditChain() {
            case .intact(let events, let head):
                Output.line("")
                Output.line("Audit chain: \(events) events, intact (head \(head.prefix(16))…)")
            case .broken(let seq, let reason):
                throw CLIError(message: "the demo's audit chain is broken at \(seq): \(reason)")
            }
            let fingerprint = installation.keys.activeSigningKey.fingerprint
            Output.line("Signing key fingerprint: \(fingerprint)")
            Output.line("")
            Output.line("Database: \(database)  (key file: \(KeyFile.path(forDatabase: database)))")
            Output.line("Sample files: \(samples)/")
            Output.line("")
            Output.line("Try next:")
            Output.line("  export RIGHTSDESK_DB=\(database)")
            Output.line("  rightsdesk lists ls")
            Output.line("  rightsdesk lists show khach-hang-than-thiet --json")
            Output.line("  rightsdesk lists export khach-hang-than-thiet --channel sms --out sms-ok.csv")
            Output.line("  rightsdesk request list --due-within 30")
            Output.line(
                "  rightsdesk request letter RQ-\(VietnamTime.date(of: Date()).year)-000001 --kind refusal-confirmation"
            )
            Output.line("  rightsdesk audit verify")
        }
    }
}
