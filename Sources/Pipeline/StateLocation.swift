/// Where a pipeline keeps its state: the config's `"state"`.
///
/// The CLI opens the store a location names through one factory (`StateStoreFactory`), the only place that knows
/// which stores this build has.
public enum StateLocation: Sendable, Equatable, CustomStringConvertible {
    /// A SQLite file (the path resolved against the config file's folder): one relay's state.
    case sqlite(path: String)
    /// A PostgreSQL database that several relays share. The URL carries the password: it is a ``Secret`` and never
    /// shown; messages name where it came from instead.
    /// `leaseSeconds`: how long a relay's claim on an alert it delivers lasts (`"lease_seconds"`);
    /// `timeoutSeconds`: how long connecting or one statement may take (`"timeout_seconds"`).
    case postgresql(url: Secret, leaseSeconds: Int = 300, timeoutSeconds: Int = 30)

    /// How messages name the state: the SQLite file's path, or the PostgreSQL database by where its URL came from.
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgresql(let url, _, _): "the PostgreSQL database of \(url.origin)"
        }
    }

    /// The state as the subject of a sentence: "the state file /var/lib/mvpipe/state.sqlite".
    public var noun: String {
        switch self {
        case .sqlite(let path): "the state file \(path)"
        case .postgresql: "the state in \(description)"
        }
    }

    /// The `"type"` of each kind in the config's object form.
    public var type: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgresql: "postgresql"
        }
    }
}
