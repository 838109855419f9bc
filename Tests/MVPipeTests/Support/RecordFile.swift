import Foundation

/// The one reader of JSON-lines record files that another process appends to while a test reads them (the test
/// servers' request and message logs, written whole by Tests/Servers/records.py). Only complete lines count: a
/// last line without its newline is a record still being written, left for the next read.
enum RecordFile {
    /// The complete lines of the file at `path` (none when it does not exist yet).
    static func lines(_ path: String) throws -> [Data] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        return data[..<lastNewline].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { Data($0) }
    }

    /// Every complete record of the file at `path`, each a JSON object.
    static func records(_ path: String) throws -> [[String: Any]] {
        try lines(path).map { line in
            guard let object = try JSONSerialization.jsonObject(with: line) as? [String: Any] else {
                throw SetupError("\(path): a record that is not a JSON object: \(String(decoding: line, as: UTF8.self))")
            }
            return object
        }
    }
}
