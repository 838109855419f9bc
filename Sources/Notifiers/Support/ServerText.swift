import Pipeline

/// What a server (or libcurl, or a mail program) said, reduced to plain text before it is shown: error pages
/// are HTML, and their markup, scripts and styles say nothing an admin needs while making messages long.
enum ServerText {
    /// Only this much of a body is looked at (an error page's message is at its start).
    static let maximumInput = 64 * 1024

    /// `text` without markup: `<script>`/`<style>` elements and comments removed, tags replaced by a space,
    /// character references decoded, and whitespace runs (line breaks too) folded into one space.
    static func plain(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars.prefix(maximumInput))
        if scalars.contains("<") { scalars = stripMarkup(scalars) }
        if scalars.contains("&") { scalars = decodeReferences(scalars) }
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in scalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// The body of an HTTP response as plain text (invalid UTF-8 shown as `\xNN`).
    static func plain(body: [UInt8]) -> String {
        plain(UntrustedText.decode(body.prefix(maximumInput)))
    }

    private static func stripMarkup(_ input: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            guard input[i] == "<", i + 1 < input.count else {
                out.append(input[i])
                i += 1
                continue
            }
            let next = input[i + 1]
            if starts(input, at: i, with: "<!--") {
                i = end(of: "-->", in: input, from: i + 4)
                out.append(" ")
            } else if let element = ["script", "style"].first(where: { starts(input, at: i + 1, with: $0, caseInsensitive: true) }) {
                i = end(of: "</" + element, in: input, from: i + 1, caseInsensitive: true)
                i = end(of: ">", in: input, from: i)
                out.append(" ")
            } else if next.properties.isAlphabetic || next == "/" || next == "!" || next == "?" {
                i = end(of: ">", in: input, from: i + 1)
                out.append(" ")
            } else {
                out.append(input[i])
                i += 1
            }
        }
        return out
    }

    private static let named: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "#39": "'",
    ]

    private static func decodeReferences(_ input: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            if input[i] == "&", let semicolon = input[(i + 1)..<min(input.count, i + 12)].firstIndex(of: ";") {
                let name = String(String.UnicodeScalarView(input[(i + 1)..<semicolon]))
                var decoded: Unicode.Scalar?
                if let scalar = named[name.lowercased()] {
                    decoded = scalar
                } else if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    decoded = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if name.hasPrefix("#") {
                    decoded = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init)
                }
                if let decoded {
                    out.append(decoded)
                    i = semicolon + 1
                    continue
                }
            }
            out.append(input[i])
            i += 1
        }
        return out
    }

    private static func starts(_ input: [Unicode.Scalar], at index: Int, with prefix: String, caseInsensitive: Bool = false) -> Bool {
        let wanted = Array(prefix.unicodeScalars)
        guard index + wanted.count <= input.count else { return false }
        for (k, scalar) in wanted.enumerated() {
            let have = input[index + k]
            if have == scalar { continue }
            if caseInsensitive, have.isASCII, Character(have).lowercased() == Character(scalar).lowercased() { continue }
            return false
        }
        return true
    }

    /// The index just after the first `terminator` at or after `from`, or the end of `input`.
    private static func end(of terminator: String, in input: [Unicode.Scalar], from: Int, caseInsensitive: Bool = false) -> Int {
        let length = terminator.unicodeScalars.count
        var i = from
        while i + length <= input.count {
            if starts(input, at: i, with: terminator, caseInsensitive: caseInsensitive) { return i + length }
            i += 1
        }
        return input.count
    }
}
