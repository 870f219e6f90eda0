# ruff: noqa: RUF001  (Japanese demo text, with Japanese punctuation)
"""Demo data of incidents: one open leak at the entrusted support desk, scoped from its
provision records, assessed by privacy staff and with the preliminary report drafted, waiting
for an administrator to confirm and approve. Safe to run again."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from django.utils import timezone

from incidents import reports, selectors, services
from incidents.errors import IncidentError
from incidents.models import Incident
from partners.models import Partner
from portal.models import User

TITLE = "委託先サポート窓口での問い合わせ履歴の漏えいのおそれ"


def load(*, out) -> None:
    staff = User.objects.filter(email="staff@example.jp").first()
    desk = Partner.objects.filter(name_en="Example Support Co., Ltd.").first()
    if staff is None or desk is None or Incident.objects.filter(title=TITLE).exists():
        out(f"  incidents: {Incident.objects.count()} incidents")
        return
    aware = timezone.now().replace(second=0, microsecond=0) - timedelta(days=2)
    incident = services.incident_record(
        actor=staff,
        partners=[desk],
        values={
            "title": TITLE,
            "kind": "leak",
            "discovered_at": aware - timedelta(hours=3),
            "aware_at": aware,
            "summary": "委託先のサポート窓口で、問い合わせ管理システムの管理者アカウントに"
            "第三者がログインした形跡が見つかった。",
            "systems": "委託先の問い合わせ管理システム",
            "at_processor": True,
            "data_items": ["name", "inquiry"],
            "cause": "管理者アカウントのパスワードが推測されやすいものだった。",
            "deliberate": True,
            "containment": "当該アカウントを停止し、全管理者のパスワードを再設定した。",
            "notice_summary_ja": "当社がお問い合わせ対応を委託している会社のシステムに第三者が"
            "不正にログインし、お客様のお名前とお問い合わせ内容が見られたおそれがあります。",
            "notice_summary_en": "Someone logged in without authorisation to the system of the "
            "company that answers inquiries for us; your name and inquiries may have been seen.",
            "notice_actions_ja": "不正に使われたアカウントを停止し、委託先の管理者全員の"
            "パスワードを再設定しました。",
            "notice_actions_en": "We stopped the misused account and had every administrator "
            "at the company reset their password.",
            "notice_advice_ja": "当社を名乗る不審なメールや電話にご注意ください。"
            "パスワードをお尋ねすることはありません。",
            "notice_advice_en": "Be wary of mail or calls that claim to be from us; we never "
            "ask for your password.",
            "notice_contact_ja": "個人情報お問い合わせ窓口（平日 9時〜18時）privacy@example.jp",
            "notice_contact_en": "Privacy desk (weekdays 9:00-18:00 JST), privacy@example.jp",
        },
    )
    rule = services.ScopeRule(
        source="provision",
        partner=desk,
        date_from=timezone.localdate() - timedelta(days=90),
        date_to=timezone.localdate(),
    )
    found = selectors.scope_find(incident=incident, rule=rule)
    # With no demo provision to the desk, the incident starts with nobody scoped.
    with contextlib.suppress(IncidentError):
        services.scope_add(
            incident_id=incident.pk, actor=staff, rule=rule, expected_new=found.new_count
        )
    services.assessment_record(
        incident_id=incident.pk,
        actor=staff,
        answers={"unauthorised_purpose": True},
        reasons={"unauthorised_purpose": "第三者による不正ログイン（攻撃）による。"},
    )
    reports.report_draft(incident_id=incident.pk, kind="preliminary", actor=staff)
    out(
        f"  incidents: {Incident.objects.count()} incidents "
        f"({incident.reference}, awaiting approval)"
    )
