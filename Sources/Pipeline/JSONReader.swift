/// A strict JSON reader (RFC 8259) for files people write by hand: it says where a mistake is (line, column and
/// JSON path) and what it is, which Foundation's parsers do not, and it refuses what they let through or garble:
/// a key given twice in one object (config management appends settings, and the first one silently won), numbers
/// out of `Double`'s range, NaN and Infinity, nesting deeper than ``maximumDepth``, invalid UTF-8, control
/// characters and lone surrogates in strings, and anything after the value. A UTF-8 byte order mark is skipped.
///
/// Integers without fraction or exponent that fit `Int` are ``JSONValue/integer(_:)``; every other number is
/// ``JSONValue/number(_:)``.
public struct JSONReader {
    /// How deep objects and arrays may nest (a config needs five levels).
    public static let maximumDepth = 64

    /// A parsed document, with the byte offset of every value by JSON path (for members, where the key starts).
    public struct Document: Sendable {
        /// The value.
        public let value: JSONValue
        /// The text it was read from.
        public let bytes: [UInt8]
        /// Byte offsets by JSON path (`$`, `$.sources[0]`, `$.sources[0].path`, …).
        public let offsets: [String: Int]

        /// The offset of `path`, or of its nearest enclosing value that was in the text (a key that is missing
        /// is reported at the object that lacks it).
        public func offset(of path: String) -> Int? {
            var path = path
            while true {
                if let offset = offsets[path] { return offset }
                guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }), cut > path.startIndex else { return nil }
                path = String(path[..<cut])
            }
        }
    }

    /// Why a text is not JSON, and where.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong, and what to write instead.
        public let message: String
        /// The byte offset of the mistake.
        public let offset: Int
        /// The JSON path of the value being read there.
        public let path: String

        public var description: String { "\(path): \(message)" }
    }

    private let bytes: [UInt8]
    private let recordOffsets: Bool
    private var i = 0
    private var depth = 0
    private var offsets: [String: Int] = [:]

    private init(_ bytes: [UInt8], recordOffsets: Bool) {
        self.bytes = bytes
        self.recordOffsets = recordOffsets
    }

    /// Reads one JSON value from `bytes` (white space around it allowed, nothing else).
    public static func read(_ bytes: [UInt8], recordOffsets: Bool = true) throws(SyntaxError) -> Document {
        var reader = JSONReader(bytes, recordOffsets: recordOffsets)
        let value = try reader.document()
        return Document(value: value, bytes: bytes, offsets: reader.offsets)
    }

    // MARK: Grammar

    private mutating func document() throws(SyntaxError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        let empty = i == bytes.count
        skipWhitespace()
        guard i < bytes.count else {
            throw fail(empty ? "the file is empty; expected a JSON object" : "no JSON value, only white space; expected a JSON object",
                       path: "$")
        }
        let value = try readValue(path: "$")
        skipWhitespace()
        guard i == bytes.count else {
            throw fail("unexpected \(found()) after the end of the JSON value (the file holds one object: is a '}' too many, or the file pasted twice?)", path: "$")
        }
        return value
    }

    private mutating func readValue(path: String) throws(SyntaxError) -> JSONValue {
        if recordOffsets && offsets[path] == nil { offsets[path] = i }
        guard i < bytes.count else { throw fail("the file ends where a value was expected", path: path) }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try readObject(path: path)
        case UInt8(ascii: "["): return try readArray(path: path)
        case UInt8(ascii: "\""): return .string(try readString(path: path))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber(path: path)
        case UInt8(ascii: "t"): return try readLiteral("true", .bool(true), path: path)
        case UInt8(ascii: "f"): return try readLiteral("false", .bool(false), path: path)
        case UInt8(ascii: "n"): return try readLiteral("null", .null, path: path)
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw fail("NaN and Infinity are not numbers in JSON; write a number", path: path)
        case UInt8(ascii: "'"):
            throw fail("JSON strings are written in double quotes (\"…\"), not single quotes", path: path)
        case UInt8(ascii: "/"):
            throw fail("JSON has no comments; remove the comment", path: path)
        default:
            throw fail("expected a value (an object, array, string, number, true, false or null), found \(found())", path: path)
        }
    }

    private mutating func readObject(path: String) throws(SyntaxError) -> JSONValue {
        try enter(path: path)
        i += 1
        var members: [String: JSONValue] = [:]
        var keyOffsets: [String: Int] = [:]
        if try closes("}") { return .object(members) }
        while true {
            skipWhitespace()
            guard i < bytes.count else { throw fail("the file ends inside an object (a '}' is missing)", path: path) }
            guard bytes[i] == UInt8(ascii: "\"") else {
                if bytes[i] == UInt8(ascii: "'") { throw fail("JSON keys are written in double quotes (\"…\"), not single quotes", path: path) }
                if bytes[i] == UInt8(ascii: "/") { throw fail("JSON has no comments; remove the comment", path: path) }
                throw fail("expected a key in double quotes, found \(found())", path: path)
            }
            let keyOffset = i
            let key = try readString(path: path)
            let memberPath = path + "." + key
            if let first = keyOffsets[key] {
                throw SyntaxError(
                    message: "duplicate key \"\(UntrustedText.display(key, limit: 60))\": first at \(TextPosition(offset: first, in: bytes)), again at \(TextPosition(offset: keyOffset, in: bytes)); an object holds each key once: remove one of them",
                    offset: keyOffset, path: memberPath)
            }
            keyOffsets[key] = keyOffset
            if recordOffsets { offsets[memberPath] = keyOffset }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else {
                throw fail("expected ':' after the key \"\(UntrustedText.display(key, limit: 60))\", found \(found())", path: memberPath)
            }
            i += 1
            skipWhitespace()
            members[key] = try readValue(path: memberPath)
            if try endsAfterItem("}", in: "an object", item: "a member", path: path) { return .object(members) }
        }
    }

    private mutating func readArray(path: String) throws(SyntaxError) -> JSONValue {
        try enter(path: path)
        i += 1
        var items: [JSONValue] = []
        if try closes("]") { return .array(items) }
        while true {
            skipWhitespace()
            items.append(try readValue(path: "\(path)[\(items.count)]"))
            if try endsAfterItem("]", in: "an array", item: "an element", path: path) { return .array(items) }
        }
    }

    /// Whether the container just opened is empty (`close` follows); consumes it and leaves the level if so.
    private mutating func closes(_ close: Unicode.Scalar) throws(SyntaxError) -> Bool {
        skipWhitespace()
        guard i < bytes.count && bytes[i] == UInt8(ascii: close) else { return false }
        i += 1
        depth -= 1
        return true
    }

    /// After an element or member: `true` when `close` ends the container (consumed, level left), `false` after a
    /// comma that another item follows; anything else is an error.
    private mutating func endsAfterItem(_ close: Unicode.Scalar, in container: String, item: String,
                                        path: String) throws(SyntaxError) -> Bool {
        skipWhitespace()
        guard i < bytes.count else { throw fail("the file ends inside \(container) (a '\(close)' is missing)", path: path) }
        if try closes(close) { return true }
        guard bytes[i] == UInt8(ascii: ",") else {
            throw fail("expected ',' or '\(close)' after \(item) of \(container), found \(found()) (a comma is missing?)", path: path)
        }
        let comma = i
        i += 1
        skipWhitespace()
        if i < bytes.count && bytes[i] == UInt8(ascii: close) {
            throw SyntaxError(message: "a trailing comma before '\(close)' is not allowed in JSON; remove it", offset: comma, path: path)
        }
        return false
    }

    private mutating func enter(path: String) throws(SyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw fail("objects and arrays are nested deeper than \(Self.maximumDepth) levels; a config needs a few", path: path)
        }
    }

    private mutating func readString(path: String) throws(SyntaxError) -> String {
        let start = i
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else {
                throw SyntaxError(message: "the string that starts here never ends (a closing '\"' is missing)", offset: start, path: path)
            }
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try readEscape(into: &out, path: path)
            case 0x0A, 0x0D:
                throw fail("a line break inside a string (is the closing '\"' missing? write \\n for a line break in a value)", path: path)
            case 0..<0x20:
                let hex = String(b, radix: 16, uppercase: true)
                throw fail("a control character inside a string; write it as \\u00\(hex.count < 2 ? "0" : "")\(hex)", path: path)
            case 0..<0x80:
                out.append(b)
                i += 1
            default:
                let length = try utf8Sequence(path: path)
                out += bytes[i..<(i + length)]
                i += length
            }
        }
    }

    private mutating func readEscape(into out: inout [UInt8], path: String) throws(SyntaxError) {
        let start = i
        guard i + 1 < bytes.count else {
            throw SyntaxError(message: "the string ends inside an escape", offset: start, path: path)
        }
        let simple: [UInt8: UInt8] = [UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F,
                                      UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A,
                                      UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09]
        let kind = bytes[i + 1]
        if let byte = simple[kind] {
            out.append(byte)
            i += 2
            return
        }
        guard kind == UInt8(ascii: "u") else {
            let shown = kind < 0x80 && kind >= 0x20 ? "\\" + String(UnicodeScalar(kind)) : "\\ followed by \(found(at: i + 1))"
            throw SyntaxError(message: "\(shown) is not a JSON escape; valid ones are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX (write \\\\ for a backslash)", offset: start, path: path)
        }
        var code = try hex4(at: i + 2, escapeStart: start, path: path)
        i += 6
        if (0xD800..<0xDC00).contains(code) {
            guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                throw SyntaxError(message: "\\u\(String(code, radix: 16, uppercase: true)) is half of a surrogate pair without its other half", offset: start, path: path)
            }
            let low = try hex4(at: i + 2, escapeStart: i, path: path)
            guard (0xDC00..<0xE000).contains(low) else {
                throw SyntaxError(message: "\\u\(String(code, radix: 16, uppercase: true)) is half of a surrogate pair without its other half", offset: start, path: path)
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            i += 6
        } else if (0xDC00..<0xE000).contains(code) {
            throw SyntaxError(message: "\\u\(String(code, radix: 16, uppercase: true)) is half of a surrogate pair without its other half", offset: start, path: path)
        }
        out += Array(String(UnicodeScalar(code)!).utf8)
    }

    private func hex4(at offset: Int, escapeStart: Int, path: String) throws(SyntaxError) -> UInt32 {
        guard offset + 4 <= bytes.count else {
            throw SyntaxError(message: "\\u needs four hex digits", offset: escapeStart, path: path)
        }
        var value: UInt32 = 0
        for b in bytes[offset..<(offset + 4)] {
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw SyntaxError(message: "\\u needs four hex digits", offset: escapeStart, path: path)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// The length of the valid UTF-8 sequence at `i` (a byte ≥ 0x80), or an error.
    private func utf8Sequence(path: String) throws(SyntaxError) -> Int {
        if let length = Self.utf8Length(bytes, at: i) { return length }
        throw fail("the byte \\x\(String(bytes[i], radix: 16, uppercase: true)) is not valid UTF-8 here; save the file as UTF-8", path: path)
    }

    private static func utf8Length(_ bytes: [UInt8], at i: Int) -> Int? {
        let lead = bytes[i]
        let length: Int
        var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: return nil
        }
        guard i + length <= bytes.count, (lower...upper).contains(bytes[i + 1]) else { return nil }
        for k in 2..<length where !(0x80...0xBF).contains(bytes[i + k]) { return nil }
        return length
    }

    private mutating func readNumber(path: String) throws(SyntaxError) -> JSONValue {
        let start = i
        func digits() -> Int {
            let from = i
            while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) { i += 1 }
            return i - from
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) else {
            if i < bytes.count && bytes[i] == UInt8(ascii: "I") {
                throw SyntaxError(message: "NaN and Infinity are not numbers in JSON; write a number", offset: start, path: path)
            }
            throw SyntaxError(message: "expected a digit after '-', found \(found())", offset: start, path: path)
        }
        var integral = true
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
            if digits() > 0 {
                throw SyntaxError(message: "a number with a leading zero (\(text(start..<i))) is not JSON; drop the zero (JSON has no octal)", offset: start, path: path)
            }
        } else {
            _ = digits()
        }
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            integral = false
            guard digits() > 0 else { throw SyntaxError(message: "expected a digit after the decimal point in \(text(start..<i))", offset: start, path: path) }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            integral = false
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard digits() > 0 else { throw SyntaxError(message: "expected a digit in the exponent of \(text(start..<i))", offset: start, path: path) }
        }
        let literal = text(start..<i)
        if integral, let value = Int(literal) { return .integer(value) }
        guard let value = Double(literal), value.isFinite else {
            throw SyntaxError(message: "the number \(UntrustedText.display(literal, limit: 40)) is out of range (the largest is about 1.8e308)",
                              offset: start, path: path)
        }
        return .number(value)
    }

    private mutating func readLiteral(_ word: String, _ value: JSONValue, path: String) throws(SyntaxError) -> JSONValue {
        let expected = Array(word.utf8)
        guard bytes.count - i >= expected.count, Array(bytes[i..<(i + expected.count)]) == expected else {
            throw fail("expected a value (an object, array, string, number, true, false or null), found \(found())", path: path)
        }
        i += expected.count
        return value
    }

    // MARK: Helpers

    private static func isWhitespace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
    }

    private mutating func skipWhitespace() {
        while i < bytes.count && Self.isWhitespace(bytes[i]) { i += 1 }
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// What is at `offset` (the current one by default), for a message: `'x'`, `the end of the file`, or a byte.
    private func found(at offset: Int? = nil) -> String {
        let at = offset ?? i
        guard at < bytes.count else { return "the end of the file" }
        let b = bytes[at]
        if b >= 0x80 {
            guard let length = Self.utf8Length(bytes, at: at) else {
                return "the byte \\x\(String(b, radix: 16, uppercase: true)), which is not UTF-8"
            }
            return "'\(UntrustedText.display(text(at..<(at + length))))'"
        }
        return "'\(UntrustedText.display(String(UnicodeScalar(b))))'"
    }

    private func fail(_ message: String, path: String) -> SyntaxError {
        SyntaxError(message: message, offset: i, path: path)
    }
}
