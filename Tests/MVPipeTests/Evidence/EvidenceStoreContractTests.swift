import Foundation
import MVPipeTestSupport
import Pipeline
import Testing

/// What every store does with evidence and silences (``EvidenceStore``, ``SilenceStore``), on each ``StoreKind``.
@Suite struct EvidenceStoreContractTests {
    static let day = Day("2026-11-25")!
    static let noon = Date(timeIntervalSince1970: 1_795_608_000)  // 2026-11-25T12:00:00Z

    @Test(arguments: StoreKind.allCases)
    func clientIPsAddUpAcrossRunsAndSourcesAndRecipientsSum(kind: StoreKind) throws {
        let (store, folder) = try kind.make()
        defer { withExtendedLifetime(folder) {} }
        let evidence = try #require(store as? any EvidenceStore)
        let old = Self.day.adding(days: -31), yesterday = Self.day.adding(days: -1)
        var report = VolumeReport(mode: .increment, counts: [Self.day: ["anna": UserVolume(messages: 3, recipients: 30)]])
        report.clientIPs = [Self.day: ["anna": ["192.0.2.1": 2, "2001:db8::1": 1]], old: ["anna": ["198.51.100.1": 4]],
                            yesterday: ["anna": ["192.0.2.1": 1], "bert": ["192.0.2.9": 1]]]
        try store.apply(report, source: "log", at: Self.noon)
        try store.apply(report, source: "log", at: Self.noon)
        var other = VolumeReport(mode: .increment, counts: [Self.day: ["anna": UserVolume(messages: 1, recipients: 5)]])
        other.clientIPs = [Self.day: ["anna": ["192.0.2.1": 1]]]
        try store.apply(other, source: "exim", at: Self.noon)

        #expect(try evidence.clientIPs(user: "anna", from: Self.day.adding(days: -30), through: Self.day)
                == [Self.day: ["192.0.2.1": 5, "2001:db8::1": 2], yesterday: ["192.0.2.1": 2]])
        #expect(try evidence.clientIPs(user: "carl", from: old, through: Self.day).isEmpty)
        // Rows older than the retention go when newer ones come.
        #expect(try evidence.clientIPs(user: "anna", from: old, through: old) == [old: ["198.51.100.1": 8]])
        var later = VolumeReport(mode: .increment)
        later.clientIPs = [old.adding(days: ClientIPEvidence.retentionDays + 1): ["anna": ["192.0.2.1": 1]]]
        try store.apply(later, source: "log", at: Self.noon)
        #expect(try evidence.clientIPs(user: "anna", from: old, through: old).isEmpty)
        #expect(try evidence.clientIPs(user: "anna", from: Self.day, through: Self.day)[Self.day]?["192.0.2.1"] == 5)
        #expect(try evidence.dailyRecipients(users: ["anna", "bert"], days: [Self.day, yesterday]) == ["anna": [Self.day: 65]])
        let shown = try #require(try ClientIPEvidence.of(user: "anna", day: Self.day, in: store))
        #expect(shown == [ClientIPEvidence(ip: "192.0.2.1", messages: 5, new: false),
                          ClientIPEvidence(ip: "2001:db8::1", messages: 2, new: true)])
    }

    @Test(arguments: StoreKind.allCases)
    func silencesAreReplacedListedAndRemoved(kind: StoreKind) throws {
        let (store, folder) = try kind.make()
        defer { withExtendedLifetime(folder) {} }
        let silences = try #require(store as? any SilenceStore)
        try silences.addSilence(Silence(user: "news", until: Self.day, reason: "first", createdAt: Self.noon))
        try silences.addSilence(Silence(user: "news", until: Self.day.adding(days: 3), reason: "mailing", createdAt: Self.noon))
        try silences.addSilence(Silence(user: "anna", until: Self.day.adding(days: -1), reason: "old", createdAt: Self.noon))
        #expect(try silences.silences().map(\.user) == ["anna", "news"])
        #expect(try Silence.active(on: Self.day, in: store).mapValues(\.reason) == ["news": "mailing"])
        #expect(try Silence.summary(on: Self.day, in: store)?.hasPrefix("1 user(s) silenced") == true)
        #expect(try silences.removeSilence(user: "news"))
        #expect(try !silences.removeSilence(user: "news"))
        #expect(try Silence.active(on: Self.day, in: store).isEmpty)
        #expect(try Silence.summary(on: Self.day, in: store) == nil)
    }
}
