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

    /// One section of an ELF file.
    struct ELFSection {
        let name: String
        let offset: UInt64
        let size: UInt64
    }

    /// The sections of a 64-bit little-endian ELF file, and a reader of its bytes.
    final class ELFFile {
        let sections: [ELFSection]
        private let file: FileHandle

        deinit { try? file.close() }

        init(_ path: String) throws {
            let file = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            self.file = file
            let header = try Self.bytes(file, 0, 64)
            try #require(header[0..<4] == [0x7F, 0x45, 0x4C, 0x46] && header[4] == 2 && header[5] == 1, "\(path) is not ELF64 LE")
            let shoff = Self.integer(header, 0x28, 8), shentsize = Self.integer(header, 0x3A, 2)
            let shnum = Self.integer(header, 0x3C, 2), shstrndx = Self.integer(header, 0x3E, 2)
            let headers = try (0..<shnum).map { try Self.bytes(file, shoff + $0 * shentsize, Int(shentsize)) }
            let strings = headers[Int(shstrndx)]
            let table = try Self.bytes(file, Self.integer(strings, 0x18, 8), Int(Self.integer(strings, 0x20, 8)))
            sections = headers.map { h in
                ELFSection(name: Self.string(table, at: Int(Self.integer(h, 0, 4))),
                           offset: Self.integer(h, 0x18, 8), size: Self.integer(h, 0x20, 8))
            }
        }

        var names: [String] { sections.map(\.name) }

        /// The `DT_NEEDED` entries: the shared libraries the file links directly.
        func needed() throws -> [String] {
            let dynamic = try #require(sections.first { $0.name == ".dynamic" }, "no .dynamic section")
            let dynstr = try #require(sections.first { $0.name == ".dynstr" }, "no .dynstr section")
            let entries = try Self.bytes(file, dynamic.offset, Int(dynamic.size))
            let strings = try Self.bytes(file, dynstr.offset, Int(dynstr.size))
            var names: [String] = []
            for at in stride(from: 0, to: entries.count - 15, by: 16) {
                let tag = Self.integer(entries, at, 8)
                if tag == 0 { break }
                if tag == 1 { names.append(Self.string(strings, at: Int(Self.integer(entries, at + 8, 8)))) }
            }
            return names
        }

        private static func bytes(_ file: FileHandle, _ offset: UInt64, _ count: Int) throws -> [UInt8] {
            try file.seek(toOffset: offset)
            let data = try file.read(upToCount: count) ?? Data()
            try #require(data.count == count, "the file ends early at \(offset)")
            return Array(data)
        }

        private static func integer(_ b: [UInt8], _ at: Int, _ size: Int) -> UInt64 {
            (0..<size).reduce(0) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
        }

        private static func string(_ table: [UInt8], at start: Int) -> String {
            String(decoding: table[start...].prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    static func elfSections(_ path: String) throws -> [String] { try ELFFile(path).names }

    /// The README's runtime dependency table names every shared library the binary links, except the Swift runtime
    /// and Foundation, which a release build (`--static-swift-stdlib`) carries inside.
    @Test func theREADMENamesEverySharedLibraryTheBinaryNeeds() throws {
        let needed = try ELFFile(CLIRunner.binary).needed()
        #expect(needed.contains("libcurl.so.4") && needed.contains("libsqlite3.so.0"), "\(needed)")
        let swiftRuntime = ["libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime", "libTesting", "libXCTest"]
        // A sanitized test build (scripts/sanitized-test sets ASAN_OPTIONS or TSAN_OPTIONS) also links what the
        // sanitizer runtime needs; a release build does not.
        let environment = ProcessInfo.processInfo.environment
        let sanitizerRuntime = environment["ASAN_OPTIONS"] != nil || environment["TSAN_OPTIONS"] != nil
            ? ["libresolv", "librt", "libdl", "libpthread"] : []
        let system = needed.filter { name in !(swiftRuntime + sanitizerRuntime).contains { name.hasPrefix($0) } }
        let readme = try String(contentsOfFile: ToolRunner.repositoryRoot + "/README.md", encoding: .utf8)
        let start = try #require(readme.range(of: "### Runtime dependencies\n")).upperBound
        let section = readme[start...]
        let table = String(section[..<(section.range(of: "\n### ")?.lowerBound ?? section.endIndex)])
        for library in system {
            #expect(table.contains("`\(library)`"), "README's Runtime dependencies do not name \(library)")
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

    /// README "Build on one machine, copy to a relay": the staged install, packed, and unpacked with the README's
    /// relay commands (read from the README, `sudo` dropped, `/` moved into a test folder) on a relay without mvpipe
    /// and on one with the admin's config: it runs there and never replaces that config.
    @Test func aStagedInstallCopiedToARelayRunsAndKeepsItsConfig() throws {
        let dir = try TemporaryDirectory("mvpipe-install-copy")
        let stage = dir.file("stage")
        #expect(try make("install", destdir: stage, ["EXAMPLE=pipeline.postfix.example.json"]).status == 0)
        #expect(try make("install-systemd", destdir: stage).status == 0)
        let pack = try ToolRunner.run("tar", ["-C", stage, "-czf", dir.file("mvpipe.tar.gz"), "."])
        try #require(pack.status == 0, "\(pack.stderr)")

        let readme = try String(contentsOfFile: ToolRunner.repositoryRoot + "/README.md", encoding: .utf8)
        let block = try #require(readme.range(of: "# relay (")).upperBound
        let lines = readme[block...].split(separator: "\n").dropFirst().prefix { !$0.hasPrefix("```") }
            .filter { !$0.contains("apt-get") }
        #expect(lines.count == 5, "\(lines)")
        func relayScript(root: String) -> String {
            lines.map { line in
                line.replacingOccurrences(of: "sudo ", with: "")
                    .replacingOccurrences(of: " /usr/local/", with: " \(root)/usr/local/")
                    .replacingOccurrences(of: " /etc/", with: " \(root)/etc/")
            }.joined(separator: "\n")
        }
        func install(root: String) throws -> CLIRunner.Result {
            for folder in ["usr/local/bin", "usr/local/share", "etc/systemd/system"] {
                try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
            }
            return try ToolRunner.run("sh", ["-euc", relayScript(root: root)], in: dir.path)
        }

        let fresh = dir.file("fresh")
        let first = try install(root: fresh)
        #expect(first.status == 0, "\(first.stderr)")
        let postfix = try String(contentsOfFile: ToolRunner.repositoryRoot + "/pipeline.postfix.example.json", encoding: .utf8)
        #expect(try String(contentsOfFile: fresh + "/etc/mvpipe/pipeline.json", encoding: .utf8) == postfix)
        for path in ["/etc/systemd/system/mvpipe.timer", "/usr/local/share/man/man1/mvpipe.1",
                     "/usr/local/share/doc/mvpipe/examples/pipeline.example.json"] {
            #expect(FileManager.default.fileExists(atPath: fresh + path), "\(path) missing")
        }
        #expect(try ToolRunner.run(fresh + "/usr/local/bin/mvpipe", ["--version"]).status == 0)

        let used = dir.file("used")
        try FileManager.default.createDirectory(atPath: used + "/etc/mvpipe", withIntermediateDirectories: true)
        let mine = "{\"edited\": true}\n"
        try Data(mine.utf8).write(to: URL(fileURLWithPath: used + "/etc/mvpipe/pipeline.json"))
        let upgrade = try install(root: used)
        #expect(upgrade.status == 0, "\(upgrade.stderr)")
        #expect(try String(contentsOfFile: used + "/etc/mvpipe/pipeline.json", encoding: .utf8) == mine)
        #expect(try ToolRunner.run(used + "/usr/local/bin/mvpipe", ["--version"]).status == 0)
    }
}
