import Foundation

/// Sub-day counts: messages per user in 5-minute buckets, keyed by the bucket's start
/// (seconds since 1970, a multiple of ``size``). The burst detector reads them.
public enum TimeBuckets {
    /// The bucket length in seconds.
    public static let size: Int64 = 300

    /// How long a store keeps buckets (the burst detector looks back a few weeks at most): each
    /// ``StateStore/apply(_:source:at:)`` drops those that started more than this before its date.
    public static let retention: TimeInterval = 62 * 86_400

    /// The start of the bucket that contains `date`.
    public static func start(of date: Date) -> Int64 {
        let t = Int64(date.timeIntervalSince1970.rounded(.down))
        return t - ((t % size) + size) % size
    }

    /// Messages in the trailing window of `minutes` ending at `now` (the bucket holding `now` and the
    /// ones before it, `minutes / 5` buckets in all).
    public static func trailingSum(_ buckets: [Int64: Int], endingAt now: Date, minutes: Int) -> Int {
        let last = start(of: now)
        let count = Int64(max(1, minutes * 60 / Int(size)))
        var sum = 0
        var t = last - (count - 1) * size
        while t <= last {
            sum += buckets[t] ?? 0
            t += size
        }
        return sum
    }

    /// The largest sum of any `minutes` window whose buckets start in `[from, to)`.
    public static func peak(_ buckets: [Int64: Int], from: Date, to: Date, minutes: Int) -> Int {
        let first = start(of: from)
        let end = Int64(to.timeIntervalSince1970)
        let width = Int64(max(1, minutes * 60 / Int(size)))
        let inRange = buckets.filter { $0.key >= first && $0.key < end && $0.value > 0 }
        guard !inRange.isEmpty else { return 0 }
        var best = 0
        // A window's maximum is reached with a non-empty bucket at its start.
        for startKey in inRange.keys {
            var sum = 0
            var t = startKey
            while t < startKey + width * size && t < end {
                sum += inRange[t] ?? 0
                t += size
            }
            best = max(best, sum)
        }
        return best
    }
}
