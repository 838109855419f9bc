import CSpawn
import Foundation

/// Runs a program (the mail program) the way a relay's admin would want it run from a cron job:
///
/// - with only stdin (the input, through a pipe), stdout (`/dev/null`) and stderr (a pipe) open, every signal
///   at its default action and none blocked, in a process group of its own;
/// - judged by its own exit status: a descendant it leaves behind (mailx without `sendwait` forks sendmail to
///   deliver in the background) may keep stdin or stderr open for as long as it likes, nothing waits for their
///   end of file;
/// - on timeout, the whole group is signalled: SIGTERM, then, once the program has exited or `grace` seconds
///   have passed, SIGKILL for whatever of the group is left. The program is reaped only after that, so its
///   process group cannot have been reused by then.
struct ExternalProgram: Sendable {
    /// How the program ended.
    enum Ending: Sendable, Equatable {
        /// It exited with this status.
        case exited(Int32)
        /// A signal (not ours) ended it.
        case signaled(Int32)
        /// It did not end within the timeout; it and its group were killed.
        case timedOut
    }

    /// What a run came to.
    struct Outcome: Sendable {
        /// How the program ended.
        var ending: Ending
        /// The start of what it wrote to stderr (up to ``ExternalProgram/stderrLimit`` bytes).
        var stderr: [UInt8]
    }

    /// The program could not be started.
    struct StartError: Error, Sendable {
        /// Why (the `posix_spawn` error).
        var reason: String
    }

    /// The most of the program's stderr that is kept.
    static let stderrLimit = 16 * 1024

    /// The program's path.
    var executable: String
    /// Its arguments (after its name).
    var arguments: [String]
    /// Its whole environment.
    var environment: [String: String]
    /// Seconds it may take.
    var timeout: Double
    /// Seconds between SIGTERM and SIGKILL on timeout.
    var grace: Double = 5

    /// Starts the program, writes `input` to its stdin (then closes it) and waits as described above.
    func run(input: [UInt8]) throws(StartError) -> Outcome {
        var opened: [Int32] = []
        let stdinPipe: (read: Int32, write: Int32), stderrPipe: (read: Int32, write: Int32)
        let wake: (read: Int32, write: Int32), pid: pid_t
        do {
            stdinPipe = try Self.makePipe(&opened)
            stderrPipe = try Self.makePipe(&opened)
            wake = try Self.makePipe(&opened)
            pid = try spawn(stdin: stdinPipe.read, stderr: stderrPipe.write)
        } catch {
            opened.forEach { close($0) }
            throw error
        }
        close(stdinPipe.read)
        close(stderrPipe.write)

        let collector = StderrCollector(fd: stderrPipe.read, wake: wake, limit: Self.stderrLimit)
        let writer = stdinPipe.write
        Thread {
            BrokenPipe.withSignalBlocked { Self.writeAll(input, to: writer) }
            close(writer)
        }.start()
        let exited = DispatchSemaphore(value: 0)
        Thread {
            // Notices the exit without reaping, so the process group stays ours until we have signalled it.
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
            exited.signal()
        }.start()

        var timedOut = false
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(-pid, SIGTERM)
            let gone = exited.wait(timeout: .now() + grace) == .success
            kill(-pid, SIGKILL)
            if !gone { exited.wait() }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let stderr = collector.finish()
        let signal = status & 0x7F
        let ending: Ending = timedOut ? .timedOut : (signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal))
        return Outcome(ending: ending, stderr: stderr)
    }

    private func spawn(stdin: Int32, stderr: Int32) throws(StartError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw StartError(reason: String(cString: strerror(result))) }
        return pid
    }

    /// A pipe whose ends are closed on exec (the program gets them only as stdin and stderr); both ends are added
    /// to `opened`.
    private static func makePipe(_ opened: inout [Int32]) throws(StartError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw StartError(reason: "pipe: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        opened += fds
        return (fds[0], fds[1])
    }

    /// Writes `bytes` to `fd`; stops quietly when the reader is gone (EPIPE) or another error occurs.
    private static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}

/// Reads a program's stderr on a thread of its own (so a chatty program never blocks on a full pipe), keeping the
/// start; ``finish()`` takes what has arrived without waiting for an end of file a descendant may never give.
private final class StderrCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)
    private let wake: (read: Int32, write: Int32)

    /// Starts reading `fd` (which it closes when done); a byte on `wake` says the program has exited.
    init(fd: Int32, wake: (read: Int32, write: Int32), limit: Int) {
        self.wake = wake
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            var polls = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                         pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
            reading: while true {
                if poll(&polls, 2, -1) < 0 && errno != EINTR { break }
                let woken = polls[1].revents != 0
                // Take what is there; once woken (the program has exited, its output is in the pipe), all of it.
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n > 0 {
                        lock.lock()
                        if kept.count < limit { kept += buffer[0..<min(n, limit - kept.count)] }
                        lock.unlock()
                    } else if n == 0 {
                        break reading  // every writer has closed it
                    } else if errno == EINTR {
                        continue
                    } else if errno == EAGAIN && !woken {
                        continue reading
                    } else {
                        break reading
                    }
                }
            }
            close(fd)
            done.signal()
        }.start()
    }

    /// What the program wrote, once it has exited.
    func finish() -> [UInt8] {
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
        done.wait()
        close(wake.read)
        close(wake.write)
        lock.lock()
        defer { lock.unlock() }
        return kept
    }
}
