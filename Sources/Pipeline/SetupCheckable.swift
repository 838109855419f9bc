/// A plugin that can tell, before a run, whether the account that will run mvpipe can do what it needs: read its
/// files, find its program, read its secret files. `mvpipe check --as USER` asks every plugin that conforms.
public protocol SetupCheckable {
    /// The problems `account` would hit on a run, one line each saying what to do; empty when none.
    /// `environment` is the environment mvpipe would run with (`PATH`).
    func setupProblems(for account: Account, environment: [String: String]) -> [String]
}
