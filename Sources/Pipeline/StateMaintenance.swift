/// Admin operations on a state store: `mvpipe state prune`, `export`, `import` and `check`.
///
/// The runner never needs these, so they live apart from ``StateStore``. Callers hold the run
/// lock (``StateStore/acquireRunLock(waiting:)``) around each, so no run changes the state meanwhile.
public protocol StateMaintenance: Sendable {
    /// The state's schema as it was opened.
    var schema: StateSchemaStatus { get }
    /// Removes old history in one transaction (or, with `dryRun`, only counts what it would remove).
    func prune(_ plan: PrunePlan, dryRun: Bool) throws -> PruneReport
    /// Writes the export header, then every row as a line (without newline), table by table in key
    /// order, from one consistent read; returns rows per table name.
    func export(_ writeLine: (String) throws -> Void) throws -> [String: Int]
    /// Writes every row of a checked export in one transaction; refuses a state that holds data
    /// unless `replace`, which discards it first. Returns rows per table name.
    func importRows(from file: StateExportReader, replace: Bool) throws -> [String: Int]
    /// Checks the database's integrity and mvpipe's own invariants.
    func check(_ expectations: StateCheckExpectations) throws -> StateCheckReport
}

/// A store as the CLI opens it: what the runner needs and the admin operations (`StateStoreFactory` returns these).
public typealias ManagedStateStore = StateStore & StateMaintenance
