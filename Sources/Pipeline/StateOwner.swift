import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whose a state is: the relay (the config's `host`) and the config file that runs it.
///
/// One state holds one pipeline. A second config on the same state file would sum the first one's sources into its
/// users' counts (and rescan or overwrite a source of the same name), so a command that runs the pipeline or changes
/// the state records its config as the owner on first use and refuses a state that another config owns (exit 78).
/// `mvpipe state adopt` hands a state to a config that replaces its owner (moved or renamed, or the relay renamed).
/// A fleet store keyed by relay applies the same rule per relay: one relay name, one config.
public struct StateOwner: Sendable, Equatable, CustomStringConvertible {
    /// The relay's name (the config's `host`).
    public var host: String
    /// The config file's real path.
    public var config: String

    /// Creates an owner.
    public init(host: String, config: String) {
        self.host = host
        self.config = config
    }

    /// `/etc/mvpipe/pipeline.json (relay mx1)`.
    public var description: String { "\(config) (relay \(host))" }

    /// `path` made absolute with symbolic links resolved (as given, made absolute, when it cannot be resolved).
    public static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else {
            return URL(fileURLWithPath: path).standardizedFileURL.path
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The error for a command of `self` on the state at `state` that `other` owns.
    public func refusal(ownedBy other: StateOwner, state: StateLocation) -> ConfigError {
        ConfigError("$.state", "\(state.noun) belongs to \(other), not to this config (\(self)). One state file holds one pipeline: a second config on it would sum the first one's sources into its own counts. Give this config its own \"state\", or put the sources of both into one config. If this config replaces that one (the config moved or was renamed, the relay was renamed, the state was moved here), make it the owner: mvpipe state adopt --config \(config)")
    }
}
