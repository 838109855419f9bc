import Foundation
import Pipeline

/// A notifier that keeps every batch it is handed instead of sending it, and fails when told to: for tests of
/// delivery, queueing and retries without a server. Config entry: `{"type": "recording"}` (with a `name` to
/// have several); find the instance in ``PipelineConfig/notifiers`` (``recorder(_:in:)``).
public final class RecordingNotifier: Notifier, @unchecked Sendable {
    /// No options besides the common `type` and `name`.
    public struct Options: PluginOptions {
        public static let specs: [OptionSpec] = []
        public init(reading reader: inout OptionsReader, context: PluginContext) throws {}
    }

    public static let type = "recording"
    public static let summary = "Keeps the alerts it is handed (tests only)."

    private let lock = NSLock()
    private var batches: [AlertBatch] = []
    private var attempts = 0
    private var failures: [String] = []

    public init(options: Options, context: PluginContext) throws {}

    public var description: String { "recording: keeps the alerts it is handed" }

    public func deliver(_ batch: AlertBatch) throws {
        lock.lock()
        defer { lock.unlock() }
        attempts += 1
        if !failures.isEmpty {
            throw NotifierError(failures.removeFirst(), transient: true)
        }
        batches.append(batch)
    }

    /// Makes the next `count` deliveries fail with `message` (a transient error: the alerts stay queued).
    public func failNext(_ count: Int = 1, message: String = "recording notifier told to fail") {
        lock.lock()
        defer { lock.unlock() }
        failures += Array(repeating: message, count: count)
    }

    /// The batches delivered, in order.
    public var delivered: [AlertBatch] {
        lock.lock()
        defer { lock.unlock() }
        return batches
    }

    /// Every alert delivered, in order (an alert delivered twice appears twice).
    public var alerts: [Alert] { delivered.flatMap(\.alerts) }

    /// Deliveries attempted, failed ones included.
    public var attemptCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return attempts
    }

    /// The recording notifier named `name` in `config`.
    public static func recorder(_ name: String = type, in config: PipelineConfig) -> RecordingNotifier? {
        config.notifiers.first { $0.name == name }?.plugin as? RecordingNotifier
    }
}
