/// A plugin that decides whether a user's volume today is unusual.
public protocol Detector: Plugin {
    /// How many working days of history before the evaluated day the detector looks at.
    var historyDays: Int { get }
    /// Judges one user on one day, on that user's own history only.
    func evaluate(_ input: DetectorInput) -> Verdict
}
