/// The reader's state and its byte-level state machine, kept in a struct so that the hot loop touches no class
/// properties (each access to one would cost a dynamic exclusivity check).
struct CSVScanner {
    var encoding: CSVEncoding = .utf8
    var delimiter: UInt8
    let maxRecordBytes: Int
    let source: () throws -> [UInt8]?
    let delimiterGiven: Bool

    // Decoded UTF-8 text; `head..<tail` is not yet consumed and `head` is always where the next record (or the
    // line ends before it) starts, so everything a record's error message needs is still in the buffer.
    var buffer: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var head = 0
    var tail = 0
    var sourceDone = false
    // A decoding or read error is held back until the scanner has used every byte decoded before it, so the
    // records before it are still delivered and the error gets the right line.
    var pendingError: CSVError.Kind?

    // UTF-16 code unit state carried across chunks.
    var carriedByte = -1
    var highSurrogate: UInt32 = 0

    var started = false
    var line = 1
    var skipLF = false
    var expectedFields = -1
    var recordsRead = 0
    // The first error, thrown again by every later call.
    var failure: CSVError?

    // Field bounds of the record being scanned, two offsets per field relative to `head`.
    var spans: UnsafeMutablePointer<Int>
    var spansCapacity: Int
    // Fields containing doubled quotes, which need unescaping (rare, so an array is fine).
    var escapedFields: [Int] = []

    init(delimiter: UInt8?, maxRecordBytes: Int, source: @escaping () throws -> [UInt8]?) {
        self.delimiter = delimiter ?? UInt8(ascii: ",")
        self.delimiterGiven = delimiter != nil
        self.maxRecordBytes = maxRecordBytes
        self.source = source
        capacity = 1 << 16
        buffer = .allocate(capacity: capacity)
        spansCapacity = 64
        spans = .allocate(capacity: spansCapacity)
    }

    /// Frees the buffers; called once, by the owning reader's deinit.
    func deallocateBuffers() {
        buffer.deallocate()
        spans.deallocate()
    }

    // MARK: - Start: encoding and delimiter

    private mutating func begin() throws(CSVError) {
        started = true
        // Enough bytes to see a BOM and to judge whether BOM-less text is UTF-16.
        var sample: [UInt8] = []
        while sample.count < 256, let chunk = pull() {
            sample.append(contentsOf: chunk)
        }
        var skip = 0
        if sample.count >= 3 && sample[0] == 0xEF && sample[1] == 0xBB && sample[2] == 0xBF {
            encoding = .utf8WithBOM
            skip = 3
        } else if sample.count >= 2 && sample[0] == 0xFF && sample[1] == 0xFE {
            encoding = .utf16LE
            skip = 2
        } else if sample.count >= 2 && sample[0] == 0xFE && sample[1] == 0xFF {
            encoding = .utf16BE
            skip = 2
        } else {
            encoding = .utf8
            // NUL never appears in real CSV text, but every other byte of ASCII in UTF-16 is one.
            let prefix = sample.prefix(256)
            let nuls = prefix.count(where: { $0 == 0 })
            if nuls > 0 && nuls * 8 >= prefix.count {
                throw CSVError(line: 1, kind: .utf16WithoutBOM)
            }
        }
        sample.withUnsafeBufferPointer { all in
            decode(UnsafeBufferPointer(rebasing: all[skip...]))
        }
        if sourceDone { finishDecoding() }
        if !delimiterGiven { detectDelimiter() }
    }

    /// Counts `,` `;` and TAB outside quotes in the first record, reading ahead as needed (never past the limit).
    private mutating func detectDelimiter() {
        var counts = (comma: 0, semicolon: 0, tab: 0)
        var inQuotes = false
        var inRecord = false
        var r = 0
        scan: while true {
            let base = buffer + head
            let n = tail - head
            while r < n {
                let byte = base[r]
                r += 1
                if byte == CSVBytes.quote {
                    inQuotes.toggle()
                    inRecord = true
                } else if !inQuotes {
                    switch byte {
                    case CSVBytes.cr, CSVBytes.lf:
                        if inRecord { break scan }
                    case UInt8(ascii: ","):
                        counts.comma += 1
                        inRecord = true
                    case UInt8(ascii: ";"):
                        counts.semicolon += 1
                        inRecord = true
                    case 0x09:
                        counts.tab += 1
                        inRecord = true
                    default:
                        inRecord = true
                    }
                }
            }
            if r > maxRecordBytes || !refill() { break }
        }
        var best = (byte: UInt8(ascii: ","), count: counts.comma)
        if counts.semicolon > best.count { best = (UInt8(ascii: ";"), counts.semicolon) }
        if counts.tab > best.count { best = (0x09, counts.tab) }
        delimiter = best.byte
    }

    // MARK: - Input and decoding

    /// The next chunk from the source, or nil at its end or when it fails (the failure then becomes pending).
    private mutating func pull() -> [UInt8]? {
        if sourceDone { return nil }
        do {
            if let chunk = try source() { return chunk }
        } catch {
            pendingError = .readFailed(String(describing: error))
        }
        sourceDone = true
        return nil
    }

    /// Moves the unconsumed bytes to the front and decodes more input after them; false when no more can come.
    private mutating func refill() -> Bool {
        if head > 0 {
            let live = tail - head
            // The regions may overlap, which copyMemory (a memmove) allows.
            if live > 0 { UnsafeMutableRawPointer(buffer).copyMemory(from: buffer + head, byteCount: live) }
            head = 0
            tail = live
        }
        while pendingError == nil && !sourceDone {
            let before = tail
            if let chunk = pull() {
                chunk.withUnsafeBufferPointer { decode($0) }
            } else {
                finishDecoding()
            }
            if tail > before { return true }
        }
        return false
    }

    private mutating func reserve(_ extra: Int) {
        guard capacity - tail < extra else { return }
        let newCapacity = max(capacity * 2, tail + extra)
        let newBuffer = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBuffer.update(from: buffer, count: tail)
        buffer.deallocate()
        buffer = newBuffer
        capacity = newCapacity
    }

    private mutating func decode(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        switch encoding {
        case .utf8, .utf8WithBOM:
            // Validated per record later, where an error can be given a line.
            reserve(bytes.count)
            (buffer + tail).update(from: source, count: bytes.count)
            tail += bytes.count
        case .utf16LE, .utf16BE:
            transcodeUTF16(source, count: bytes.count, bigEndian: encoding == .utf16BE)
        }
    }

    private mutating func transcodeUTF16(_ p: UnsafePointer<UInt8>, count n: Int, bigEndian: Bool) {
        // Each code unit gives at most 3 bytes, and a low surrogate completing a pair from the last chunk 4.
        reserve(3 * ((n + 1) / 2) + 4)
        let out = buffer + tail
        var o = 0
        var i = 0
        while true {
            let first: UInt32
            let second: UInt32
            if carriedByte >= 0 {
                guard i < n else { break }
                first = UInt32(carriedByte)
                second = UInt32(p[i])
                carriedByte = -1
                i += 1
            } else {
                guard i + 1 < n else { break }
                first = UInt32(p[i])
                second = UInt32(p[i + 1])
                i += 2
            }
            let unit = bigEndian ? first << 8 | second : second << 8 | first
            if highSurrogate != 0 {
                guard unit >= 0xDC00 && unit <= 0xDFFF else {
                    pendingError = .invalidUTF16
                    break
                }
                let scalar = 0x10000 + ((highSurrogate - 0xD800) << 10) + (unit - 0xDC00)
                highSurrogate = 0
                out[o] = UInt8(0xF0 | scalar >> 18)
                out[o + 1] = UInt8(0x80 | (scalar >> 12) & 0x3F)
                out[o + 2] = UInt8(0x80 | (scalar >> 6) & 0x3F)
                out[o + 3] = UInt8(0x80 | scalar & 0x3F)
                o += 4
            } else if unit < 0x80 {
                out[o] = UInt8(unit)
                o += 1
            } else if unit < 0x800 {
                out[o] = UInt8(0xC0 | unit >> 6)
                out[o + 1] = UInt8(0x80 | unit & 0x3F)
                o += 2
            } else if unit >= 0xD800 && unit <= 0xDBFF {
                highSurrogate = unit
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                pendingError = .invalidUTF16
                break
            } else {
                out[o] = UInt8(0xE0 | unit >> 12)
                out[o + 1] = UInt8(0x80 | (unit >> 6) & 0x3F)
                out[o + 2] = UInt8(0x80 | unit & 0x3F)
                o += 3
            }
        }
        if pendingError == nil && i < n { carriedByte = Int(p[i]) }
        tail += o
    }

    /// At the end of the input, a half code unit or a high surrogate left over is an error.
    private mutating func finishDecoding() {
        guard pendingError == nil else { return }
        if carriedByte >= 0 {
            pendingError = .oddUTF16Length
        } else if highSurrogate != 0 {
            pendingError = .invalidUTF16
        }
    }

    // MARK: - Records

    private enum ScanState {
        case fieldStart
        case unquoted
        case quoted
        case afterQuote
    }

    mutating func readRecord(into record: inout CSVRecord) throws(CSVError) -> Bool {
        if !started { try begin() }

        // Skip the line ends before the record: blank lines, and the LF of a CRLF whose CR ended the last record.
        while true {
            if head == tail {
                if refill() { continue }
                if let kind = pendingError { throw CSVError(line: line, column: 1, kind: kind) }
                if recordsRead == 0 { throw CSVError(line: 1, kind: .empty) }
                return false
            }
            let byte = buffer[head]
            if byte == CSVBytes.lf {
                head += 1
                if skipLF { skipLF = false } else { line += 1 }
            } else if byte == CSVBytes.cr {
                head += 1
                line += 1
                skipLF = true
            } else {
                skipLF = false
                break
            }
        }

        let startLine = line
        let d = delimiter
        let quote = CSVBytes.quote
        let cr = CSVBytes.cr
        let lf = CSVBytes.lf
        // Every byte above this is ordinary field content: one comparison for most bytes in the unquoted loop.
        let maxSpecial = max(quote, d)
        var sp = spans
        var spanCount = 0
        escapedFields.removeAll(keepingCapacity: true)
        var fieldStart = 0
        var quoteOpen = 0
        var fieldEscaped = false
        var embeddedLineEnds = 0
        var state = ScanState.fieldStart
        var recordEnd = 0
        var terminator: UInt8 = 0
        var r = 0
        var base = buffer + head
        var n = tail - head

        scan: while true {
            while r < n {
                switch state {
                case .fieldStart:
                    if base[r] == quote {
                        state = .quoted
                        quoteOpen = r
                        fieldEscaped = false
                        r += 1
                    } else {
                        state = .unquoted
                    }
                case .unquoted:
                    var c: UInt8 = 0
                    while r < n {
                        c = base[r]
                        if c > maxSpecial || (c != d && c != quote && c != cr && c != lf) {
                            r += 1
                        } else {
                            break
                        }
                    }
                    if r == n { continue }
                    if spanCount + 2 > spansCapacity { sp = growSpans() }
                    sp[spanCount] = fieldStart
                    sp[spanCount + 1] = r
                    spanCount += 2
                    if c == d {
                        r += 1
                        fieldStart = r
                        state = .fieldStart
                    } else if c == quote {
                        throw failure(.unexpectedQuote, at: r, base: base, startLine: startLine)
                    } else {
                        recordEnd = r
                        terminator = c
                        break scan
                    }
                case .quoted:
                    var c: UInt8 = 0
                    while r < n {
                        c = base[r]
                        if c > quote || (c != quote && c != cr && c != lf) {
                            r += 1
                        } else {
                            break
                        }
                    }
                    if r == n { continue }
                    if c == quote {
                        state = .afterQuote
                    } else if c == cr || base[r - 1] != cr {
                        // Line numbers count physical lines, also inside a quoted field; CRLF is one line end.
                        embeddedLineEnds += 1
                    }
                    r += 1
                case .afterQuote:
                    let c = base[r]
                    if c == quote {
                        // A doubled quote stands for one quote in the field.
                        fieldEscaped = true
                        state = .quoted
                        r += 1
                        continue
                    }
                    guard c == d || c == cr || c == lf else {
                        throw failure(.textAfterClosingQuote, at: r, base: base, startLine: startLine)
                    }
                    if spanCount + 2 > spansCapacity { sp = growSpans() }
                    sp[spanCount] = quoteOpen + 1
                    sp[spanCount + 1] = r - 1
                    if fieldEscaped { escapedFields.append(spanCount >> 1) }
                    spanCount += 2
                    if c == d {
                        r += 1
                        fieldStart = r
                        state = .fieldStart
                    } else {
                        recordEnd = r
                        terminator = c
                        break scan
                    }
                }
            }

            // Out of bytes inside the record: stop at the limit rather than read a runaway record into memory.
            if r > maxRecordBytes {
                throw failure(
                    .recordTooLong(limit: maxRecordBytes), at: r, base: base, startLine: startLine, partial: true)
            }
            let more = refill()
            // Refilling moves the record to the front of the buffer, and may move the buffer itself.
            base = buffer + head
            n = tail - head
            if more { continue }
            if let kind = pendingError {
                throw failure(kind, at: r, base: base, startLine: startLine, partial: true)
            }
            // The end of the input ends the record.
            if spanCount + 2 > spansCapacity { sp = growSpans() }
            switch state {
            case .fieldStart, .unquoted:
                sp[spanCount] = fieldStart
                sp[spanCount + 1] = r
            case .afterQuote:
                sp[spanCount] = quoteOpen + 1
                sp[spanCount + 1] = r - 1
                if fieldEscaped { escapedFields.append(spanCount >> 1) }
            case .quoted:
                let opened = CSVBytes.position(of: quoteOpen, in: base, firstLine: startLine).line
                throw failure(.unterminatedQuote(openedAtLine: opened), at: quoteOpen, base: base, startLine: startLine)
            }
            spanCount += 2
            recordEnd = r
            terminator = 0
            break scan
        }

        if recordEnd > maxRecordBytes {
            throw failure(.recordTooLong(limit: maxRecordBytes), at: recordEnd, base: base, startLine: startLine)
        }
        if encoding == .utf8 || encoding == .utf8WithBOM,
            let bad = CSVBytes.firstInvalidUTF8(base, count: recordEnd, partial: false)
        {
            let place = CSVBytes.position(of: bad, in: base, firstLine: startLine)
            throw CSVError(line: place.line, column: place.column, kind: .invalidUTF8)
        }
        let fieldCount = spanCount >> 1
        if expectedFields < 0 {
            expectedFields = fieldCount
        } else if fieldCount != expectedFields {
            throw CSVError(line: startLine, kind: .wrongFieldCount(expected: expectedFields, found: fieldCount))
        }

        fill(&record, base: base, length: recordEnd, spanCount: spanCount)
        record.line = startLine
        recordsRead += 1
        head += recordEnd
        line = startLine + embeddedLineEnds
        if terminator != 0 {
            head += 1
            line += 1
            skipLF = terminator == cr
        }
        return true
    }

    /// Copies the raw record and its field bounds into `record`, unescaping fields with doubled quotes after it.
    private mutating func fill(
        _ record: inout CSVRecord, base: UnsafeMutablePointer<UInt8>, length: Int, spanCount: Int
    ) {
        record.storage.removeAll(keepingCapacity: true)
        record.storage.append(contentsOf: UnsafeBufferPointer(start: base, count: length))
        record.rawCount = length
        record.bounds.removeAll(keepingCapacity: true)
        record.bounds.append(contentsOf: UnsafeBufferPointer(start: spans, count: spanCount))
        for field in escapedFields {
            let start = record.bounds[2 * field]
            let end = record.bounds[2 * field + 1]
            let unescapedStart = record.storage.count
            var run = start
            var j = start
            while j < end {
                if base[j] == CSVBytes.quote {
                    // Keep the first quote of the pair, drop the second.
                    record.storage.append(contentsOf: UnsafeBufferPointer(start: base + run, count: j + 1 - run))
                    j += 2
                    run = j
                } else {
                    j += 1
                }
            }
            record.storage.append(contentsOf: UnsafeBufferPointer(start: base + run, count: end - run))
            record.bounds[2 * field] = unescapedStart
            record.bounds[2 * field + 1] = record.storage.count
        }
    }

    private mutating func growSpans() -> UnsafeMutablePointer<Int> {
        let newCapacity = spansCapacity * 2
        let newSpans = UnsafeMutablePointer<Int>.allocate(capacity: newCapacity)
        newSpans.update(from: spans, count: spansCapacity)
        spans.deallocate()
        spans = newSpans
        spansCapacity = newCapacity
        return newSpans
    }

    /// An error at `offset` in the record, unless the bytes before it are not UTF-8, which is then the real problem.
    private func failure(
        _ kind: CSVError.Kind, at offset: Int, base: UnsafeMutablePointer<UInt8>, startLine: Int, partial: Bool = false
    ) -> CSVError {
        if encoding == .utf8 || encoding == .utf8WithBOM,
            let bad = CSVBytes.firstInvalidUTF8(base, count: offset, partial: partial)
        {
            let place = CSVBytes.position(of: bad, in: base, firstLine: startLine)
            return CSVError(line: place.line, column: place.column, kind: .invalidUTF8)
        }
        if case .recordTooLong = kind { return CSVError(line: startLine, kind: kind) }
        let place = CSVBytes.position(of: offset, in: base, firstLine: startLine)
        return CSVError(line: place.line, column: place.column, kind: kind)
    }
}
