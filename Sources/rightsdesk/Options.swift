import ArgumentParser
import Foundation
import RightsEvidence

#if canImport(Glibc)
    import Glibc
#endif

/// `--db`, on every subcommand: else `$RIGHTSDESK_DB`, else `./rightsdesk.sqlite`.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "The database (default: $RIGHTSDESK_DB, else ./rightsdesk.sqlite).")
    var path: String?

    var resolvedPath: String {
        path ?? ProcessInfo.processInfo.environment["RIGHTSDESK_DB"] ?? "rightsdesk.sqlite"
    }

    func open() throws -> Installation { try Installation.open(databasePath: resolvedPath) }
}

/// `--actor`, on every command that changes something: recorded on the audit chain.
struct ActorOptions: ParsableArguments {
    @Option(help: "Who is acting, recorded on the audit chain (default: the login name).")
    var actor: String?

    var resolved: String {
        if let actor, !actor.isEmpty { return actor }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }
}

/// `--json`: exactly one JSON document on stdout.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON document on stdout instead of text.")
    var json = false
}
