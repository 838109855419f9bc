/// The time a notifier's retries are measured and waited with: ``SystemRetryClock`` in mvpipe; in tests a virtual
/// clock that records each wait asked for, so a retry schedule is checked exactly, whatever the machine's speed.
public protocol RetryClock: Sendable {
    /// Seconds since some fixed start.
    func now() -> Double
    /// Waits `seconds`.
    func sleep(seconds: Double)
}
