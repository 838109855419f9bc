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
        var sourceDays: Set<SourceDay> = []
        var volumeDays: [SourceDay: Int] = [:]  // first line of each source and day
        var holdIDs: Set<Int64> = []
        var holdsInForce: Set<[String]> = []  // action and key
        var silenced: Set<String> = []
        let schema = try read(currentSchema: currentSchema) { row in
            rows[row.table.name, default: 0] += 1
            switch row.table {
            case .volume, .sourceDay:
                guard case .text(let source) = row.values[0], case .text(let day) = row.values[1] else { break }
                let key = SourceDay(source: source, day: day)
                if row.table == .sourceDay {
                    sourceDays.insert(key)
                } else if volumeDays[key] == nil {
                    volumeDays[key] = row.line
                }
            case .alert:
                guard case .integer(let id) = row.values[0], alertIDs.insert(id).inserted else {
                    throw StateImportError.invalidLine(line: row.line, message: "a second alert with id \(row.values[0])")
                }
            case .delivery:
                if case .integer(let id) = row.values[0] { deliveries.append((id, row.line)) }
            case .hold:
                guard case .integer(let id) = row.values[0], holdIDs.insert(id).inserted else {
                    throw StateImportError.invalidLine(line: row.line, message: "a second hold with id \(row.values[0])")
                }
                // A released hold is history; two in force for one action and key would be one too many in the map.
                guard row.values[9] == .null, case .text(let action) = row.values[1], case .text(let key) = row.values[2] else { break }
                guard holdsInForce.insert([action, key]).inserted else {
                    throw StateImportError.invalidLine(line: row.line, message: "a second hold in force of action '\(UntrustedText.display(action, limit: 60))' for key '\(UntrustedText.display(key, limit: 60))'; release one (set its released_at) or remove it")
                }
            case .silence:
                guard case .text(let user) = row.values[0] else { break }
                guard silenced.insert(user).inserted else {
                    throw StateImportError.invalidLine(line: row.line, message: "a second silence for user '\(UntrustedText.display(user, limit: 60))'; a user has one silence: keep the one you mean")
                }
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
        // Counts of a day no source_day row vouches for would be read again by the next run, and replaced by
        // whatever the input holds by then (an archive that no longer has the day holds nothing): refuse them.
        if let (key, line) = volumeDays.filter({ !sourceDays.contains($0.key) }).min(by: { $0.value < $1.value }) {
            throw StateImportError.invalidLine(line: line, message: "volume rows of source '\(UntrustedText.display(key.source, limit: 60))' on \(key.day) have no source_day row (the file is incomplete: a run would read that day again and replace its counts); import a whole `mvpipe state export`, or add the source_day row")
        }
        return Summary(schemaVersion: schema, rows: rows)
    }

    /// A source and a day, as text.
    private struct SourceDay: Hashable {
        var source: String
        var day: String
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
