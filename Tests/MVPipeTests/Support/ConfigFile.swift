import Foundation

/// Builds pipeline configs for tests as JSON objects.
enum ConfigFile {
    /// Writes `object` as JSON to `path` and returns the path.
    @discardableResult
    static func write(_ object: [String: Any], to path: String) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A typical archive pipeline: the seed's rules, one archive source and the given notifiers.
    static func archive(root: String, state: String, notifiers: [[String: Any]] = [["type": "console"]],
                        timezone: String = "Europe/Amsterdam", holidays: [String] = [],
                        extra: [String: Any] = [:]) -> [String: Any] {
        var config: [String: Any] = [
            "timezone": timezone,
            "state": state,
            "workdays": ["mon", "tue", "wed", "thu", "fri"],
            "holidays": holidays,
            "sources": [["type": "assp-archive", "path": root]],
            "detectors": [
                ["type": "percent-over-average", "days": 10, "percent": 150, "floor": 100],
                ["type": "hard-cap", "limit": 200],
            ],
            "notifiers": notifiers,
        ]
        config.merge(extra) { _, new in new }
        return config
    }
}
