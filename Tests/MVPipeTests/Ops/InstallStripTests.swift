import Foundation
import Testing

/// `make install` strips the binary (it still runs), installs both example configs for reference, and installs the
/// one `EXAMPLE=` names as the first config.
@Suite("make install: stripped binary and example configs")
struct InstallStripTests {
    private func make(_ target: String, destdir: String, _ extra: [String] = []) throws -> CLIRunner.Result {
        let binPath = URL(fileURLWithPath: CLIRunner.binary).deletingLastPathComponent().path
        return try ToolRunner.run("make", ["--no-print-directory", target, "DESTDIR=\(destdir)", "SKIP_BUILD=1",
                                           "BIN_PATH=\(binPath)", "COMPLETIONS=\(destdir)/.completions"] + extra)
    }

    /// The section names of a 64-bit little-endian ELF file.
    static func elfSections(_ path: String) throws -> [String] {
        let file = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? file.close() }
        func bytes(_ offset: UInt64, _ count: Int) throws -> [UInt8] {
            try file.seek(toOffset: offset)
            let data = try file.read(upToCount: count) ?? Data()
            try #require(data.count == count, "\(path) ends early at \(offset)")
            return Array(data)
        }
        func integer(_ b: [UInt8], _ at: Int, _ size: Int) -> UInt64 {
            (0..<size).reduce(0) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
        }
        let header = try bytes(0, 64)
        try #require(header[0..<4] == [0x7F, 0x45, 0x4C, 0x46] && header[4] == 2 && header[5] == 1, "\(path) is not ELF64 LE")
        let shoff = integer(header, 0x28, 8), shentsize = integer(header, 0x3A, 2)
        let shnum = integer(header, 0x3C, 2), shstrndx = integer(header, 0x3E, 2)
        let sections = try (0..<shnum).map { try bytes(shoff + $0 * shentsize, Int(shentsize)) }
        let strings = sections[Int(shstrndx)]
        let table = try bytes(integer(strings, 0x18, 8), Int(integer(strings, 0x20, 8)))
        return sections.map { section in
            let start = Int(integer(section, 0, 4))
            return String(decoding: table[start...].prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    @Test func theInstalledBinaryIsStrippedAndRuns() throws {
        let dir = try TemporaryDirectory("mvpipe-install-strip")
        #expect(try Self.elfSections(CLIRunner.binary).contains(".symtab"), "the built binary has symbols to strip")
        let stage = dir.file("stage")
        let result = try make("install", destdir: stage)
        #expect(result.status == 0, "make install failed: \(result.stderr)")
        let binary = stage + "/usr/local/bin/mvpipe"
        let sections = try Self.elfSections(binary)
        #expect(sections.contains(".text") && !sections.contains(".symtab"), "not stripped: \(sections)")
        let version = try ToolRunner.run(binary, ["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("0.1.0"), "\(version.stdout)\(version.stderr)")

        // INSTALL_STRIP= keeps the symbols (and shows this test tells the two apart).
        let kept = dir.file("kept")
        #expect(try make("install", destdir: kept, ["INSTALL_STRIP="]).status == 0)
        #expect(try Self.elfSections(kept + "/usr/local/bin/mvpipe").contains(".symtab"))
    }

    @Test func bothExamplesAreInstalledAndEXAMPLEPicksTheFirstConfig() throws {
        let dir = try TemporaryDirectory("mvpipe-install-example")
        let stage = dir.file("stage")
        let result = try make("install", destdir: stage, ["EXAMPLE=pipeline.postfix.example.json", "INSTALL_STRIP="])
        #expect(result.status == 0, "make install failed: \(result.stderr)")
        func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
        let postfix = try read(ToolRunner.repositoryRoot + "/pipeline.postfix.example.json")
        #expect(try read(stage + "/etc/mvpipe/pipeline.json") == postfix)
        let examples = stage + "/usr/local/share/doc/mvpipe/examples/"
        #expect(try read(examples + "pipeline.postfix.example.json") == postfix)
        #expect(try read(examples + "pipeline.example.json") == read(ToolRunner.repositoryRoot + "/pipeline.example.json"))

        #expect(try make("uninstall", destdir: stage).status == 0)
        #expect(!FileManager.default.fileExists(atPath: stage + "/usr/local/share/doc/mvpipe"))
        #expect(FileManager.default.fileExists(atPath: stage + "/etc/mvpipe/pipeline.json"), "uninstall keeps the config")
    }
}
