/// A plugin that reports per-user mail volume.
public protocol Source: Plugin {
    /// Counts what is new or not yet final: the runner stores the report in one transaction.
    func collect(_ request: CollectRequest) throws -> VolumeReport
}
