import Foundation

/// An RFC 5322 plain-text message built by hand: every header from trusted values (config
/// addresses, the formatter's subject, which holds no user text), CRLF line ends, a non-ASCII
/// subject as RFC 2047 encoded-words, and a body in 7bit or quoted-printable.
///
/// Dot-stuffing (a line that starts with `.`) is libcurl's job during the SMTP upload; the
/// quoted-printable encoder also writes a leading dot as `=2E`.
struct MailMessage: Sendable {
    /// The sender, a bare addr-spec validated at config time.
    var from: String
    /// The recipients, bare addr-specs validated at config time.
    var to: [String]
    /// The subject (control characters become spaces).
    var subject: String
    /// The plain-text body, `\n` line ends.
    var body: String
    /// The `Date` header's time.
    var date: Date
    /// The `Message-ID` without angle brackets.
    var messageID: String

    /// The message as bytes on the wire (before dot-stuffing).
    func render() -> [UInt8] {
        let (encoding, encodedBody) = MailMessage.encodeBody(body)
        var headers: [String] = []
        headers.append("Date: \(MailMessage.rfc5322Date(date))")
        headers.append("Message-ID: <\(messageID)>")
        headers.append("From: mvpipe <\(from)>")
        headers.append("To: " + to.joined(separator: ",\r\n "))
        headers.append("Subject: " + MailMessage.encodeSubject(subject))
        headers.append("MIME-Version: 1.0")
        headers.append("Content-Type: text/plain; charset=utf-8")
        headers.append("Content-Transfer-Encoding: \(encoding)")
        headers.append("Auto-Submitted: auto-generated")
        headers.append("X-Mailer: mvpipe")
        return Array((headers.joined(separator: "\r\n") + "\r\n\r\n" + encodedBody).utf8)
    }

    /// A date like `Wed, 25 Nov 2026 15:00:00 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// The subject's header value: printable ASCII folded at spaces, otherwise RFC 2047
    /// `=?utf-8?B?…?=` words of at most 75 characters, one per line.
    static func encodeSubject(_ subject: String) -> String {
        var clean = ""
        for s in subject.unicodeScalars {
            let v = s.value
            clean.unicodeScalars.append(v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029 ? " " : s)
        }
        if clean.unicodeScalars.allSatisfy({ $0.isASCII }) && !clean.contains("=?") {
            return fold(clean)
        }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in clean {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 && !chunk.isEmpty {
                words.append("=?utf-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes.prefix(45)
        }
        if !chunk.isEmpty { words.append("=?utf-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    /// Folds ASCII text at spaces so lines stay near 78 characters ("Subject: " included).
    private static func fold(_ text: String) -> String {
        var lines: [String] = []
        var current: String? = nil
        var limit = 78 - "Subject: ".count
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            guard let line = current else {
                current = String(word)
                continue
            }
            if !line.isEmpty && line.count + 1 + word.count > limit {
                lines.append(line)
                current = String(word)
                limit = 77
            } else {
                current = line + " " + word
            }
        }
        if let current { lines.append(current) }
        return lines.joined(separator: "\r\n ")
    }

    /// The body with CRLF line ends: `7bit` when it is ASCII with short lines, else `quoted-printable`.
    static func encodeBody(_ body: String) -> (encoding: String, text: String) {
        let lines = body.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        let plain = lines.allSatisfy { line in
            line.utf8.count <= 76 && line.utf8.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 }
        }
        if plain { return ("7bit", lines.joined(separator: "\r\n")) }
        return ("quoted-printable", lines.map { quotedPrintable(Array($0.utf8)) }.joined(separator: "\r\n"))
    }

    /// One line in quoted-printable (RFC 2045): lines of at most 76 characters with `=` soft
    /// breaks, `=`, non-ASCII and control bytes as `=XX`, trailing blanks and a leading dot encoded.
    static func quotedPrintable(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789ABCDEF")
        var out: [String] = []
        var line = ""
        for (i, b) in bytes.enumerated() {
            let last = i == bytes.count - 1
            let literal = (b >= 33 && b <= 126 && b != UInt8(ascii: "="))
                || ((b == 0x20 || b == 0x09) && !last)
            var token = literal ? String(UnicodeScalar(b)) : "=" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 0xF)])
            if line.isEmpty && b == UInt8(ascii: ".") { token = "=2E" }
            if line.count + token.count > 75 {
                out.append(line + "=")
                line = ""
                if b == UInt8(ascii: ".") { token = "=2E" }
            }
            line += token
        }
        out.append(line)
        return out.joined(separator: "\r\n")
    }
}
