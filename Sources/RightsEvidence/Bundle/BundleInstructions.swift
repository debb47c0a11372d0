import RightsCore

/// `HUONG-DAN.txt`: how an inspector checks the bundle by hand, in Vietnamese, then in English. It names the
/// commands of CONTRACT.md ("Evidence"), the fingerprint to compare with the one the company lodged, and what
/// each file is. It is itself listed in `SHA256SUMS`, so the fingerprint it prints is covered by the signature;
/// the comparison that matters is with the fingerprint lodged beforehand, never with this file alone.
struct BundleInstructions {
    let organization: String
    let createdAt: String
    let fingerprint: String
    let contentPaths: [String]
    let attestation: Bool

    /// The by-hand steps, run in the unzipped folder. Each exits non-zero when the bundle is not intact.
    static let commands = [
        "openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig",
        "sha256sum --strict -c SHA256SUMS",
        "test \"$(find . -type f ! -name SHA256SUMS ! -name SHA256SUMS.sig | sed 's|^\\./||' | sort)\" = "
            + "\"$(cut -c67- SHA256SUMS | sort)\"",
        "openssl pkey -pubin -in public-key.pem -outform DER | sha256sum",
    ]

    var text: String {
        let requests = contentPaths.filter { $0.hasPrefix("requests/") }.count
        let created = VietnamDates.spoken(createdAt, language: .vietnamese) ?? createdAt
        var vi = """
            HƯỚNG DẪN KIỂM TRA BỘ CHỨNG CỨ
            ==============================
            Đơn vị: \(organization)
            Lập lúc: \(created) (giờ Việt Nam)

            Bộ chứng cứ này được ký số. Có thể kiểm tra bằng các công cụ tiêu chuẩn (openssl, sha256sum, find),
            không cần phần mềm RightsDesk. Giải nén tệp ZIP, mở cửa sổ dòng lệnh trong thư mục vừa giải nén và chạy
            lần lượt bốn lệnh sau; mỗi lệnh báo lỗi (mã thoát khác 0) nếu bộ chứng cứ bị sửa đổi:

            1. Chữ ký trên SHA256SUMS là của khóa trong public-key.pem (in ra "Signature Verified Successfully"):
               \(Self.commands[0])
            2. Mọi tệp được liệt kê khớp với mã băm của nó:
               \(Self.commands[1])
            3. Không có tệp nào bị thêm vào hoặc bị xóa đi (lệnh không in gì và thoát với mã 0):
               \(Self.commands[2])
            4. Dấu vân tay của khóa, phải trùng với dấu vân tay mà đơn vị đã đăng ký với cơ quan có thẩm quyền:
               \(Self.commands[3])
               Dấu vân tay của khóa đã ký bộ này: \(fingerprint)
               Nếu hai giá trị khác nhau, bộ chứng cứ không do khóa đã đăng ký ký, dù ba lệnh trên đều đạt.

            Các tệp trong bộ:
            - SHA256SUMS: mã băm SHA-256 của mọi tệp khác (trừ chính nó và SHA256SUMS.sig).
            - SHA256SUMS.sig: chữ ký Ed25519 trên nội dung SHA256SUMS.
            - public-key.pem: khóa công khai dùng để ký.
            - manifest.json: mô tả máy đọc được: phạm vi, thời điểm lập, danh sách tệp và đoạn chuỗi nhật ký.
            - report.html: báo cáo tổng hợp, mở bằng trình duyệt.
            - requests/: mỗi yêu cầu một tệp JSON, kèm mọi sự kiện xử lý (\(requests) yêu cầu).
            - audit/events.jsonl: đoạn chuỗi nhật ký kiểm toán; mỗi dòng nối với dòng trước bằng mã băm.
            - HUONG-DAN.txt: tệp này.

            """
        if attestation {
            vi += """
                Trong phạm vi này không có yêu cầu, lệnh chặn hay lượt lọc gửi tin nào được ghi nhận. Bộ chứng cứ
                này xác nhận điều đó; đoạn chuỗi nhật ký cho thấy trạng thái nhật ký tại thời điểm lập.

                """
        }
        var en = """
            HOW TO CHECK THIS EVIDENCE BUNDLE
            =================================
            Organisation: \(organization)
            Created: \(createdAt)

            This bundle is digitally signed. Check it with standard tools (openssl, sha256sum, find); no RightsDesk
            software is needed. Unzip it, open a terminal in the unzipped folder and run the four commands below;
            each fails (non-zero exit) when the bundle was altered:

            1. The signature over SHA256SUMS is by the key in public-key.pem ("Signature Verified Successfully"):
               \(Self.commands[0])
            2. Every listed file matches its hash:
               \(Self.commands[1])
            3. No file was added or removed (prints nothing, exits 0):
               \(Self.commands[2])
            4. The key's fingerprint, which must equal the fingerprint the organisation lodged with the authority:
               \(Self.commands[3])
               Fingerprint of the key that signed this bundle: \(fingerprint)
               If the two differ, the bundle was not signed by the lodged key, even when steps 1 to 3 pass.

            Files:
            - SHA256SUMS: the SHA-256 of every other file (all but itself and SHA256SUMS.sig).
            - SHA256SUMS.sig: the Ed25519 signature over SHA256SUMS.
            - public-key.pem: the signing public key.
            - manifest.json: the machine-readable description: scope, creation time, files and the audit range.
            - report.html: the summary report, opened in a browser.
            - requests/: one JSON file per request with every handling event (\(requests) requests).
            - audit/events.jsonl: the excerpt of the audit chain; each line is linked to the one before by its hash.
            - HUONG-DAN.txt: this file.

            """
        if attestation {
            en += """
                No request, suppression or gate run was recorded in this scope. This bundle attests to that; the
                audit excerpt shows the state of the chain when it was made.

                """
        }
        return vi + "\n" + en
    }
}
