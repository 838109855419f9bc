import Pipeline

extension MailxNotifier: SetupCheckable {
    /// The mail program must be found and runnable.
    public func setupProblems(for account: Account, environment: [String: String]) -> [String] {
        account.programProblems(options.command, key: "command", environment: environment,
                                install: "install a mail program (`apt-get install bsd-mailx`)")
    }
}
