import Foundation
import Pipeline
#if canImport(PostgresStore)
import PostgresNIO
import PostgresStore
#endif

/// The throwaway PostgreSQL cluster of `scripts/test-postgres` (its URL in `MVPIPE_TEST_POSTGRES_URL`).
///
/// Tests that need it run when the URL is set; without it they are left out, except in CI (`CI` set), where a
/// missing URL makes them fail instead of quietly not running.
enum TestPostgres {
    /// The cluster's URL (the test role may create databases).
    static var url: String? {
        ProcessInfo.processInfo.environment["MVPIPE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether this build has the PostgreSQL store (not when built with `MVPIPE_WITHOUT_POSTGRES`, as CI's
    /// sanitized runs are).
    static var compiledIn: Bool {
        #if canImport(PostgresStore)
        true
        #else
        false
        #endif
    }

    /// Whether tests that need PostgreSQL run: the build has it, and the URL is set or this is CI (where they then
    /// fail without it).
    static var enabled: Bool {
        compiledIn && (url != nil || ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } == true)
    }

    /// The URL, or an error saying how to get one.
    static func requireURL() throws -> String {
        guard let url else {
            throw SetupError("MVPIPE_TEST_POSTGRES_URL is not set (CI is): start a cluster with eval \"$(scripts/test-postgres start)\"")
        }
        return url
    }

    #if canImport(PostgresStore)
    /// A new, empty database in the cluster; returns its URL (same role and password).
    static func newDatabase() throws -> String {
        let base = try requireURL()
        let session = try PostgresSession(url: Secret(base, origin: .environment("MVPIPE_TEST_POSTGRES_URL")), name: "the test cluster")
        let name = "mvpipe_t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try session.execute(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        var parts = URLComponents(string: base)!
        parts.path = "/" + name
        return parts.string!
    }

    /// A session on the database at `url`, for tests to look into the fleet's tables.
    static func session(_ url: String) throws -> PostgresSession {
        try PostgresSession(url: Secret(url, origin: .environment("MVPIPE_TEST_POSTGRES_URL")), name: "the test database")
    }
    #else
    /// Without the PostgreSQL store there is no database to make; tests that call this are left out by ``enabled``.
    static func newDatabase() throws -> String {
        throw SetupError("this build has no PostgreSQL store (built with MVPIPE_WITHOUT_POSTGRES)")
    }
    #endif
}
