import Detectors
import Foundation
import Logging
import MVPipeTestSupport
@testable import Pipeline
import Testing

/// The runner's own logic, without the binary: one alert per user and day, escalation at `realert_factor`, a queue
/// per notifier with retries that keep the alert's id, and superseded alerts. Each test runs on every store kind.
@Suite struct PipelineRunnerTests {
    static let day = Day("2026-11-25")!
    static let noon = Date(timeIntervalSince1970: 1_795_608_000)  // 2026-11-25T12:00:00Z, a Wednesday
    static let registry = Registry(sources: [FixedSource.self], detectors: BuiltinDetectors.all,
                                   notifiers: [RecordingNotifier.self])

    /// A pipeline of fixed sources, `hard-cap` 200 and two recording notifiers (`mail`, `chat`) on one store.
    struct Harness {
        let config: PipelineConfig
        let store: any StateStore
        let folder: TemporaryDirectory
        var mail: RecordingNotifier { RecordingNotifier.recorder("mail", in: config)! }
        var chat: RecordingNotifier { RecordingNotifier.recorder("chat", in: config)! }
        var source: FixedSource { FixedSource.source(in: config)! }

        init(_ kind: StoreKind, realertFactor: Double = 2, pendingDays: Int = 7, sources: [JSONValue] = [["type": "fixed"]]) throws {
            let json: JSONValue = [
                "timezone": "UTC", "host": "mx1.example.org", "realert_factor": .number(realertFactor),
                "pending_days": .integer(pendingDays), "sources": .array(sources),
                "detectors": [["type": "hard-cap", "limit": 200]],
                "notifiers": [["type": "recording", "name": "mail"], ["type": "recording", "name": "chat"]],
            ]
            (store, folder) = try kind.make()
            config = try PipelineConfig.parse(Data(json.compactText.utf8), registry: PipelineRunnerTests.registry,
                                              baseDirectory: folder.path, environment: [:], logger: Logger(label: "test"))
        }

        func run(at date: Date = PipelineRunnerTests.noon) throws -> RunOutcome {
            try PipelineRunner(config: config, store: store, logger: Logger(label: "test")).run(now: date)
        }
    }

    static func minutes(_ n: Double) -> Date { noon.addingTimeInterval(n * 60) }

    @Test(arguments: StoreKind.allCases)
    func aUserOverTheCapAlertsOnceADay(kind: StoreKind) throws {
        let h = try Harness(kind)
        h.source.set(Self.day, ["anna@example.org": 250, "bert@example.org": 50])
        let first = try h.run()
        #expect(first.raised.map(\.user) == ["anna@example.org"])
        #expect(first.exitCode == ExitCodes.ok)
        #expect(h.mail.alerts.map(\.user) == ["anna@example.org"] && h.chat.alerts.map(\.id) == h.mail.alerts.map(\.id))
        #expect(h.mail.delivered.first?.host == "mx1.example.org")

        // Later runs the same day: no new alert while the count stays below 2 × 250.
        for (minute, count) in [(5.0, 250), (10, 300), (15, 499)] {
            h.source.set(Self.day, ["anna@example.org": count, "bert@example.org": 50])
            let again = try h.run(at: Self.minutes(minute))
            #expect(again.raised.isEmpty, "\(count): \(again.raised)")
            #expect(again.deliveries.isEmpty)
        }
        #expect(h.mail.alerts.count == 1 && h.chat.alerts.count == 1)
        #expect(h.mail.attemptCount == 1, "nothing pending, so no delivery was even tried")
    }

    @Test(arguments: StoreKind.allCases, [2.0, 3.0])
    func aUserEscalatesAtTheRealertFactor(kind: StoreKind, factor: Double) throws {
        let h = try Harness(kind, realertFactor: factor)
        var minute = 0.0
        func run(_ count: Int) throws -> [Alert] {
            h.source.set(Self.day, ["anna@example.org": count])
            minute += 5
            return try h.run(at: Self.minutes(minute)).raised
        }
        #expect(try run(250).map(\.sequence) == [1])
        let next = Int(250 * factor)
        #expect(try run(next - 1).isEmpty)
        let escalated = try run(next)
        #expect(escalated.map(\.sequence) == [2] && escalated.map(\.messages) == [next])
        #expect(try run(Int(Double(next) * factor) - 1).isEmpty, "the next step is from the last alert's count")
        #expect(try run(Int(Double(next) * factor)).map(\.sequence) == [3])
        #expect(h.mail.alerts.map(\.sequence) == [1, 2, 3])
        #expect(Set(h.mail.alerts.map(\.id)).count == 3, "each escalation is a new alert")
        #expect(h.chat.alerts.map(\.id) == h.mail.alerts.map(\.id))
    }

    @Test(arguments: StoreKind.allCases)
    func aFailedDeliveryStaysQueuedPerNotifierAndIsRetriedOnce(kind: StoreKind) throws {
        let h = try Harness(kind)
        h.source.set(Self.day, ["anna@example.org": 250])
        h.mail.failNext(1, message: "smtp: connection refused")
        let first = try h.run()
        #expect(first.exitCode == ExitCodes.tempFail)
        #expect(first.pendingCount == 1)
        #expect(first.deliveries["mail"] == DeliveryResult(delivered: 0, pending: 1, error: "smtp: connection refused"))
        #expect(first.deliveries["chat"] == DeliveryResult(delivered: 1, pending: 0, error: nil))
        #expect(h.mail.alerts.isEmpty && h.chat.alerts.count == 1)
        #expect(try h.store.pendingAlerts(notifier: "mail", since: Self.day).map(\.id) == first.raised.map(\.id))

        let retry = try h.run(at: Self.minutes(5))
        #expect(retry.exitCode == ExitCodes.ok && retry.raised.isEmpty)
        #expect(retry.deliveries["mail"] == DeliveryResult(delivered: 1, pending: 0, error: nil))
        #expect(retry.deliveries["chat"] == nil, "chat had nothing queued")
        #expect(h.mail.alerts.map(\.id) == first.raised.map(\.id), "the same alert, the same id")
        #expect(h.chat.alerts.count == 1, "chat got it once")

        _ = try h.run(at: Self.minutes(10))
        #expect(h.mail.alerts.count == 1 && h.chat.alerts.count == 1)
        #expect(try h.store.pendingAlerts(notifier: "mail", since: Self.day).isEmpty)
    }

    /// An alert no notifier has delivered yet is updated in place as the count grows: the retry sends the new
    /// number under the first id (so a notifier's idempotency key stays), never a second alert.
    @Test(arguments: StoreKind.allCases)
    func anUndeliveredAlertIsUpdatedInPlace(kind: StoreKind) throws {
        let h = try Harness(kind)
        h.source.set(Self.day, ["anna@example.org": 250])
        h.mail.failNext(2)
        h.chat.failNext(2)
        let first = try h.run()
        #expect(first.pendingCount == 2)
        h.source.set(Self.day, ["anna@example.org": 320])
        let second = try h.run(at: Self.minutes(5))
        #expect(second.raised.map(\.id) == first.raised.map(\.id) && second.raised.map(\.messages) == [320])
        #expect(second.raised.map(\.sequence) == [1])
        let third = try h.run(at: Self.minutes(10))
        #expect(third.exitCode == ExitCodes.ok && third.raised.isEmpty)
        for notifier in [h.mail, h.chat] {
            #expect(notifier.alerts.map(\.id) == first.raised.map(\.id))
            #expect(notifier.alerts.map(\.messages) == [320])
            #expect(notifier.attemptCount == 3)
        }
    }

    /// An escalation replaces an earlier alert still queued for a notifier: that notifier gets only the new one.
    @Test(arguments: StoreKind.allCases)
    func anEscalationSupersedesAnAlertStillQueued(kind: StoreKind) throws {
        let h = try Harness(kind)
        h.source.set(Self.day, ["anna@example.org": 250])
        h.mail.failNext(1)
        let first = try h.run()
        #expect(h.chat.alerts.map(\.sequence) == [1] && h.mail.alerts.isEmpty)
        h.source.set(Self.day, ["anna@example.org": 500])
        let second = try h.run(at: Self.minutes(5))
        #expect(second.raised.map(\.sequence) == [2])
        #expect(second.exitCode == ExitCodes.ok)
        #expect(h.mail.alerts.map(\.id) == second.raised.map(\.id), "not the stale alert \(first.raised.map(\.id))")
        #expect(h.chat.alerts.map(\.sequence) == [1, 2])
    }

    /// An alert that could not be delivered within `pending_days` is dropped from the queue.
    @Test(arguments: StoreKind.allCases)
    func anAlertIsRetriedOnlyWithinPendingDays(kind: StoreKind) throws {
        let h = try Harness(kind, pendingDays: 1)
        h.source.set(Self.day, ["anna@example.org": 250])
        h.mail.failNext(1)
        _ = try h.run()
        let later = try h.run(at: Self.noon.addingTimeInterval(2 * 86_400))
        #expect(later.deliveries["mail"] == nil && later.exitCode == ExitCodes.ok)
        #expect(h.mail.alerts.isEmpty && h.mail.attemptCount == 1)
    }

    /// A source that fails changes nothing it stored; the others still count and alert, and the exit code says 66.
    @Test(arguments: StoreKind.allCases)
    func aFailingSourceDoesNotStopTheOthers(kind: StoreKind) throws {
        let h = try Harness(kind, sources: [["type": "fixed", "name": "a"], ["type": "fixed", "name": "b"]])
        let a = try #require(FixedSource.source("a", in: h.config)), b = try #require(FixedSource.source("b", in: h.config))
        a.set(Self.day, ["anna@example.org": 150])
        b.set(Self.day, ["anna@example.org": 100])
        let first = try h.run()
        #expect(first.raised.map(\.messages) == [250], "summed over sources")
        b.fail("archive gone")
        b.set(Self.day, [:])
        a.set(Self.day, ["anna@example.org": 160, "bert@example.org": 300])
        let second = try h.run(at: Self.minutes(5))
        #expect(second.collected.failures == ["b": "archive gone"])
        #expect(second.exitCode == ExitCodes.noInput)
        #expect(try h.store.volumes(source: "b", on: Self.day) == ["anna@example.org": UserVolume(messages: 100)])
        #expect(second.raised.map(\.user) == ["bert@example.org"])
    }
}
