import Foundation
import Pipeline
import Testing

/// `assp-archive` never follows a symbolic link (docs/sources.md): the root as a link is refused with the fix, a
/// day folder that is a link fails the source, and links in the folders above the root are fine.
@Suite("assp-archive and symbolic links")
struct ArchiveSymlinkTests {
    let dir: TemporaryDirectory
    let day = Day("2026-11-25")!

    init() throws {
        dir = try TemporaryDirectory("mvpipe-archive-links")
        try ArchiveBuilder(root: dir.file("real/out")).add(3, sender: "alice@example.org", on: day)
    }

    func counts(root: String) throws -> CLIRunner.Result {
        let config = try ConfigFile.write(ConfigFile.archive(root: root, state: dir.file("state.sqlite")),
                                          to: dir.file("pipeline.json"))
        return try CLIRunner.run(["counts", "--config", config, "--day", "2026-11-25", "--json", "--now", "2026-11-25T16:00"])
    }

    @Test func aLinkAboveTheRootIsFine() throws {
        try FileManager.default.createSymbolicLink(atPath: dir.file("assp"), withDestinationPath: dir.file("real"))
        let result = try counts(root: dir.file("assp/out"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try MaillogHarness.parse(result) == ["alice@example.org": MaillogCount(messages: 3, recipients: nil)])
    }

    @Test func theRootAsALinkIsRefusedWithTheFix() throws {
        try FileManager.default.createSymbolicLink(atPath: dir.file("out"), withDestinationPath: dir.file("real/out"))
        let result = try counts(root: dir.file("out"))
        #expect(result.status == 66)
        #expect(result.stderr.contains("the archive root \(dir.file("out")) is a symbolic link (to \(dir.file("real/out")))"), "\(result.stderr)")
        #expect(result.stderr.contains("readlink -f"))
        #expect(try MaillogHarness.parse(result).isEmpty)
    }

    @Test func aDayFolderThatIsALinkFailsTheSource() throws {
        let fm = FileManager.default
        try fm.moveItem(atPath: dir.file("real/out/2026/11/25"), toPath: dir.file("elsewhere"))
        try fm.createSymbolicLink(atPath: dir.file("real/out/2026/11/25"), withDestinationPath: dir.file("elsewhere"))
        let result = try counts(root: dir.file("real/out"))
        #expect(result.status == 66, "\(result.stderr)")
        #expect(result.stderr.contains("real/out/2026/11/25 is a symbolic link (to \(dir.file("elsewhere")))"), "\(result.stderr)")
        #expect(try MaillogHarness.parse(result).isEmpty)
    }
}
