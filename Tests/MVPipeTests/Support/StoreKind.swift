import Foundation
import MVPipeTestSupport
import Pipeline
#if canImport(PostgresStore)
import PostgresStore
#endif
import SQLiteStore

/// The state stores tests run against: every test of the ``StateStore`` contract and of the runner's logic runs once
/// per kind, so a store that behaves differently fails them.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// ``MemoryStateStore``.
    case memory
    /// A real SQLite file in a temporary folder.
    case sqlite
    /// A new database in the throwaway PostgreSQL cluster (see ``TestPostgres``), as relay `mx1.example.org`.
    case postgresql

    /// The kinds tests run on: PostgreSQL only when ``TestPostgres/enabled``.
    static var allCases: [StoreKind] {
        TestPostgres.enabled ? [.memory, .sqlite, .postgresql] : [.memory, .sqlite]
    }

    var description: String { rawValue }

    /// A new, empty store of this kind; `folder` holds its file (if any) and removes it when released, so keep it
    /// alive as long as the store (`defer { withExtendedLifetime(folder) {} }`).
    func make() throws -> (store: any StateStore, folder: TemporaryDirectory) {
        let folder = try TemporaryDirectory("mvpipe-store")
        switch self {
        case .memory: return (MemoryStateStore(), folder)
        case .sqlite: return (try SQLiteStateStore(path: folder.file("state.sqlite")), folder)
        case .postgresql:
            #if canImport(PostgresStore)
            let url = try TestPostgres.newDatabase()
            return (try PostgresStateStore(url: Secret(url, origin: .environment("MVPIPE_TEST_POSTGRES_URL")),
                                           name: "the test database", relay: "mx1.example.org", access: .readWrite), folder)
            #else
            throw SetupError("this build has no PostgreSQL store (MVPIPE_WITHOUT_POSTGRES)")
            #endif
        }
    }
}
