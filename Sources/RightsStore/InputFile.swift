import RightsCore

/// A CSV input file as the store reads it: records with their lines, structural errors as `FILE:LINE:COLUMN`
/// bad input (exit 65), and the SHA-256 of every byte read, for the audit event that names the file.
final class InputFile {
    let name: String
    private let reader: CSVReader
    private var digest = StreamingDigest()
    private(set) var bytes = 0

    init(name: String, delimiter: UInt8? = nil, chunks: @escaping () throws -> [UInt8]?) {
        self.name = name
        var update: ([UInt8]) -> Void = { _ in }
        reader = CSVReader(delimiter: delimiter) {
            guard let chunk = try chunks() else { return nil }
            update(chunk)
            return chunk
        }
        update = { [unowned self] chunk in
            digest.update(chunk)
            bytes += chunk.count
        }
    }

    var encoding: CSVEncoding { reader.encoding }
    var delimiter: UInt8 { reader.delimiter }

    /// The next record, or false at the end; a structural error is bad input at its line and column.
    func next(into record: inout CSVRecord) throws(StoreError) -> Bool {
        do throws(CSVError) {
            return try reader.next(into: &record)
        } catch {
            throw badInput(error.line, error.column, error.message)
        }
    }

    /// The header row, which every contact list, batch and log starts with.
    func header(into record: inout CSVRecord) throws(StoreError) -> [String] {
        guard try next(into: &record) else { throw badInput(1, nil, "the file is empty") }
        return record.fields
    }

    func badInput(_ line: Int?, _ column: Int?, _ message: String) -> StoreError {
        .badInput(file: name, line: line, column: column, message: message)
    }

    /// The SHA-256 of everything read so far (the whole file once `next` returned false).
    func sha256() -> String { digest.finalizeHex() }
}
