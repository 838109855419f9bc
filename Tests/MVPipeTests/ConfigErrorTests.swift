import Foundation
import Testing

/// Every kind of config mistake: the JSON path, what was expected, exit 78, and no state written.
@Suite struct ConfigErrorTests {
    nonisolated(unsafe) static let valid: [String: Any] = [
        "timezone": "Europe/Amsterdam",
        "state": "state.sqlite",
        "sources": [["type": "assp-archive", "path": "archive"]],
        "detectors": [["type": "percent-over-average"], ["type": "hard-cap", "limit": 200]],
        "notifiers": [["type": "console"]],
    ]

    func check(_ mutate: (inout [String: Any]) -> Void, raw: String? = nil,
               expect fragments: [String]) throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("archive"), withIntermediateDirectories: true)
        var config = Self.valid
        mutate(&config)
        let path = dir.file("pipeline.json")
        if let raw { try dir.write("pipeline.json", raw) } else { try ConfigFile.write(config, to: path) }
        for command in [["run"], ["check"], ["counts"]] {
            let result = try CLIRunner.run(command + ["--config", path])
            #expect(result.status == 78, "\(command): \(result.stderr)")
            for fragment in fragments {
                #expect(result.stderr.contains(fragment), "\(command): missing '\(fragment)' in: \(result.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("state.sqlite")))
    }

    @Test func validConfigPasses() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("archive/2026"), withIntermediateDirectories: true)
        let path = try ConfigFile.write(Self.valid, to: dir.file("pipeline.json"))
        let result = try CLIRunner.run(["check", "--config", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("percent-over-average"))
        #expect(result.stdout.contains("history window: 10 working days"))
    }

    @Test func unknownType() throws {
        try check({ $0["sources"] = [["type": "asp-archive", "path": "x"]] },
                  expect: ["$.sources[0].type", "unknown source type 'asp-archive'", "did you mean 'assp-archive'", "valid source types: assp-archive"])
        try check({ $0["notifiers"] = [["type": "pager"]] }, expect: ["$.notifiers[0].type", "valid notifier types:", "console", "mailx"])
    }

    @Test func unknownKey() throws {
        try check({ $0["detectors"] = [["type": "hard-cap", "limt": 5]] },
                  expect: ["$.detectors[0].limt", "unknown key 'limt'", "did you mean 'limit'"])
        try check({ $0["timezon"] = "UTC" }, expect: ["$.timezon", "did you mean 'timezone'"])
    }

    @Test func wrongValueType() throws {
        try check({ $0["detectors"] = [["type": "hard-cap", "limit": "200"]] },
                  expect: ["$.detectors[0].limit", "expected an integer, found a string"])
        try check({ $0["sources"] = [["type": "assp-archive", "path": 5]] },
                  expect: ["$.sources[0].path", "expected a string, found an integer"])
        try check({ $0["workdays"] = ["mon", "funday"] }, expect: ["$.workdays[1]", "expected one of mon"])
        try check({ $0["realert_factor"] = 0.5 }, expect: ["$.realert_factor", "from 1.0"])
        try check({ $0["host"] = "mx1\r\nBcc: x@evil.test" }, expect: ["$.host", "without spaces or control characters"])
    }

    @Test func invalidTimezoneOrDate() throws {
        try check({ $0["timezone"] = "Mars/Olympus" }, expect: ["$.timezone", "unknown time zone 'Mars/Olympus'"])
        try check({ $0["holidays"] = ["2026-12-25", "2026-02-30"] }, expect: ["$.holidays[1]", "expected a date YYYY-MM-DD"])
    }

    @Test func emptyOrMissingSources() throws {
        try check({ $0["sources"] = [Any]() }, expect: ["$.sources", "at least one"])
        try check({ $0.removeValue(forKey: "sources") }, expect: ["$.sources", "required"])
        try check({ $0["notifiers"] = [Any]() }, expect: ["$.notifiers", "at least one"])
    }

    @Test func missingRequiredOption() throws {
        try check({ $0["sources"] = [["type": "assp-archive"]] }, expect: ["$.sources[0].path", "required"])
        try check({ $0["notifiers"] = [["type": "mailx"]] }, expect: ["$.notifiers[0].to", "required"])
        try check({ $0["notifiers"] = [["type": "mailx", "to": ["-oQ/tmp@x"]]] }, expect: ["$.notifiers[0].to[0]", "plain address"])
    }

    @Test func asspSettingsThatASSPCannotHave() throws {
        try check({ $0["sources"] = [["type": "assp-archive", "path": "archive", "layout": "YEAR/MONTH/FROM"]] },
                  expect: ["$.sources[0].layout", "YEAR, MONTH, DAY and FROM once each", "found 'YEAR/MONTH/FROM'"])
        try check({ $0["sources"] = [["type": "assp-archive", "path": "archive", "layout": "YEAR/MONTH/DAY/RCPT"]] },
                  expect: ["$.sources[0].layout", "found 'YEAR/MONTH/DAY/RCPT'"])
        try check({ $0["sources"] = [["type": "assp-log", "paths": ["maillog.txt"], "date_format": "DD.MM.YYYY"]] },
                  expect: ["$.sources[0].date_format", "LogDateFormat", "it needs MMM or MM, DD, hh, mm and ss"])
    }

    @Test func duplicateNames() throws {
        try check({ $0["notifiers"] = [["type": "console"], ["type": "console"]] },
                  expect: ["$.notifiers[1].name", "distinct \"name\""])
    }

    @Test func brokenJSON() throws {
        try check({ _ in }, raw: "{ \"sources\": [ }",
                  expect: ["at $.sources[0] (line 1, column 16): expected a value", "found '}'"])
        try check({ _ in }, raw: "[]", expect: ["at $ (line 1, column 1): expected an object, found an array"])
    }

    @Test func usageErrorsExit64() throws {
        let result = try CLIRunner.run(["run", "--no-such-flag"])
        #expect(result.status == 64)
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("archive"), withIntermediateDirectories: true)
        let path = try ConfigFile.write(Self.valid, to: dir.file("pipeline.json"))
        let badNow = try CLIRunner.run(["run", "--config", path, "--now", "next tuesday"])
        #expect(badNow.status == 64)
        #expect(badNow.stderr.contains("--now"))
    }
}
