# ruff: noqa: RUF001  (the documents are Japanese text, with Japanese punctuation)
"""The reports to the Personal Information Protection Commission (APPI Art. 26(1), Rule 8):
the preliminary (速報) and the final (確報) report, drafted in Japanese from the register with
the items of the Commission's form, approved by a privacy administrator who did not draft
them, kept as a PDF, with the date each was submitted."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from incidents.errors import IncidentError
from incidents.models import (
    REPORT_ITEMS,
    TRIGGERS,
    Incident,
    Report,
    ReportKind,
    ReportStatus,
)
from incidents.services import _lock, event_write
from portal.models import User
from portal.services import audit_record

# The form's items, as the Commission's form names them.
ITEM_LABELS_JA = {
    "summary": "概要",
    "data_items": "漏えい等が発生し、又は発生したおそれがある個人データの項目",
    "people": "漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数",
    "cause": "原因",
    "secondary_harm": "二次被害又はそのおそれの有無及びその内容",
    "response_to_people": "本人への対応の実施状況",
    "public_announcement": "公表の実施状況",
    "recurrence_measures": "再発防止のための措置",
    "other_matters": "その他参考となる事項",
}
KIND_JA = {ReportKind.PRELIMINARY: "速報", ReportKind.FINAL: "確報"}
TRIGGER_JA = {
    "special_care": "要配慮個人情報が含まれる事態（規則第7条第1号）",
    "financial_loss": "不正に利用されることにより財産的被害が生じるおそれがある事態（同第2号）",
    "unauthorised_purpose": "不正の目的をもって行われたおそれがある事態（同第3号）",
    "over_thousand": "本人の数が1,000人を超える事態（同第4号）",
}
NOT_YET = "（未定。確報で報告します。）"


def _when(value: datetime.datetime | None) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%Y年%m月%d日 %H時%M分")


def _text(value: str) -> str:
    return value.strip() or NOT_YET


def report_content(*, incident: Incident) -> dict[str, str]:
    """The form's items filled from the register, in Japanese (the Commission's language)."""
    latest = incident.assessments.order_by("-assessed_at", "-id").first()
    with translation.override("ja"):
        partners = "、".join(str(p.name_ja) for p in incident.partners.all())
        items = "、".join(incident.data_item_labels)
        summary = [
            f"事態の種類：{incident.get_kind_display()}",
            f"発覚日時：{_when(incident.discovered_at)}",
            f"事態を知った日時：{_when(incident.aware_at)}",
            f"発生事案：{incident.summary.strip()}",
        ]
        if incident.systems.strip():
            summary.append(f"関係するシステム：{incident.systems.strip()}")
        if partners:
            summary.append(f"関係する委託先等：{partners}")
        if incident.at_processor:
            summary.append("委託先において発生した事態であり、委託元として報告します。")
        data_items = "、".join(x for x in [items, incident.data_items_note.strip()] if x)
        people = f"{incident.affected_count:,}人"
        if incident.unreachable_count:
            people += f"（うち連絡先が不明で通知できない方 {incident.unreachable_count:,}人）"
        cause = _text(incident.cause)
        if incident.deliberate:
            cause += "\n不正の目的をもって行われたもの（攻撃、窃取又は内部者による持ち出し）です。"
        response = [_text(incident.response_to_people)]
        if incident.notices_sent_at:
            response.append(
                f"{_when(incident.notices_sent_at)}、本人への通知を電子メールで送付しました。"
            )
        announcement = [incident.public_announcement.strip() or "公表していません。"]
        if incident.announcement_published_at:
            announcement = [
                incident.public_announcement.strip(),
                f"{_when(incident.announcement_published_at)}、本ポータルの公開ページに掲載しました"
                "（本人への通知に代わる公表）。",
            ]
        other = [incident.other_matters.strip()]
        if incident.containment.strip():
            other.insert(0, f"封じ込めの措置：{incident.containment.strip()}")
    content = {
        "summary": "\n".join(summary),
        "data_items": data_items or NOT_YET,
        "people": people,
        "cause": cause,
        "secondary_harm": _text(incident.secondary_harm),
        "response_to_people": "\n".join(x for x in response if x),
        "public_announcement": "\n".join(x for x in announcement if x),
        "recurrence_measures": _text(incident.recurrence_measures),
        "other_matters": "\n".join(x for x in other if x) or "特になし。",
        "triggers": "\n".join(TRIGGER_JA[n] for n in TRIGGERS if latest and getattr(latest, n))
        or "（報告対象の判断は未確定です。）",
    }
    return content


def report_document_context(report: Report) -> dict:
    incident = report.incident
    return {
        "report": report,
        "incident": incident,
        "kind_ja": KIND_JA[report.kind],
        "items": [(ITEM_LABELS_JA[key], report.content.get(key, "")) for key in REPORT_ITEMS],
        "triggers": report.content.get("triggers", ""),
        "drafted_at": _when(report.drafted_at),
        "approved_at": _when(report.approved_at),
        "aware_at": _when(incident.aware_at),
        "due_at": _when(
            incident.preliminary_due_at
            if report.kind == ReportKind.PRELIMINARY
            else incident.final_due_at
        ),
    }


def report_html(report: Report) -> str:
    with translation.override("ja"):
        return render_to_string(
            "staff/incidents/report_document.html", {"d": report_document_context(report)}
        )


def report_pdf_render(report: Report) -> bytes:
    """The printable document (A4, Japanese fonts from fonts-noto-cjk), by WeasyPrint."""
    from portal.pdf import pdf_from_html

    return pdf_from_html(report_html(report))


@transaction.atomic
def report_draft(*, incident_id: int, kind: str, actor: User) -> Report:
    """Draft (or draft again) a report from the register as it is now. An approved report is
    kept as approved; the final report is a new draft."""
    if kind not in ReportKind.values:
        raise IncidentError(_("There is no such report."))
    incident = _lock(incident_id)
    if not incident.is_open:
        raise IncidentError(_("A closed incident gets no new reports."))
    report = Report.objects.select_for_update().filter(incident=incident, kind=kind).first()
    if report and report.status != ReportStatus.DRAFT:
        raise IncidentError(_("This report is approved already; it cannot be drafted again."))
    content = report_content(incident=incident)
    if report is None:
        report = Report.objects.create(
            incident=incident, kind=kind, content=content, drafted_by=actor
        )
    else:
        report.content = content
        report.drafted_by = actor
        report.drafted_at = timezone.now()
        report.save(update_fields=["content", "drafted_by", "drafted_at"])
    event_write(incident=incident, event="report_drafted", actor=actor, changes={"kind": kind})
    audit_record(
        actor=actor,
        action="incidents.report.drafted",
        target=incident,
        payload={"kind": kind, "report": report.pk},
    )
    return report


@transaction.atomic
def report_approve(*, report_id: int, actor: User) -> Report:
    """A privacy administrator who did not draft the report approves it (four eyes, LW-5);
    the database refuses self-approval too. The PDF is made now and kept."""
    if not actor.is_privacy_admin:
        raise IncidentError(_("Only a privacy administrator can approve a report."))
    report = (
        Report.objects.select_for_update().select_related("incident").filter(pk=report_id).first()
    )
    if report is None:
        raise IncidentError(_("There is no such report."))
    if report.status != ReportStatus.DRAFT:
        raise IncidentError(_("This report is approved already."))
    if report.drafted_by_id == actor.pk:
        raise IncidentError(
            _("You drafted this report; another privacy administrator must approve it.")
        )
    report.status = ReportStatus.APPROVED
    report.approved_by = actor
    report.approved_at = timezone.now()
    report.pdf = report_pdf_render(report)
    report.save(update_fields=["status", "approved_by", "approved_at", "pdf"])
    event_write(
        incident=report.incident,
        event="report_approved",
        actor=actor,
        changes={"kind": report.kind},
    )
    audit_record(
        actor=actor,
        action="incidents.report.approved",
        target=report.incident,
        payload={"kind": report.kind, "report": report.pk},
    )
    return report


@transaction.atomic
def report_submission_record(*, report_id: int, actor: User, submitted_on: datetime.date) -> Report:
    """Record the date an approved report was submitted to the Commission; the reminders for
    that deadline stop."""
    report = (
        Report.objects.select_for_update().select_related("incident").filter(pk=report_id).first()
    )
    if report is None:
        raise IncidentError(_("There is no such report."))
    if report.status != ReportStatus.APPROVED:
        raise IncidentError(_("Only an approved report, not yet submitted, can be submitted."))
    incident = report.incident
    if submitted_on > timezone.localdate():
        raise IncidentError(_("The submission date cannot be in the future."))
    if submitted_on < timezone.localtime(report.approved_at).date():
        raise IncidentError(_("The submission date cannot be before the approval."))
    report.status = ReportStatus.SUBMITTED
    report.submitted_on = submitted_on
    report.submitted_recorded_by = actor
    report.save(update_fields=["status", "submitted_on", "submitted_recorded_by"])
    event_write(
        incident=incident,
        event="report_submitted",
        actor=actor,
        changes={"kind": report.kind, "submitted_on": submitted_on.isoformat()},
    )
    audit_record(
        actor=actor,
        action="incidents.report.submitted",
        target=incident,
        payload={"kind": report.kind, "submitted_on": submitted_on.isoformat()},
    )
    return report
