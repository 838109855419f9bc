import Foundation
import Logging
import Pipeline

/// Containment: puts an alerting account on hold in Postfix through an access table mvpipe owns (`map`), rewritten
/// atomically from the state's holds, and released with `mvpipe release`.
///
/// It runs before every other notifier of the run (it is a ``ContainmentAction``), so each channel's alert says
/// whether the account's mail is now on hold, or why not, and how to release it.
public struct PostfixHoldNotifier: ContainmentAction {
    /// What Postfix does with mail from a held account.
    public enum Action: String, Sendable, CaseIterable, OptionChoice {
        /// Keep it in Postfix's hold queue (nothing is lost; `postsuper -H` releases, `-d` deletes).
        case hold = "HOLD"
        /// Refuse it with a 4xx reply: the client keeps it and retries later.
        case defer_ = "DEFER"
        /// Refuse it with a 5xx reply.
        case reject = "REJECT"
    }

    /// The map's lookup table type.
    public enum MapType: String, Sendable, CaseIterable, OptionChoice {
        /// Postfix reads the text file itself (no `postmap`).
        case texthash
        /// `postmap` builds `MAP.db`.
        case hash
        /// `postmap` builds `MAP.lmdb`.
        case lmdb
    }

    /// Which Postfix restriction reads the map, so which names are safe keys.
    public enum Lookup: String, Sendable, CaseIterable, OptionChoice {
        /// `check_sasl_access`: SASL logins (the `postfix-log` source's default identity); exact lookups.
        case saslLogin = "sasl_login"
        /// `check_sender_access`: envelope senders (`assp-archive`, `postfix-log` with `"identity": "sender"`);
        /// Postfix also reads keys there as domains and local parts, so only whole addresses are written.
        case sender
    }

    /// Options of `postfix-hold`.
    public struct Options: PluginOptions {
        /// The map's source file.
        public var map: String
        /// What Postfix does with held mail.
        public var action: Action
        /// The program (and arguments) that makes Postfix read the map again; empty: none.
        public var reloadCommand: [String]
        /// Accounts never held.
        public var allow: [UserPattern]
        /// The detector types that may cause a hold; nil: all.
        public var detectors: [String]?
        /// The most accounts put on hold in one run; more trips the circuit breaker.
        public var maxNewHolds: Int
        /// The table type.
        public var mapType: MapType
        /// The `postmap` program (for `hash` and `lmdb`).
        public var postmapCommand: String
        /// Seconds `postmap` and the reload command may take.
        public var timeout: Int
        /// Which restriction reads the map.
        public var lookup: Lookup

        static let map = ConfigOption.path("map", "The access table's source file mvpipe owns and rewrites from the state, e.g. /etc/postfix/mvpipe_holds (use it as texthash:/etc/postfix/mvpipe_holds in main.cf).")
        static let action = ConfigOption("action", default: Action.hold, "\"HOLD\" (mail waits in Postfix's hold queue), \"DEFER\" (4xx, the client retries later) or \"REJECT\" (5xx).")
        static let reloadCommand = ConfigOption<[String]>("reload_command", default: ["postfix", "reload"], "Run (argument array, no shell) when the map changed, so Postfix's smtpd processes read it; [] for none.")
            .map { command, _ in
                for (i, word) in command.enumerated() where word.isEmpty { throw OptionError("must not be empty", at: "[\(i)]") }
                return command
            }
        static let allow = ConfigOption<[String]>("allow", default: [], "Account globs never held (`*` and `?`, ASCII case ignored), e.g. [\"newsletter@*\"].")
        static let detectors = ConfigOption<[String]?>.optional("detectors", absent: "every detector", "The detector types whose alerts may cause a hold, e.g. [\"hard-cap\"].")
            .map { detectors, _ in
                if let detectors, detectors.isEmpty { throw OptionError("expected at least one detector type (leave it out for every detector)") }
                return detectors
            }
        static let maxNewHolds = ConfigOption("max_new_holds", default: 5, in: 1...100_000, "Circuit breaker: when more accounts would be put on hold in one run, none is, and every other notifier says so.")
        static let mapType = ConfigOption("map_type", default: MapType.texthash, "\"texthash\" (Postfix reads the file), \"hash\" or \"lmdb\" (mvpipe runs postmap).")
        static let postmap = ConfigOption("postmap_command", default: "postmap", "The postmap program for \"hash\" and \"lmdb\", looked up in PATH unless it contains a slash.").nonEmpty()
        static let timeout = ConfigOption("timeout", default: 60, in: 1...3600, "Seconds postmap and the reload command may take.")

        static let lookup = ConfigOption("lookup", default: Lookup.saslLogin, "Which Postfix restriction reads the map: \"sasl_login\" (check_sasl_access; the postfix-log source's logins) or \"sender\" (check_sender_access; envelope senders of assp-archive or postfix-log with \"identity\": \"sender\"; only whole addresses are written there).")

        public static let specs = OptionSpec.list(map, action, reloadCommand, allow, detectors, maxNewHolds, mapType, postmap, timeout, lookup)

        public init(reading reader: inout OptionsReader, context: PluginContext) throws {
            map = try reader.read(Self.map)
            action = try reader.read(Self.action)
            reloadCommand = try reader.read(Self.reloadCommand)
            allow = try reader.read(Self.allow).map(UserPattern.init)
            detectors = try reader.read(Self.detectors)
            maxNewHolds = try reader.read(Self.maxNewHolds)
            mapType = try reader.read(Self.mapType)
            postmapCommand = try reader.read(Self.postmap)
            timeout = try reader.read(Self.timeout)
            lookup = try reader.read(Self.lookup)
        }
    }

    public static let type = "postfix-hold"
    public static let summary = "Containment: puts alerting accounts on hold in Postfix (an access map mvpipe owns), until `mvpipe release`."

    /// The options in force.
    public let options: Options
    /// The entry's name (the holds it keeps in the state are filed under it).
    public let name: String
    let environment: [String: String]
    private let logger: Logger

    public init(options: Options, context: PluginContext) throws {
        self.options = options
        self.name = context.entryName.isEmpty ? Self.type : context.entryName
        self.environment = context.environment
        self.logger = context.logger
    }

    public var description: String { "postfix-hold: \(options.action.rawValue) in \(options.mapType.rawValue):\(options.map)" }

    public var detectorFilter: [String]? { options.detectors }

    public var ownedFile: String? { options.map }

    /// Alerts reach this plugin only through the runner's containment step.
    public func deliver(_ batch: AlertBatch) throws {
        throw NotifierError("postfix-hold acts only within `mvpipe run` (it needs the state's holds)", transient: false)
    }

    public func contain(_ request: ContainmentRequest) throws -> ContainmentOutcome {
        let calendar = request.batch.calendar
        var active: [String: Hold] = [:], released: [String: Hold] = [:]
        for hold in try request.ledger.holds(action: name, includeReleased: true) {
            if hold.isActive { active[hold.key] = hold } else { released[hold.key] = hold }
        }
        var outcome = ContainmentOutcome()
        var updated: [String: Hold] = [:]
        var candidates: [(alert: Alert, key: String)] = []
        for alert in request.batch.alerts {
            if let pattern = options.allow.first(where: { $0.matches(alert.user) }) {
                outcome.notes[alert.id] = "not put on hold: the account matches \(UntrustedText.display(pattern.text)) of \"allow\" (\(name))"
                continue
            }
            if let filter = options.detectors, !alert.firedDetectors.contains(where: filter.contains) {
                outcome.notes[alert.id] = "not put on hold: only \(filter.joined(separator: ", ")) may cause a hold (\"detectors\" of \(name)), and \(alert.firedDetectors.joined(separator: ", ")) fired"
                continue
            }
            let key: String
            do {
                key = try PostfixMapKey.key(for: alert.user, lookup: options.lookup)
            } catch {
                outcome.notes[alert.id] = "NOT put on hold: \(error.reason); mvpipe never writes such a name to the Postfix map, contain this account by hand"
                continue
            }
            if var hold = active[key] {
                outcome.notes[alert.id] = "mail from this account is on hold in Postfix since \(Self.time(hold.since, calendar)) (alert #\(hold.alertID), relay \(UntrustedText.display(hold.relay))); release it with: \(releaseCommand(request.configFile, hold.user))"
                if alert.id != hold.alertID && alert.messages > hold.messages && !request.dryRun {
                    hold.alertID = alert.id
                    hold.day = alert.day
                    hold.messages = alert.messages
                    active[key] = hold
                    updated[key] = hold
                }
                continue
            }
            if let last = released[key], let at = last.releasedAt, calendar.day(of: at) == alert.day,
               Double(alert.messages) < request.realertFactor * Double(last.messages) {
                let again = Int((request.realertFactor * Double(last.messages)).rounded(.up))
                outcome.notes[alert.id] = "not put on hold again: released \(Self.time(at, calendar))\(last.releasedBy.map { " by \(UntrustedText.display($0, limit: 40))" } ?? ""); held again today only from \(again) messages (realert_factor)"
                continue
            }
            candidates.append((alert, key))
        }

        let newKeys = Set(candidates.map(\.key))
        if newKeys.count > options.maxNewHolds {
            logger.error("notifier \(name): circuit breaker: \(newKeys.count) accounts would have been put on hold in one run, more than max_new_holds \(options.maxNewHolds); held none of them")
            for (alert, _) in candidates {
                outcome.notes[alert.id] = "NOT put on hold: CIRCUIT BREAKER: \(newKeys.count) accounts would have been put on hold in one run, more than max_new_holds \(options.maxNewHolds) of \(name), so none was (a broken detector must not lock out many accounts). Check these alerts and contain the real ones by hand"
            }
            candidates = []
        }
        if request.dryRun {
            for (alert, _) in candidates {
                outcome.notes[alert.id] = "dry run: mail from this account would now be put on hold in Postfix (\(options.action.rawValue) in \(options.map))"
            }
            return outcome
        }

        var fresh: [String: Hold] = [:]
        for (alert, key) in candidates where fresh[key] == nil {
            fresh[key] = Hold(action: name, key: key, user: alert.user, since: request.now, alertID: alert.id, day: alert.day,
                              messages: alert.messages, relay: request.batch.host)
        }
        do {
            _ = try bringMapInLine(with: Array(active.values) + Array(fresh.values))
        } catch {
            for (alert, _) in candidates {
                outcome.notes[alert.id] = "NOT yet on hold in Postfix: \(error.message)"
            }
            outcome.error = error
            return outcome
        }
        try request.ledger.recordHolds(Array(updated.values) + Array(fresh.values))
        for (alert, key) in candidates {
            outcome.notes[alert.id] = "mail from this account is now on hold in Postfix (\(actionWords)); release it with: \(releaseCommand(request.configFile, fresh[key]!.user))"
        }
        return outcome
    }

    public func synchronize(ledger: any HoldLedger) throws(NotifierError) -> Bool {
        let holds: [Hold]
        do {
            holds = try ledger.holds(action: name, includeReleased: false)
        } catch {
            throw NotifierError("cannot read the holds from the state: \(error)", transient: true)
        }
        return try bringMapInLine(with: holds)
    }

    private var actionWords: String {
        switch options.action {
        case .hold: "HOLD: it waits in Postfix's hold queue"
        case .defer_: "DEFER: refused with 4xx, the client retries later"
        case .reject: "REJECT: refused with 5xx"
        }
    }

    private func releaseCommand(_ configFile: String, _ user: String) -> String {
        let word = PostfixMapKey.shellWord(user)
        return "mvpipe release --config \(PostfixMapKey.shellWord(configFile)) \(user.hasPrefix("-") ? "-- " : "")\(word)"
    }

    static func time(_ date: Date, _ calendar: WorkCalendar) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = calendar.timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date) + " " + calendar.zoneName
    }
}
