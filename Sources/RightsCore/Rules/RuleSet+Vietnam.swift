import Foundation

// The Vietnamese regimes as data, transcribed from RULES-VN.md sections 1-2. Change a period or a citation here,
// never in the deadline arithmetic.

extension RuleSet {
    /// Law on Personal Data Protection No. 91/2025/QH15 and Decree 356/2025/ND-CP, for requests from 2026-01-01.
    public static let pdpl2026 = RuleSet(
        id: "vn-pdpl-2026",
        title: "Law on Personal Data Protection 2025 and Decree 356/2025/ND-CP",
        effectiveFrom: VietnamTime.startOfDay(LocalDate(year: 2026, month: 1, day: 1)!),
        effectiveUntil: nil,
        instruments: [
            "Law on Personal Data Protection No. 91/2025/QH15",
            "Decree 356/2025/ND-CP (Art. 42(2) repealed Decree 13/2023/ND-CP from 2026-01-01)",
            "Civil Code 2015 Art. 147-148 (counting of periods)",
        ],
        acknowledgement: AcknowledgementRule(period: .workingDays(2), citation: "Decree 356 Art. 5"),
        requests: [
            RequestRule(
                type: .access, period: .calendarDays(10), periodWithProcessors: .calendarDays(15),
                extensionPeriod: .calendarDays(10), citation: "Law 91 Art. 13, 15; Decree 356 Art. 5(3)"),
            RequestRule(
                type: .correction, period: .calendarDays(10), periodWithProcessors: .calendarDays(15),
                extensionPeriod: .calendarDays(10), citation: "Law 91 Art. 13; Decree 356 Art. 5(3)",
                note: "If the data cannot be corrected, the person must be told (Law 91 Art. 13)."),
            RequestRule(
                type: .deletion, period: .calendarDays(20), periodWithProcessors: .calendarDays(30),
                extensionPeriod: .calendarDays(20), citation: "Law 91 Art. 14; Decree 356 Art. 5(4)",
                note: "If the data cannot be deleted, the person must be told (Law 91 Art. 14)."),
            RequestRule(
                type: .restriction, period: .calendarDays(15), periodWithProcessors: .calendarDays(20),
                extensionPeriod: .calendarDays(15), citation: "Law 91 Art. 4, 10; Decree 356 Art. 5(2)"),
            RequestRule(
                type: .objection, period: .calendarDays(15), periodWithProcessors: .calendarDays(20),
                extensionPeriod: .calendarDays(15), citation: "Law 91 Art. 4, 10; Decree 356 Art. 5(2)",
                note: "An objection to marketing stops advertising at intake (Decree 91/2020 Art. 13(4)); "
                    + "the period governs the rest of the processing."),
            RequestRule(
                type: .withdrawConsent, period: .calendarDays(15), periodWithProcessors: .calendarDays(20),
                extensionPeriod: .calendarDays(15), citation: "Law 91 Art. 10; Decree 356 Art. 5(2)",
                note: "Withdrawal is not retroactive: processing before it stays lawful (Law 91 Art. 10(4))."),
        ],
        refusalGrounds: pdplRefusalGrounds,
        counting: "Civil Code 2015 Art. 147-148: a period in days starts on the day after receipt, in Vietnam time "
            + "(UTC+07:00), and ends at 24:00 of its last day; a last day that is a weekend day or a public holiday "
            + "moves to 24:00 of the next working day. Working days skip Saturdays, Sundays and public holidays.",
        notes: [
            "Whether Decree 356's 10/15/20/30-day periods are calendar or working days is not settled; "
                + "they are treated as calendar days with the roll-forward, the shorter reading.",
            "One extension at most, with a reason given to the person that the controller can justify.",
        ]
    )

    /// Decree 13/2023/ND-CP, for requests received before 2026-01-01 (historical, kept to audit old requests).
    public static let decree13 = RuleSet(
        id: "vn-decree13",
        title: "Decree 13/2023/ND-CP on personal data protection (historical)",
        effectiveFrom: VietnamTime.startOfDay(LocalDate(year: 2023, month: 7, day: 1)!),
        effectiveUntil: VietnamTime.startOfDay(LocalDate(year: 2026, month: 1, day: 1)!),
        instruments: ["Decree 13/2023/ND-CP (repealed from 2026-01-01 by Decree 356/2025/ND-CP Art. 42(2))"],
        acknowledgement: nil,
        requests: [
            RequestRule(
                type: .access, period: .hours(72), periodWithProcessors: .hours(72), extensionPeriod: nil,
                citation: "Decree 13 Art. 14(3)"),
            RequestRule(
                type: .correction, period: .hours(72), periodWithProcessors: .hours(72), extensionPeriod: nil,
                citation: "Decree 13 Art. 15(2)",
                note: "Product policy: the decree says \"as soon as possible\" and requires telling the person "
                    + "within 72 hours if correction cannot be done; the product holds correction to 72 hours."),
            RequestRule(
                type: .deletion, period: .hours(72), periodWithProcessors: .hours(72), extensionPeriod: nil,
                citation: "Decree 13 Art. 16(5)"),
            RequestRule(
                type: .restriction, period: .hours(72), periodWithProcessors: .hours(72), extensionPeriod: nil,
                citation: "Decree 13 Art. 9(6)"),
            RequestRule(
                type: .objection, period: .hours(72), periodWithProcessors: .hours(72), extensionPeriod: nil,
                citation: "Decree 13 Art. 9(8)"),
            RequestRule(
                type: .withdrawConsent, period: .hours(72), periodWithProcessors: .hours(72), extensionPeriod: nil,
                citation: "Decree 13 Art. 12(3)-(4)",
                note: "Product policy: the decree sets no period (processing stops once the withdrawal is received "
                    + "and the person is told the consequences); the product holds withdrawal to 72 hours."),
        ],
        refusalGrounds: decree13RefusalGrounds,
        counting: "Hours from the instant of receipt (Decree 13); the Civil Code's day counting and its roll-forward "
            + "past days off do not apply.",
        notes: [
            "No separate acknowledgement: ack_due equals due.",
            "No extension.",
            "No longer period when processors must act.",
        ]
    )

    private static let nextStepsForIdentity =
        "Tell the person which proof of identity or which identifier would let the request go ahead, "
        + "and that they may submit the request again."

    private static let pdplRefusalGrounds: [RefusalGroundRule] = [
        RefusalGroundRule(
            ground: .identityNotVerified,
            citation: "Law 91 Art. 4(3), 26 (duty to protect personal data against disclosure to the wrong person)",
            appliesTo: RequestType.allCases,
            explanation: nextStepsForIdentity),
        RefusalGroundRule(
            ground: .noData,
            citation: "Law 91 Art. 4(3), 26 (duty to protect personal data against disclosure to the wrong person)",
            appliesTo: RequestType.allCases,
            explanation: "Tell the person that no data about them is held under the identifiers given, and that they "
                + "may give other identifiers (another phone number, email or Zalo account)."),
        RefusalGroundRule(
            ground: .abusive,
            citation: "Law 91 Art. 4(3); Art. 14(2) for deletion",
            appliesTo: RequestType.allCases,
            explanation: "Say why the request is abusive or manifestly unfounded, and that the person may complain "
                + "to the personal data protection authority."),
        RefusalGroundRule(
            ground: .legalRetention,
            citation: "Law 91 Art. 14(2), with the other law that requires keeping the data, named by the officer",
            appliesTo: [.deletion],
            officerNamesProvision: true,
            explanation: "Name the law that requires keeping the data and for how long; the data is kept only "
                + "for that purpose."),
        RefusalGroundRule(
            ground: .noConsentNeeded,
            citation: "Law 91 Art. 19; Art. 14(2)",
            appliesTo: [.deletion],
            explanation: "Name the case under Law 91 Art. 19 in which the processing does not need consent."),
        RefusalGroundRule(
            ground: .harmsOthers,
            citation: "Law 91 Art. 15(2)(a)",
            appliesTo: [.access],
            explanation: "Say that providing the data would harm national security or the rights of others, "
                + "without revealing the other person's data."),
    ]

    // RULES-VN.md gives no Decree 13 articles for refusals, so the historical rule set offers the same codes and
    // asks the officer to name the provision rather than inventing one.
    private static let decree13RefusalGrounds: [RefusalGroundRule] = pdplRefusalGrounds.map { rule in
        RefusalGroundRule(
            ground: rule.ground,
            citation: "Decree 13/2023/ND-CP, with the provision named by the officer",
            appliesTo: rule.appliesTo,
            officerNamesProvision: true,
            explanation: rule.explanation)
    }
}
