import Foundation
import MVPipeTestSupport
import Pipeline
import Testing

/// What every store's ``HoldLedger`` must do (memory, SQLite, PostgreSQL): one hold in force per action and key,
/// updated by escalations, released with who and when, and containment notes stored with the alert.
@Suite struct HoldLedgerContractTests {
    static let day = StateStoreContractTests.day
    static let noon = StateStoreContractTests.noon

    static func hold(_ key: String, alert: Int64, messages: Int, action: String = "postfix-hold") -> Hold {
        Hold(action: action, key: key, user: key.uppercased(), since: noon, alertID: alert, day: day, messages: messages,
             relay: "mx1.example.org")
    }

    @Test(arguments: StoreKind.allCases)
    func holdsAreRecordedUpdatedAndReleased(kind: StoreKind) throws {
        let (store, folder) = try kind.make()
        defer { withExtendedLifetime(folder) {} }
        let ledger = try #require(store.holdLedger)
        try ledger.recordHolds([Self.hold("anna@example.org", alert: 1, messages: 250),
                                Self.hold("bert@example.org", alert: 2, messages: 300),
                                Self.hold("anna@example.org", alert: 3, messages: 250, action: "second-map")])
        #expect(try ledger.holds(action: "postfix-hold", includeReleased: false).map(\.key) == ["anna@example.org", "bert@example.org"])
        #expect(try ledger.holds(action: nil, includeReleased: false).count == 3)

        // An escalation while held updates the hold in force.
        try ledger.recordHolds([Self.hold("anna@example.org", alert: 4, messages: 600)])
        let anna = try #require(try ledger.holds(action: "postfix-hold", includeReleased: false).first)
        #expect(anna.alertID == 4 && anna.messages == 600 && anna.user == "ANNA@EXAMPLE.ORG" && anna.since == Self.noon)

        let later = Self.noon.addingTimeInterval(3600)
        let released = try ledger.releaseHolds(keys: ["anna@example.org"], action: "postfix-hold", at: later, by: "postmaster")
        #expect(released.map(\.key) == ["anna@example.org"])
        #expect(released.first?.releasedBy == "postmaster")
        #expect(try ledger.holds(action: "postfix-hold", includeReleased: false).map(\.key) == ["bert@example.org"])
        let all = try ledger.holds(action: "postfix-hold", includeReleased: true)
        #expect(all.count == 2)
        #expect(all.first { $0.key == "anna@example.org" }?.releasedAt == later)
        #expect(try ledger.holds(action: "second-map", includeReleased: false).count == 1)

        // Held again: a new hold in force beside the released one.
        try ledger.recordHolds([Self.hold("anna@example.org", alert: 5, messages: 1300)])
        #expect(try ledger.holds(action: "postfix-hold", includeReleased: true).count == 3)
        #expect(try ledger.holds(action: "postfix-hold", includeReleased: false).count == 2)
        #expect(try ledger.releaseHolds(keys: ["nobody"], action: nil, at: later, by: "x").isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func containmentNotesTravelWithTheAlert(kind: StoreKind) throws {
        let (store, folder) = try kind.make()
        defer { withExtendedLifetime(folder) {} }
        let ledger = try #require(store.holdLedger)
        let saved = try store.saveAlerts([AlertDraft(alert: StateStoreContractTests.alert("anna", messages: 250))],
                                         notifiers: ["postfix-hold", "mail"])
        let id = try #require(saved.first?.id)
        try ledger.recordContainment("mail from this account is now on hold in Postfix", action: "postfix-hold", alertID: id)
        try ledger.recordContainment("NOT put on hold: allowed", action: "other", alertID: id)
        try ledger.recordContainment("mail from this account is on hold in Postfix since …", action: "postfix-hold", alertID: id)
        let pending = try store.pendingAlerts(notifier: "mail", since: Self.day)
        #expect(pending.first?.containment == ["postfix-hold": "mail from this account is on hold in Postfix since …",
                                               "other": "NOT put on hold: allowed"])
        try ledger.recordContainment("x", action: "postfix-hold", alertID: 999_999)  // an alert pruned meanwhile: nothing
    }
}
