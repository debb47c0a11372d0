import Foundation
import FuzzDriver
import RightsCore

/// libFuzzer: the Zalo webhook parser, the signature check and the refusal classifier on any body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: count))
    if let event = try? ZaloEvent(body: body), let text = event.text { _ = RefusalText.classify(text) }
    _ = try? ZaloEvent.verified(
        body: body, header: "mac=0000", secret: "example-oa-secret", now: Date(timeIntervalSince1970: 1_764_000_720))
    return 0
}

/// SwiftPM links an executable's entry point as `fuzz_zalo_main`; it hands over to libFuzzer's driver.
@_cdecl("fuzz_zalo_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
