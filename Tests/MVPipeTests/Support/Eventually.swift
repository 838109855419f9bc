import Foundation

/// Waits for something a test can observe (a request in a server's log, a row in the state): the one way tests
/// wait for another process. The deadline is generous and only turns a hang into a failure; it never decides
/// what a test checks.
enum Eventually {
    /// The longest any test waits for an event, in seconds.
    static let deadline: Double = 300

    /// Returns once `condition` holds; throws when it still does not after ``deadline`` seconds, or as soon as
    /// `run` (the process that was to make it happen) has ended without it.
    static func wait(for what: @autoclosure () -> String, from run: BackgroundRun? = nil,
                     _ condition: () throws -> Bool) throws {
        let end = Date().addingTimeInterval(deadline)
        while try !condition() {
            if let run, !run.process.isRunning, try !condition() {
                throw SetupError("the run ended (status \(run.process.terminationStatus)) before \(what()): \(run.stderrText)")
            }
            guard Date() < end else { throw SetupError("waited \(Int(deadline)) s for \(what()); it never happened") }
            usleep(5_000)
        }
    }
}
