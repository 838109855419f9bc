import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `state export` file, read twice: once to check every line, then to hand the rows to a store.
///
/// Neither pass holds the file in memory; only the alert ids are kept (to check that each
/// delivery refers to an alert of the file).
public struct StateExportReader: Sendable {
    /// The file.
    public let path: String

    /// A reader of the export at `path`.
    public init(path: String) {
        self.path = path
    }

    /// What the checked file holds.
    public struct Summary: Sendable, Equatable {
        /// The schema version of the state it was exported from.
        public var schemaVersion: Int
        /// Rows per table name.
        public var rows: [String: Int]
    }

    /// Reads the whole file and checks every line; throws ``StateImportError`` naming the first bad line.
    public func validate(currentSchema: Int) throws -> Summary {
        var rows: [String: Int] = [:]
        var alertIDs: Set<Int64> = []
        var deliveries: [(id: Int64, line: Int)] = []
        let schema = try read(currentSchema: currentSchema) { row in
            rows[row.table.name, default: 0] += 1
            switch row.table {
            case .alert:
                guard case .integer(let id) = row.values[0], alertIDs.insert(id).inserted else {
                    throw StateImportError.invalidLine(line: row.line, message: "a second alert with id \(row.values[0])")
                }
            case .delivery:
                if case .integer(let id) = row.values[0] { deliveries.append((id, row.line)) }
            case .alertSequence:
                guard rows[row.table.name] == 1 else {
                    throw StateImportError.invalidLine(line: row.line, message: "a second alert_sequence line")
                }
            default: break
            }
        }
        if let orphan = deliveries.first(where: { !alertIDs.contains($0.id) }) {
            throw StateImportError.invalidLine(line: orphan.line, message: "delivery.alert_id \(orphan.id) refers to no alert of the file")
        }
        return Summary(schemaVersion: schema, rows: rows)
    }

    /// Calls `body` with each row in file order; returns the export's schema version.
    @discardableResult
    public func read(currentSchema: Int, _ body: (StateRow) throws -> Void) throws -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StateImportError.unreadable("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var reader = LineReader(fd: fd, limit: StateExportFormat.maximumLineBytes)
        guard let first = try reader.next() else {
            throw StateImportError.invalidLine(line: 1, message: "the file is empty; expected the header of a `mvpipe state export` file")
        }
        let schema = try StateExportFormat.parseHeader(first, current: currentSchema)
        while let line = try reader.next() {
            if line.isEmpty || line == [UInt8(ascii: "\r")] {
                throw StateImportError.invalidLine(line: reader.lineNumber, message: "empty line")
            }
            try body(try StateExportFormat.parseRow(line, line: reader.lineNumber))
        }
        return schema
    }
}
