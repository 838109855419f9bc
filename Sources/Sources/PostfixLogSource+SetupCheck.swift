import Pipeline

extension PostfixLogSource: SetupCheckable {
    /// Every matched log file must be readable by the account, and the patterns must match something.
    public func setupProblems(for account: Account, environment: [String: String]) -> [String] {
        account.logFileProblems(options.paths, hint: "Postfix's mail log, e.g. /var/log/mail.log")
    }
}
