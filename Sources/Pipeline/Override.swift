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

    /// The documented keys of an override entry.
    public static let specs: [OptionSpec] = [
        OptionSpec("users", .stringList, default: nil, "User names or patterns with * and ? (case-insensitive); first matching override wins."),
        OptionSpec("ignore", .boolean, default: "false", "Never alert for these users (they are still counted)."),
        OptionSpec("detectors", .object, default: "the pipeline's", "Detectors that replace the pipeline's for these users."),
    ]
}
