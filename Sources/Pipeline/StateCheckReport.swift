/// The outcome of `state check`: facts, warnings (odd but harmless) and problems (the state is damaged).
public struct StateCheckReport: Sendable, Equatable {
    /// What was found (schema, row counts, checkpoints).
    public var facts: [String] = []
    /// Odd but harmless findings.
    public var warnings: [String] = []
    /// Damage: integrity or foreign key errors, broken invariants.
    public var problems: [String] = []

    /// Creates an empty report.
    public init() {}

    /// Whether no problem was found.
    public var isHealthy: Bool { problems.isEmpty }
}
