import Foundation

/// The `state export` format: JSON lines, a header first, then one object per row with a
/// `"table"` field and one field per column.
///
/// ```
/// {"format":"mvpipe-state","format_version":1,"schema_version":2}
/// {"table":"volume","source":"archive","day":"2026-11-25","user":"alice@example.org","messages":150,"recipients":null}
/// ```
///
/// Lines are written in a fixed field order with the shortest exact form of each number, so
/// exporting the same state twice gives the same bytes. Text is escaped as JSON requires, plus
/// DEL, C1 controls and U+2028/U+2029, so a line never breaks a terminal or a line-based tool.
/// Bytes (checkpoints) are base64.
public enum StateExportFormat {
    /// The header's `format` value.
    public static let formatName = "mvpipe-state"
    /// The version of this format.
    public static let formatVersion = 1
    /// The longest line read (a hostile file cannot make import hold more than this).
    public static let maximumLineBytes = 16 << 20

    /// The header line for a state of `schemaVersion`.
    public static func header(schemaVersion: Int) -> String {
        "{\"format\":\(quote(formatName)),\"format_version\":\(formatVersion),\"schema_version\":\(schemaVersion)}"
    }

    /// One row as a line (without the newline).
    public static func line(_ row: StateRow) throws -> String {
        var out = "{\"table\":" + quote(row.table.name)
        for (column, value) in zip(row.table.columns, row.values) {
            out += "," + quote(column.name) + ":"
            switch value {
            case .null: out += "null"
            case .integer(let i): out += String(i)
            case .real(let d):
                guard d.isFinite else {
                    throw StateError.unusable("\(row.table.name).\(column.name) holds \(d), which JSON cannot carry; run `mvpipe state check`")
                }
                out += "\(d)"
            case .text(let s): out += quote(s)
            case .blob(let b): out += quote(b.base64EncodedString())
            }
        }
        return out + "}"
    }

    /// Parses the header line; returns the export's schema version.
    public static func parseHeader(_ bytes: [UInt8], current: Int) throws -> Int {
        let fail = { (message: String) in StateImportError.invalidLine(line: 1, message: message) }
        guard case .object(let fields) = try parseObject(bytes, line: 1),
              case .string(formatName) = fields["format"] else {
            throw fail("expected the header {\"format\":\"mvpipe-state\",...} of a `mvpipe state export` file")
        }
        guard case .integer(let format) = fields["format_version"] else { throw fail("the header has no integer format_version") }
        guard format == formatVersion else {
            throw fail("format version \(format) is not one this mvpipe reads (it reads \(formatVersion)); use the mvpipe that exported it, or a newer one")
        }
        guard case .integer(let schema) = fields["schema_version"], schema >= 1 else {
            throw fail("the header has no schema_version of 1 or more")
        }
        guard schema <= current else {
            throw fail("a newer mvpipe exported this state (schema \(schema)); this mvpipe understands schema \(current); upgrade mvpipe to import it")
        }
        let extra = Set(fields.keys).subtracting(["format", "format_version", "schema_version"])
        guard extra.isEmpty else { throw fail("unknown header field(s): \(extra.sorted().map(show).joined(separator: ", "))") }
        return schema
    }

    /// Parses and checks one row line: a known table, exactly its columns, each of the right kind.
    public static func parseRow(_ bytes: [UInt8], line: Int) throws -> StateRow {
        let fail = { (message: String) in StateImportError.invalidLine(line: line, message: message) }
        guard case .object(var fields) = try parseObject(bytes, line: line) else { throw fail("expected a JSON object") }
        guard case .string(let name) = fields.removeValue(forKey: "table") else {
            throw fail("expected a \"table\" field naming the table")
        }
        guard let table = StateTable.named(name) else {
            throw fail("unknown table \(show(name)); expected one of \(StateTable.all.map(\.name).joined(separator: ", "))")
        }
        var values: [StateValue] = []
        for column in table.columns {
            let field = "\(table.name).\(column.name)"
            guard let json = fields.removeValue(forKey: column.name) else { throw fail("\(field) is missing") }
            values.append(try value(json, column: column, field: field, fail: fail))
        }
        guard fields.isEmpty else {
            throw fail("unknown field(s) for table \(table.name): \(fields.keys.sorted().map(show).joined(separator: ", "))")
        }
        let row = StateRow(table: table, values: values, line: line)
        if table == .alert { try checkPayload(row, fail: fail) }
        return row
    }

    private static func value(_ json: JSONValue, column: StateTable.Column, field: String,
                              fail: (String) -> StateImportError) throws -> StateValue {
        if json == .null {
            guard column.nullable else { throw fail("\(field) must not be null") }
            return .null
        }
        switch column.kind {
        case .text, .day:
            guard case .string(let s) = json else { throw fail("\(field): expected a string, found \(json.kindDescription)") }
            guard !s.utf8.contains(0) else { throw fail("\(field): text with a NUL character cannot be stored") }
            if column.kind == .day, Day(s) == nil { throw fail("\(field): expected a date YYYY-MM-DD, found \(show(s))") }
            return .text(s)
        case .integer(let minimum):
            guard case .integer(let i) = json else { throw fail("\(field): expected a whole number, found \(json.kindDescription)") }
            guard Int64(i) >= minimum else { throw fail("\(field): expected \(minimum) or more, found \(i)") }
            return .integer(Int64(i))
        case .real:
            switch json {
            case .integer(let i): return .real(Double(i))
            case .number(let d) where d.isFinite: return .real(d)
            default: throw fail("\(field): expected a number, found \(json.kindDescription)")
            }
        case .blob:
            guard case .string(let s) = json, let data = Data(base64Encoded: s), data.base64EncodedString() == s else {
                throw fail("\(field): expected base64 text")
            }
            return .blob(data)
        }
    }

    private static func checkPayload(_ row: StateRow, fail: (String) -> StateImportError) throws {
        guard case .text(let payload) = row.values[5], case .integer(let id) = row.values[0],
              case .text(let day) = row.values[1], case .text(let user) = row.values[2] else { return }
        let alert: Alert
        do {
            alert = try Alert(payload: payload)
        } catch {
            throw fail("alert.payload is not an alert as mvpipe stores it: \((error as? DecodingError)?.plainDescription ?? "not readable")")
        }
        guard alert.id == id, alert.day.description == day, alert.user == user else {
            throw fail("alert.payload describes another alert (id \(alert.id), \(alert.day)) than its row (id \(id), \(day))")
        }
    }

    private static func parseObject(_ bytes: [UInt8], line: Int) throws -> JSONValue {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw StateImportError.invalidLine(line: line, message: "not valid UTF-8")
        }
        do {
            return try JSONValue.parse(Data(bytes))
        } catch {
            throw StateImportError.invalidLine(line: line, message: "not valid JSON")
        }
    }

    private static func show(_ text: String) -> String {
        "'" + UntrustedText.display(text, limit: 60) + "'"
    }

    /// `text` as a JSON string literal.
    static func quote(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let v = scalar.value
                if v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 {
                    let hex = String(v, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
