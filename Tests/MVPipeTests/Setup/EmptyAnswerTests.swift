import Foundation
import Testing

/// An empty answer says why: `counts` on a day without mail names the days the sources do cover, `explain` of an
/// unknown user names the closest known ones, `counts` labels its columns, and `run --log-level info` says what each
/// source read.
@Suite("setup: empty answers explain themselves")
struct EmptyAnswerTests {
    @Test func countsOnADayWithoutMailNamesTheDaysWithMail() throws {
        let site = try SetupSite()
        try site.log(["anna@example.org": 2])
        let empty = try site.mvpipe("counts", ["--day", "2026-11-18", "--now", "2026-11-20T18:00"])
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout.hasPrefix("2026-11-18: 0 users, 0 messages"), "\(empty.stdout)")
        #expect(!empty.stdout.contains("recipients"), "no header over nothing")
        #expect(empty.stderr.contains("nothing counted on 2026-11-18; the sources have mail on 1 day(s) from 2026-11-20 to 2026-11-20"), "\(empty.stderr)")

        let full = try site.mvpipe("counts", ["--day", "2026-11-20", "--now", "2026-11-20T18:00"])
        #expect(full.lines.count == 3, "\(full.stdout)")
        #expect(full.lines[1] == "messages recipients  user", "\(full.stdout)")
        #expect(full.lines[2].hasSuffix("  anna@example.org"), "\(full.stdout)")
        #expect(!full.stderr.contains("nothing counted"))
    }

    @Test func countsWithNoMailAnywhereSaysToCheckTheSources() throws {
        let site = try SetupSite()
        try site.log([:])
        let empty = try site.mvpipe("counts", ["--now", "2026-11-20T18:00"])
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stderr.contains("nothing counted on 2026-11-20, nor on any day from"), "\(empty.stderr)")
        #expect(empty.stderr.contains("mvpipe check"), "\(empty.stderr)")
    }

    @Test func explainOfAnUnknownUserNamesTheClosestKnownOnes() throws {
        let site = try SetupSite()
        try site.log(["anna.smith@example.org": 2, "bert@example.org": 1, "zed@other.example": 1])
        let result = try site.mvpipe("explain", ["ana.smith@example.org", "--now", "2026-11-20T18:00"])
        #expect(result.status == 66)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("no mail from ana.smith@example.org in the 30 days before 2026-11-20"), "\(result.stderr)")
        #expect(result.stderr.contains("closest known: anna.smith@example.org, bert@example.org, zed@other.example"), "\(result.stderr)")
    }

    @Test func runAtInfoSaysWhatEachSourceRead() throws {
        let site = try SetupSite()
        try site.log(["anna@example.org": 2, "bert@example.org": 1])
        let run = try site.mvpipe("run", ["--now", "2026-11-20T18:00", "--log-level", "info"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = (try String(contentsOfFile: site.dir.file("logs/mail.log"), encoding: .utf8)).split(separator: "\n").count
        #expect(run.stderr.contains("source postfix-log: read \(lines) lines; 3 new message(s) from 2 user(s) on 1 day(s); 0 skipped"), "\(run.stderr)")
    }
}
