import Pipeline

/// The detectors this module provides, for the registry.
public enum BuiltinDetectors {
    /// Every detector type, in the order `mvpipe plugins` lists them.
    public static let all: [any Detector.Type] = [PercentOverAverage.self, HardCap.self, ZScore.self, Burst.self]
}
