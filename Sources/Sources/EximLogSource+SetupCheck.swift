import Pipeline

extension EximLogSource: SetupCheckable {
    /// Every matched log file must be readable by the account, and the patterns must match something.
    public func setupProblems(for account: Account, environment: [String: String]) -> [String] {
        account.logFileProblems(options.paths, hint: "Exim's main log, e.g. /var/log/exim4/mainlog")
    }
}
