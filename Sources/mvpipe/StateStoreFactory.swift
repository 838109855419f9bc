import Pipeline
#if canImport(PostgresStore)
import PostgresStore
#endif
import SQLiteStore

/// How a command opens the state.
enum StateAccess: Sendable, Equatable {
    /// Read and write, the schema brought up to date; a missing state is created if `create`, else
    /// ``StateError/missing(_:)``.
    case readWrite(create: Bool)
    /// Read only, the schema as it is (`state check`, `check`); never written. A missing state is
    /// ``StateError/missing(_:)``.
    case readOnly
    /// A private copy, upgraded to the current schema, that the command may change freely (`run --dry-run`,
    /// `backtest`); the state itself is never written. A missing state gives an empty copy if `create`, else
    /// ``StateError/missing(_:)``.
    case scratch(create: Bool)
}

/// Opens the store the config's `"state"` names: the one place that knows which stores this build has. Every
/// command opens its state here and uses it through ``ManagedStateStore`` only.
enum StateStoreFactory {
    /// The state schema version this build writes, and the newest whose exports it imports.
    static var schemaVersion: Int { SQLiteStateStore.schemaVersion }

    /// Opens the state at `location` for `access`, as the relay `relay` (the config's `host`; a PostgreSQL state
    /// keeps each relay's counts and checkpoints apart).
    ///
    /// Throws ``StateError`` when the state is missing (see ``StateAccess``), unusable, or (PostgreSQL) unreachable.
    static func open(_ location: StateLocation, _ access: StateAccess, relay: String) throws -> any ManagedStateStore {
        switch location {
        case .sqlite(let path):
            switch access {
            case .readWrite(let create): return try SQLiteStateStore(path: path, create: create)
            case .readOnly: return try SQLiteStateStore(readingOnly: path)
            case .scratch(let create): return try SQLiteStateStore.scratchCopy(of: path, create: create)
            }
        #if canImport(PostgresStore)
        case .postgresql(let url, let lease, let timeout):
            let name = location.description
            switch access {
            case .readWrite(let create): return try PostgresStateStore(url: url, name: name, relay: relay, access: .readWrite, create: create, lease: lease, timeout: Int64(timeout))
            case .readOnly: return try PostgresStateStore(url: url, name: name, relay: relay, access: .readOnly, create: false, timeout: Int64(timeout))
            case .scratch(let create): return try PostgresStateStore(url: url, name: name, relay: relay, access: .scratch, create: create, lease: lease, timeout: Int64(timeout))
            }
        #else
        case .postgresql:
            throw StateError.unusable("\(location.description): this mvpipe was built without PostgreSQL (MVPIPE_WITHOUT_POSTGRES was set when it was built): build it again without that variable")
        #endif
        }
    }
}
