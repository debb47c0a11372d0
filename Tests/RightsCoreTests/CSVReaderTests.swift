import Foundation
import RightsCore
import RightsSamples
import Testing

/// What reading a whole input produced: every record (fields as bytes, line, raw text) and the error, if any.
private struct Outcome: Equatable {
    struct Row: Equatable {
        var line: Int
        var fields: [[UInt8]]
        var raw: [UInt8]
    }

    var rows: [Row] = []
    var error: CSVError?
    var encoding: CSVEncoding?
    var delimiter: UInt8?

    var fieldStrings: [[String]] { rows.map { $0.fields.map { String(decoding: $0, as: UTF8.self) } } }
    var lines: [Int] { rows.map(\.line) }
}

/// A source handing out `bytes` in chunks of `size` (the whole input at once when nil).
private func chunks(_ bytes: [UInt8], size: Int? = nil) -> () throws -> [UInt8]? {
    var offset = 0
    return {
        guard offset < bytes.count else { return nil }
        let end = min(offset + (size ?? bytes.count), bytes.count)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}

private func read(
    _ bytes: [UInt8], chunk: Int? = nil, delimiter: UInt8? = nil, maxRecordBytes: Int = 1 << 20
) -> Outcome {
    read(CSVReader(delimiter: delimiter, maxRecordBytes: maxRecordBytes, source: chunks(bytes, size: chunk)))
}

private func read(_ text: String, chunk: Int? = nil, delimiter: UInt8? = nil) -> Outcome {
    read(Array(text.utf8), chunk: chunk, delimiter: delimiter)
}

private func read(_ reader: CSVReader) -> Outcome {
    var outcome = Outcome()
    var record = CSVRecord()
    do {
        while try reader.next(into: &record) {
            let fields = (0..<record.count).map { i in record.withUTF8(at: i) { Array($0) } }
            outcome.rows.append(.init(line: record.line, fields: fields, raw: Array(record.rawUTF8)))
        }
    } catch {
        outcome.error = error
    }
    outcome.encoding = reader.encoding
    outcome.delimiter = reader.delimiter
    return outcome
}

private func fixture(_ name: String) throws -> [UInt8] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(name)
    return Array(try Data(contentsOf: url))
}

private func utf16(_ text: String, bigEndian: Bool = false, bom: Bool = true) -> [UInt8] {
    var bytes: [UInt8] = bom ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []
    for unit in text.utf16 {
        let pair = [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        bytes += bigEndian ? pair.reversed() : pair
    }
    return bytes
}

/// Byte-exact comparison: `String ==` would also accept a differently normalised spelling of the same text.
private func expectBytes(
    _ actual: [[String]], _ expected: [[String]], sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        actual.map { $0.map { Array($0.utf8) } } == expected.map { $0.map { Array($0.utf8) } },
        sourceLocation: sourceLocation)
}

@Suite("CSVReader")
struct CSVReaderTests {
    // MARK: Fixtures

    @Test("reads an Excel Unicode Text export as tab-separated UTF-16LE with the Vietnamese text byte-exact")
    func readsExcelUnicodeTextExport() throws {
        let outcome = read(try fixture("excel-unicode-text.txt"), chunk: 4096)
        #expect(outcome.error == nil)
        #expect(outcome.encoding == .utf16LE)
        #expect(outcome.delimiter == 0x09)
        expectBytes(
            outcome.fieldStrings,
            [
                ["Số điện thoại", "Họ và tên", "Email", "Ngày đồng ý", "Kênh"],
                ["0912 345 678", "Nguyễn Thị Mai", "mai.nguyen@example.vn", "2025-08-12T09:15:00+07:00", "zalo"],
                ["+84 98 765 4321", "Trần Quốc Toản", "", "2025-08-12T10:02:00+07:00", "sms"],
                ["01662345678", "Lê Thị Hồng Gấm", "gam.le@example.vn", "", ""],
                ["(028) 3823 4567", "Cửa hàng Bến Thành", "", "", ""],
                ["12345", "Số sai", "", "", ""],
                ["091.234.5678", "Nguyễn Thị Mai (trùng)", "", "", ""],
            ])
        #expect(outcome.lines == [1, 2, 3, 4, 5, 6, 7])
    }

    @Test("reads a CRM export with a UTF-8 BOM, semicolons and quoted fields holding `;` and doubled quotes")
    func readsCRMExport() throws {
        let bytes = try fixture("crm-export-semicolon.csv")
        let outcome = read(bytes)
        #expect(outcome.error == nil)
        #expect(outcome.encoding == .utf8WithBOM)
        #expect(outcome.delimiter == UInt8(ascii: ";"))
        expectBytes(
            outcome.fieldStrings,
            [
                ["phone", "name", "consent_at", "consent_method", "consent_text", "hang_thanh_vien"],
                [
                    "0903 123 456", "Phạm Văn Đồng", "2025-05-01T08:00:00+07:00", "web-form",
                    "Tôi đồng ý nhận tin khuyến mãi qua Zalo, tối đa 4 tin/tháng (v3)", "Vàng",
                ],
                [
                    "84987001002", "Võ Nguyên Giáp", "2025-05-02T19:30:00+07:00", "paper",
                    "Phiếu đăng ký tại cửa hàng Q1, mẫu PDK-2025", "Bạc",
                ],
                ["0977 555 666", "Hồ Xuân Hương; chi nhánh Hà Nội", "", "", "", "Thường"],
                [
                    "0933 444 555", "Nguyễn Du \"Tố Như\"", "2025-05-03T11:00:00+07:00", "sms-syntax",
                    "DK KM gửi 8x77", "Kim cương",
                ],
            ])
        #expect(outcome.lines == [1, 2, 3, 4, 5])
        // The raw text is each line of the file as written, quotes kept, without the BOM or the CRLF.
        let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n")
        #expect(outcome.rows.map(\.raw) == lines.filter { !$0.isEmpty }.map { Array($0.utf8) })
    }

    // MARK: Records and fields

    @Test("unescapes quoted fields and keeps everything else exactly as written")
    func unescapesQuotedFields() {
        let outcome = read("a,b,c,d\n\"x\"\"y\",\"\"\"\"\"\",\"\", sp ace \n\"\",,\"a,b\",\" \"\"\"\n")
        #expect(outcome.error == nil)
        expectBytes(
            outcome.fieldStrings, [["a", "b", "c", "d"], ["x\"y", "\"\"", "", " sp ace "], ["", "", "a,b", " \""]])
        #expect(outcome.rows[1].raw == Array("\"x\"\"y\",\"\"\"\"\"\",\"\", sp ace ".utf8))
    }

    @Test("gives field text, bytes, emptiness and raw text through the record's accessors")
    func recordAccessors() throws {
        let reader = CSVReader(source: chunks(Array("name,note\n\"Lê \"\"Bé\"\"\",\n".utf8)))
        var record = CSVRecord()
        #expect(try reader.next(into: &record))
        #expect(try reader.next(into: &record))
        #expect(record.count == 2)
        #expect(record.line == 2)
        #expect(Array(record.string(at: 0).utf8) == Array("Lê \"Bé\"".utf8))
        #expect(record.withUTF8(at: 0) { Array($0) } == Array("Lê \"Bé\"".utf8))
        #expect(Array(record.utf8(at: 0)) == Array("Lê \"Bé\"".utf8))
        #expect(!record.isEmpty(at: 0))
        #expect(record.isEmpty(at: 1))
        #expect(!record.allFieldsEmpty)
        #expect(record.fields == ["Lê \"Bé\"", ""])
        #expect(Array(record.rawUTF8) == Array("\"Lê \"\"Bé\"\"\",".utf8))
        #expect(try !reader.next(into: &record))
        #expect(try !reader.next(into: &record))
    }

    @Test("reuses the record's storage from one row to the next")
    func reusesRecordStorage() throws {
        let text = "id,name\n" + (0..<100).map { "\($0 % 10),Nguyễn Văn An\n" }.joined()
        let reader = CSVReader(source: chunks(Array(text.utf8), size: 64))
        var record = CSVRecord()
        var addresses = Set<UnsafeRawPointer?>()
        while try reader.next(into: &record) {
            if record.line > 2 {
                addresses.insert(record.withUTF8(at: 0) { UnsafeRawPointer($0.baseAddress) })
            }
        }
        #expect(addresses.count == 1)
    }

    @Test("reports rows of empty fields so the caller can decide about spreadsheet leftovers")
    func rowsOfEmptyFields() throws {
        let reader = CSVReader(source: chunks(Array("a;b;c\r\n;;\r\n".utf8)))
        var record = CSVRecord()
        #expect(try reader.next(into: &record))
        #expect(try reader.next(into: &record))
        #expect(record.count == 3)
        #expect(record.allFieldsEmpty)
    }

    // MARK: Lines

    @Test("keeps counting physical lines through embedded newlines in quoted fields")
    func embeddedNewlines() {
        let text = "id,note\r\n1,\"line one\r\nline two\"\r\n2,\"a\nb\rc\"\n3,x"
        let outcome = read(text)
        #expect(outcome.error == nil)
        expectBytes(
            outcome.fieldStrings, [["id", "note"], ["1", "line one\r\nline two"], ["2", "a\nb\rc"], ["3", "x"]])
        #expect(outcome.lines == [1, 2, 4, 7])
        #expect(outcome.rows[1].raw == Array("1,\"line one\r\nline two\"".utf8))
    }

    @Test("accepts CRLF, LF and lone CR line ends, skips blank lines and still counts them")
    func lineEndsAndBlankLines() {
        let outcome = read("\r\n\na,b\r1,2\r\r3,4\n\n\r\n5,6\r\n\r\n")
        #expect(outcome.error == nil)
        expectBytes(outcome.fieldStrings, [["a", "b"], ["1", "2"], ["3", "4"], ["5", "6"]])
        #expect(outcome.lines == [3, 4, 6, 9])
    }

    @Test("reads a final record without a line end, including a trailing empty field")
    func finalRecordWithoutLineEnd() {
        #expect(read("a,b\n1,").fieldStrings == [["a", "b"], ["1", ""]])
        #expect(read("a,b\n1,\"2\"").fieldStrings == [["a", "b"], ["1", "2"]])
        #expect(read("a").fieldStrings == [["a"]])
    }

    // MARK: Encodings

    @Test("strips a UTF-8 BOM and reads BOM-less UTF-8 the same way")
    func utf8ByteOrderMark() {
        let text = "phone,tên\r\n0912,Đức\r\n"
        let withBOM = read([0xEF, 0xBB, 0xBF] + Array(text.utf8))
        let without = read(text)
        #expect(withBOM.encoding == .utf8WithBOM)
        #expect(without.encoding == .utf8)
        #expect(withBOM.rows == without.rows)
        #expect(withBOM.fieldStrings.first == ["phone", "tên"])
    }

    @Test("transcodes UTF-16 LE and BE with BOM, including surrogate pairs, to the same UTF-8")
    func utf16BothByteOrders() {
        let text = "phone\tghi chú\r\n0912\tXin chào 👋 Đà Nẵng\r\n"
        let expected = read(text)
        let little = read(utf16(text))
        let big = read(utf16(text, bigEndian: true))
        #expect(little.encoding == .utf16LE)
        #expect(big.encoding == .utf16BE)
        #expect(little.delimiter == 0x09)
        #expect(little.rows == expected.rows)
        #expect(big.rows == expected.rows)
    }

    @Test("keeps a BOM character that is not at the start of the file")
    func laterByteOrderMarkIsText() {
        #expect(read("a,b\n\u{FEFF}x,y\n").rows[1].fields[0] == [0xEF, 0xBB, 0xBF, 0x78])
    }

    // MARK: Delimiters

    @Test("detects the delimiter as the most frequent of comma, semicolon and tab outside quotes in the header")
    func delimiterDetection() {
        #expect(read("a,b,c\n1,2,3\n").delimiter == UInt8(ascii: ","))
        #expect(read("a;b;c\n1;2;3\n").delimiter == UInt8(ascii: ";"))
        #expect(read("a\tb\tc,d\n1\t2\t3,4\n").delimiter == 0x09)
        #expect(read("\"x,y,z\";b;c\n1;2;3\n").delimiter == UInt8(ascii: ";"))
        #expect(read("\"a\nb,c,d\";e\n1;2\n").delimiter == UInt8(ascii: ";"))
        #expect(read("\n\nphone\n0912\n").delimiter == UInt8(ascii: ","))
        #expect(read("a;b,c\n").delimiter == UInt8(ascii: ","))
        #expect(read("").delimiter == UInt8(ascii: ","))
    }

    @Test("uses a given delimiter instead of detecting one")
    func givenDelimiter() {
        let outcome = read("a,b;c\n1,2;3\n", delimiter: UInt8(ascii: ";"))
        #expect(outcome.delimiter == UInt8(ascii: ";"))
        #expect(outcome.fieldStrings == [["a,b", "c"], ["1,2", "3"]])
    }

    // MARK: Errors

    @Test("rejects a quote inside an unquoted field at its line and column")
    func unexpectedQuote() {
        let outcome = read("a,b\n1,2\nNgô,x\"y\n")
        #expect(outcome.error == CSVError(line: 3, column: 6, kind: .unexpectedQuote))
        #expect(outcome.rows.count == 2)
        #expect(read("a,b\n1, \"2\"\n").error == CSVError(line: 2, column: 4, kind: .unexpectedQuote))
    }

    @Test("rejects text after a closing quote")
    func textAfterClosingQuote() {
        let outcome = read("a,b\n\"x\ny\"z,1\n")
        #expect(outcome.error == CSVError(line: 3, column: 3, kind: .textAfterClosingQuote))
    }

    @Test("reports a quote left open at the end of the file with the line it was opened on")
    func unterminatedQuote() {
        let outcome = read("a,b\n1,2\n3,\"abc\ndef\n\n")
        #expect(outcome.error == CSVError(line: 3, column: 3, kind: .unterminatedQuote(openedAtLine: 3)))
        #expect(outcome.rows.count == 2)
    }

    @Test("rejects a record whose field count differs from the header's, at the line where it starts")
    func wrongFieldCount() {
        #expect(
            read("a,b,c\n1,2,3\n\n4,5\n").error
                == CSVError(line: 4, kind: .wrongFieldCount(expected: 3, found: 2)))
        #expect(
            read("a,b\n\"1\n2\",3,4\n").error == CSVError(line: 2, kind: .wrongFieldCount(expected: 2, found: 3)))
    }

    @Test("stops at an over-long record without reading the rest of the file")
    func recordTooLong() {
        var handedOut = 0
        var chunksLeft = 160  // 10 MB in 64 KiB chunks, one line
        let reader = CSVReader(maxRecordBytes: 1 << 20) {
            if handedOut == 0 {
                handedOut = 8
                return Array("a,b\r\n1,".utf8)
            }
            guard chunksLeft > 0 else { return nil }
            chunksLeft -= 1
            handedOut += 1 << 16
            return [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 16)
        }
        let outcome = read(reader)
        #expect(outcome.error == CSVError(line: 2, kind: .recordTooLong(limit: 1 << 20)))
        #expect(outcome.rows.count == 1)
        #expect(handedOut < (1 << 20) + (1 << 17))
    }

    @Test("stops at a runaway unterminated quote as an over-long record at the quote's line")
    func runawayQuote() {
        let text = "a,b\n1,2\n3,\"oops\n" + String(repeating: "4,5\n", count: 1000)
        let outcome = read(Array(text.utf8), chunk: 100, maxRecordBytes: 1000)
        #expect(outcome.error == CSVError(line: 3, kind: .recordTooLong(limit: 1000)))
        #expect(outcome.error?.description.contains("quote") == true)
    }

    @Test("rejects Latin-1 or Windows-1258 bytes as invalid UTF-8 with the line and a hint to re-save")
    func invalidUTF8() {
        let latin1: [UInt8] = Array("phone,name\n0912,An\n0913,Nguy".utf8) + [0xEA] + Array("n\n".utf8)
        let outcome = read(latin1)
        #expect(outcome.error == CSVError(line: 3, column: 10, kind: .invalidUTF8))
        #expect(outcome.rows.count == 2)
        let message = outcome.error?.description ?? ""
        #expect(message.hasPrefix("line 3, column 10: "))
        #expect(message.contains("CSV UTF-8") && message.contains("Unicode Text"))
        // Windows-1258 "Việt" has a combining-tone byte 0xF2 that starts no valid UTF-8 sequence here.
        let cp1258: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a\n\"x\nVi".utf8) + [0xEA, 0xF2] + Array("t\"\n".utf8)
        #expect(read(cp1258).error == CSVError(line: 3, column: 3, kind: .invalidUTF8))
        // Overlong forms, surrogates and truncated sequences are not UTF-8 either.
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE1, 0x80]] {
            #expect(read(Array("a\n".utf8) + bad).error == CSVError(line: 2, column: 1, kind: .invalidUTF8))
        }
    }

    @Test("reports invalid UTF-8 rather than a quote error it caused")
    func invalidUTF8BeforeStructuralError() {
        let bytes: [UInt8] = Array("a,b\nx".utf8) + [0xE9] + Array("\"y,z\n".utf8)
        #expect(read(bytes).error == CSVError(line: 2, column: 2, kind: .invalidUTF8))
    }

    @Test("recognises UTF-16 without a BOM by its NUL bytes")
    func utf16WithoutBOM() {
        let outcome = read(utf16("phone,name\r\n0912,An\r\n", bom: false))
        #expect(outcome.error == CSVError(line: 1, kind: .utf16WithoutBOM))
        #expect(outcome.error?.description.contains("Unicode Text") == true)
    }

    @Test("rejects UTF-16 with an odd number of bytes after delivering the records before it")
    func oddUTF16Length() {
        let outcome = read(utf16("a,b\r\n1,2") + [0x33])
        #expect(outcome.error == CSVError(line: 2, column: 4, kind: .oddUTF16Length))
        #expect(outcome.fieldStrings == [["a", "b"]])
    }

    @Test("rejects lone UTF-16 surrogates")
    func loneSurrogates() {
        let header = utf16("a,b\n", bigEndian: true)
        #expect(read(header + [0xDC, 0x00]).error == CSVError(line: 2, column: 1, kind: .invalidUTF16))
        #expect(read(header + [0xD8, 0x3D, 0x00, 0x61]).error == CSVError(line: 2, column: 1, kind: .invalidUTF16))
        #expect(read(header + [0x00, 0x78, 0xD8, 0x3D]).error == CSVError(line: 2, column: 2, kind: .invalidUTF16))
    }

    @Test("rejects input with no record at all")
    func emptyInput() {
        for bytes: [UInt8] in [[], [0xEF, 0xBB, 0xBF], [0xFF, 0xFE], Array("\r\n\n\r".utf8)] {
            #expect(read(bytes).error == CSVError(line: 1, kind: .empty))
        }
    }

    @Test("passes on a failure of the byte source as an error at the line reached")
    func sourceFailure() {
        struct Broken: Error {}
        var calls = 0
        let reader = CSVReader {
            calls += 1
            if calls == 1 { return Array("a,b\n1,2\n".utf8) }
            throw Broken()
        }
        let outcome = read(reader)
        #expect(outcome.rows.count == 2)
        #expect(outcome.error?.line == 3)
        if case .readFailed = outcome.error?.kind {
        } else {
            Issue.record("expected readFailed, got \(String(describing: outcome.error))")
        }
    }

    @Test("keeps throwing the same error after the first one")
    func errorsAreSticky() {
        let reader = CSVReader(source: chunks(Array("a,b\n1\n2,3\n".utf8)))
        var record = CSVRecord()
        #expect(throws: CSVError(line: 2, kind: .wrongFieldCount(expected: 2, found: 1))) {
            while try reader.next(into: &record) {}
        }
        #expect(throws: CSVError(line: 2, kind: .wrongFieldCount(expected: 2, found: 1))) {
            try reader.next(into: &record)
        }
    }

    @Test("describes errors as one sentence after the line and column")
    func errorDescriptions() {
        #expect(
            CSVError(line: 7, column: 12, kind: .unexpectedQuote).description
                == "line 7, column 12: expected a quote only at the start of a field; "
                + "quote the whole field and double any quote inside it")
        #expect(
            CSVError(line: 4, kind: .wrongFieldCount(expected: 6, found: 5)).description
                == "line 4: expected 6 fields as in the header, but found 5")
        #expect(CSVError(line: 1, kind: .empty).message == "expected a header row, but the file has no records")
    }

    // MARK: Chunking

    @Test(
        "gives identical results whatever the chunk boundaries, even inside characters, CRLFs and doubled quotes",
        arguments: [
            "excel-unicode-text.txt", "crm-export-semicolon.csv", "embedded", "utf16be", "lone-cr", "bad-utf8",
            "unterminated", "odd-utf16", "surrogate", "too-long", "quoted-last",
        ])
    func chunkSplitInvariance(input: String) throws {
        let bytes: [UInt8]
        var limit = 1 << 20
        switch input {
        case "embedded":
            bytes = Array("id;ghi chú\r\n1;\"dòng một\r\ndòng \"\"hai\"\"\"\r\n\r\n2;\"Hà Nội; Huế\"\r\n".utf8)
        case "utf16be": bytes = utf16("a\tb\r\n\"x\r\ny\"\t😀 Đà Lạt 𝄞\r\n", bigEndian: true)
        case "lone-cr": bytes = Array("a,b\r1,\"2\r3\"\r\r4,5".utf8)
        case "bad-utf8": bytes = Array("a,b\r\n1,Tiếng\r\n2,".utf8) + [0xE1, 0xBB] + Array(",\r\n".utf8)
        case "unterminated": bytes = Array("a,b\r\n1,\"Đồng\r\n".utf8)
        case "odd-utf16": bytes = utf16("a,b\r\n1,Đ") + [0x00]
        case "surrogate": bytes = utf16("a,b\r\n1,😀") + [0x3D, 0xD8]
        case "quoted-last": bytes = Array("a,b\r\n1,\"x\"\r\n2,\"y\"\"\"".utf8)
        case "too-long":
            bytes = Array(("a,b\r\n1,\"" + String(repeating: "Việt Nam ", count: 40)).utf8)
            limit = 100
        default: bytes = try fixture(input)
        }
        let whole = read(bytes, maxRecordBytes: limit)
        #expect(!whole.rows.isEmpty)
        for size in [1, 2, 3, 7, 64] {
            #expect(read(bytes, chunk: size, maxRecordBytes: limit) == whole, "chunks of \(size)")
        }
    }

    @Test("gives identical results for random inputs split at random places")
    func randomChunkSplitInvariance() {
        // A fixed seed keeps the test repeatable; the alphabet is the bytes the state machine cares about.
        var random = SplitMix64(seed: 0x5EED)
        let alphabet: [[UInt8]] = [
            [0x61], [0x2C], [0x3B], [0x09], [0x22], [0x22, 0x22], [0x0D], [0x0A], [0x0D, 0x0A], Array("ễ".utf8),
            Array("😀".utf8), [0xC3],
        ]
        for _ in 0..<300 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(random.next() % 40) {
                bytes += alphabet[Int(random.next() % UInt64(alphabet.count))]
            }
            let whole = read(bytes)
            let size = 1 + Int(random.next() % 9)
            #expect(read(bytes, chunk: size) == whole, "\(bytes) in chunks of \(size)")
            let utf16Text = String(decoding: bytes, as: UTF8.self)
            #expect(read(utf16(utf16Text), chunk: size) == read(utf16(utf16Text)), "\(utf16Text) as UTF-16")
        }
    }

    @Test("tolerates empty chunks from the source")
    func emptyChunks() {
        var parts: [[UInt8]] = [[], [0xEF], [], [0xBB, 0xBF], [], Array("a;b\r".utf8), [], Array("\n1;2".utf8), []]
        parts.reverse()
        let reader = CSVReader { parts.popLast() }
        let outcome = read(reader)
        #expect(outcome.error == nil)
        #expect(outcome.fieldStrings == [["a", "b"], ["1", "2"]])
        #expect(outcome.lines == [1, 2])
    }
}

@Suite("CSV cells a spreadsheet would run")
struct CSVFormulaTests {
    @Test("formulas are neutralised with a quote; signed numbers and ordinary text are not")
    func formulas() throws {
        for cell in [
            "=1+1", "=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx", "+", "-",
        ] {
            #expect(CSVWriter.looksLikeFormula(cell), "\(cell)")
        }
        for cell in ["+84912345678", "-5", "0912345678", "Nguyễn Thị Lan", "", "a=b", "lan@example.vn"] {
            #expect(!CSVWriter.looksLikeFormula(cell), "\(cell)")
        }
        var out: [UInt8] = []
        var writer = CSVWriter { out += $0 }
        writer.neutralizesFormulas = true
        try writer.write(["=1+1", "+84912345678", "a,b"])
        try writer.flush()
        #expect(String(decoding: out, as: UTF8.self) == "'=1+1,+84912345678,\"a,b\"\n")
    }
}
