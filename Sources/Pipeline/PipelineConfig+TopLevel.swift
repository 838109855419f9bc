import Foundation

extension PipelineConfig {
    /// The top-level keys of the config, declared once: what `mvpipe plugins`, the README and `mvpipe schema`
    /// show is what ``PipelineConfig/parse(_:registry:baseDirectory:environment:logger:consoleStream:)`` reads.
    enum TopLevel {
        /// A time zone read from the config: the zone and the name it was given by.
        struct Zone: Sendable {
            let timeZone: TimeZone
            let name: String
        }

        static let timezone = ConfigOption<String?>.optional("timezone", absent: "the system's", "IANA time zone; \"today\" and every day boundary follow it (days are stepped on the calendar, so DST changes never shift a day), e.g. \"Europe/Amsterdam\".")
            .map { name, _ -> Zone? in
                guard let name else { return nil }
                guard let zone = TimeZone(identifier: name) else {
                    throw OptionError("unknown time zone '\(UntrustedText.display(name))'; expected an IANA name such as \"Europe/Amsterdam\" or \"UTC\"")
                }
                return Zone(timeZone: zone, name: name)
            }

        static let state = StateLocation.option

        static let workdays = ConfigOption<[String]>("workdays", default: ["mon", "tue", "wed", "thu", "fri"], "Days of the week that are working days.")
            .map { names, _ in
                var days: Set<Weekday> = []
                for (i, name) in names.enumerated() {
                    guard let day = Weekday(name: name) else {
                        throw OptionError("expected one of mon, tue, wed, thu, fri, sat, sun; found '\(UntrustedText.display(name))'", at: "[\(i)]")
                    }
                    days.insert(day)
                }
                guard !days.isEmpty else { throw OptionError("expected at least one working day") }
                return days
            }
            .documented {
                $0.choices = Weekday.allCases.map(\.rawValue)
                $0.minItems = 1
            }

        static let holidays = ConfigOption<[String]>("holidays", default: [], "Dates (YYYY-MM-DD) that are never working days.")
            .map { texts, _ in
                var days: Set<Day> = []
                for (i, text) in texts.enumerated() {
                    guard let day = Day(text) else {
                        throw OptionError("expected a date YYYY-MM-DD that exists, found '\(UntrustedText.display(text))'", at: "[\(i)]")
                    }
                    days.insert(day)
                }
                return days
            }
            .documented { $0.pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" }

        static let realertFactor = ConfigOption("realert_factor", default: 2.0, in: 1...1_000_000, "An alerted user alerts again the same day once the count reaches this factor × the count at the last alert.")

        static let pendingDays = ConfigOption("pending_days", default: 7, in: 1...366, "Days an undelivered alert keeps being retried before it is dropped with a warning.")

        static let host = ConfigOption<String?>.optional("host", absent: "the system host name", "The relay's name in alerts.")
            .map { host, _ in
                if let host, host.isEmpty || host.count > 253 || host.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
                    throw OptionError("expected a host name without spaces or control characters (it goes into subjects and titles)")
                }
                return host
            }

        static let sources = ConfigOption<[JSONValue]>.entries("sources", of: .source, "At least one source; counts are summed over all sources.")

        static let detectors = ConfigOption<[JSONValue]>.entries("detectors", of: .detector, default: [["type": "percent-over-average"], ["type": "hard-cap"]], "A user alerts when any detector fires.")

        static let notifiers = ConfigOption<[JSONValue]>.entries("notifiers", of: .notifier, "At least one notifier; each keeps its own delivery record.")

        static let overrides = ConfigOption<[JSONValue]>.objects("overrides", keys: Override.specs, default: [], "Per-user settings: {\"users\": [patterns], \"ignore\": true} or {\"users\": [...], \"detectors\": [...]}; the first match wins.")

        static let schema = ConfigOption<String?>.optional("$schema", absent: "none", "Ignored; lets editors find a JSON Schema.")
    }
}
