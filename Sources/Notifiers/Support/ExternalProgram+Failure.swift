import Pipeline

extension ExternalProgram.Outcome {
    /// Nil when the program exited 0; otherwise a transient ``NotifierError`` naming `program` (how the admin knows
    /// it: a path, or a whole command line), how it ended, and the start of what it said on stderr. A program's
    /// stderr holds no secret of ours; it is shown like a server's answer (plain, cut short).
    func failure(of program: String, timeout: Int, afterTimeout: String = "") -> NotifierError? {
        let said = String(decoding: stderr, as: UTF8.self)
        let reason: FailureReason
        switch ending {
        case .exited(0):
            return nil
        case .exited(let status):
            reason = FailureReason("\(program) exited with status \(status)", quoting: said, limit: 300)
        case .signaled(let signal):
            reason = FailureReason("\(program) was ended by signal \(signal)", quoting: said, limit: 300)
        case .timedOut:
            reason = FailureReason("\(program) did not finish within \(timeout) s\(afterTimeout)", quoting: said, limit: 300)
        }
        return NotifierError(reason.rendered(by: Redactor(secrets: [])), transient: true)
    }
}
