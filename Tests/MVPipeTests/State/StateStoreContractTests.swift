import Foundation
import MVPipeTestSupport
import Pipeline
import Testing

/// What every ``StateStore`` must do, checked against each kind (``StoreKind``): the SQLite file, the in-memory store
/// the runner tests use, and later the PostgreSQL one. The runner relies on exactly these rules.
@Suite struct StateStoreContractTests {
    static let day = Day("2026-11-25")!
    static let noon = Date(timeIntervalSince1970: 1_795_608_000)  // 2026-11-25T12:00:00Z

    static func alert(_ user: String, messages: Int, sequence: Int = 1, day: Day = day) -> Alert {
        Alert(id: 0, user: user, day: day, messages: messages, recipients: nil, average: 10, allowed: 200, verdicts: [],
              history: [], recent: [], raisedAt: noon, sequence: sequence)
    }

    @Test(arguments: StoreKind.allCases)
    func snapshotsReplaceIncrementsAddAndSumsSpanSources(kind: StoreKind) throws {
        let (store, folder) = try kind.make()
        defer { withExtendedLifetime(folder) {} }
        let day = Self.day, yesterday = day.adding(days: -1)
        var archive = VolumeReport(mode: .snapshot, counts: [day: ["anna": UserVolume(messages: 100, recipients: 150),
                                                                  "bert": UserVolume(messages: 5)]],
                                   scannedDays: [day, yesterday], finalDays: [yesterday])
        try store.apply(archive, source: "archive", at: Self.noon)
        let log = VolumeReport(mode: .increment, counts: [day: ["anna": UserVolume(messages: 20)]], checkpoint: [1, 2, 3])
        try store.apply(log, source: "log", at: Self.noon)
        try store.apply(log, source: "log", at: Self.noon)

        #expect(try store.volumes(on: day)["anna"] == UserVolume(messages: 140, recipients: 150))
        #expect(try store.volumes(on: day)["bert"] == UserVolume(messages: 5))
        #expect(try store.volumes(source: "log", on: day) == ["anna": UserVolume(messages: 40)])
        #expect(try store.dailyMessages(users: ["anna", "carl"], days: [day, yesterday]) == ["anna": [day: 140]])
        #expect(try store.finalizedDays(source: "archive", among: [day, yesterday]) == [yesterday])
        #expect(try store.finalizedDays(source: "log", among: [day, yesterday]).isEmpty)
        #expect(try store.checkpoint(source: "log") == [1, 2, 3])
        #expect(try store.checkpoint(source: "archive") == nil)
        #expect(try store.users(since: day) == ["anna", "bert"])
        #expect(try store.latestDayWithMessages(source: "archive", among: [yesterday, day]) == day)
        #expect(try store.latestDayWithMessages(source: "archive", among: [yesterday]) == nil)

        // A rescan replaces the source's day: bert is gone, anna has her new count; the log's rows stay.
        archive.counts = [day: ["anna": UserVolume(messages: 120, recipients: 130)]]
        archive.finalDays = []
        try store.apply(archive, source: "archive", at: Self.noon)
        #expect(try store.volumes(on: day) == ["anna": UserVolume(messages: 160, recipients: 130)])
        #expect(try store.finalizedDays(source: "archive", among: [yesterday]) == [yesterday], "final stays final")
    }

    @Test(arguments: StoreKind.allCases)
    func bucketsAreKeptPerSourceAndSummed(kind: StoreKind) throws {
        let (store, folder) = try kind.make()
        defer { withExtendedLifetime(folder) {} }
        let start = TimeBuckets.start(of: Self.noon)
        var report = VolumeReport(mode: .increment, buckets: ["anna": [start: 3, start + 300: 4], "bert": [start: 1]])
        try store.apply(report, source: "a", at: Self.noon)
        report.buckets = ["anna": [start: 2]]
        try store.apply(report, source: "a", at: Self.noon)
        try store.apply(report, source: "b", at: Self.noon)
        let from = Self.noon.addingTimeInterval(-3600), to = Self.noon.addingTimeInterval(3600)
        #expect(try store.buckets(users: ["anna"], from: from, to: to) == ["anna": [start: 7, start + 300: 4]])
        #expect(try store.buckets(source: "a", users: ["anna", "bert"], from: from, to: to)
                == ["anna": [start: 5, start + 300: 4], "bert": [start: 1]])
        #expect(try store.buckets(users: ["anna"], from: Self.noon.addingTimeInterval(1), to: to) == ["anna": [start + 300: 4]])

        // A snapshot replaces the source's buckets in its spans only.
        var rescan = VolumeReport(mode: .snapshot, buckets: ["anna": [start: 1]])
        rescan.bucketSpans = [start..<(start + 300)]
        try store.apply(rescan, source: "a", at: Self.noon)
        #expect(try store.buckets(source: "a", users: ["anna", "bert"], from: from, to: to) == ["anna": [start: 1, start + 300: 4]])

        // Buckets older than the retention go on the next apply.
        try store.apply(VolumeReport(mode: .increment), source: "c", at: Self.noon.addingTimeInterval(TimeBuckets.retention + 3600))
        #expect(try store.buckets(users: ["anna", "bert"], from: from, to: to).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func alertsQueuePerNotifierUntilDeliveredAndEscalationsSupersede(kind: StoreKind) throws {
        let (store, folder) = try kind.make()
        defer { withExtendedLifetime(folder) {} }
        let first = try store.saveAlerts([AlertDraft(alert: Self.alert("anna", messages: 250)),
                                          AlertDraft(alert: Self.alert("bert", messages: 300))], notifiers: ["mail", "chat"])
        #expect(first.map(\.user) == ["anna", "bert"])
        #expect(Set(first.map(\.id)).count == 2 && first.allSatisfy { $0.id > 0 })
        let anna = first[0]
        #expect(try store.pendingAlerts(notifier: "mail", since: Self.day).map(\.id) == first.map(\.id))
        #expect(try store.pendingAlerts(notifier: "mail", since: Self.day.adding(days: 1)).isEmpty, "older than the window")
        #expect(try store.latestAlert(user: "anna", day: Self.day)
                == AlertRecord(id: anna.id, messages: 250, sequence: 1, deliveredAnywhere: false))

        // An update keeps the id; the stored alert is the new one.
        var updated = Self.alert("anna", messages: 280)
        updated.id = 999
        let saved = try store.saveAlerts([AlertDraft(alert: updated, replacing: anna.id)], notifiers: ["mail", "chat"])
        #expect(saved.map(\.id) == [anna.id])
        #expect(try store.pendingAlerts(notifier: "chat", since: Self.day).first { $0.id == anna.id }?.messages == 280)

        // A failure leaves it queued; a delivery takes it off that notifier's queue only.
        try store.recordFailure(alertIDs: [anna.id], notifier: "mail", error: "down", at: Self.noon)
        #expect(try store.pendingAlerts(notifier: "mail", since: Self.day).map(\.id).contains(anna.id))
        try store.recordDelivery(alertIDs: [anna.id], notifier: "chat", at: Self.noon)
        #expect(try store.pendingAlerts(notifier: "chat", since: Self.day).map(\.user) == ["bert"])
        #expect(try store.pendingAlerts(notifier: "mail", since: Self.day).map(\.user) == ["anna", "bert"])
        #expect(try store.latestAlert(user: "anna", day: Self.day)?.deliveredAnywhere == true)

        // An escalation supersedes the undelivered earlier alert: mail gets only the new one.
        let escalation = try store.saveAlerts([AlertDraft(alert: Self.alert("anna", messages: 600, sequence: 2))],
                                              notifiers: ["mail", "chat"])[0]
        #expect(escalation.id > anna.id)
        #expect(try store.pendingAlerts(notifier: "mail", since: Self.day).map(\.id) == [escalation.id, first[1].id])
        #expect(try store.latestAlert(user: "anna", day: Self.day)
                == AlertRecord(id: escalation.id, messages: 600, sequence: 2, deliveredAnywhere: false))
    }

    @Test(arguments: StoreKind.allCases)
    func theOwnerIsRecordedOnlyIfUnchanged(kind: StoreKind) throws {
        let (store, folder) = try kind.make()
        defer { withExtendedLifetime(folder) {} }
        let a = StateOwner(host: "mx1", config: "/etc/mvpipe/a.json"), b = StateOwner(host: "mx1", config: "/etc/mvpipe/b.json")
        #expect(try store.owner() == nil)
        #expect(try store.recordOwner(a, ifCurrent: nil))
        #expect(try !store.recordOwner(b, ifCurrent: nil))
        #expect(try store.owner() == a)
        #expect(try store.recordOwner(b, ifCurrent: a))
        #expect(try store.owner() == b)
        #expect(throws: ConfigError.self) { try store.claim(for: a, state: .sqlite(path: "/var/lib/mvpipe/state.sqlite")) }
    }

    @Test(arguments: StoreKind.allCases)
    func theRunLockIsExclusiveUntilReleased(kind: StoreKind) throws {
        let (store, folder) = try kind.make()
        defer { withExtendedLifetime(folder) {} }
        let held = try store.acquireRunLock(waiting: 0)
        #expect(throws: StateError.self) { _ = try store.acquireRunLock(waiting: 0) }
        held.release()
        try store.acquireRunLock(waiting: 0).release()
    }
}
