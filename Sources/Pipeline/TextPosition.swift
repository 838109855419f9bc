/// A place in a text file, for messages: a 1-based line and a 1-based column counted in characters (Unicode
/// scalars; a tab is one).
public struct TextPosition: Sendable, Equatable, CustomStringConvertible {
    /// The line, from 1.
    public let line: Int
    /// The column, from 1.
    public let column: Int

    /// Creates a position.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The position of byte `offset` in the UTF-8 text `bytes`.
    public init(offset: Int, in bytes: [UInt8]) {
        let end = min(max(0, offset), bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<end where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        self.line = line
        self.column = String(decoding: bytes[lineStart..<end], as: UTF8.self).unicodeScalars.count + 1
    }

    /// "line L, column C".
    public var description: String { "line \(line), column \(column)" }

    /// The line at byte `offset` of `bytes`, and under it a caret at the offset's column, as two lines with a
    /// gutter (`  3 |   "state": …` / `    |   ^`). Tabs are shown as spaces and control characters as `?` so the
    /// caret stays under its character; a long line is shown around the column only.
    public static func excerpt(at offset: Int, in bytes: [UInt8], width: Int = 100) -> String {
        let position = TextPosition(offset: offset, in: bytes)
        let end = min(max(0, offset), bytes.count)
        let lineStart = bytes[..<end].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        var lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        if lineEnd > lineStart && bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
        var scalars: [Character] = String(decoding: bytes[lineStart..<max(lineStart, lineEnd)], as: UTF8.self)
            .unicodeScalars.map { scalar in
                if scalar == "\t" { return " " }
                let v = scalar.value
                if v < 0x20 || (0x7F...0x9F).contains(v) || (0x200E...0x200F).contains(v) || (0x202A...0x202E).contains(v)
                    || (0x2066...0x2069).contains(v) || v == 0x2028 || v == 0x2029 { return "?" }
                return Character(scalar)
            }
        var caret = position.column - 1
        if scalars.count > width {
            let from = max(0, min(caret - width / 2, scalars.count - width))
            let to = min(scalars.count, from + width)
            var window = Array(scalars[from..<to])
            if from > 0 { window.insert("…", at: 0); caret -= from - 1 }
            if to < scalars.count { window.append("…") }
            scalars = window
        }
        let number = String(position.line)
        let gutter = String(repeating: " ", count: number.count)
        return "  \(number) | \(String(scalars))\n  \(gutter) | \(String(repeating: " ", count: max(0, caret)))^"
    }
}
