/// What a source stored on earlier runs, read from the state only when the source asks.
///
/// Absence of evidence is not evidence of absence: a source that finds nothing where it found mail before (an
/// archive root left empty by an unmounted share, a day's folder gone) must fail rather than report empty days,
/// which would replace the stored counts and finalize the day. It asks here what it found before.
public struct StoredCounts: Sendable {
    private let messagesOn: @Sendable (Day) throws -> Int
    private let latest: @Sendable () throws -> Day?

    /// Answers from `messages` (stored messages of a day, 0 for none) and `latestDay` (the latest of the
    /// request's days with stored messages).
    public init(messages: @escaping @Sendable (Day) throws -> Int, latestDay: @escaping @Sendable () throws -> Day?) {
        messagesOn = messages
        latest = latestDay
    }

    /// Nothing stored (a first run, or tests).
    public static let none = StoredCounts(messages: { _ in 0 }, latestDay: { nil })

    /// The messages this source has stored for `day`, summed over users (0 when none).
    public func messages(on day: Day) throws -> Int { try messagesOn(day) }

    /// The latest of the request's days (``CollectRequest/days``) on which this source stored messages, if any.
    public func latestDay() throws -> Day? { try latest() }
}
