import Foundation

/// Checks of the containment actions' options against the rest of the config.
extension PipelineConfig {
    /// Throws when a containment action's `detectors` names a detector type the config does not have (a typo there
    /// would silently never hold anyone).
    static func requireKnownDetectors(_ notifiers: [Configured<any Notifier>], detectors: [Configured<any Detector>]) throws {
        let known = Set(detectors.map { type(of: $0.plugin).type })
        for entry in notifiers {
            guard let filter = (entry.plugin as? any ContainmentAction)?.detectorFilter else { continue }
            for (i, name) in filter.enumerated() where !known.contains(name) {
                throw ConfigError("\(entry.path).detectors[\(i)]", "no detector of type '\(UntrustedText.display(name))'; the config's detectors are: \(known.sorted().joined(separator: ", "))")
            }
        }
    }

    /// Throws when two containment actions own the same file: each would rewrite it with only its own holds, so
    /// one entry's holds would be lifted silently on every run.
    static func requireDistinctOwnedFiles(_ notifiers: [Configured<any Notifier>]) throws {
        var owners: [String: String] = [:]
        for entry in notifiers {
            guard let file = (entry.plugin as? any ContainmentAction)?.ownedFile else { continue }
            let key = URL(fileURLWithPath: file).standardizedFileURL.path
            if let first = owners[key] {
                throw ConfigError("\(entry.path).map", "\(UntrustedText.display(file)) is already the map of \(first); give each postfix-hold entry its own map (each rewrites its file with only its own holds)")
            }
            owners[key] = entry.path
        }
    }
}
