import Foundation
import Logging
@testable import Notifiers
import Pipeline
import Testing

/// The hostile user names every notifier must carry as inert text.
enum HostileNames {
    static let channel = "<!channel>"
    static let mention = "<@U123>"
    static let html = "<b>x</b>"
    static let crlf = "a\r\nBcc: x@evil.test"
    static let shell = "$(reboot)"
    static let long = String(repeating: "A", count: 10_000) + "<!here>"
    static let all = [channel, mention, html, crlf, shell, long]
}

/// A log handler that keeps every message, to check what notifiers log (and never log).
struct CapturingLogHandler: LogHandler {
    /// The messages logged so far, shared by copies of the handler.
    final class Store: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
        var text: String { all.joined(separator: "\n") }
    }

    let store: Store
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.append("\(event.level): \(event.message)")
    }
}

/// Builds notifiers from JSON entries, as the config loader does, and sample alert batches.
struct NotifierHarness {
    let logs = CapturingLogHandler.Store()
    /// The notifiers' retry clock: their waits, without waiting.
    let clock = VirtualRetryClock()
    var environment: [String: String] = [:]
    var baseDirectory = NSTemporaryDirectory()
    var hostName = "mx1.example.org"

    /// The context plugins get.
    var context: PluginContext {
        let store = logs
        let logger = Logger(label: "test") { _ in CapturingLogHandler(store: store) }
        return PluginContext(calendar: WorkCalendar(timeZone: TimeZone(identifier: "UTC")!, workdays: Set(Weekday.allCases), holidays: []),
                             baseDirectory: baseDirectory, environment: environment, logger: logger,
                             hostName: hostName, consoleStream: .standardError, retryClock: clock)
    }

    /// Builds the notifier an entry describes (at `$.notifiers[0]`).
    func make(_ entry: [String: Any]) throws -> any Notifier {
        let data = try JSONSerialization.data(withJSONObject: entry)
        let registry = Registry(sources: [], detectors: [], notifiers: BuiltinNotifiers.all)
        return try registry.makeNotifier(try JSONValue.parse(data), path: "$.notifiers[0]", context: context).plugin
    }

    /// The config error building `entry` throws (nil when it builds).
    func configError(_ entry: [String: Any]) -> ConfigError? {
        do {
            _ = try make(entry)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    /// A batch with one alert per user, ids from `firstID`.
    func batch(users: [String], firstID: Int64 = 1) -> AlertBatch {
        let day = Day("2026-11-25")!
        let alerts = users.enumerated().map { i, user in
            // Limits rise faster than counts, so the batch's most-severe-first order is the order of `users`.
            Alert(id: firstID + Int64(i), user: user, day: day, messages: 500 + i, recipients: 700, average: 12.34,
                  allowed: 200 + 10 * i,
                  verdicts: [Verdict(detector: "hard-cap", fired: true, reason: "\(500 + i) > limit 200", allowed: 200 + 10 * i),
                             Verdict(detector: "percent-over-average", fired: false, reason: "below", average: 12.34, allowed: 100)],
                  history: [DayCount(day: Day("2026-11-24")!, messages: 10), DayCount(day: Day("2026-11-23")!, messages: 15)],
                  raisedAt: Date(timeIntervalSince1970: 1_795_000_000))
        }
        return AlertBatch(host: hostName, alerts: alerts, calendar: context.calendar)
    }
}

/// Runs `body` and returns the ``NotifierError`` it threw (recording an issue otherwise).
func expectNotifierError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> NotifierError? {
    do {
        try body()
        Issue.record("expected a NotifierError, but delivery succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as NotifierError {
        return error
    } catch {
        Issue.record("expected a NotifierError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A retry clock that never waits: it records each wait a notifier asks for and moves its time on by it, so a
/// test checks the exact retry schedule (attempts take no time on it), whatever the machine's speed.
final class VirtualRetryClock: RetryClock, @unchecked Sendable {
    private let lock = NSLock()
    private var time = 0.0
    private var recorded: [Double] = []

    func now() -> Double {
        lock.lock(); defer { lock.unlock() }
        return time
    }

    func sleep(seconds: Double) {
        lock.lock(); defer { lock.unlock() }
        recorded.append(seconds)
        time += seconds
    }

    /// The waits asked for, in order.
    var waits: [Double] {
        lock.lock(); defer { lock.unlock() }
        return recorded
    }
}

/// The JSON body of a recorded request.
func jsonBody(_ record: [String: Any]) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(recordBytes(record, "body_b64")))
    return try #require(object as? [String: Any])
}
