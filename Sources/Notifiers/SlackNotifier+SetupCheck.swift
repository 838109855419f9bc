import Pipeline

extension SlackNotifier: SetupCheckable {
    /// A webhook URL kept in a file must be readable.
    public func setupProblems(for account: Account, environment: [String: String]) -> [String] {
        account.secretProblems(options.url, key: "url")
    }
}
