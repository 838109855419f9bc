#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing to a pipe or socket whose reader is gone raises SIGPIPE, which ends a process by default. mvpipe leaves
/// SIGPIPE at what it inherited (so `mvpipe counts | head` ends like any filter) and confines the exception to
/// the writes that talk to a peer that may go away: the report written to a mail program, and libcurl's transfers.
enum BrokenPipe {
    /// Runs `body` with SIGPIPE blocked on this thread; a SIGPIPE that `body` raises stays pending on the thread
    /// (the write fails with EPIPE instead) and is taken off before the old signal mask comes back.
    static func withSignalBlocked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        defer {
            if sigismember(&previous, SIGPIPE) == 0 {
                var pending = sigset_t()
                sigpending(&pending)
                if sigismember(&pending, SIGPIPE) == 1 {
                    var now = timespec(tv_sec: 0, tv_nsec: 0)
                    _ = sigtimedwait(&pipeSignal, nil, &now)
                }
                pthread_sigmask(SIG_SETMASK, &previous, nil)
            }
        }
        return try body()
    }
}
