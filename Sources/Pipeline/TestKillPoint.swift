import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The crash switch of the fault tests, compiled into debug builds only (`swift build`, `swift test`): with
/// `MVPIPE_TEST_KILL_AT=POINT:N` in its environment, mvpipe says so on stderr and `SIGKILL`s itself when it reaches
/// that point of its work. A crash test so chooses where a run dies by what the run has done, never by how long it
/// has run, and every seed kills at the same place on every machine.
///
/// - `read:N`: once N bytes of log content have been read (counted per chunk read, over every file of the process);
/// - `commit:N`: just after the Nth state transaction of the process committed (a source's counts with its
///   checkpoint, the alerts saved, one notifier's delivery or failure record); schema upgrades and the claim of
///   the state for a config do not count;
/// - `delivered:N`: inside the Nth notifier delivery, after the peer accepted the alerts and before the state
///   records that it did;
/// - `map:N`: in the Nth write of a `postfix-hold` map, half written to its temporary file, before the rename.
///
/// A point never reached leaves the run alone. In release builds (`swift build -c release`, `make install`) this
/// type does nothing and the variable is ignored.
public enum TestKillPoint: String, Sendable, CaseIterable {
    case read
    case commit
    case delivered
    /// `map:N`: in the Nth write of a containment map (`postfix-hold`), with half the new map in the temporary file,
    /// before it is renamed into place.
    case map

    /// The environment variable that arms the switch.
    public static let variable = "MVPIPE_TEST_KILL_AT"

    /// Reads `MVPIPE_TEST_KILL_AT` now (a malformed value ends the process with exit 64), rather than when a point
    /// is first reached. Does nothing in release builds.
    public static func arm() {
        #if DEBUG
        _ = armed
        #endif
    }

    /// Notes that this much more of the point's work is done (bytes for ``read``, else 1); when the armed count is
    /// reached, the process kills itself.
    @inline(__always)
    public func reached(_ amount: Int = 1) {
        #if DEBUG
        Self.armed?.advance(self, by: amount)
        #endif
    }

    #if DEBUG
    /// The point and count from the environment, or nil when the variable is unset.
    private static let armed: Trigger? = {
        guard let value = ProcessInfo.processInfo.environment[variable] else { return nil }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let point = TestKillPoint(rawValue: String(parts[0])),
              let count = Int(parts[1]), count >= 1 else {
            let message = "mvpipe: \(variable)=\(value) is not POINT:N with POINT one of \(allCases.map(\.rawValue).joined(separator: ", ")) and N ≥ 1\n"
            FileHandle.standardError.write(Data(message.utf8))
            exit(64)
        }
        return Trigger(point: point, count: count)
    }()

    /// Counts one point's work and kills the process when it reaches the count.
    private final class Trigger: @unchecked Sendable {
        let point: TestKillPoint
        let count: Int
        private let lock = NSLock()
        private var done = 0

        init(point: TestKillPoint, count: Int) {
            self.point = point
            self.count = count
        }

        func advance(_ reached: TestKillPoint, by amount: Int) {
            guard reached == point else { return }
            lock.lock()
            done += amount
            let hit = done >= count
            lock.unlock()
            guard hit else { return }
            let message = "mvpipe: \(TestKillPoint.variable)=\(point.rawValue):\(count) reached, killing myself (SIGKILL)\n"
            message.utf8CString.withUnsafeBufferPointer { bytes in _ = write(2, bytes.baseAddress, bytes.count - 1) }
            kill(getpid(), SIGKILL)
            while true { pause() }
        }
    }
    #endif
}
