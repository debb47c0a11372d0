/// Someone who makes a request for the data subject (Law 91 Art. 24): a parent or guardian of a child or of a
/// person without capacity, or a person the subject authorised. Letters are addressed to them.
public struct Representative: Sendable, Hashable, Codable {
    /// Their name as written on the request.
    public var name: String
    public var relation: RepresentativeRelation
    /// What shows the capacity: a birth certificate's number, a guardianship decision, a power of attorney.
    public var evidence: String?

    public init(name: String, relation: RepresentativeRelation, evidence: String? = nil) {
        self.name = name
        self.relation = relation
        self.evidence = evidence
    }
}
