import Foundation
import Pipeline

/// A source that reports the counts a test gives it: for tests of the runner without archives or logs. Each run it
/// reports a snapshot of every requested day not yet final that the test set (those days' counts replace what it
/// stored; the runner keeps a stored count from going down), without buckets.
/// Config entry: `{"type": "fixed"}`; find the instance in ``PipelineConfig/sources`` (``source(_:in:)``).
public final class FixedSource: Source, @unchecked Sendable {
    /// No options besides the common `type` and `name`.
    public struct Options: PluginOptions {
        public static let specs: [OptionSpec] = []
        public init(reading reader: inout OptionsReader, context: PluginContext) throws {}
    }

    public static let type = "fixed"
    public static let summary = "Reports the counts a test sets (tests only)."

    private let lock = NSLock()
    private var counts: [Day: [String: UserVolume]] = [:]
    private var failure: String?
    private var runs = 0

    public init(options: Options, context: PluginContext) throws {}

    public var description: String { "fixed: reports the counts a test sets" }

    /// Sets what the source sees of `day`: messages per user (replacing what it saw of that day before).
    public func set(_ day: Day, _ messages: [String: Int]) {
        lock.lock()
        defer { lock.unlock() }
        counts[day] = messages.mapValues { UserVolume(messages: $0) }
    }

    /// Makes the next collect fail with a ``SourceError`` (nil: succeed again).
    public func fail(_ message: String?) {
        lock.lock()
        defer { lock.unlock() }
        failure = message
    }

    /// How many times the runner asked it for counts.
    public var collectCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return runs
    }

    public func collect(_ request: CollectRequest) throws -> VolumeReport {
        lock.lock()
        defer { lock.unlock() }
        runs += 1
        if let failure { throw SourceError(failure) }
        let days = request.pendingDays.filter { counts[$0] != nil }
        var report = VolumeReport(mode: .snapshot, scannedDays: days)
        for day in days { report.counts[day] = counts[day] }
        return report
    }

    /// The fixed source named `name` in `config`.
    public static func source(_ name: String = type, in config: PipelineConfig) -> FixedSource? {
        config.sources.first { $0.name == name }?.plugin as? FixedSource
    }
}
