import Foundation
import Testing

/// Config files that are not valid JSON, hold a key twice, or are not files at all: exit 78 with the place (JSON
/// path, line and column, the line itself with a caret), and never a Foundation or Swift type name.
@Suite("config syntax, duplicate keys, unreadable config files")
struct ConfigSyntaxTests {
    /// Text that means an internal error type or Foundation's wording reached the user.
    static let internalWords = ["NSCocoaErrorDomain", "Error Domain=", "NSError", "NSDebugDescription", "DecodingError",
                                "EncodingError", "dataCorrupted", "typeMismatch", "keyNotFound", "valueNotFound",
                                "CodingKeys", "codingPath", "underlyingError", "Swift.", "Foundation.", "JSONValue",
                                "ConfigError", "Optional(", "Fatal error", "The given data", "The data couldn",
                                "couldn’t be", "UserInfo="]

    /// A valid config's lines, to break one at a time (sources, a state file and a console notifier).
    static func lines(_ dir: TemporaryDirectory) -> [String] {
        [
            "{",
            "  \"timezone\": \"UTC\",",
            "  \"state\": \"state.sqlite\",",
            "  \"sources\": [{\"type\": \"assp-archive\", \"path\": \"archive\"}],",
            "  \"detectors\": [{\"type\": \"hard-cap\", \"limit\": 200}],",
            "  \"notifiers\": [{\"type\": \"console\"}]",
            "}",
        ]
    }

    /// Writes `text` as the config and runs `check`, `run` and `counts` on it: each must exit 78, say every fragment,
    /// and write no state.
    @discardableResult
    func expectConfigError(_ text: String, in dir: TemporaryDirectory, _ fragments: [String],
                           sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try FileManager.default.createDirectory(atPath: dir.file("archive"), withIntermediateDirectories: true)
        let path = try dir.write("pipeline.json", text)
        var said = ""
        for command in ["check", "run", "counts"] {
            let result = try CLIRunner.run([command, "--config", path])
            #expect(result.status == 78, "\(command): \(result.stderr)", sourceLocation: sourceLocation)
            for fragment in fragments {
                #expect(result.stderr.contains(fragment), "\(command): missing '\(fragment)' in: \(result.stderr)",
                        sourceLocation: sourceLocation)
            }
            for word in Self.internalWords where result.stderr.contains(word) {
                Issue.record("\(command): '\(word)' reached the user: \(result.stderr)", sourceLocation: sourceLocation)
            }
            said = result.stderr
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("state.sqlite")), sourceLocation: sourceLocation)
        return said
    }

    /// "line L, column C" of the `occurrence`-th (from 1) appearance of `needle` in `text` (columns in characters).
    func place(of needle: String, occurrence: Int = 1, in text: String) -> String {
        var searchFrom = text.startIndex
        var found = text.startIndex
        for _ in 0..<occurrence {
            found = text.range(of: needle, range: searchFrom..<text.endIndex)!.lowerBound
            searchFrom = text.index(after: found)
        }
        let before = text[..<found]
        let line = before.filter { $0 == "\n" }.count + 1
        let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
        return "line \(line), column \(column)"
    }

    @Test func aKeyGivenTwiceIsAnErrorNamingBothPlaces() throws {
        let dir = try TemporaryDirectory("mvpipe-duplicate")
        var lines = Self.lines(dir)
        lines.insert("  \"timezone\": \"Mars/Olympus\",", at: 2)
        let top = lines.joined(separator: "\n")
        try expectConfigError(top, in: dir, ["at $.timezone", "duplicate key \"timezone\"",
                                             place(of: "\"timezone\"", in: top), place(of: "\"timezone\"", occurrence: 2, in: top)])

        // Inside a plugin entry, in an override's detectors, in a webhook's headers, and a whole section twice.
        let cases: [(String, String, String)] = [
            ("  \"detectors\": [{\"type\": \"hard-cap\", \"limit\": 200}],",
             "  \"detectors\": [{\"type\": \"hard-cap\", \"limit\": 5, \"limit\": 500}],", "$.detectors[0].limit"),
            ("  \"notifiers\": [{\"type\": \"console\"}]",
             "  \"notifiers\": [{\"type\": \"console\"}],\n  \"overrides\": [{\"users\": [\"a@example.org\"], \"detectors\": [{\"type\": \"hard-cap\", \"limit\": 1, \"type\": \"z-score\"}]}]",
             "$.overrides[0].detectors[0].type"),
            ("  \"notifiers\": [{\"type\": \"console\"}]",
             "  \"notifiers\": [{\"type\": \"webhook\", \"url\": \"http://127.0.0.1:9/hook\", \"headers\": {\"X-Team\": \"a\", \"X-Team\": \"b\"}}]",
             "$.notifiers[0].headers.X-Team"),
            ("  \"notifiers\": [{\"type\": \"console\"}]",
             "  \"notifiers\": [{\"type\": \"console\"}],\n  \"detectors\": [{\"type\": \"z-score\"}]", "$.detectors"),
        ]
        for (line, replacement, path) in cases {
            let text = Self.lines(dir).joined(separator: "\n").replacingOccurrences(of: line, with: replacement)
            let key = "\"" + path.split(separator: ".").last!.split(separator: "[").first! + "\""
            let occurrences = text.components(separatedBy: key).count - 1
            try expectConfigError(text, in: dir, ["at \(path)", "duplicate key \(key)",
                                                  place(of: key, occurrence: occurrences - 1, in: text),
                                                  place(of: key, occurrence: occurrences, in: text)])
        }
    }

    @Test func aSyntaxErrorNamesLineAndColumnAndShowsTheLine() throws {
        let dir = try TemporaryDirectory("mvpipe-syntax")
        var lines = Self.lines(dir)
        lines[1] = "  \"timezone\": \"UTC\""  // the comma is missing
        let said = try expectConfigError(lines.joined(separator: "\n"), in: dir, ["line 3, column 3", "expected ',' or '}'"])
        let output = said.components(separatedBy: "\n")
        let shown = try #require(output.firstIndex { $0.hasSuffix("3 |   \"state\": \"state.sqlite\",") }, "the line is shown: \(said)")
        #expect(output[shown + 1].hasSuffix("|   ^"), "a caret under column 3: \(said)")
    }

    @Test func everyKindOfBadJSONSaysWhereAndWhat() throws {
        let dir = try TemporaryDirectory("mvpipe-bad-json")
        let valid = Self.lines(dir).joined(separator: "\n")
        let detectors = "  \"detectors\": [{\"type\": \"hard-cap\", \"limit\": 200}],"
        func replacingDetectors(_ with: String) -> String { valid.replacingOccurrences(of: detectors, with: with) }
        let cases: [(String, [String])] = [
            (replacingDetectors("  \"realert_factor\": NaN,"), ["line 5, column 21", "NaN"]),
            (replacingDetectors("  \"realert_factor\": -Infinity,"), ["line 5, column 21", "Infinity"]),
            (replacingDetectors("  \"realert_factor\": 1e400,"), ["line 5, column 21", "1e400", "out of range"]),
            (replacingDetectors("  \"realert_factor\": 007,"), ["line 5, column 21", "leading zero"]),
            (replacingDetectors("  \"detectors\": [{\"type\": \"hard-cap\", \"limit\": 200},],"), ["line 5, column 51", "trailing comma"]),
            (replacingDetectors("  \"detectors\": [{'type': \"hard-cap\"}],"), ["line 5, column 18", "double quotes"]),
            (replacingDetectors("  // no detectors"), ["line 5, column 3", "comments"]),
            (replacingDetectors("  \"host\": \"mx1\nexample\","), ["line 5, column 15", "line break inside a string"]),
            (replacingDetectors("  \"host\": \"mx1\\qexample\","), ["line 5, column 15", "\\q"]),
            ("{\n  \"timezone\": \"UTC", ["line 2, column 15", "never ends"]),
            (replacingDetectors("  \"deep\": " + String(repeating: "[", count: 10_000)), ["line 5, column", "nested deeper than"]),
            (valid + "\n{}", ["line 8, column 1", "after the end"]),
            ("", ["line 1, column 1", "empty"]),
            ("  \n\t\n", ["line 3, column 1", "no JSON value"]),
        ]
        for (text, fragments) in cases {
            try expectConfigError(text, in: dir, fragments)
        }
        // A byte that is not UTF-8.
        var bytes = Array(valid.utf8)
        let at = bytes.firstIndex(of: UInt8(ascii: "U"))!
        bytes[at] = 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: dir.file("latin1.json")))
        let result = try CLIRunner.run(["check", "--config", dir.file("latin1.json")])
        #expect(result.status == 78)
        #expect(result.stderr.contains("line 2, column 16") && result.stderr.contains("UTF-8"), "\(result.stderr)")
    }

    @Test func aConfigPathThatIsNotARegularFileSaysSo() throws {
        let dir = try TemporaryDirectory("mvpipe-not-a-file")
        try FileManager.default.createDirectory(atPath: dir.file("pipeline.json"), withIntermediateDirectories: true)
        #expect(mkfifo(dir.file("fifo.json"), 0o600) == 0)
        let cases: [(String, String)] = [
            (dir.file("pipeline.json"), "is a directory"),
            ("/dev/zero", "not a regular file"),
            (dir.file("fifo.json"), "not a regular file"),
            (dir.file("missing.json"), "no such file"),
        ]
        for (path, fragment) in cases {
            let result = try CLIRunner.run(["check", "--config", path], timeout: 60)
            #expect(result.status == 78, "\(path): \(result.stderr)")
            #expect(result.stderr.contains("config error in \(path)") && result.stderr.contains(fragment), "\(path): \(result.stderr)")
            for word in Self.internalWords where result.stderr.contains(word) {
                Issue.record("'\(word)' reached the user: \(result.stderr)")
            }
        }
    }

    @Test func lockTimeoutMustBeAFiniteNumberOfSeconds() throws {
        let dir = try TemporaryDirectory("mvpipe-lock-timeout")
        try FileManager.default.createDirectory(atPath: dir.file("archive"), withIntermediateDirectories: true)
        let config = try dir.write("pipeline.json", Self.lines(dir).joined(separator: "\n"))
        for command in [["run"], ["counts"], ["state", "export"]] {
            for value in [["--lock-timeout", "nan"], ["--lock-timeout", "inf"], ["--lock-timeout", "-5"], ["--lock-timeout=-5"],
                          ["--lock-timeout", "1e9"]] {
                let result = try CLIRunner.run(command + ["--config", config] + value)
                let label = (command + value).joined(separator: " ")
                #expect(result.status == 64, "\(label): \(result.stderr)")
                #expect(result.stderr.contains("--lock-timeout") && result.stderr.contains("from 0 to"), "\(label): \(result.stderr)")
                #expect(!result.stderr.contains("Missing value"), "\(label): \(result.stderr)")
            }
        }
        let fine = try CLIRunner.run(["counts", "--config", config, "--lock-timeout", "0.5"])
        #expect(fine.status == 0, "\(fine.stderr)")
    }

    @Test func theFuzzCorpusOfConfigsGetsPlainMessages() throws {
        // The config fuzzer's seeds and reproducers: broken, odd and hostile configs, run through `check`.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var files: [String] = []
        for folder in ["Fuzz/corpus/config", "Tests/Fixtures/fuzz/config"] {
            let path = root.appendingPathComponent(folder).path
            files += ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).map { path + "/" + $0 }
        }
        #expect(files.count >= 4)
        for file in files.sorted() {
            let result = try CLIRunner.run(["check", "--config", file])
            #expect(result.status == 0 || result.status == 78, "\(file): \(result.stderr)")
            for word in Self.internalWords where result.stderr.contains(word) || result.stdout.contains(word) {
                Issue.record("\(file): '\(word)' reached the user: \(result.stderr)")
            }
        }
    }

    @Test func noTestExpectsAnInternalNameInAMessage() throws {
        // The tests' expected messages are the documented wording: none may count on Foundation's or Swift's.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let files = FileManager.default.enumerator(atPath: root.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(files.count > 20)
        for file in files where !file.hasSuffix("ConfigSyntaxTests.swift") {
            let text = try String(contentsOfFile: root.appendingPathComponent(file).path, encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("contains(\"") || line.contains("expect: [") {
                for word in Self.internalWords where word != "Foundation." && line.contains(word) {
                    Issue.record("\(file): expects '\(word)': \(line)")
                }
            }
        }
    }
}
