/// A plugin that delivers alerts to where the admin will see them.
public protocol Notifier: Plugin {
    /// Delivers every alert in `batch`, or throws ``NotifierError``; on error the alerts stay
    /// queued for this notifier and are retried on the next run.
    func deliver(_ batch: AlertBatch) throws
}

/// Why a notifier could not deliver.
public struct NotifierError: Error, Sendable, CustomStringConvertible {
    /// What failed and what to check.
    public let message: String
    /// Whether trying again later may succeed (a down server) or not (a wrong password).
    public let isTransient: Bool

    /// Creates a delivery error.
    public init(_ message: String, transient: Bool) {
        self.message = message
        self.isTransient = transient
    }

    public var description: String { message }
}
