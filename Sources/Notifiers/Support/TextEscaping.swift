import Pipeline

/// Escaping for the formats alerts are written in. User names are attacker-controlled;
/// everything that reaches a message passes through one of these.
enum TextEscaping {
    /// Slack mrkdwn: `&`, `<` and `>` become entities, so `<!channel>` or `<@U123>` in a
    /// user name is shown as text and pings nobody.
    static func slack(_ text: String) -> String {
        UntrustedText.replacing(text, ["&": "&amp;", "<": "&lt;", ">": "&gt;"])
    }

    /// HTML text and attribute values: `& < > " '` become entities.
    static func html(_ text: String) -> String {
        UntrustedText.replacing(text, ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"])
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters (for one path segment).
    static func percentEncodeSegment(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF")
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out += "%" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 0xF)])
            }
        }
        return out
    }

    /// `text` cut to at most `limit` characters, with a note when something was cut.
    static func truncated(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "\n… (message cut at \(limit) characters; `mvpipe run --json` shows every alert)\n"
    }
}
