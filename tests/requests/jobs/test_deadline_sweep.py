"""Staff deadline reminders, escalation and the overdue digest (LW-6.2), on a frozen clock:
the services take `now`, so nothing mocks time."""

# ruff: noqa: RUF001 (the mails' own Japanese punctuation)

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.models import OutboundMail, ReminderClaim
from requests import jobs, workflow
from requests.models import DataRequest, JobSettings, Kind, Status
from tests import factories
from tests.requests.factories import data_request


def mails_to(user) -> list[OutboundMail]:
    return list(OutboundMail.objects.filter(to=user.email).order_by("id"))


def open_request(now, *, due_in, **kwargs) -> DataRequest:
    return data_request(
        status=kwargs.pop("status", Status.IN_REVIEW),
        received_at=now + due_in - timedelta(days=14),
        due_at=now + due_in,
        **kwargs,
    )


@pytest.mark.clause("LW-6.2")
def test_reminders_at_three_days_and_one_day_go_to_the_assignee(cast, now):
    req = open_request(now, due_in=timedelta(days=5), assignee=cast.agent, kind=Kind.DISCLOSURE)

    assert jobs.request_deadline_sweep(now=now).mails == 0  # five days out: nothing yet
    first = jobs.request_deadline_sweep(now=now + timedelta(days=2, hours=1))
    assert (first.reminders, first.mails) == (1, 1)
    again = jobs.request_deadline_sweep(now=now + timedelta(days=2, hours=2))
    assert again.mails == 0  # claimed: the second sweep sends nothing
    second = jobs.request_deadline_sweep(now=now + timedelta(days=4, hours=1))
    assert (second.reminders, second.mails) == (1, 1)

    mails = mails_to(cast.agent)
    assert len(mails) == 2
    assert {
        (c.reminder, c.recipient_id) for c in ReminderClaim.objects.filter(subject_id=req.pk)
    } == {("deadline_3d", cast.agent.pk), ("deadline_1d", cast.agent.pk)}
    # charlie reads Japanese: reference, kind, the due date in Tokyo and the staff page.
    body = mails[0].body
    assert mails[0].language == "ja"
    assert mails[0].subject == "請求の回答期限：期限間近 1 件、期限超過 0 件"
    assert "回答期限が近い請求（1 件）：" in body
    kind = req.get_kind_display()
    assert f"請求 {req.reference}（{kind}）の回答期限まで 3 日を切りました。" in body
    tokyo_due = (now + timedelta(days=5)).astimezone(jobs.clock.TOKYO).strftime("%Y-%m-%d %H:%M")
    assert tokyo_due in body
    assert f"http://testserver/staff/requests/{req.pk}/" in body
    assert "担当者がいません" not in body
    assert not OutboundMail.objects.exclude(to=cast.agent.email).exists()


@pytest.mark.clause("LW-6.2")
def test_an_unassigned_request_reminds_every_privacy_staff_member(cast, now):
    other_agent = factories.agent(email="erika@example.com", preferred_language="en")
    req = open_request(now, due_in=timedelta(hours=20), kind=Kind.INQUIRY)

    result = jobs.request_deadline_sweep(now=now)

    assert (result.reminders, result.mails) == (1, 3)  # one reminder, in three people's mail
    recipients = set(OutboundMail.objects.values_list("to", flat=True))
    assert recipients == {cast.agent.email, cast.administrator.email, other_agent.email}
    assert not mails_to(cast.customer)
    english = mails_to(other_agent)[0]
    assert english.language == "en"
    assert english.subject == "Request deadlines: 1 due soon, 0 overdue"
    assert f"Request {req.reference} (Question or complaint) is due within 1 day." in (english.body)
    assert "Nobody is assigned to this request yet" in english.body


@pytest.mark.clause("LW-6.2")
def test_a_reminder_is_once_per_recipient_and_a_new_colleague_still_gets_it(cast, now):
    """Claims are per (request, reminder, due date, recipient): a colleague who joins the
    privacy team between two sweeps gets the reminders the others already had, once."""
    req = open_request(now, due_in=timedelta(hours=20))
    assert jobs.request_deadline_sweep(now=now).mails == 2  # charlie and dana
    newcomer = factories.agent(email="newcomer@example.jp")
    later = jobs.request_deadline_sweep(now=now + timedelta(minutes=5))
    assert (later.mails, later.reminders) == (1, 1)
    assert [m.to for m in OutboundMail.objects.order_by("id")][-1] == newcomer.email
    assert jobs.request_deadline_sweep(now=now + timedelta(minutes=10)).mails == 0
    assert set(
        ReminderClaim.objects.filter(subject_id=req.pk).values_list("recipient_id", flat=True)
    ) == {cast.agent.pk, cast.administrator.pk, newcomer.pk}


@pytest.mark.clause("LW-6.2")
def test_one_mail_per_recipient_lists_everything_due_and_overdue(cast, now):
    """A sweep writes one mail per person (a digest), however many requests it concerns."""
    soon = [
        open_request(now, due_in=timedelta(hours=h), assignee=cast.agent, kind=Kind.INQUIRY)
        for h in (5, 30, 60)
    ]
    late = [
        open_request(now, due_in=-timedelta(hours=h), assignee=cast.agent, kind=Kind.DELETION)
        for h in (1, 2)
    ]
    result = jobs.request_deadline_sweep(now=now)
    assert (result.reminders, result.escalations, result.digests) == (3, 2, 2)
    assert result.mails == 2  # charlie (his five) and dana (administrator: the escalations)
    [mail] = mails_to(cast.agent)
    assert mail.subject == "請求の回答期限：期限間近 3 件、期限超過 2 件"
    assert all(r.reference in mail.body for r in [*soon, *late])
    assert "回答期限が近い請求（3 件）：" in mail.body
    assert "新たに回答期限を過ぎた請求（2 件）：" in mail.body
    [admin_mail] = mails_to(cast.administrator)
    assert all(r.reference in admin_mail.body for r in late)
    assert not any(r.reference in admin_mail.body for r in soon)


@pytest.mark.clause("LW-6.2")
def test_a_sweep_that_was_down_sends_only_the_nearest_reminder(cast, now):
    req = open_request(now, due_in=timedelta(hours=10), assignee=cast.agent)

    jobs.request_deadline_sweep(now=now)

    claims = ReminderClaim.objects.filter(subject_id=req.pk)
    assert list(claims.values_list("reminder", flat=True)) == ["deadline_1d"]
    assert len(mails_to(cast.agent)) == 1


@pytest.mark.clause("LW-6.2", "LW-5")
def test_at_the_due_date_the_assignee_and_administrators_get_an_escalation(cast, now):
    req = open_request(now, due_in=-timedelta(minutes=5), assignee=cast.agent, kind=Kind.DELETION)
    bystander = factories.agent(email="bystander@example.jp")

    result = jobs.request_deadline_sweep(now=now)

    assert result.escalations == 1
    escalations = OutboundMail.objects.filter(body__contains=req.reference)
    assert {m.to for m in escalations} == {cast.agent.email, cast.administrator.email}
    assert not mails_to(bystander)
    admin_mail = escalations.get(to=cast.administrator.email)
    assert admin_mail.subject == "請求の回答期限：期限間近 0 件、期限超過 1 件"
    assert f"請求 {req.reference}（{req.get_kind_display()}）は回答期限を過ぎています。" in (
        admin_mail.body
    )
    assert "担当者：佐藤 チャーリー" in admin_mail.body
    assert f"http://testserver/staff/requests/{req.pk}/" in admin_mail.body
    # A second sweep (or a retried task) escalates nothing again.
    assert jobs.request_deadline_sweep(now=now + timedelta(minutes=5)).escalations == 0


@pytest.mark.clause("LW-6.2")
def test_one_daily_digest_per_person_lists_all_their_overdue_requests(cast, now):
    mine = [
        open_request(now, due_in=-timedelta(days=d), assignee=cast.agent, kind=kind)
        for d, kind in ((1, Kind.DISCLOSURE), (2, Kind.DELETION), (3, Kind.CORRECTION))
    ]
    unassigned = open_request(now, due_in=-timedelta(days=1), kind=Kind.INQUIRY)
    OutboundMail.objects.all().delete()

    result = jobs.request_deadline_sweep(now=now)  # 10:00 Tokyo, past the 9:00 digest hour

    assert result.digests == 2  # charlie and dana, one each
    daily = "時点で、次のご請求が回答期限を過ぎています。"
    agent_mail = OutboundMail.objects.get(to=cast.agent.email)
    admin_mail = OutboundMail.objects.get(to=cast.administrator.email)
    agent_list = agent_mail.body.split(daily)[1]
    admin_list = admin_mail.body.split(daily)[1]
    assert all(r.reference in agent_list for r in mine)
    assert unassigned.reference not in agent_mail.body
    assert all(r.reference in admin_list for r in [*mine, unassigned])
    assert agent_mail.subject == "請求の回答期限：期限間近 0 件、期限超過 3 件"
    assert admin_mail.subject == "請求の回答期限：期限間近 0 件、期限超過 4 件"

    later = jobs.request_deadline_sweep(now=now + timedelta(hours=6))
    assert later.digests == later.mails == 0  # once a day
    tomorrow = jobs.request_deadline_sweep(now=now + timedelta(days=1))
    assert tomorrow.digests == 2 and tomorrow.escalations == 0
    tomorrow_mail = OutboundMail.objects.filter(to=cast.agent.email).latest("id")
    assert daily in tomorrow_mail.body and "新たに回答期限を過ぎた" not in tomorrow_mail.body


@pytest.mark.clause("LW-6.2")
def test_no_digest_before_the_configured_hour(cast, now):
    JobSettings.objects.create(digest_hour=11)
    open_request(now, due_in=-timedelta(days=2), assignee=cast.agent)

    assert jobs.request_deadline_sweep(now=now).digests == 0  # 10:00 Tokyo
    assert jobs.request_deadline_sweep(now=now + timedelta(hours=1)).digests == 2


@pytest.mark.clause("LW-6.2")
def test_a_paused_request_gets_no_reminders_and_its_new_due_date_gets_its_own(cast):
    # The workflow stamps pauses with the real clock, so this test runs on it too.
    now = timezone.now()
    req = open_request(now, due_in=timedelta(hours=20), assignee=cast.agent)
    jobs.request_deadline_sweep(now=now)
    assert len(mails_to(cast.agent)) == 1

    workflow.request_customer_ask(request_id=req.pk, actor=cast.agent, note="本人確認書類を")
    # Arrange: the customer was asked three days ago.
    DataRequest.objects.filter(pk=req.pk).update(paused_since=now - timedelta(days=3))
    OutboundMail.objects.all().delete()
    # Past the old due date, but paused: no reminder, no escalation.
    result = jobs.request_deadline_sweep(now=now + timedelta(days=1))
    assert result.mails == 0

    # The customer answers: the clock runs again and due_at moves by the three days paused.
    workflow.request_customer_respond(request_id=req.pk, actor=req.customer)
    req.refresh_from_db()
    moved = req.due_at - (now + timedelta(hours=20))
    assert timedelta(days=3) <= moved < timedelta(days=3, minutes=5)
    OutboundMail.objects.all().delete()
    assert jobs.request_deadline_sweep(now=req.due_at - timedelta(hours=12)).reminders == 1
    assert ReminderClaim.objects.filter(subject_id=req.pk, reminder="deadline_1d").count() == 2
    assert len(mails_to(cast.agent)) == 1


@pytest.mark.clause("LW-6.2")
def test_an_extension_is_a_new_due_date_with_its_own_reminders(cast, now):
    req = open_request(now, due_in=timedelta(hours=20), assignee=cast.agent)
    jobs.request_deadline_sweep(now=now)
    workflow.request_extension_grant(
        request_id=req.pk, actor=cast.administrator, days=10, reason="資料の確認に時間を要します"
    )
    req.refresh_from_db()

    assert jobs.request_deadline_sweep(now=now + timedelta(hours=1)).mails == 0
    result = jobs.request_deadline_sweep(now=req.due_at - timedelta(days=2))
    assert result.reminders == 1


@pytest.mark.clause("LW-6.2")
def test_configured_offsets_are_used(cast, now):
    JobSettings.objects.create(reminder_days_before="7, 2")
    req = open_request(now, due_in=timedelta(days=6), assignee=cast.agent)

    jobs.request_deadline_sweep(now=now)
    jobs.request_deadline_sweep(now=now + timedelta(days=4, hours=1))

    claims = ReminderClaim.objects.filter(subject_id=req.pk)
    assert set(claims.values_list("reminder", flat=True)) == {"deadline_7d", "deadline_2d"}


@pytest.mark.clause("LW-6.2")
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    offsets=st.lists(st.integers(1, 10), min_size=1, max_size=4, unique=True),
    hours=st.lists(st.integers(-48, 24 * 12), min_size=1, max_size=12),
)
def test_every_reached_offset_fires_at_most_once_and_the_nearest_always(cast, now, offsets, hours):
    """Whatever the configuration and however irregular the sweeps, each reminder is sent at
    most once, the nearest offset reached is always claimed, and nothing fires early."""
    ReminderClaim.objects.all().delete()
    DataRequest.objects.all().delete()
    JobSettings.objects.update_or_create(
        pk=1, defaults={"reminder_days_before": ", ".join(map(str, offsets))}
    )
    due = now + timedelta(days=10)
    req = open_request(now, due_in=timedelta(days=10), assignee=cast.agent)
    sent = 0
    for h in sorted(hours):
        sent += jobs.request_deadline_sweep(now=now + timedelta(hours=h)).reminders
    names = list(
        ReminderClaim.objects.filter(subject_id=req.pk)
        .exclude(reminder="overdue")
        .values_list("reminder", flat=True)
    )
    assert len(names) == len(set(names)) == sent
    last = now + timedelta(hours=max(hours))
    reached = [d for d in offsets if due - timedelta(days=d) <= last < due]
    if reached:
        assert f"deadline_{min(reached)}d" in names
    fired = {int(n.removeprefix("deadline_").removesuffix("d")) for n in names}
    assert all(due - timedelta(days=d) <= last for d in fired)


@pytest.mark.postgres  # SQLite, the embedded default, inserts in chunks of its parameter limit
@pytest.mark.clause("LW-6.2")
def test_the_sweep_does_a_bounded_number_of_queries(cast, now, django_assert_max_num_queries):
    """1,000 open requests due in every window: the sweep's queries do not grow with them."""
    staff = [factories.agent(email=f"staff{i}@example.jp") for i in range(5)]
    customers = [factories.customer(email=f"c{i}@example.jp") for i in range(112)]
    kinds = list(Kind.values)
    rows = []
    for i in range(1000):
        due = now + timedelta(hours=(i % 100) - 30)
        rows.append(
            DataRequest(
                reference=f"DR-2098-{i:06d}",
                kind=kinds[i % 9],
                status=Status.IN_REVIEW,
                customer=customers[i // 9],
                received_at=due - timedelta(days=14),
                sla_days=14,
                sla_day_mode="calendar",
                due_at=due,
                assignee=staff[i % 6] if i % 6 < 5 else None,
            )
        )
    DataRequest.objects.bulk_create(rows)

    # 1 job settings, 1 privacy staff, 1 administrators, 1 candidate requests with their
    # assignees, 1 claim insert (one row per item and recipient), 1 outbox insert; plus the
    # savepoint and its release.
    with django_assert_max_num_queries(8):
        result = jobs.request_deadline_sweep(now=now)
    assert (result.escalations, result.reminders) == (310, 690)
    assert result.digests == 1 + 5
    # One mail per person: the five assignees, charlie (staff, for the unassigned ones) and
    # dana (administrator).
    assert result.mails == OutboundMail.objects.count() == 7

    with django_assert_max_num_queries(8):
        assert jobs.request_deadline_sweep(now=now).mails == 0


@pytest.mark.clause("LW-6.2")
def test_closed_requests_are_left_alone(cast, now):
    data_request(status=Status.CLOSED, due_at=now - timedelta(days=1), assignee=cast.agent)
    assert jobs.request_deadline_sweep(now=now).mails == 0
    assert connection.vendor in {"postgresql", "sqlite"}
