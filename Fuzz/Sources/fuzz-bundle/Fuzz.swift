import Foundation
import FuzzDriver
import RightsEvidence

/// libFuzzer: the evidence bundle reader and verifier on any file a regulator might be handed (a truncated zip,
/// entries that lie about their sizes, a manifest that is not canonical, a chain that does not link). It must
/// answer intact or name what fails, never crash, hang or inflate without bound. Seeded with real bundles.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let path = FuzzBundleFile.path
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: count)) else { return 0 }
    _ = try? BundleVerifier.verify(bundleAt: path, fingerprint: String(repeating: "0", count: 64))
    _ = try? BundleVerifier.verify(bundleAt: path, fingerprint: nil)
    return 0
}

/// One scratch file per process, reused for every input.
enum FuzzBundleFile {
    static let path = NSTemporaryDirectory() + "rightsdesk-fuzz-bundle-\(getpid()).zip"
}

/// SwiftPM links an executable's entry point as `fuzz_bundle_main`; it hands over to libFuzzer's driver.
@_cdecl("fuzz_bundle_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
