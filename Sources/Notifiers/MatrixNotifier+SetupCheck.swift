import Pipeline

extension MatrixNotifier: SetupCheckable {
    /// A token kept in a file must be readable.
    public func setupProblems(for account: Account, environment: [String: String]) -> [String] {
        account.secretProblems(options.token, key: "token")
    }
}
