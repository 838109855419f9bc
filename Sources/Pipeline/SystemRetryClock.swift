import Foundation

/// The real, monotonic clock (`ContinuousClock`); waits block the calling thread.
public struct SystemRetryClock: RetryClock {
    private let start = ContinuousClock.now

    /// Creates the clock.
    public init() {}

    public func now() -> Double {
        let elapsed = (ContinuousClock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }

    public func sleep(seconds: Double) {
        if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
    }
}
