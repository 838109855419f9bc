import Foundation
import Testing

/// `backtest` says when a day's baseline window reaches before the stored history: its verdicts then rest on fewer
/// working days than the config's window.
@Suite("setup: backtest says when history is short")
struct BacktestHistoryTests {
    @Test func daysWhoseWindowReachesBeforeTheHistoryAreNamed() throws {
        let site = try SetupSite(extra: ["detectors": [["type": "percent-over-average", "days": 10, "percent": 150, "floor": 3]]])
        try site.log(["anna@example.org": 5])
        #expect(try site.mvpipe("run", ["--now", "2026-11-20T18:00"]).status == 0)
        let backtest = try site.mvpipe("backtest", ["--from", "2026-11-20", "--to", "2026-11-20"])
        #expect(backtest.status == 0, "\(backtest.stderr)")
        #expect(backtest.stdout.contains("note: the stored history starts on 2026-11-20; the baselines of 2026-11-20 (1 day(s)) reach before it, so their verdicts rest on fewer than 10 working days"), "\(backtest.stdout) \(backtest.stderr)")
        let json = try site.mvpipe("backtest", ["--from", "2026-11-20", "--to", "2026-11-20", "--json"])
        #expect(json.stderr.contains("note: the stored history starts on"), "said with --json too, on stderr")
        #expect(json.lines.allSatisfy { $0.hasPrefix("{") })
    }
}
