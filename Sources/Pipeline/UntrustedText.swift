/// Helpers for text that comes from attackers: sender addresses, logins, folder names.
///
/// Such text is stored faithfully but always shown through ``display(_:limit:)``, which makes
/// control characters visible (`\x0d`), so it can never end a line, a header or a command.
public enum UntrustedText {
    /// Decodes raw bytes (a folder name, a log field): valid UTF-8 as is, every invalid byte as `\xNN`.
    public static func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        var out = ""
        var buffer = Array(bytes)[...]
        while !buffer.isEmpty {
            // Take the longest valid prefix, then escape one byte.
            var end = buffer.endIndex
            while end > buffer.startIndex {
                if let s = String(validating: buffer[buffer.startIndex..<end], as: UTF8.self) {
                    out += s
                    break
                }
                end -= 1
            }
            if end == buffer.endIndex { break }
            out += hex(buffer[end])
            buffer = buffer[(end + 1)...]
        }
        return out
    }

    /// The text with control characters (C0, DEL, C1, line and paragraph separators) written
    /// as `\xNN` or `\u{NNNN}`, and cut to `limit` characters with a note of the full length.
    public static func display(_ text: String, limit: Int = 200) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                out += "…[\(text.utf8.count) bytes]"
                break
            }
            let v = scalar.value
            if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) {
                out += hex(UInt8(v))
            } else if v == 0x2028 || v == 0x2029 || v == 0x200E || v == 0x200F || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) {
                out += "\\u{\(String(v, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return out
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
    }
}
