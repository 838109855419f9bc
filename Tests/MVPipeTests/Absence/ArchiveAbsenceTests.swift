import Foundation
import Pipeline
import Testing

/// Absence of evidence is not evidence of absence: an archive that suddenly shows nothing where it showed mail
/// before (an unmounted share leaves an empty mount point) fails the source and changes nothing stored; a day that
/// shows fewer messages than were stored keeps the stored counts and says so.
@Suite("archive: absence is not evidence")
struct ArchiveAbsenceTests {
    /// 2026-11-25 is a Wednesday; the runs happen late that day and just after midnight.
    static let today = Day("2026-11-25")!

    /// A site with 20 days of history for two users (10 and 20 messages a day) and a run at 23:50 that stored it.
    final class Site {
        let dir: TemporaryDirectory
        let archive: ArchiveBuilder
        let config: String
        let state: StateFile

        init() throws {
            dir = try TemporaryDirectory("mvpipe-absence")
            archive = try ArchiveBuilder(root: dir.file("archive"))
            for offset in 0..<20 {
                let day = ArchiveAbsenceTests.today.adding(days: -offset)
                try archive.add(10, sender: "anna@example.org", on: day)
                try archive.add(20, sender: "bert@example.org", on: day)
            }
            config = try ConfigFile.write(
                ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"), timezone: "UTC"),
                to: dir.file("pipeline.json"))
            state = StateFile(path: dir.file("state.sqlite"))
            let first = try run(at: "2026-11-25T23:50")
            #expect(first.status == 0, "\(first.stderr)")
            #expect(try state.volumes()["assp-archive/2026-11-25/anna@example.org"] == 10)
            #expect(try !state.isFinal(source: "assp-archive", day: "2026-11-25"))
        }

        /// `mvpipe run --now AT` with metrics in the folder.
        func run(at now: String) throws -> CLIRunner.Result {
            try CLIRunner.run(["run", "--config", config, "--now", now, "--prometheus-textfile", dir.file("mvpipe.prom")])
        }

        func metrics() throws -> PrometheusText {
            try PrometheusText(try String(contentsOfFile: dir.file("mvpipe.prom"), encoding: .utf8))
        }

        /// `archive/YYYY/MM/DD` of `day`.
        func folder(_ day: Day) -> String {
            dir.file("archive/" + day.description.replacingOccurrences(of: "-", with: "/"))
        }
    }

    @Test func anEmptyMountPointFailsTheSourceAndChangesNothing() throws {
        let site = try Site()
        let before = try StateFixture.snapshot(site.state.path)
        // The share is unmounted: the mount point is still there, empty.
        try FileManager.default.moveItem(atPath: site.dir.file("archive"), toPath: site.dir.file("share"))
        try FileManager.default.createDirectory(atPath: site.dir.file("archive"), withIntermediateDirectories: false)

        let run = try site.run(at: "2026-11-26T00:10")
        #expect(run.status == 66, "\(run.stderr)")
        #expect(run.stderr.contains(site.dir.file("archive")), "\(run.stderr)")
        #expect(run.stderr.contains("no year folders"), "\(run.stderr)")
        #expect(run.stderr.contains("mounted"), "\(run.stderr)")
        let m = try site.metrics()
        #expect(m.value("mvpipe_source_up", ["source": "assp-archive"]) == 0)
        #expect(m.value("mvpipe_run_exit_code") == 66)
        // Nothing stored changed: no counts deleted, no day marked final.
        #expect(try StateFixture.snapshot(site.state.path) == before)

        // Mounted again: the day is read whole and finalized with its counts.
        try FileManager.default.removeItem(atPath: site.dir.file("archive"))
        try FileManager.default.moveItem(atPath: site.dir.file("share"), toPath: site.dir.file("archive"))
        let again = try site.run(at: "2026-11-26T00:15")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try site.state.volumes()["assp-archive/2026-11-25/anna@example.org"] == 10)
        #expect(try site.state.volumes()["assp-archive/2026-11-25/bert@example.org"] == 20)
        #expect(try site.state.isFinal(source: "assp-archive", day: "2026-11-25"))
        #expect(try site.metrics().value("mvpipe_source_up", ["source": "assp-archive"]) == 1)
    }

    @Test func aMissingFolderOfADayWithStoredCountsFailsTheSource() throws {
        let site = try Site()
        let before = try StateFixture.snapshot(site.state.path)
        let folder = site.folder(Self.today)
        try FileManager.default.moveItem(atPath: folder, toPath: site.dir.file("aside"))

        let run = try site.run(at: "2026-11-26T00:10")
        #expect(run.status == 66, "\(run.stderr)")
        #expect(run.stderr.contains(folder + " is missing"), "\(run.stderr)")
        #expect(run.stderr.contains("30 messages"), "what was counted from it before: \(run.stderr)")
        #expect(try site.metrics().value("mvpipe_source_up", ["source": "assp-archive"]) == 0)
        #expect(try StateFixture.snapshot(site.state.path) == before)

        // Removed on purpose: an empty folder in its place says so, and the stored counts stay.
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let kept = try site.run(at: "2026-11-26T00:15")
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(kept.stderr.contains("2026-11-25"), "a warning names the day: \(kept.stderr)")
        #expect(try site.state.volumes()["assp-archive/2026-11-25/anna@example.org"] == 10)
        #expect(try site.state.isFinal(source: "assp-archive", day: "2026-11-25"))
    }

    @Test func finalizingADayNeverLowersItsStoredCounts() throws {
        let site = try Site()
        // After the 23:50 run, four of anna's files go (removed by hand, or a cleanup) and bert sends two more.
        let anna = site.folder(Self.today) + "/anna@example.org"
        for name in try FileManager.default.contentsOfDirectory(atPath: anna).sorted().prefix(4) {
            try FileManager.default.removeItem(atPath: anna + "/" + name)
        }
        try site.archive.add(2, sender: "bert@example.org", on: Self.today)

        let run = try site.run(at: "2026-11-26T00:10")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("2026-11-25"), "\(run.stderr)")
        #expect(run.stderr.contains("anna@example.org: 6 found, 10 stored"), "\(run.stderr)")
        let volumes = try site.state.volumes()
        #expect(volumes["assp-archive/2026-11-25/anna@example.org"] == 10, "the stored count stays")
        #expect(volumes["assp-archive/2026-11-25/bert@example.org"] == 22, "growth still counts")
        #expect(try site.state.isFinal(source: "assp-archive", day: "2026-11-25"))
    }

    @Test func anEmptyArchiveWithNoHistoryIsAQuietStart() throws {
        let dir = try TemporaryDirectory("mvpipe-absence")
        try FileManager.default.createDirectory(atPath: dir.file("archive"), withIntermediateDirectories: false)
        let config = try ConfigFile.write(
            ConfigFile.archive(root: dir.file("archive"), state: dir.file("state.sqlite"), timezone: "UTC"),
            to: dir.file("pipeline.json"))
        let run = try CLIRunner.run(["run", "--config", config, "--now", "2026-11-25T12:00"])
        #expect(run.status == 0, "nothing was ever counted from it, so nothing is missing: \(run.stderr)")
    }
}
