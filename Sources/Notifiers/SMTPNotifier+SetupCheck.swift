import Pipeline

extension SMTPNotifier: SetupCheckable {
    /// A password kept in a file must be readable.
    public func setupProblems(for account: Account, environment: [String: String]) -> [String] {
        account.secretProblems(options.password, key: "password")
    }
}
