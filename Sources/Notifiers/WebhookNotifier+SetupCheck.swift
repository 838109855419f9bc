import Pipeline

extension WebhookNotifier: SetupCheckable {
    /// A URL or header value kept in a file must be readable.
    public func setupProblems(for account: Account, environment: [String: String]) -> [String] {
        account.secretProblems(options.url, key: "url")
            + options.headers.flatMap { account.secretProblems($0.value, key: "headers.\($0.name)") }
    }
}
