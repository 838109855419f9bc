import Foundation
import Testing

/// The man page's reference sections against the code: every exit code mvpipe sets is in EXIT STATUS (and the
/// README's table), every top-level config key is in CONFIGURATION.
@Suite("man page: exit status and config keys")
struct ManPageReferenceTests {
    private static let root = ToolRunner.repositoryRoot

    private static func read(_ path: String) throws -> String {
        try String(contentsOfFile: root + "/" + path, encoding: .utf8)
    }

    /// The man page text from section `name` up to the next `.SH`.
    private static func section(_ name: String) throws -> String {
        let man = try read("docs/mvpipe.1")
        let start = try #require(man.range(of: ".SH \(name)\n"), "docs/mvpipe.1 has no \(name) section")
        let rest = man[start.upperBound...]
        return String(rest[..<(rest.range(of: "\n.SH ")?.lowerBound ?? rest.endIndex)])
    }

    /// Every code the sources can exit with: the `ExitCodes` constants, literal `exit(N)` calls, and 1, which
    /// swift-argument-parser uses for an error without a code of its own.
    private static func codesInSources() throws -> Set<Int> {
        var codes: Set<Int> = [1]
        let runner = try read("Sources/Pipeline/PipelineRunner.swift")
        let constants = try Regex(#"public static let \w+: Int32 = (\d+)"#)
        for match in runner.matches(of: constants) {
            codes.insert(Int(match.output[1].substring!)!)
        }
        let files = FileManager.default.enumerator(atPath: root + "/Sources")!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        let literal = try Regex(#"\bexit\((\d+)\)"#)
        for file in files {
            let text = try read("Sources/" + file)
            for match in text.matches(of: literal) { codes.insert(Int(match.output[1].substring!)!) }
        }
        return codes
    }

    @Test func exitStatusListsEveryCodeTheCodeSets() throws {
        let codes = try Self.codesInSources()
        #expect(codes.isSuperset(of: [0, 1, 64, 65, 66, 74, 75, 78, 141]), "the scan of Sources found \(codes.sorted())")
        let man = try Self.section("EXIT STATUS")
        let documented = Set(man.split(separator: "\n").filter { $0.hasPrefix(".B ") }
            .compactMap { Int($0.dropFirst(3)) })
        #expect(documented == codes, "docs/mvpipe.1 EXIT STATUS lists \(documented.sorted()), the code uses \(codes.sorted())")

        let readme = try Self.read("README.md")
        let table = try #require(readme.range(of: "### Exit codes\n")).upperBound
        let rows = readme[table...].split(separator: "\n").prefix { !$0.hasPrefix("#") }
            .compactMap { row -> Int? in
                guard row.hasPrefix("| ") else { return nil }
                return Int(row.dropFirst(2).prefix { $0 != " " })
            }
        #expect(Set(rows) == codes, "README's exit code table lists \(rows), the code uses \(codes.sorted())")
    }

    @Test func configurationNamesEveryTopLevelKey() throws {
        let schema = try CLIRunner.run(["schema"])
        try #require(schema.status == 0, "\(schema.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(schema.stdout.utf8)) as? [String: Any])
        let keys = try #require(object["properties"] as? [String: Any]).keys.sorted()
        #expect(keys.contains("timezone") && keys.contains("notifiers"), "\(keys)")
        let man = try Self.section("CONFIGURATION")
        let documented = man.split(separator: "\n").filter { $0.hasPrefix(".B ") }.map { String($0.dropFirst(3)) }
        for key in keys {
            #expect(documented.contains(key), "top-level key \(key) is not described in docs/mvpipe.1 CONFIGURATION")
        }
    }
}
