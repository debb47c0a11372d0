import FuzzDriver
import RightsCore

/// libFuzzer: phone, email and Zalo identifier parsing on any text. A parsed identifier parses again to itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    if let phone = try? Identifier(phone: text) {
        guard (try? Identifier(phone: phone.normalized))?.normalized == phone.normalized else {
            fatalError("a normalised phone number does not parse to itself")
        }
    }
    _ = try? Identifier(email: text)
    _ = try? Identifier(parsing: text)
    _ = try? Identifier(zaloColumn: text, oa: "77")
    return 0
}

/// SwiftPM links an executable's entry point as `fuzz_phone_main`; it hands over to libFuzzer's driver.
@_cdecl("fuzz_phone_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
