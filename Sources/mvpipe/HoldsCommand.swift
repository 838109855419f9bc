import ArgumentParser
import Foundation
import Pipeline

/// `mvpipe holds`: the accounts containment (`postfix-hold`) has on hold.
struct HoldsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "holds",
        abstract: "List the accounts on hold in Postfix (postfix-hold): since when, after which alert, by which relay.",
        discussion: "Reads only. `mvpipe release --config F USER` lifts a hold."
    )

    @OptionGroup var common: CommonOptions

    @Flag(help: "One JSON object per hold on stdout.")
    var json = false

    func run() throws {
        let logger = common.makeLogger()
        let config = try common.loadConfig(logger: logger)
        let holds = try CLI.guarded {
            let store = try StateStoreFactory.open(config.state, .readOnly, relay: config.hostName)
            guard let ledger = store.holdLedger else { return [Hold]() }
            return try ledger.holds(action: nil, includeReleased: false)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            for hold in holds {
                try CLI.printOut(String(decoding: try encoder.encode(HoldJSON(hold)), as: UTF8.self))
            }
            return
        }
        guard !holds.isEmpty else {
            try CLI.printOut("no account is on hold")
            return
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = config.calendar.timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        for hold in holds {
            try CLI.printOut("\(UntrustedText.display(hold.user)): on hold since \(formatter.string(from: hold.since)) \(config.calendar.zoneName), alert #\(hold.alertID) (\(hold.messages) messages on \(hold.day)), relay \(UntrustedText.display(hold.relay)), notifier \(UntrustedText.display(hold.action))")
        }
    }
}

/// The `--json` form of a hold.
struct HoldJSON: Encodable {
    var user: String
    var key: String
    var since: Date
    var alert_id: Int64
    var day: String
    var messages: Int
    var relay: String
    var notifier: String

    init(_ hold: Hold) {
        user = hold.user
        key = hold.key
        since = hold.since
        alert_id = hold.alertID
        day = hold.day.description
        messages = hold.messages
        relay = hold.relay
        notifier = hold.action
    }
}
