import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Pipeline
import PostgresNIO

/// One connection to the fleet's PostgreSQL database, used synchronously: the only place where mvpipe's
/// synchronous runner meets postgres-nio's asynchronous world.
///
/// Why a bridge and not an async pipeline: the runner, the sources (blocking file and journal reads) and the
/// notifiers (libcurl, posix_spawn) are synchronous, and a cron run does one thing at a time; making all of it async
/// for one store would change every module for no gain. So each call here sends its statement and blocks the calling
/// (never an event loop) thread on the `EventLoopFuture` with a deadline, and nothing else in mvpipe knows postgres-nio
/// is asynchronous. The deadline (``timeout``) is enforced here, on the client, so a server that accepts the
/// connection and then hangs fails the run with ``StateError/unreachable(_:)`` instead of hanging cron; the server
/// also gets `statement_timeout` and `lock_timeout`.
///
/// Errors: a connection that cannot be made, breaks, or times out is ``StateError/unreachable(_:)`` (exit 75: try
/// again later); an error the server reports for a statement is ``StateError/unusable(_:)``. The URL's password is
/// never part of a message.
public final class PostgresSession: Sendable {
    let connection: PostgresConnection
    let logger: Logger
    /// How long one statement (or connecting) may take before the run gives up.
    let timeout: TimeAmount
    /// How messages name the database (never the URL: it holds the password).
    let name: String

    /// Connects to the database `url` names (a ``Secret``); `name` is how messages name it.
    public init(url: Secret, name: String, timeout seconds: Int64 = 30) throws {
        self.name = name
        self.timeout = .seconds(seconds)
        var logger = Logger(label: "mvpipe.postgres")
        logger.logLevel = .critical
        self.logger = logger
        let configuration = try Self.configuration(url, seconds: seconds, name: name)
        let group = MultiThreadedEventLoopGroup.singleton
        let future = PostgresConnection.connect(on: group.next(), configuration: configuration, id: 1, logger: logger)
        do {
            connection = try Self.wait(future, timeout: .seconds(seconds), name: name, onTimeout: {
                future.whenSuccess { connection in connection.close().whenComplete { _ in } }
            })
        } catch let error as StateError {
            throw error
        } catch {
            throw Self.describe(error, name: name)
        }
    }

    deinit {
        _ = try? connection.close().wait()
    }

    /// Runs `query` and returns its rows.
    public func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        Array(try run(query).rows)
    }

    /// Runs `query` (its rows, if any, are dropped); returns how many rows it changed. `extra`: how much longer
    /// than ``timeout`` it may take (a statement that waits for a lock on purpose).
    @discardableResult
    public func execute(_ query: PostgresQuery, extra: TimeAmount = .zero) throws -> Int {
        try run(query, extra: extra).metadata.rows ?? 0
    }

    private func run(_ query: PostgresQuery, extra: TimeAmount = .zero) throws -> PostgresQueryResult {
        let future = connection.query(query, logger: logger)
        do {
            return try Self.wait(future, timeout: timeout + extra, name: name, onTimeout: { [connection] in
                // The statement hangs: drop the connection so nothing more is sent on it.
                connection.close().whenComplete { _ in }
            })
        } catch let error as StateError {
            throw error
        } catch {
            throw Self.describe(error, name: name)
        }
    }

    /// Waits for `future` at most `timeout`; then `onTimeout` runs and ``StateError/unreachable(_:)`` is thrown.
    private static func wait<T: Sendable>(_ future: EventLoopFuture<T>, timeout: TimeAmount, name: String,
                                          onTimeout: @escaping @Sendable () -> Void) throws -> T {
        let promise = future.eventLoop.makePromise(of: T.self)
        let timer = future.eventLoop.scheduleTask(in: timeout) {
            promise.fail(StateError.unreachable("\(name) did not answer within \(timeout.nanoseconds / 1_000_000_000) s; state unreachable. Nothing was stored by this step; the next run catches up"))
            onTimeout()
        }
        future.whenComplete { result in
            timer.cancel()
            promise.completeWith(result)
        }
        return try promise.futureResult.wait()
    }

    /// The connection settings from the URL: host, port, user, password, database, TLS from `sslmode`, timeouts.
    private static func configuration(_ url: Secret, seconds: Int64, name: String) throws -> PostgresConnection.Configuration {
        guard let parts = URLComponents(string: url.reveal), let host = parts.host, let user = parts.user else {
            throw StateError.unusable("the URL of \(name) is not a postgresql://user:password@host:port/database URL")
        }
        let database = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        let mode = parts.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch mode {
            case "disable":
                tls = .disable
            case "allow", "prefer":
                var settings = TLSConfiguration.makeClientConfiguration()
                settings.certificateVerification = .none
                tls = .prefer(try NIOSSLContext(configuration: settings))
            case "require":
                var settings = TLSConfiguration.makeClientConfiguration()
                settings.certificateVerification = .none
                tls = .require(try NIOSSLContext(configuration: settings))
            case "verify-ca":
                var settings = TLSConfiguration.makeClientConfiguration()
                settings.certificateVerification = .noHostnameVerification
                tls = .require(try NIOSSLContext(configuration: settings))
            default:
                tls = .require(try NIOSSLContext(configuration: TLSConfiguration.makeClientConfiguration()))
            }
        } catch {
            throw StateError.unusable("cannot set up TLS for \(name) (sslmode=\(mode)): \(error)")
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: parts.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: parts.password.map { $0.removingPercentEncoding ?? $0 }, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(seconds)
        configuration.options.additionalStartupParameters = [
            ("statement_timeout", "\(seconds * 1000)"), ("lock_timeout", "\(seconds * 1000)"),
            ("application_name", "mvpipe"),
        ]
        return configuration
    }

    /// A postgres-nio error as a ``StateError``: the server's own message for a failed statement, else unreachable.
    static func describe(_ error: any Error, name: String) -> StateError {
        if let error = error as? PSQLError {
            if error.code == .server, let message = error.serverInfo?[.message] {
                let code = error.serverInfo?[.sqlState] ?? ""
                // 57014: statement_timeout; 55P03: lock_timeout; 57P0x: the server is shutting down.
                if code == "57014" || code == "55P03" || code.hasPrefix("57P") || code.hasPrefix("08") {
                    return .unreachable("\(name): \(message); state unreachable. Nothing was stored by this step; the next run catches up")
                }
                return .unusable("\(name): \(message) (SQLSTATE \(code))")
            }
            let cause = error.underlying.map { "\($0)" } ?? "\(error.code)"
            return .unreachable("cannot reach \(name): \(cause); state unreachable. Nothing was stored; the next run catches up from this relay's checkpoints")
        }
        return .unreachable("cannot reach \(name): \(error); state unreachable. Nothing was stored; the next run catches up from this relay's checkpoints")
    }
}
