import Pipeline

extension PostfixJournalSource: SetupCheckable {
    /// A journal folder must exist and be readable; the local journal is not judged (its access goes by the
    /// systemd-journal and adm groups and by journald itself).
    public func setupProblems(for account: Account, environment: [String: String]) -> [String] {
        guard let directory = options.directory else { return [] }
        return account.folderProblems(directory, what: "the journal folder")
    }
}
