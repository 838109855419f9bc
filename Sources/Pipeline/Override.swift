/// Per-user or per-group settings: the first override whose patterns match a user applies.
public struct Override: Sendable {
    /// Who it applies to.
    public let users: [UserPattern]
    /// Drop matching users from alerts (they are still counted in state).
    public let ignore: Bool
    /// Detectors that replace the pipeline's for matching users, if set.
    public let detectors: [Configured<any Detector>]?
    /// The override's JSON path, for messages.
    public let path: String

    /// Creates an override.
    public init(users: [UserPattern], ignore: Bool, detectors: [Configured<any Detector>]?, path: String) {
        self.users = users
        self.ignore = ignore
        self.detectors = detectors
        self.path = path
    }

    /// Whether any pattern matches `user`.
    public func matches(_ user: String) -> Bool {
        users.contains { $0.matches(user) }
    }

    /// Reads the override at `path` (an item of `overrides`), building its detectors.
    static func read(_ item: JSONValue, path: String, registry: Registry, context: PluginContext) throws -> Override {
        var reader = try OptionsReader(item, path: path, specs: specs, context: context)
        let users = try reader.read(usersOption)
        let ignore = try reader.read(ignoreOption)
        let detectors = try reader.read(detectorsOption)?.enumerated().map { j, entry in
            try registry.makeDetector(entry, path: "\(path).detectors[\(j)]", context: context)
        }
        if ignore && detectors != nil {
            throw ConfigError(path, "set either \"ignore\": true or \"detectors\", not both")
        }
        if !ignore && detectors == nil {
            throw ConfigError(path, "expected \"ignore\": true or a \"detectors\" array; an override with neither does nothing")
        }
        try reader.finish()
        return Override(users: users.map(UserPattern.init), ignore: ignore, detectors: detectors, path: path)
    }

    /// Who an override applies to.
    static let usersOption = ConfigOption<[String]>.required("users", "User names or patterns with * and ? (case-insensitive); first matching override wins.")
        .map { users, _ in
            guard !users.isEmpty, !users.contains(where: \.isEmpty) else {
                throw OptionError("required: expected a non-empty array of user names or patterns")
            }
            return users
        }
        .documented { $0.minItems = 1 }
    /// Whether matching users never alert.
    static let ignoreOption = ConfigOption("ignore", default: false, "Never alert for these users (they are still counted).")
    /// The detectors that replace the pipeline's.
    static let detectorsOption = ConfigOption<[JSONValue]?>.entries("detectors", of: .detector, absent: "the pipeline's", "Detectors that replace the pipeline's for these users.")

    /// The documented keys of an override entry.
    public static let specs = OptionSpec.list(usersOption, ignoreOption, detectorsOption)
}
