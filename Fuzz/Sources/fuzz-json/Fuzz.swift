import FuzzDriver
import RightsCore

/// libFuzzer: the JSON parser and the one-pass canonical check on any bytes. Whatever parses writes back to a
/// canonical text that parses to the same value, and the one-pass check never calls a text canonical that is not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    if let value = try? JSONValue(parsing: bytes) {
        let canonical = value.canonicalBytes
        guard (try? JSONValue(parsing: canonical)) == value else { fatalError("canonical form does not round-trip") }
        if case .object = value, CanonicalObject(canonical) == nil, !canonical.contains(UInt8(ascii: "\\")) {
            fatalError("a canonical object without escapes was refused by the one-pass check")
        }
    }
    if CanonicalObject(bytes) != nil {
        guard let value = try? JSONValue(parsing: bytes), value.canonicalBytes == bytes else {
            fatalError("the one-pass check accepted a text that is not canonical")
        }
    }
    return 0
}

/// SwiftPM links an executable's entry point as `fuzz_json_main`; it hands over to libFuzzer's driver.
@_cdecl("fuzz_json_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
