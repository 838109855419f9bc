import Foundation

/// Judges users on a day with the pipeline's detectors (and overrides), from the state only.
/// `run`, `explain` and `backtest` all judge through it, so they always agree.
public struct Evaluator: Sendable {
    /// The pipeline whose detectors judge.
    public let config: PipelineConfig
    /// Where the history is.
    public let store: any StateStore

    /// Creates an evaluator.
    public init(config: PipelineConfig, store: any StateStore) {
        self.config = config
        self.store = store
    }

    /// Judges each of `volumes`' users on `day` (users without mail too), as of `now` (for a past day: its last second).
    /// With `wholeDay`, sub-day detectors judge the day's worst moment (backtests).
    public func judge(day: Day, now: Date, volumes: [String: UserVolume], wholeDay: Bool = false) throws -> [Judgement] {
        let calendar = config.calendar
        let users = volumes.keys.sorted()
        guard !users.isEmpty else { return [] }
        let window = calendar.workingDays(before: day, count: config.historyDays)
        let recentDays = (0..<14).reversed().map { day.adding(days: -$0) }
        let histories = try store.dailyMessages(users: users, days: window + recentDays.dropLast())
        var recipientHistories: [String: [Day: Int]] = [:]
        if config.allDetectors.contains(where: { $0.metric == .recipients }), let evidence = store as? any EvidenceStore {
            recipientHistories = try evidence.dailyRecipients(users: users, days: window)
        }
        var buckets: [String: [Int64: Int]] = [:]
        if config.needsBuckets {
            let from = calendar.start(of: window.last ?? day)
            let to = wholeDay ? calendar.start(of: day.adding(days: 1)) : now.addingTimeInterval(1)
            buckets = try store.buckets(users: users, from: from, to: to)
        }
        return users.map { user in
            let volume = volumes[user]!
            let history = window.map { DayCount(day: $0, messages: histories[user]?[$0] ?? 0) }
            let recent = recentDays.map { DayCount(day: $0, messages: $0 == day ? volume.messages : histories[user]?[$0] ?? 0) }
            guard let detectors = config.detectors(for: user) else {
                return Judgement(user: user, day: day, volume: volume, history: history, recent: recent, verdicts: [], ignored: true)
            }
            var input = DetectorInput(user: user, day: day, messages: volume.messages, history: history, now: now,
                                      calendar: calendar, buckets: buckets[user] ?? [:])
            input.wholeDay = wholeDay
            var recipientInput: DetectorInput?
            let verdicts = detectors.map { detector in
                guard detector.metric == .recipients else {
                    var verdict = detector.plugin.evaluate(input)
                    verdict.detector = detector.name
                    return verdict
                }
                if recipientInput == nil {
                    var byRecipients = input
                    byRecipients.messages = volume.recipients ?? 0
                    byRecipients.history = window.map { DayCount(day: $0, messages: recipientHistories[user]?[$0] ?? 0) }
                    byRecipients.buckets = [:]
                    recipientInput = byRecipients
                }
                var verdict = detector.plugin.evaluate(recipientInput!)
                verdict.detector = detector.name
                verdict.metric = .recipients
                verdict.reason = "recipients: " + verdict.reason
                return verdict
            }
            return Judgement(user: user, day: day, volume: volume, history: history, recent: recent, verdicts: verdicts, ignored: false)
        }
    }
}

/// One user judged on one day.
public struct Judgement: Sendable {
    /// The user.
    public var user: String
    /// The day.
    public var day: Day
    /// The user's volume that day.
    public var volume: UserVolume
    /// Working days before, most recent first.
    public var history: [DayCount]
    /// The last 14 calendar days up to `day`, oldest first.
    public var recent: [DayCount]
    /// Each detector's verdict (empty when ignored).
    public var verdicts: [Verdict]
    /// Whether an override drops this user from alerts.
    public var ignored: Bool

    /// Whether any detector fired.
    public var fired: Bool { verdicts.contains(where: \.fired) }

    /// The alert this judgement raises (id and sequence to be set by the caller).
    public func alert(raisedAt: Date) -> Alert {
        let fallbackAverage = history.isEmpty ? 0 : Double(history.reduce(0) { $0 + $1.messages }) / Double(history.count)
        return Alert(user: user, day: day, messages: volume.messages, recipients: volume.recipients,
                     average: verdicts.filter { $0.metric != .recipients }.compactMap(\.average).first ?? fallbackAverage,
                     allowed: verdicts.filter { $0.metric != .recipients }.compactMap(\.allowed).min() ?? max(0, volume.messages - 1),
                     verdicts: verdicts, history: history, recent: recent, raisedAt: raisedAt)
    }
}
