import Foundation
import MVPipeTestSupport
import Pipeline
import Testing

extension StateStoreContractTests {
    /// A notifier added after alerts were raised is queued each user's latest alert of the day, once.
    @Test(arguments: StoreKind.allCases)
    func aNotifierAddedLaterIsQueuedTheDaysOpenAlertsOnce(kind: StoreKind) throws {
        let (store, folder) = try kind.make()
        defer { withExtendedLifetime(folder) {} }
        let first = try store.saveAlerts([AlertDraft(alert: Self.alert("anna", messages: 250)),
                                          AlertDraft(alert: Self.alert("bert", messages: 300)),
                                          AlertDraft(alert: Self.alert("carl", messages: 300, day: Self.day.adding(days: -1)))],
                                         notifiers: ["mail"])
        let escalation = try store.saveAlerts([AlertDraft(alert: Self.alert("anna", messages: 600, sequence: 2))], notifiers: ["mail"])[0]
        try store.recordDelivery(alertIDs: [escalation.id, first[1].id], notifier: "mail", at: Self.noon)
        #expect(try store.queueOpenAlerts(notifier: "mail", day: Self.day) == 0, "mail knows them all")
        #expect(try store.queueOpenAlerts(notifier: "chat", day: Self.day) == 2)
        #expect(try store.pendingAlerts(notifier: "chat", since: Self.day.adding(days: -1)).map(\.id) == [escalation.id, first[1].id],
                "today's latest per user; not anna's first, not yesterday's")
        #expect(try store.queueOpenAlerts(notifier: "chat", day: Self.day) == 0, "once")
    }
}
