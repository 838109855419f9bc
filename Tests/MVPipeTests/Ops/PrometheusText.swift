import Foundation

/// A strict reader of the Prometheus text format (what node_exporter's textfile collector accepts),
/// for checking what `--prometheus-textfile` wrote.
struct PrometheusText {
    /// One sample line.
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var samples: [Sample] = []
    /// `# HELP` and `# TYPE` per metric name.
    var help: [String: String] = [:]
    var type: [String: String] = [:]

    /// A format error and the line it is on.
    struct ParseError: Error, CustomStringConvertible {
        var line: String
        var reason: String
        var description: String { "\(reason): \(line)" }
    }

    init(_ text: String) throws {
        guard text.hasSuffix("\n") else { throw ParseError(line: String(text.suffix(80)), reason: "no final newline") }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let line = String(line)
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                guard parts.count == 4 else { throw ParseError(line: line, reason: "short comment") }
                if parts[1] == "HELP" { help[parts[2]] = parts[3] } else { type[parts[2]] = parts[3] }
                continue
            }
            guard !line.hasPrefix("#") else { continue }
            samples.append(try Self.sample(line))
        }
    }

    /// The value of the sample `name{labels}` (nil when absent).
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Every sample of `name`.
    func all(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    private static func sample(_ line: String) throws -> Sample {
        var scalars = Substring(line).unicodeScalars[...]
        func isNameScalar(_ c: Unicode.Scalar, first: Bool) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || c == ":" || (!first && c >= "0" && c <= "9")
        }
        func readName() throws -> String {
            var name = ""
            while let c = scalars.first, isNameScalar(c, first: name.isEmpty) { name.unicodeScalars.append(c); scalars.removeFirst() }
            guard !name.isEmpty else { throw ParseError(line: line, reason: "expected a name") }
            return name
        }
        let name = try readName()
        var labels: [String: String] = [:]
        if scalars.first == "{" {
            scalars.removeFirst()
            while scalars.first != "}" {
                let label = try readName()
                guard scalars.popFirst() == "=", scalars.popFirst() == "\"" else { throw ParseError(line: line, reason: "expected =\"") }
                var value = ""
                while true {
                    guard let c = scalars.popFirst() else { throw ParseError(line: line, reason: "unterminated label value") }
                    if c == "\"" { break }
                    if c == "\n" { throw ParseError(line: line, reason: "raw newline in a label value") }
                    if c == "\\" {
                        switch scalars.popFirst() {
                        case "\\": value += "\\"
                        case "\"": value += "\""
                        case "n": value += "\n"
                        default: throw ParseError(line: line, reason: "bad escape in a label value")
                        }
                    } else {
                        value.unicodeScalars.append(c)
                    }
                }
                guard labels[label] == nil else { throw ParseError(line: line, reason: "duplicate label \(label)") }
                labels[label] = value
                if scalars.first == "," { scalars.removeFirst() }
            }
            scalars.removeFirst()
        }
        guard scalars.popFirst() == " " else { throw ParseError(line: line, reason: "expected a space before the value") }
        let rest = String(String.UnicodeScalarView(scalars))
        guard let value = Double(rest) else { throw ParseError(line: line, reason: "bad value '\(rest)'") }
        return Sample(name: name, labels: labels, value: value)
    }
}
