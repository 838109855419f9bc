import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pause switch of the outage tests, compiled into debug builds only (`swift build`, `swift test`), beside
/// ``TestKillPoint``: with `MVPIPE_TEST_PAUSE_AT=POINT:N` and `MVPIPE_TEST_PAUSE_FILE=PATH` in its environment,
/// mvpipe stops when it reaches that point of its work, creates `PATH.paused`, and goes on only once `PATH.release`
/// exists. A test so does something to the world (stops the database, cuts the network) at a chosen place of a run,
/// waiting on the marker file rather than on a time.
///
/// - `store:N`: before the Nth source's counts and reading position are stored (the source has been read, the
///   state has not changed yet; counted over the sources of the process).
///
/// A point never reached leaves the run alone; a paused process that is never released goes on by itself after
/// 300 s (so a failed test does not leave it behind for ever). In release builds this type does nothing.
public enum TestPausePoint: String, Sendable, CaseIterable {
    case store

    /// The environment variable that arms the switch.
    public static let variable = "MVPIPE_TEST_PAUSE_AT"
    /// The environment variable with the path the marker (`.paused`) and release (`.release`) files are named after.
    public static let fileVariable = "MVPIPE_TEST_PAUSE_FILE"

    /// Reads the variables now (a malformed value ends the process with exit 64). Does nothing in release builds.
    public static func arm() {
        #if DEBUG
        _ = armed
        #endif
    }

    /// Notes that the point was reached once more; at the armed count, pauses until released.
    public func reached() {
        #if DEBUG
        Self.armed?.advance(self)
        #endif
    }

    #if DEBUG
    private static let armed: Trigger? = {
        let environment = ProcessInfo.processInfo.environment
        guard let value = environment[variable] else { return nil }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let point = TestPausePoint(rawValue: String(parts[0])),
              let count = Int(parts[1]), count >= 1,
              let path = environment[fileVariable], !path.isEmpty else {
            let message = "mvpipe: \(variable)=\(value) is not POINT:N with POINT one of \(allCases.map(\.rawValue).joined(separator: ", ")) and N ≥ 1, or \(fileVariable) is not set\n"
            FileHandle.standardError.write(Data(message.utf8))
            exit(64)
        }
        return Trigger(point: point, count: count, path: path)
    }()

    /// Counts one point's passes and pauses the process at the armed count.
    private final class Trigger: @unchecked Sendable {
        let point: TestPausePoint
        let count: Int
        let path: String
        private let lock = NSLock()
        private var done = 0

        init(point: TestPausePoint, count: Int, path: String) {
            self.point = point
            self.count = count
            self.path = path
        }

        func advance(_ reached: TestPausePoint) {
            guard reached == point else { return }
            let hit: Bool = lock.withLock {
                done += 1
                return done == count
            }
            guard hit else { return }
            FileHandle.standardError.write(Data("mvpipe: \(TestPausePoint.variable)=\(point.rawValue):\(count) reached, paused until \(path).release exists\n".utf8))
            FileManager.default.createFile(atPath: path + ".paused", contents: Data("\(getpid())\n".utf8))
            // Waits on the release file (an event the test makes), polling it; gives up after 300 s.
            for _ in 0..<30_000 where !FileManager.default.fileExists(atPath: path + ".release") {
                usleep(10_000)
            }
        }
    }
    #endif
}
