import Foundation
import Pipeline

/// A ``StateStore`` in memory, for tests of the runner's logic without a file or a server: dedup, escalation,
/// queueing and retries. It keeps the same rows as the SQLite store and follows the protocol's rules to the letter;
/// `StateStoreContractTests` runs one set of checks against it and every real store, so the two cannot drift apart.
///
/// Nothing survives the value; it is safe to use from several threads (one lock around everything).
public final class MemoryStateStore: StateStore, @unchecked Sendable {
    /// One notifier's record of one alert (the `delivery` table).
    public struct Delivery: Sendable, Equatable {
        /// When it was delivered, if it was.
        public var deliveredAt: Date?
        /// Whether a later alert of the same user and day replaced it before it was delivered.
        public var superseded = false
        /// Attempts so far (failed ones and the one that delivered).
        public var attempts = 0
        /// The last failure, cleared by a delivery.
        public var lastError: String?
    }

    struct Key: Hashable {
        var alertID: Int64
        var notifier: String
    }

    struct Tables {
        var volume: [String: [Day: [String: UserVolume]]] = [:]
        var sourceDays: [String: [Day: Bool]] = [:]
        var checkpoints: [String: [UInt8]] = [:]
        var buckets: [String: [String: [Int64: Int]]] = [:]
        var alerts: [Int64: Alert] = [:]
        var lastAlertID: Int64 = 0
        var deliveries: [Key: Delivery] = [:]
        var owner: StateOwner?
        var holds: [Hold] = []
        /// Per user, day, source: messages per client IP (see MemoryStateStore+Evidence).
        var clientIPs: [String: [Day: [String: [String: Int]]]] = [:]
        /// Silences by user.
        var silences: [String: Silence] = [:]
    }

    private let lock = NSLock()
    private var tables = Tables()
    private let runLock = NSCondition()
    private var runLockHeld = false

    /// An empty state.
    public init() {}

    func read<T>(_ body: (Tables) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(tables)
    }

    /// Changes the tables in one step: all of `body`'s changes, or (when it throws) none.
    func write<T>(_ body: (inout Tables) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        var copy = tables
        let result = try body(&copy)
        tables = copy
        return result
    }

    // MARK: run lock and owner

    public func acquireRunLock(waiting seconds: Double) throws -> any RunLock {
        let deadline = Date().addingTimeInterval(max(0, seconds))
        runLock.lock()
        defer { runLock.unlock() }
        while runLockHeld {
            guard runLock.wait(until: deadline) else {
                throw StateError.locked("another run holds the lock of this in-memory state (waited \(seconds) s)")
            }
        }
        runLockHeld = true
        return Held(store: self)
    }

    private func releaseRunLock() {
        runLock.lock()
        runLockHeld = false
        runLock.broadcast()
        runLock.unlock()
    }

    private final class Held: RunLock, @unchecked Sendable {
        private var store: MemoryStateStore?
        private let lock = NSLock()

        init(store: MemoryStateStore) { self.store = store }

        func release() {
            lock.lock()
            let held = store
            store = nil
            lock.unlock()
            held?.releaseRunLock()
        }

        deinit { release() }
    }

    public func owner() throws -> StateOwner? {
        read { $0.owner }
    }

    public func recordOwner(_ owner: StateOwner, ifCurrent expected: StateOwner?) throws -> Bool {
        write { tables in
            guard tables.owner == expected else { return false }
            tables.owner = owner
            return true
        }
    }

    // MARK: what sources stored

    public func finalizedDays(source: String, among days: [Day]) throws -> Set<Day> {
        read { tables in Set(days.filter { tables.sourceDays[source]?[$0] == true }) }
    }

    public func checkpoint(source: String) throws -> [UInt8]? {
        read { $0.checkpoints[source] }
    }

    public func apply(_ report: VolumeReport, source: String, at date: Date) throws {
        write { tables in
            switch report.mode {
            case .snapshot:
                for day in report.scannedDays { tables.volume[source]?[day] = nil }
                for (day, users) in report.counts {
                    for (user, volume) in users { tables.volume[source, default: [:]][day, default: [:]][user] = volume }
                }
                // A rescan of a day gives its whole picture: its buckets replace what was stored.
                for span in report.bucketSpans {
                    tables.buckets[source] = tables.buckets[source]?.mapValues { $0.filter { !span.contains($0.key) } }
                }
                for (user, buckets) in report.buckets {
                    for (start, messages) in buckets where messages != 0 {
                        tables.buckets[source, default: [:]][user, default: [:]][start] = messages
                    }
                }
            case .increment:
                for (day, users) in report.counts {
                    for (user, volume) in users {
                        let old = tables.volume[source]?[day]?[user]
                        tables.volume[source, default: [:]][day, default: [:]][user] = old.map { Self.sum($0, volume) } ?? volume
                    }
                }
                for (user, buckets) in report.buckets {
                    for (start, messages) in buckets where messages != 0 {
                        tables.buckets[source, default: [:]][user, default: [:]][start, default: 0] += messages
                    }
                }
            }
            let oldest = Int64(date.timeIntervalSince1970 - TimeBuckets.retention)
            for (source, users) in tables.buckets {
                tables.buckets[source] = users.mapValues { $0.filter { $0.key >= oldest } }.filter { !$0.value.isEmpty }
            }
            for day in Set(report.scannedDays).union(report.finalDays).union(report.counts.keys) {
                let final = tables.sourceDays[source]?[day] == true || report.finalDays.contains(day)
                tables.sourceDays[source, default: [:]][day] = final
            }
            if let checkpoint = report.checkpoint { tables.checkpoints[source] = checkpoint }
            Self.storeClientIPs(report, source: source, in: &tables)
        }
    }

    /// Two volumes added: recipients stay unknown only when neither knows them.
    static func sum(_ a: UserVolume, _ b: UserVolume) -> UserVolume {
        let recipients: Int? = a.recipients == nil && b.recipients == nil ? nil : (a.recipients ?? 0) + (b.recipients ?? 0)
        return UserVolume(messages: a.messages + b.messages, recipients: recipients)
    }

    public func volumes(source: String, on day: Day) throws -> [String: UserVolume] {
        read { $0.volume[source]?[day] ?? [:] }
    }

    public func latestDayWithMessages(source: String, among days: [Day]) throws -> Day? {
        read { tables in
            days.filter { day in tables.volume[source]?[day]?.values.contains { $0.messages > 0 } == true }.max()
        }
    }

    public func buckets(source: String, users: [String], from: Date, to: Date) throws -> [String: [Int64: Int]] {
        let span = Self.span(from: from, to: to)
        return read { tables in
            var result: [String: [Int64: Int]] = [:]
            for user in Set(users) {
                let kept = (tables.buckets[source]?[user] ?? [:]).filter { span.contains($0.key) }
                if !kept.isEmpty { result[user] = kept }
            }
            return result
        }
    }

    // MARK: sums over sources

    public func volumes(on day: Day) throws -> [String: UserVolume] {
        read { tables in
            var result: [String: UserVolume] = [:]
            for days in tables.volume.values {
                for (user, volume) in days[day] ?? [:] {
                    result[user] = result[user].map { Self.sum($0, volume) } ?? volume
                }
            }
            return result
        }
    }

    public func dailyMessages(users: [String], days: [Day]) throws -> [String: [Day: Int]] {
        let wanted = Set(users)
        return read { tables in
            var result: [String: [Day: Int]] = [:]
            for perDay in tables.volume.values {
                for day in Set(days) {
                    for (user, volume) in perDay[day] ?? [:] where wanted.contains(user) {
                        result[user, default: [:]][day, default: 0] += volume.messages
                    }
                }
            }
            return result
        }
    }

    public func buckets(users: [String], from: Date, to: Date) throws -> [String: [Int64: Int]] {
        let span = Self.span(from: from, to: to)
        let wanted = Set(users)
        return read { tables in
            var result: [String: [Int64: Int]] = [:]
            for perUser in tables.buckets.values {
                for (user, buckets) in perUser where wanted.contains(user) {
                    for (start, messages) in buckets where span.contains(start) {
                        result[user, default: [:]][start, default: 0] += messages
                    }
                }
            }
            return result
        }
    }

    public func users(since: Day) throws -> Set<String> {
        read { tables in
            var result: Set<String> = []
            for perDay in tables.volume.values {
                for (day, users) in perDay where day >= since {
                    result.formUnion(users.filter { $0.value.messages > 0 }.keys)
                }
            }
            return result
        }
    }

    /// Bucket starts in `[from, to)`, the bounds rounded outwards to whole seconds as the SQLite store does.
    static func span(from: Date, to: Date) -> Range<Int64> {
        let lower = Int64(from.timeIntervalSince1970.rounded(.down)), upper = Int64(to.timeIntervalSince1970.rounded(.up))
        return lower..<max(lower, upper)
    }
}
