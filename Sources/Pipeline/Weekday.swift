/// A day of the week, named as in the config (`mon` … `sun`).
public enum Weekday: String, CaseIterable, Sendable, Codable {
    case mon, tue, wed, thu, fri, sat, sun

    /// Creates a weekday from its ISO number (1 = Monday … 7 = Sunday).
    public init(isoNumber: Int) {
        self = Weekday.allCases[(isoNumber - 1) % 7]
    }

    /// Parses `mon`, `monday`, `Mon` and so on.
    public init?(name: String) {
        let lower = name.lowercased()
        guard let match = Weekday.allCases.first(where: { lower == $0.rawValue || lower == $0.fullName }) else {
            return nil
        }
        self = match
    }

    /// The English name, lower case.
    public var fullName: String {
        switch self {
        case .mon: "monday"
        case .tue: "tuesday"
        case .wed: "wednesday"
        case .thu: "thursday"
        case .fri: "friday"
        case .sat: "saturday"
        case .sun: "sunday"
        }
    }
}
