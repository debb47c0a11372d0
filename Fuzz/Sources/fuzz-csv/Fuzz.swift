import FuzzDriver
import RightsCore

/// libFuzzer: the CSV reader on any bytes, fed in chunks whose size the input's first byte picks, so that records
/// and multi-byte characters split across chunk boundaries. It may refuse the input; it must not crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    let chunk = max(1, Int(bytes.first ?? 0) % 17 + 1)
    var offset = 0
    let reader = CSVReader(maxRecordBytes: 4096) {
        guard offset < bytes.count else { return nil }
        let end = min(offset + chunk, bytes.count)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
    var record = CSVRecord()
    do {
        while try reader.next(into: &record) {
            for index in 0..<record.count { _ = record.string(at: index) }
        }
    } catch {}
    return 0
}

/// SwiftPM links an executable's entry point as `fuzz_csv_main`; it hands over to libFuzzer's driver.
@_cdecl("fuzz_csv_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
