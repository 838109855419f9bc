/// Which schema a state file has, compared with the one this mvpipe writes.
public struct StateSchemaStatus: Sendable, Equatable {
    /// The migrations the file records, in order.
    public var applied: [String]
    /// Migrations the file records that this mvpipe does not know (a newer mvpipe applied them).
    public var unknown: [String]
    /// The schema version this mvpipe writes.
    public var current: Int

    /// Creates a status.
    public init(applied: [String], unknown: [String], current: Int) {
        self.applied = applied
        self.unknown = unknown
        self.current = current
    }

    /// The file's schema version: the number of migrations applied (0 for a file with no tables yet).
    public var version: Int { applied.count + unknown.count }

    /// One line for reports, e.g. `schema 2 (current)` or `schema 1 (upgraded to 2 by the next run)`.
    public var summary: String {
        if !unknown.isEmpty { return "schema \(version) (newer than this mvpipe's \(current))" }
        if version == current { return "schema \(version) (current)" }
        return "schema \(version) (the next run upgrades it to \(current))"
    }
}
