/// One row of a state table, read from an export (with its line, for errors) or a store.
public struct StateRow: Sendable, Equatable {
    /// Its table.
    public var table: StateTable
    /// Its values, in the order of `table.columns`.
    public var values: [StateValue]
    /// The export line it came from (0 when it came from a store).
    public var line: Int

    /// Creates a row.
    public init(table: StateTable, values: [StateValue], line: Int = 0) {
        self.table = table
        self.values = values
        self.line = line
    }
}
