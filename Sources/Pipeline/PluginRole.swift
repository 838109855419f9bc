/// The role a plugin plays in the pipeline, and the config array that lists it.
public enum PluginRole: String, Sendable, CaseIterable {
    case source, detector, notifier

    /// "sources", "detectors", "notifiers".
    public var plural: String { rawValue + "s" }
}
