import ArgumentParser

/// `--lock-timeout SECONDS`, shared by every command that takes the run lock.
struct LockTimeoutOption: ParsableArguments {
    /// The longest wait accepted (a day).
    static let maximum: Double = 86_400

    // Unconditional, so `--lock-timeout -5` reaches validate() instead of argument-parser taking -5 for an option
    // and saying "Missing value".
    @Option(name: .customLong("lock-timeout"), parsing: .unconditional,
            help: ArgumentHelp("Seconds to wait for another run's lock before giving up with exit 75 (0 to 86400).",
                               valueName: "seconds"))
    var seconds: Double = 10

    func validate() throws {
        guard seconds.isFinite, (0...Self.maximum).contains(seconds) else {
            throw ValidationError("--lock-timeout must be a number of seconds from 0 to \(Int(Self.maximum)), found \(seconds)")
        }
    }
}
