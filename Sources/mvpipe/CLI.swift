import ArgumentParser
import Foundation
import Logging
import Pipeline

/// Maps mvpipe's errors to a clear line on stderr and a documented exit code.
enum CLI {
    /// Runs `body`; known errors are printed and rethrown as `ExitCode`.
    static func guarded<T>(configFile: String? = nil, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ConfigError {
            printError("config error in \(configFile ?? "config") at \(error.place): \(error.message)"
                       + (error.excerpt.map { "\n" + $0 } ?? ""))
            throw ExitCode(ExitCodes.config)
        } catch let error as StateError {
            printError(error.description)
            switch error {
            case .locked, .unreachable: throw ExitCode(ExitCodes.tempFail)
            case .missing, .unusable: throw ExitCode(ExitCodes.ioError)
            }
        } catch let error as StateImportError {
            printError("state import: \(error.description); nothing was imported")
            switch error {
            case .invalidLine: throw ExitCode(ExitCodes.dataError)
            case .unreadable: throw ExitCode(ExitCodes.noInput)
            case .notEmpty: throw ExitCode(ExitCodes.usage)
            }
        } catch let error as SourceError {
            printError(error.message)
            throw ExitCode(ExitCodes.noInput)
        }
    }

    /// A logger writing to stderr at `level`, and also to syslog when `syslog` is set.
    static func makeLogger(level: Logger.Level, syslog: Bool = false) -> Logger {
        var logger = Logger(label: "mvpipe") { label in
            let stderr = StreamLogHandler.standardError(label: label)
            return syslog ? MultiplexLogHandler([stderr, SyslogLogHandler(level: level)]) : stderr
        }
        logger.logLevel = level
        return logger
    }

    /// Writes `mvpipe: MESSAGE` to stderr.
    static func printError(_ message: String) {
        StandardStreams.writeError("mvpipe: \(message)\n")
    }

    /// Writes a line to stdout; throws ``OutputError`` when stdout cannot take it (its reader went away).
    static func printOut(_ line: String) throws(OutputError) {
        try StandardStreams.writeOut(line + "\n")
    }

    /// Parses `--now` in the config's time zone, or returns the current time.
    static func parseNow(_ text: String?, calendar: WorkCalendar) throws -> Date {
        guard let text else { return Date() }
        guard let date = calendar.parseLocalTime(text) else {
            printError("--now: expected a local time like 2026-11-25T16:00 (or 2026-11-25), found '\(text)'")
            throw ExitCode(ExitCodes.usage)
        }
        return date
    }

    /// A source's trouble as a JSON line (`--json` output says what stderr says).
    static func json(_ problem: SourceProblem) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(problem)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Parses a `YYYY-MM-DD` option value, or exits 64 naming the option.
    static func parseDay(_ text: String, option: String) throws -> Day {
        guard let day = Day(text) else {
            printError("\(option): expected a date YYYY-MM-DD, found '\(text)'")
            throw ExitCode(ExitCodes.usage)
        }
        return day
    }

    /// One alert as a JSON line.
    static func json(_ alert: Alert) -> String {
        let record = AlertJSON(alert)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(record)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// The `--json` form of an alert (a documented, stable shape).
struct AlertJSON: Encodable {
    var id: Int64
    var user: String
    var day: String
    var messages: Int
    var recipients: Int?
    var detectors: [String]
    var average: Double
    var allowed: Int
    var sequence: Int
    var verdicts: [Verdict]
    var history: [DayCount]
    var recent: [DayCount]
    var sparkline: String
    /// What containment actions did (or, in a dry run, would do), when any handled the alert.
    var containment: [String: String]?
    var clientIPs: [ClientIPEvidence]?

    init(_ alert: Alert) {
        id = alert.id
        user = alert.user
        day = alert.day.description
        messages = alert.messages
        recipients = alert.recipients
        detectors = alert.firedDetectors
        average = (alert.average * 100).rounded() / 100
        allowed = alert.allowed
        sequence = alert.sequence
        verdicts = alert.verdicts
        history = alert.history
        recent = alert.recent
        sparkline = alert.sparkline
        containment = alert.containment
        clientIPs = alert.clientIPs
    }

    func encode(to encoder: any Encoder) throws {
        enum Keys: String, CodingKey {
            case id, user, day, messages, recipients, detectors, average, allowed, sequence, verdicts, history, recent, sparkline,
                 containment, client_ips
        }
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(id, forKey: .id)
        try c.encode(user, forKey: .user)
        try c.encode(day, forKey: .day)
        try c.encode(messages, forKey: .messages)
        try c.encode(recipients, forKey: .recipients)
        try c.encode(detectors, forKey: .detectors)
        try c.encode(average, forKey: .average)
        try c.encode(allowed, forKey: .allowed)
        try c.encode(sequence, forKey: .sequence)
        try c.encode(verdicts, forKey: .verdicts)
        try c.encode(history, forKey: .history)
        try c.encode(recent, forKey: .recent)
        try c.encode(sparkline, forKey: .sparkline)
        try c.encodeIfPresent(containment, forKey: .containment)
        try c.encodeIfPresent(clientIPs, forKey: .client_ips)
    }
}
