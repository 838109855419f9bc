import Foundation
import Logging
import Pipeline

/// Runs delivery attempts until one succeeds, a failure is permanent, or the run's retry
/// budget is spent: exponential backoff with jitter between transient failures, and the
/// server's own delay (`Retry-After`, Matrix `retry_after_ms`) when it gives one.
struct DeliveryRetrier: Sendable {
    /// The notifier entry's name, as every message about it says it ("notifier NAME: …").
    var notifier: String
    /// Seconds this run may spend on retries; the first attempt always happens.
    var budget: Double
    /// The first backoff delay in seconds (doubled per retry, up to ``maxDelay``).
    var baseDelay: Double = 0.5
    /// The longest backoff delay in seconds.
    var maxDelay: Double = 10
    /// Where retries are logged.
    var logger: Logger
    /// Removes the notifier's secrets from what servers say.
    var redactor: Redactor
    /// What the budget is measured and backoff waited with.
    var clock: any RetryClock

    /// A retrier for the notifier entry `notifier`, holding `secrets`.
    init(notifier: String, budget: Double, logger: Logger, secrets: [Secret], clock: any RetryClock) {
        self.notifier = notifier
        self.budget = budget
        self.logger = logger
        self.redactor = Redactor(secrets)
        self.clock = clock
    }

    /// How long to wait before retry number `retry` (0 for the first retry): full backoff
    /// `baseDelay × 2^retry`, capped at `maxDelay`, times a random factor in [0.5, 1].
    func backoff(retry: Int) -> Double {
        let exponential = min(maxDelay, baseDelay * pow(2, Double(min(retry, 30))))
        return exponential * Double.random(in: 0.5...1.0)
    }

    /// Calls `attempt` until it delivers; throws ``NotifierError`` (transient or permanent,
    /// with the attempts made and the last reason) otherwise. The error does not name the notifier: the runner
    /// that logs and stores it does ("notifier NAME failed, …").
    ///
    /// This is where every failure of a notifier becomes text: what the other side said is shown only through
    /// ``Redactor/quote(_:limit:)`` (plain text, secrets removed by their parts, then cut short).
    func run(_ attempt: () -> AttemptResult) throws(NotifierError) {
        let start = clock.now()
        var attempts = 0
        while true {
            attempts += 1
            let result = attempt()
            let elapsed = clock.now() - start
            switch result {
            case .delivered:
                if attempts > 1 { logger.notice("notifier \(notifier): delivered on attempt \(attempts)") }
                return
            case .permanent(let reason):
                throw NotifierError("\(reason.rendered(by: redactor)) (permanent failure, not retried; fix the cause, the alerts stay queued)", transient: false)
            case .transient(let reason, let retryAfter):
                let reason = reason.rendered(by: redactor)
                let remaining = budget - elapsed
                let delay: Double
                if let retryAfter {
                    guard retryAfter <= remaining else {
                        throw NotifierError("\(reason); the server asked to wait \(format(retryAfter)) s, more than the \(format(max(0, remaining))) s left of max_retry_seconds (\(format(budget))); the alerts stay queued for the next run (\(attempts) attempt(s))", transient: true)
                    }
                    delay = max(0, retryAfter)
                } else {
                    delay = backoff(retry: attempts - 1)
                    guard delay <= remaining else {
                        throw NotifierError("\(reason); gave up after \(attempts) attempt(s) in \(format(elapsed)) s (max_retry_seconds \(format(budget))); the alerts stay queued for the next run", transient: true)
                    }
                }
                logger.warning("notifier \(notifier): attempt \(attempts) failed: \(reason); retrying in \(format(delay)) s")
                if delay > 0 { clock.sleep(seconds: delay) }
            }
        }
    }

    private func format(_ s: Double) -> String { String(format: "%.1f", s) }
}
