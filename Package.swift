// swift-tools-version:6.1
import Foundation
import PackageDescription

let package = Package(
    name: "RightsDesk",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rightsdesk", targets: ["rightsdesk"]),
        .library(name: "RightsCore", targets: ["RightsCore"]),
        .library(name: "RightsStore", targets: ["RightsStore"]),
        .library(name: "RightsEvidence", targets: ["RightsEvidence"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Named for NIOPosix: the server runs Swift concurrency on NIO's event loops (no thread hop per request).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // /metrics: swift-metrics' counters and timers, exposed by swift-prometheus.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
        // Delivery of letters: STARTTLS for the SMTP client, and the HTTP client for the Zalo OA API.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // The domain, pure: identifiers, CSV reading, rule sets, canonical JSON and the crypto they need.
        // No SQL, no clock, no file system.
        .target(
            name: "RightsCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // SQLite through GRDB: migrations, the audit chain, units of work. The only module that knows SQL.
        .target(
            name: "RightsStore",
            dependencies: [
                "RightsCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The C API, for the bulk-insert loop where GRDB's argument arrays would cost more than SQLite.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                "CRightsSQLite",
                "CRightsMalloc",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // sqlite3_config, which is variadic and so cannot be called from Swift, wrapped in C.
        .systemLibrary(name: "CRightsSQLite", providers: [.apt(["libsqlite3-dev"])]),
        // malloc_trim, which glibc's Swift module does not export: a large import returns freed memory between steps.
        .systemLibrary(name: "CRightsMalloc"),
        // zlib itself, for checking a bundle's deflated entries before ZIPFoundation inflates them (its inflate loop
        // does not stop at the end of a damaged entry's data).
        .systemLibrary(name: "CRightsZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // The installation on disk (database + key file), documents for people: letters, evidence bundles, reports.
        .target(
            name: "RightsEvidence",
            dependencies: [
                "RightsCore", "RightsStore", "RightsTemplates", "CRightsZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        // Letters that reach people: a strict SMTP client on SwiftNIO, the Zalo OA message API, and the outbox that
        // retries what failed.
        .target(
            name: "RightsDelivery",
            dependencies: [
                "RightsCore", "RightsStore", "RightsEvidence",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // Realistic Vietnamese contact data, generated deterministically, for the demo and the benchmarks.
        .target(name: "RightsSamples", dependencies: ["RightsCore"]),
        // Mustache templates (letters, pages, reports) as a resource bundle.
        .target(
            name: "RightsTemplates", path: "Templates",
            resources: [.copy("letters"), .copy("reports"), .copy("api"), .copy("web")]
        ),
        // The web desk and JSON API (Hummingbird 2): routes, auth, the Zalo webhook; calls the same services as the CLI.
        .target(
            name: "RightsServer",
            dependencies: [
                "RightsCore", "RightsStore", "RightsEvidence", "RightsTemplates", "RightsDelivery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The command-line tool: parses arguments, opens the store, calls services.
        .executableTarget(
            name: "rightsdesk",
            dependencies: [
                "RightsCore", "RightsStore", "RightsEvidence", "RightsSamples", "RightsServer", "RightsDelivery",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "RightsCoreTests",
            dependencies: ["RightsCore", "RightsSamples", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "RightsStoreTests",
            dependencies: [
                "RightsStore", "RightsCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "RightsEvidenceTests",
            dependencies: [
                "RightsEvidence", "RightsStore", "RightsCore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "RightsServerTests",
            dependencies: [
                "RightsServer", "RightsStore", "RightsEvidence", "RightsCore",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        // Drives the built `rightsdesk` binary as a user would; depending on it makes `swift test` build it.
        .testTarget(name: "EndToEndTests", dependencies: ["rightsdesk", "RightsCore"], exclude: ["Fixtures"]),
        .testTarget(
            name: "RightsDeliveryTests",
            dependencies: ["RightsDelivery", "RightsStore", "RightsEvidence", "RightsCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Fuzz targets (libFuzzer), only when RIGHTSDESK_FUZZ is set: `scripts/fuzz` builds them with
// `-sanitize=fuzzer,address`, which an ordinary build must not need. Each target reads hostile input with one parser
// of RightsCore and must not crash; their seed corpora are in Fuzz/Corpus.
if ProcessInfo.processInfo.environment["RIGHTSDESK_FUZZ"] != nil {
    package.targets.append(.target(name: "FuzzDriver", path: "Fuzz/Sources/FuzzDriver"))
    for name in ["csv", "json", "phone", "zalo", "bundle"] {
        // The bundle reader lives in RightsEvidence (ZIPFoundation, the canonical JSON and chain checks).
        let library: Target.Dependency = name == "bundle" ? "RightsEvidence" : "RightsCore"
        package.targets.append(
            .executableTarget(
                name: "fuzz-\(name)", dependencies: [library, "FuzzDriver"], path: "Fuzz/Sources/fuzz-\(name)",
                swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
        package.products.append(.executable(name: "fuzz-\(name)", targets: ["fuzz-\(name)"]))
    }
}
