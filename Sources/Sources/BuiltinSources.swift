import Pipeline

/// The sources this module provides, for the registry.
public enum BuiltinSources {
    /// Every source type, in the order `mvpipe plugins` lists them.
    public static let all: [any Source.Type] = [ASSPArchiveSource.self, PostfixLogSource.self, PostfixJournalSource.self, EximLogSource.self, ASSPLogSource.self]
}
