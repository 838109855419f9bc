import Foundation
import Pipeline
import Testing

/// The strict JSON reader against RFC 8259 (the CLI side of it is ConfigSyntaxTests).
@Suite struct JSONReaderTests {
    private func read(_ text: String) throws -> JSONValue {
        try JSONReader.read(Array(text.utf8)).value
    }

    private func error(_ bytes: [UInt8]) -> JSONReader.SyntaxError? {
        do {
            _ = try JSONReader.read(bytes)
            return nil
        } catch {
            return error
        }
    }

    private func error(_ text: String) -> JSONReader.SyntaxError? { error(Array(text.utf8)) }

    @Test func readsWhatRFC8259Allows() throws {
        #expect(try read(#" {"a": [1, -0, 2.5, -1e-3, 1E+2, true, false, null, "x"], "b": {}} "#) == .object([
            "a": .array([.integer(1), .integer(0), .number(2.5), .number(-0.001), .number(100), .bool(true), .bool(false), .null, .string("x")]),
            "b": .object([:]),
        ]))
        #expect(try read(#""\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00\u0000""#) == .string("\"\\/\u{8}\u{c}\n\r\té😀\u{0}"))
        #expect(try read("\u{FEFF}[]") == .array([]), "a byte order mark is skipped")
        #expect(try read("9223372036854775807") == .integer(Int.max))
        #expect(try read("9223372036854775808") == .number(9_223_372_036_854_775_808), "too big for Int: a Double")
        #expect(try read("1e-400") == .number(0), "underflow is zero, not an error")
        #expect(try read("\"é\u{7F}\"") == .string("é\u{7F}"), "DEL and UTF-8 need no escape")
        let deep = String(repeating: "[", count: JSONReader.maximumDepth) + String(repeating: "]", count: JSONReader.maximumDepth)
        #expect((try? read(deep)) != nil)
    }

    @Test func refusesWhatItDoesNotAllowAndSaysWhere() {
        let cases: [(String, Int, String)] = [
            ("{\"a\": 1, \"a\": 2}", 9, "duplicate key \"a\": first at line 1, column 2, again at line 1, column 10"),
            ("[1 2]", 3, "expected ',' or ']'"),
            ("{\"a\" 1}", 5, "expected ':'"),
            ("[01]", 1, "leading zero"),
            ("[1.]", 1, "after the decimal point"),
            ("[1e]", 1, "exponent"),
            ("[-]", 1, "after '-'"),
            ("[+1]", 1, "expected a value"),
            ("[.5]", 1, "expected a value"),
            ("[NaN]", 1, "NaN"),
            ("[tru]", 1, "expected a value"),
            ("[\"\\ud83d\"]", 2, "surrogate"),
            ("[\"\\udc00\"]", 2, "surrogate"),
            ("[\"\\u12\"]", 2, "four hex digits"),
            ("[\"a\tb\"]", 3, "control character"),
            ("[1,]", 2, "trailing comma"),
            ("{\"a\":1,}", 6, "trailing comma"),
            ("[1] x", 4, "after the end"),
            ("[", 1, "the file ends where a value was expected"),
            ("[1", 2, "ends inside an array"),
            ("{", 1, "ends inside an object"),
            ("\"abc", 0, "never ends"),
            (String(repeating: "[", count: JSONReader.maximumDepth + 1), JSONReader.maximumDepth, "nested deeper than 64"),
        ]
        for (text, offset, fragment) in cases {
            let found = error(text)
            #expect(found?.offset == offset, "\(text): \(String(describing: found))")
            #expect(found?.message.contains(fragment) == true, "\(text): \(String(describing: found))")
        }
        // Invalid UTF-8: a lone continuation byte, an overlong form, an encoded surrogate, a truncated sequence.
        for bytes: [UInt8] in [[0x22, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82]] {
            let found = error(bytes)
            #expect(found?.offset == 1 && found?.message.contains("UTF-8") == true, "\(bytes): \(String(describing: found))")
        }
        #expect(error("{\"a\": {\"b\": [1, {\"c\": x}]}}")?.path == "$.a.b[1].c")
    }

    @Test func positionsAndExcerpts() throws {
        let text = Array("{\n\t\"é\": [1,\n  2 x]}".utf8)
        let found = try #require(error(text))
        #expect(TextPosition(offset: found.offset, in: text) == TextPosition(line: 3, column: 5))
        #expect(TextPosition.excerpt(at: found.offset, in: text) == "  3 |   2 x]}\n    |     ^")
        let document = try JSONReader.read(Array("{\n  \"a\": {\"b\": [true]}\n}".utf8))
        #expect(document.offset(of: "$.a.b[0]") == 16)
        #expect(document.offset(of: "$.a.b") == 10, "a member: where its key starts")
        #expect(document.offset(of: "$.a.missing") == document.offset(of: "$.a"), "a missing key: the object that lacks it")
        let long = Array(("[" + String(repeating: "1,", count: 200) + "x]").utf8)
        let excerpt = TextPosition.excerpt(at: 401, in: long, width: 20)
        #expect(excerpt == "  1 | …1,1,1,1,1,1,1,1,1,x]\n    | " + String(repeating: " ", count: 19) + "^")
    }
}
