import Foundation
import Pipeline
import PostgresNIO

/// The run lock of one relay: a session advisory lock keyed by the relay's name, so relays run at the same time but
/// two runs of one relay do not. It goes away with the connection, so a killed run never leaves it behind.
final class PostgresRunLock: RunLock {
    /// The namespace of run locks (the first key of `pg_advisory_lock(int, int)`).
    static let namespace: Int32 = 0x6d76_7032 // "mvp2"
    let session: PostgresSession
    let relay: String
    let held: HeldFlag

    init(session: PostgresSession, relay: String, waiting seconds: Double, held: HeldFlag) throws {
        self.session = session
        self.relay = relay
        self.held = held
        let got: Bool
        if seconds <= 0 {
            got = try session.rows("SELECT pg_try_advisory_lock(\(Self.namespace), hashtext(\(relay)))").first?.decode(Bool.self) ?? false
        } else {
            // lock_timeout bounds the wait for an advisory lock too (55P03 when it runs out); statement_timeout and
            // the session's own deadline get the wait on top of the usual timeout.
            let wait = Int64(seconds * 1000)
            let statement = wait + session.timeout.nanoseconds / 1_000_000
            try session.execute("SELECT set_config('lock_timeout', \(String(wait)), false), set_config('statement_timeout', \(String(statement)), false)")
            do {
                try session.execute("SELECT pg_advisory_lock(\(Self.namespace), hashtext(\(relay)))", extra: .milliseconds(wait))
                got = true
            } catch StateError.unreachable(let message) where message.contains("lock timeout") {
                got = false
            }
            try session.execute("RESET lock_timeout")
            try session.execute("RESET statement_timeout")
        }
        guard got else {
            throw StateError.locked("another run of relay \(relay) holds its run lock in \(session.name) (a run still going, or a second relay configured with the same \"host\": every relay needs its own name); try again later")
        }
    }

    func release() {
        guard held.isSet else { return }
        _ = try? session.execute("SELECT pg_advisory_unlock(\(Self.namespace), hashtext(\(relay)))")
        held.clear()
    }

    deinit {
        release()
    }
}
