# ruff: noqa: RUF001  (bilingual demo texts: Japanese punctuation)
"""Demo data of the requests app: deadlines, the fee schedule, and a few requests in different
states, moved there through the workflow. Running it again duplicates nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.models import User
from requests import contact, offline, workflow
from requests.models import (
    Channel,
    DataRequest,
    DayMode,
    DeliveryMethod,
    FeeSchedule,
    Kind,
    SLAConfig,
)
from requests.services import decisions, filing, messages

FEES = [
    (Kind.DISCLOSURE, DeliveryMethod.ELECTRONIC, 500),
    (Kind.DISCLOSURE, DeliveryMethod.PAPER, 1000),
    (Kind.PROVISION_RECORDS, DeliveryMethod.ELECTRONIC, 500),
    (Kind.PROVISION_RECORDS, DeliveryMethod.PAPER, 1000),
    (Kind.PURPOSE_NOTICE, DeliveryMethod.ELECTRONIC, 300),
    (Kind.PURPOSE_NOTICE, DeliveryMethod.PAPER, 300),
]


# The public contact point (APPI Art. 32(1)): the demo business, as the partners demo names it.
CONTACT_POINT = {
    "business_name_ja": "エグザンプル・ワークス株式会社",
    "business_name_en": "Example Works Corporation",
    "address_ja": "〒102-0094 東京都千代田区紀尾井町1-3",
    "address_en": "1-3 Kioicho, Chiyoda-ku, Tokyo 102-0094, Japan",
    "representative_ja": "代表取締役社長 山本 さくら",
    "representative_en": "Sakura Yamamoto, President and Representative Director",
    "administrator_ja": "個人情報保護管理者 プライバシー推進室長 中村 健",
    "administrator_en": "Ken Nakamura, Head of the Privacy Office (privacy administrator)",
    "email": "privacy@example.jp",
    "phone": "03-1234-5678",
    "hours_ja": "平日 10時～17時（土日祝日・年末年始を除く）",
    "hours_en": "Weekdays 10:00 to 17:00 Japan time (closed at weekends, on public holidays and "
    "over the New Year)",
    "postal_ja": (
        "〒102-0094 東京都千代田区紀尾井町1-3 エグザンプル・ワークス株式会社 個人情報保護窓口 "
        "宛てに、次の事項を書いた書面をお送りください。\n"
        "・お名前、ご住所、お電話番号（メールアドレスがあればあわせて）\n"
        "・請求の種類と内容（開示を求める情報、訂正後の内容など）\n"
        "・回答の受け取り方法（書面の郵送、または電子データ）\n"
        "・本人確認書類の写し（下記）と、手数料がかかる請求では定額小為替\n"
        "書面が当社に届いた日から回答期限を数えます。回答はお書きいただいたご住所に郵送するか、"
        "メールアドレスにお送りします。"
    ),
    "postal_en": (
        "Write to the Personal Information Desk, Example Works Corporation, 1-3 Kioicho, "
        "Chiyoda-ku, Tokyo 102-0094, Japan, with:\n"
        "- your name, address and phone number (and an email address, if you have one);\n"
        "- what you are asking for (which information to disclose, what to correct, and so on);\n"
        "- how you want the answer: a letter by post, or electronic data;\n"
        "- a copy of an identity document (see below) and, for a request with a fee, a postal "
        "money order.\n"
        "The deadline counts from the day your letter reaches us. We answer to the address or "
        "email address you give."
    ),
    "identity_ja": (
        "ご本人からの請求では、顔写真付きの本人確認書類（運転免許証、パスポート、在留カード、"
        "マイナンバーカードの表面）の写し1点、または顔写真のない書類（健康保険証は記号・番号を"
        "隠してください、年金手帳など）の写し2点をお送りください。\n"
        "代理人からの請求では、あわせて委任状（印鑑登録証明書付き）を、法定代理人からの請求では"
        "戸籍謄本など代理権を確認できる書類をお送りください。\n"
        "アカウントをお持ちの方がサインインして請求する場合、サインインを本人確認とします。"
    ),
    "identity_en": (
        "If you ask for yourself, send a copy of one photo identity document (driving licence, "
        "passport, residence card, or the front of a My Number card), or of two without a "
        "photo (a health insurance card with its numbers masked, a pension book).\n"
        "An agent adds a power of attorney with a seal registration certificate; a legal "
        "representative adds a document showing the relationship, such as a family register.\n"
        "If you have an account and file while signed in, your sign-in confirms who you are."
    ),
    "security_measures_ja": (
        "・基本方針　個人情報の適正な取扱いのため、このページとプライバシーポリシーで基本方針を"
        "定めています。\n"
        "・組織的安全管理措置　個人情報保護管理者を置き、担当者の役割と権限を必要な範囲に限って"
        "います。職員の操作と、職員がお客様の情報を閲覧したことをすべて記録し、記録は書き換え"
        "られません。\n"
        "・人的安全管理措置　個人情報を扱う職員に定期的に研修を行い、秘密保持を約束させています。\n"
        "・物理的安全管理措置　個人データを扱うサーバーは入退室を管理した施設に置き、端末の"
        "持ち出しを制限しています。\n"
        "・技術的安全管理措置　通信を暗号化し、職員のサインインには二要素認証を求めます。"
        "データベースには必要最小限の権限で接続し、本人確認書類は公開領域の外に保存して、"
        "請求の完了後一定期間で削除します。\n"
        "・外的環境の把握　障害復旧センターを大韓民国に置いており、同国の個人情報保護制度を"
        "把握したうえで安全管理措置を講じています。"
    ),
    "security_measures_en": (
        "- Policy: this page and the privacy policy set out how we handle personal information.\n"
        "- Organisation: a privacy administrator is responsible; staff roles and access are "
        "limited to what each job needs. Every staff action and every time staff look at a "
        "customer's data is recorded in a log that cannot be changed.\n"
        "- People: staff who handle personal information are trained regularly and bound to "
        "confidentiality.\n"
        "- Premises: servers holding personal data are in facilities with controlled entry; "
        "devices may not be taken out without permission.\n"
        "- Technology: connections are encrypted and staff sign in with a second factor. The "
        "software connects to the database with the least rights it needs; identity documents "
        "are stored outside any public area and deleted a set time after the request closes.\n"
        "- Abroad: our disaster-recovery centre is in the Republic of Korea; we take our "
        "measures knowing that country's data-protection system."
    ),
    "complaints_ja": (
        "個人情報の取扱いに関する苦情は、上記の窓口（メール、電話、郵送）または、この"
        "ポータルの「質問・苦情」の請求でお受けします。\n"
        "当社は認定個人情報保護団体の対象事業者ではありません。個人情報保護委員会の"
        "「個人情報保護法相談ダイヤル」（03-6457-9849）にもご相談いただけます。"
    ),
    "complaints_en": (
        "Send complaints about how we handle personal information to the contact point above "
        '(email, phone or post), or file a "Question or complaint" request in this portal.\n'
        "We are not a member of an accredited personal information protection organisation. "
        "You can also call the Personal Information Protection Commission's consultation line "
        "(03-6457-9849, in Japanese)."
    ),
    "revision_notes_ja": "窓口のページを公開しました。",
    "revision_notes_en": "The contact point page was published.",
}


@transaction.atomic
def load(*, out) -> None:
    for kind in Kind.values:
        # Inquiries are answered within ten business days; the rest within 14 calendar days.
        days, mode = (10, DayMode.BUSINESS) if kind == Kind.INQUIRY else (14, DayMode.CALENDAR)
        SLAConfig.objects.get_or_create(kind=kind, defaults={"days": days, "day_mode": mode})
    for kind, method, amount in FEES:
        FeeSchedule.objects.get_or_create(
            kind=kind, delivery_method=method, defaults={"amount_yen": amount}
        )
    if contact.contact_point_current() is None:
        published = contact.contact_point_revise(actor=None, values=CONTACT_POINT)
        out(f"  contact point  version {published.version}")
    hanako = User.objects.filter(email="hanako@example.jp").first()
    emma = User.objects.filter(email="emma@example.com").first()
    staff = User.objects.filter(email="staff@example.jp").first()
    if not (hanako and emma and staff):
        return
    if not DataRequest.objects.filter(customer=hanako).exists():
        req = filing.request_file(
            customer=hanako,
            kind=Kind.DISCLOSURE,
            details={"scope": "all", "categories": []},
            delivery_method=DeliveryMethod.ELECTRONIC,
        )
        workflow.request_verification_start(request_id=req.pk, actor=staff)
        workflow.request_identity_confirm(request_id=req.pk, actor=staff)
        workflow.request_fee_quote(request_id=req.pk, actor=staff)
        out(f"  request        {req.reference} disclosure, waiting for payment (hanako)")
    if not DataRequest.objects.filter(customer=emma).exists():
        inquiry = filing.request_file(
            customer=emma,
            kind=Kind.INQUIRY,
            details={
                "subject": "Data after cancellation",
                "message": "How long do you keep my data after I cancel my account?",
            },
        )
        messages.message_post(
            request=inquiry,
            author=staff,
            body="We keep account data for 30 days after cancellation, then delete it.",
        )
        workflow.request_verification_start(request_id=inquiry.pk, actor=staff)
        workflow.request_identity_confirm(request_id=inquiry.pk, actor=staff)
        workflow.request_close(
            request_id=inquiry.pk,
            actor=staff,
            outcome="fulfilled",
            reason="We answered your question by message.",
        )
        correction = filing.request_file(
            customer=emma,
            kind=Kind.CORRECTION,
            details={
                "field": "address",
                "new_value": "2-2 Umeda, Kita-ku, Osaka",
                "explanation": "",
            },
        )
        messages.message_post(
            request=correction, author=emma, body="I moved last month; the new address is above."
        )
        out(f"  request        {inquiry.reference} inquiry, closed (emma)")
        out(f"  request        {correction.reference} correction, open (emma)")
    if (
        hanako
        and not DataRequest.objects.filter(customer=hanako, kind=Kind.PROVISION_RECORDS).exists()
    ):
        # A partial decision waiting for a privacy administrator (the approvals page).
        records = filing.request_file(customer=hanako, kind=Kind.PROVISION_RECORDS, details={})
        workflow.request_verification_start(request_id=records.pk, actor=staff)
        workflow.request_identity_confirm(request_id=records.pk, actor=staff)
        workflow.request_fee_quote(request_id=records.pk, actor=staff)
        workflow.request_payment_record(
            request_id=records.pk,
            actor=staff,
            method="bank_transfer",
            amount_yen=records.fee_yen,
            paid_on=timezone.localdate(),
        )
        decisions.decision_draft(
            request_id=records.pk,
            actor=staff,
            items={
                "provisions": {
                    "withheld": True,
                    "grounds": [2],
                    "reason": "調査中の不正利用対策に関わる記録のため、現時点では開示できません。",
                }
            },
            summary="不正利用の調査に支障があるため、提供記録の開示を見合わせます。",
        )
        out(f"  request        {records.reference} provision records, awaiting approval (hanako)")
    if not DataRequest.objects.filter(customer=None).exists():
        # Requests staff typed in for people without an account: one answered by post (its
        # receipt waits to be printed), one by email (its requester follows it by the link).
        by_phone = offline.request_file_offline(
            staff=staff,
            kind=Kind.PURPOSE_NOTICE,
            channel=Channel.PHONE,
            received_on=timezone.localdate(),
            requester_name="田中 一郎",
            requester_address="〒530-0001 大阪府大阪市北区梅田1-1-1",
            requester_phone="06-1234-5678",
            details={},
            delivery_method=DeliveryMethod.PAPER,
        )
        by_email = offline.request_file_offline(
            staff=staff,
            kind=Kind.INQUIRY,
            channel=Channel.EMAIL,
            received_on=timezone.localdate(),
            requester_name="佐々木 花",
            requester_email="hana.sasaki@example.jp",
            details={
                "subject": "会員ではない場合の個人情報",
                "message": "会員登録をしていませんが、キャンペーン応募時の情報はどう扱われますか。",
            },
            delivery_method=DeliveryMethod.ELECTRONIC,
        )
        out(f"  request        {by_phone.reference} purpose notice by phone, answered by post")
        out(f"  request        {by_email.reference} inquiry by email, without an account")
