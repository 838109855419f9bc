import Foundation
import Pipeline

/// Removes a notifier's secrets from text that came from outside (a server's answer, libcurl's error text, a
/// mail program's stderr) before anything shows or stores it. Servers echo requests back in their error pages,
/// often in pieces (the path in one place, a decoded query in another, the headers in a third, or cut short),
/// so a secret is removed by its parts too:
///
/// - A secret's **material** is, for a URL, its user info, path, each path segment, query, each query value and
///   its fragment, raw and percent-decoded (scheme, host and port are shown anyway); for a password, token or
///   header value, the value and each of its words (`Bearer TOKEN` gives `TOKEN`).
/// - Every run of ``minimumRun`` or more characters of the text that occurs in a secret's material, ignoring
///   ASCII case, becomes `[redacted]`: a whole value, a segment, a prefix a server cut short, a middle piece.
/// - A whole secret value of at least ``minimumWhole`` characters is removed wherever it occurs, however short.
///
/// Runs shorter than ``minimumRun`` stay: they carry little of a token, and scrubbing them would garble
/// ordinary words (a path segment `hooks` or `v1` is not a secret).
struct Redactor: Sendable {
    /// The shortest run of a secret's material that is removed on its own.
    static let minimumRun = 8
    /// The shortest whole secret value that is removed wherever it occurs.
    static let minimumWhole = 4
    /// What replaces a secret.
    static let mark = "[redacted]"

    /// The material, ASCII-lower-cased UTF-8.
    private let pieces: [[UInt8]]
    /// Whole secret values of at least ``minimumWhole`` bytes, lower-cased.
    private let wholes: [[UInt8]]
    /// Every ``minimumRun``-byte window of the material, packed.
    private let windows: Set<UInt64>

    /// A redactor for `secrets` (the revealed values).
    init(secrets: [String]) {
        var pieces: [[UInt8]] = []
        var wholes: [[UInt8]] = []
        for secret in secrets where !secret.isEmpty {
            let whole = Self.folded(secret)
            if whole.count >= Self.minimumWhole { wholes.append(whole) }
            for piece in Self.material(of: secret) {
                let bytes = Self.folded(piece)
                if bytes.count >= Self.minimumRun && !pieces.contains(bytes) { pieces.append(bytes) }
            }
        }
        var windows: Set<UInt64> = []
        for piece in pieces {
            for start in 0...(piece.count - Self.minimumRun) { windows.insert(Self.pack(piece, at: start)) }
        }
        self.pieces = pieces
        self.wholes = wholes
        self.windows = windows
    }

    /// A redactor for the secrets a notifier holds.
    init(_ secrets: [Secret]) {
        self.init(secrets: secrets.map(\.reveal))
    }

    /// `text` with every run of a secret's material and every whole secret replaced by `[redacted]`.
    func scrub(_ text: String) -> String {
        guard !wholes.isEmpty || !pieces.isEmpty else { return text }
        let bytes = Array(text.utf8)
        let folded = bytes.map(Self.fold)
        var hidden = [Bool](repeating: false, count: bytes.count)
        var found = false
        if bytes.count >= Self.minimumRun {
            for start in 0...(bytes.count - Self.minimumRun) where windows.contains(Self.pack(folded, at: start)) {
                var end = start + Self.minimumRun
                while end < bytes.count && pieces.contains(where: { Self.occurs(folded[start...end], in: $0) }) { end += 1 }
                for i in start..<end { hidden[i] = true }
                found = true
            }
        }
        for whole in wholes {
            var start = 0
            while start + whole.count <= bytes.count {
                if folded[start..<(start + whole.count)].elementsEqual(whole) {
                    for i in start..<(start + whole.count) { hidden[i] = true }
                    found = true
                    start += whole.count
                } else {
                    start += 1
                }
            }
        }
        guard found else { return text }
        // Widen every hidden run to whole characters, then replace each run by one mark.
        for i in bytes.indices.dropFirst() where hidden[i - 1] && !hidden[i] && Self.isContinuation(bytes[i]) {
            hidden[i] = true
        }
        for i in bytes.indices.dropLast().reversed() where hidden[i + 1] && !hidden[i] && Self.isContinuation(bytes[i + 1]) {
            hidden[i] = true
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if hidden[i] {
                out += Array(Self.mark.utf8)
                while i < bytes.count && hidden[i] { i += 1 }
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Text from a server, libcurl or a program, fit to show: markup stripped (``ServerText/plain(_:)``), secrets
    /// scrubbed, and only then cut to `limit` characters with control characters made visible, so a cut never
    /// leaves the start of a secret behind.
    func quote(_ text: String, limit: Int = 200) -> String {
        UntrustedText.display(scrub(ServerText.plain(text)), limit: limit)
    }

    /// The parts of `secret` that are removed on their own (see the type's documentation).
    static func material(of secret: String) -> [String] {
        if let url = URLComponents(string: secret), url.scheme != nil, let host = url.host, !host.isEmpty {
            var parts: [String] = []
            for raw in [url.percentEncodedUser, url.percentEncodedPassword, url.percentEncodedPath,
                        url.percentEncodedQuery, url.percentEncodedFragment].compactMap({ $0 }) {
                parts.append(raw)
                parts.append(raw.removingPercentEncoding ?? raw)
            }
            for segment in url.percentEncodedPath.split(separator: "/") {
                parts.append(String(segment))
                parts.append(String(segment).removingPercentEncoding ?? String(segment))
            }
            for item in (url.percentEncodedQuery ?? "").split(separator: "&") {
                let value = item.split(separator: "=", maxSplits: 1).dropFirst().first.map(String.init) ?? String(item)
                parts.append(value)
                parts.append(value.removingPercentEncoding ?? value)
            }
            return parts
        }
        return [secret] + secret.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }

    private static func folded(_ text: String) -> [UInt8] { text.utf8.map(fold) }

    private static func fold(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }

    private static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }

    /// `minimumRun` (8) bytes from `start` as one number.
    private static func pack(_ bytes: [UInt8], at start: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in start..<(start + minimumRun) { value = value << 8 | UInt64(bytes[i]) }
        return value
    }

    private static func occurs(_ needle: ArraySlice<UInt8>, in haystack: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count)
            where haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        return false
    }
}
