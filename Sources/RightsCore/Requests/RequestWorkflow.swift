import Foundation

/// Where a rights request stands (CONTRACT.md "Requests").
public enum RequestState: String, Sendable, Codable, CaseIterable {
    case received, acknowledged, verified, completed, rejected, withdrawn

    /// Open requests still run against the legal clock.
    public var isOpen: Bool { self == .received || self == .acknowledged || self == .verified }
}

/// How a request reached the company.
public enum IntakeChannel: String, Sendable, Codable, CaseIterable {
    case zalo, sms, email, phone, web, paper
    case inPerson = "in-person"
}

/// A step an officer takes on a request.
public enum RequestStep: String, Sendable, Codable {
    case acknowledge = "ack"
    case verify, extend, complete, reject, withdraw
}

/// What the workflow needs to know about a request to judge a step.
public struct RequestSnapshot: Sendable {
    public var type: RequestType
    public var state: RequestState
    public var ruleSet: RuleSet
    public var due: Date
    public var extended: Bool
    /// The time of the latest event: a step entered afterwards from paper may not precede it.
    public var lastEventAt: Date

    public init(type: RequestType, state: RequestState, ruleSet: RuleSet, due: Date, extended: Bool, lastEventAt: Date)
    {
        self.type = type
        self.state = state
        self.ruleSet = ruleSet
        self.due = due
        self.extended = extended
        self.lastEventAt = lastEventAt
    }
}

/// The transition table of CONTRACT.md, as one pure function: every step is judged here, so the CLI, the web
/// desk and the API cannot disagree about what is legal.
public enum RequestWorkflow {
    /// Objection and withdrawal of consent act at intake and may complete without verification (Decree 91/2020
    /// Art. 13(4): stop immediately); the others wait for the person's identity to be verified.
    public static func needsVerification(_ type: RequestType) -> Bool {
        type != .objection && type != .withdrawConsent
    }

    /// Checks `step` at `at` and returns the state after it. `allVerifiedAfter` says whether every identifier of
    /// the request is verified once this step is applied (only `verify` changes that).
    public static func next(
        after step: RequestStep, on request: RequestSnapshot, at: Date, allVerifiedAfter: Bool = false
    ) throws(RequestStepError) -> RequestState {
        // Times are kept in milliseconds: a step taken in the same millisecond as the last event (a request filed
        // and verified at once on the portal) does not precede it.
        guard Timestamp.milliseconds(at) >= Timestamp.milliseconds(request.lastEventAt) else {
            throw .beforePreviousEvent(Timestamp.vietnam(request.lastEventAt))
        }
        guard request.state.isOpen else { throw .closed(request.state, step) }
        switch step {
        case .acknowledge:
            guard request.state == .received else { throw .illegal(request.state, step) }
            return .acknowledged
        case .verify:
            guard request.state == .received || request.state == .acknowledged else {
                throw .illegal(request.state, step)
            }
            return allVerifiedAfter ? .verified : request.state
        case .extend:
            guard request.ruleSet.rule(for: request.type).extensionPeriod != nil else {
                throw .extensionNotAllowed(request.ruleSet.id)
            }
            guard !request.extended else { throw .alreadyExtended }
            guard at < request.due else { throw .extensionAfterDue(Timestamp.vietnam(request.due)) }
            return request.state
        case .complete:
            guard request.state == .verified || !needsVerification(request.type) else {
                throw .notVerified(request.type)
            }
            return .completed
        case .reject:
            return .rejected
        case .withdraw:
            return .withdrawn
        }
    }
}

/// Why a step was refused; nothing changes when one is thrown.
public enum RequestStepError: Error, Sendable, Equatable, CustomStringConvertible {
    case illegal(RequestState, RequestStep)
    case closed(RequestState, RequestStep)
    case notVerified(RequestType)
    case alreadyExtended
    case extensionNotAllowed(String)
    case extensionAfterDue(String)
    case beforePreviousEvent(String)
    case alreadyVerified(String)
    case unknownSubject(String)
    /// The rule set does not offer the ground for this type (harms-others is for access only, for instance).
    case groundNotOffered(RefusalGround, RequestType, ruleSet: String, offeredFor: [RequestType])
    /// A duplicate closing names the open request of the same type it repeats.
    case duplicateNeedsOriginal
    case duplicateOfItself
    case duplicateOfOtherType(String, RequestType)
    case duplicateOfClosed(String, RequestState)
    /// Every identifier of the request is verified already.
    case allVerified(String)
    /// A correction completes with the corrected values.
    case correctionNeedsValues
    /// A protection request completes with the measures taken.
    case protectionNeedsMeasures

    public var description: String {
        switch self {
        case .illegal(let state, let step): "cannot \(step.rawValue) a request that is \(state.rawValue)"
        case .closed(let state, let step): "the request is already \(state.rawValue); \(step.rawValue) changes nothing"
        case .notVerified(let type):
            "a \(type.rawValue) request completes only after the person's identity is verified (request verify)"
        case .alreadyExtended: "the request was already extended once; the law allows one extension"
        case .extensionNotAllowed(let ruleSet): "requests under \(ruleSet) cannot be extended"
        case .extensionAfterDue(let due): "the period already ended at \(due); an extension must come before it"
        case .beforePreviousEvent(let last): "--at may not precede the request's previous event (\(last))"
        case .alreadyVerified(let identifier): "\(identifier) is already verified"
        case .unknownSubject(let identifier): "\(identifier) is not an identifier of this request"
        case .groundNotOffered(let ground, let type, let ruleSet, let offered):
            "\(ruleSet) offers the ground \(ground.rawValue) for "
                + offered.map(\.rawValue).joined(separator: ", ")
                + " requests, not for a \(type.rawValue) request; choose another ground (rules show)"
        case .duplicateNeedsOriginal:
            "a duplicate closing names the open request it repeats: --of ID (none was found at intake)"
        case .duplicateOfItself: "a request cannot be a duplicate of itself"
        case .duplicateOfOtherType(let id, let type):
            "\(id) is a \(type.rawValue) request; a duplicate repeats a request of the same type"
        case .duplicateOfClosed(let id, let state):
            "\(id) is already \(state.rawValue); a duplicate is closed only into a request still open"
        case .allVerified(let id): "every identifier of \(id) is already verified"
        case .correctionNeedsValues: "a correction completes with the corrected values: --set FIELD=VALUE"
        case .protectionNeedsMeasures: "a protection request completes with the measures taken: --measures TEXT"
        }
    }

    /// The refusal as the desk says it to an officer, in `language` (English: as `description`, which speaks of
    /// the command line's options).
    public func text(_ language: Vocabulary.Language) -> String {
        guard language == .vietnamese else { return description }
        func state(_ state: RequestState) -> String { "«\(Vocabulary.requestState(state, language))»" }
        func type(_ type: RequestType) -> String { "«\(Vocabulary.requestType(type, language))»" }
        switch self {
        case .illegal(let current, let step):
            return "Không thể \(Self.stepName(step)) khi yêu cầu đang ở trạng thái \(state(current))."
        case .closed(let current, let step):
            return "Yêu cầu đã ở trạng thái \(state(current)); \(Self.stepName(step)) không thay đổi gì."
        case .notVerified(let kind):
            return "Yêu cầu \(type(kind)) chỉ hoàn thành được sau khi đã xác minh danh tính người yêu cầu."
        case .alreadyExtended: return "Yêu cầu đã được gia hạn một lần; pháp luật chỉ cho phép gia hạn một lần."
        case .extensionNotAllowed(let ruleSet): return "Yêu cầu theo quy định \(ruleSet) không được gia hạn."
        case .extensionAfterDue(let due):
            return "Thời hạn đã kết thúc lúc \(VietnamDates.spoken(due, language: language) ?? due); "
                + "phải gia hạn trước thời điểm đó."
        case .beforePreviousEvent(let last):
            return "Thời điểm ghi nhận không được trước sự kiện gần nhất của yêu cầu "
                + "(\(VietnamDates.spoken(last, language: language) ?? last))."
        case .alreadyVerified(let identifier): return "\(identifier) đã được xác minh."
        case .unknownSubject(let identifier): return "\(identifier) không phải là định danh của yêu cầu này."
        case .groundNotOffered(let ground, let kind, let ruleSet, _):
            return "Quy định \(ruleSet) không cho phép căn cứ «\(Vocabulary.refusalGround(ground, language))» "
                + "với yêu cầu \(type(kind)); hãy chọn căn cứ khác."
        case .duplicateNeedsOriginal:
            return "Hãy ghi mã yêu cầu đang giải quyết mà yêu cầu này trùng lặp (không tìm thấy khi tiếp nhận)."
        case .duplicateOfItself: return "Một yêu cầu không thể trùng với chính nó."
        case .duplicateOfOtherType(let id, let kind):
            return "\(id) là yêu cầu \(type(kind)); yêu cầu trùng lặp phải cùng loại."
        case .duplicateOfClosed(let id, let current):
            return "\(id) đã ở trạng thái \(state(current)); chỉ đóng được vào một yêu cầu còn đang giải quyết."
        case .allVerified(let id): return "Mọi định danh của \(id) đều đã được xác minh."
        case .correctionNeedsValues: return "Hãy ghi các giá trị đã chỉnh sửa, mỗi dòng một giá trị TRƯỜNG=GIÁ TRỊ."
        case .protectionNeedsMeasures: return "Hãy ghi các biện pháp bảo vệ đã thực hiện."
        }
    }

    private static func stepName(_ step: RequestStep) -> String {
        switch step {
        case .acknowledge: "xác nhận tiếp nhận"
        case .verify: "xác minh danh tính"
        case .extend: "gia hạn"
        case .complete: "hoàn thành"
        case .reject: "từ chối"
        case .withdraw: "ghi nhận rút lại yêu cầu"
        }
    }
}
