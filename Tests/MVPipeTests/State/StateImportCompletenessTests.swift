import Foundation
import Pipeline
import Testing

/// `state import` refuses a file that is valid line by line but incomplete as a whole: imported counts without the
/// `source_day` rows that say their days were read (and are final) were rescanned by the next run, which deleted
/// them when the archive no longer had those days (480 000 rows on a real relay).
@Suite struct StateImportCompletenessTests {
    @Test func volumeRowsWithoutTheirSourceDayAreRefused() throws {
        let site = try ArchiveAbsenceTests.Site()
        let export = site.dir.file("state.jsonl")
        let exported = try CLIRunner.run(["state", "export", "--config", site.config, "--output", export])
        #expect(exported.status == 0, "\(exported.stderr)")
        let lines = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("{\"table\":\"source_day\"") })
        // A hand-made or filtered export: every source_day row gone.
        let stripped = lines.filter { !$0.hasPrefix("{\"table\":\"source_day\"") }
        try (stripped.joined(separator: "\n") + "\n").write(toFile: site.dir.file("stripped.jsonl"), atomically: true, encoding: .utf8)
        let firstVolume = try #require(stripped.firstIndex { $0.hasPrefix("{\"table\":\"volume\"") }) + 1

        // The new relay: its archive keeps only the last few days (ASSP's cleanup), the history is in the export.
        try FileManager.default.createDirectory(atPath: site.dir.file("new"), withIntermediateDirectories: false)
        let newArchive = try ArchiveBuilder(root: site.dir.file("new/archive"))
        try newArchive.add(3, sender: "anna@example.org", on: ArchiveAbsenceTests.today)
        let newConfig = try ConfigFile.write(
            ConfigFile.archive(root: site.dir.file("new/archive"), state: site.dir.file("new/state.sqlite"), timezone: "UTC"),
            to: site.dir.file("new/pipeline.json"))
        let imported = try CLIRunner.run(["state", "import", "--config", newConfig, "--input", site.dir.file("stripped.jsonl")])
        #expect(imported.status == 65, "\(imported.stderr)")
        #expect(imported.stderr.contains("line \(firstVolume)"), "names the first incomplete line: \(imported.stderr)")
        #expect(imported.stderr.contains("source_day"), "\(imported.stderr)")
        #expect(imported.stderr.contains("nothing was imported"), "\(imported.stderr)")
        #expect(!FileManager.default.fileExists(atPath: site.dir.file("new/state.sqlite")))

        // The whole export imports, and the first run on the new relay keeps every imported count.
        let whole = try CLIRunner.run(["state", "import", "--config", newConfig, "--input", export])
        #expect(whole.status == 0, "\(whole.stderr)")
        let run = try CLIRunner.run(["run", "--config", newConfig, "--now", "2026-11-26T00:10"])
        #expect(run.status == 0, "\(run.stderr)")
        let volumes = try StateFile(path: site.dir.file("new/state.sqlite")).volumes()
        #expect(volumes["assp-archive/2026-11-25/anna@example.org"] == 10, "never lowered to the 3 the new archive holds")
        #expect(volumes == (try site.state.volumes()), "every imported count is still there")
        #expect(volumes.count == 30)  // 2026-11-11 to 2026-11-25, two users
    }
}
