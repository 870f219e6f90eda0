"""The staff queue and overview (LW-6.2, LW-5): sorting by due date, filters, search,
pagination, overdue in red, claim/assign with two people at once, query counts with 500
requests, audit of every page showing customers' data, the server-drawn charts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from requests.models import DataRequest, Kind, Status
from requests.services import approvals, assignment
from requests.views.staff import PAGE_SIZE
from tests.factories import customer as make_customer
from tests.requests.factories import data_request

QUEUE = reverse("requests:staff_queue")


def _rows(response) -> list[str]:
    return [r.reference for r in response.context["rows"]]


@pytest.mark.clause("LW-6.2")
def test_open_requests_by_due_date_closed_ones_left_out(cast, agent_client):
    now = timezone.now()
    late = data_request(customer=cast.customer, kind=Kind.INQUIRY, due_at=now + timedelta(days=9))
    soon = data_request(
        customer=cast.other_customer, kind=Kind.INQUIRY, due_at=now + timedelta(days=1)
    )
    data_request(status=Status.CLOSED, customer=cast.customer, kind=Kind.DISCLOSURE)
    assert _rows(agent_client.get(QUEUE)) == [soon.reference, late.reference]


@pytest.mark.clause("LW-6.2")
def test_each_row_shows_the_time_left_in_one_unit_and_its_urgency_in_words(cast, agent_client):
    """Issue 16: "due in 13 days", not "1 week, 6 days"; overdue and due soon are a colour
    and a word, never a colour alone."""
    now = timezone.now()
    far = data_request(
        customer=cast.customer, kind=Kind.INQUIRY, due_at=now + timedelta(days=13, hours=5)
    )
    soon = data_request(
        customer=cast.other_customer, kind=Kind.INQUIRY, due_at=now + timedelta(days=2, hours=1)
    )
    late = data_request(
        customer=cast.customer, kind=Kind.DELETION, due_at=now - timedelta(days=2, hours=3)
    )
    hours = data_request(
        customer=cast.other_customer, kind=Kind.DELETION, due_at=now + timedelta(hours=5, minutes=9)
    )
    agent_client.cookies["portal_language"] = "en"
    page = agent_client.get(QUEUE).content.decode()
    rows = {r.reference: r for r in agent_client.get(QUEUE).context["rows"]}
    assert {ref: (r.urgency, r.left_text) for ref, r in rows.items()} == {
        far.reference: ("", "due in 13 days"),
        soon.reference: ("soon", "due in 2 days"),
        late.reference: ("overdue", "overdue by 2 days"),
        hours.reference: ("soon", "due in 5 hours"),
    }
    assert '<span class="badge urgency-overdue">Overdue</span> <strong>overdue by 2 days' in page
    assert '<span class="badge urgency-soon">Due soon</span> due in 2 days' in page
    assert "week" not in page
    assert page.count('class="urgency-overdue"') == 2  # the legend's word and the late row
    agent_client.cookies["portal_language"] = "ja"
    page = agent_client.get(QUEUE).content.decode()
    assert "あと13日" in page and "2日超過" in page and "あと5時間" in page
    assert '<span class="badge urgency-overdue">期限超過</span>' in page


@pytest.mark.clause("LW-6.2")
def test_a_paused_request_is_never_overdue_in_the_queue(cast, agent_client):
    data_request(
        status=Status.AWAITING_CUSTOMER,
        customer=cast.customer,
        kind=Kind.INQUIRY,
        due_at=timezone.now() - timedelta(days=1),
    )
    agent_client.cookies["portal_language"] = "en"
    response = agent_client.get(QUEUE)
    assert [r.urgency for r in response.context["rows"]] == ["paused"]
    assert '<span class="badge urgency-paused">Paused</span>' in response.content.decode()


@pytest.mark.clause("LW-6.2")
def test_filters_and_search(cast, agent_client):
    now = timezone.now()
    overdue = data_request(
        status=Status.IN_REVIEW,
        customer=cast.customer,
        kind=Kind.DISCLOSURE,
        due_at=now - timedelta(hours=2),
        assignee=cast.agent,
    )
    paused = data_request(
        status=Status.AWAITING_CUSTOMER,
        customer=cast.other_customer,
        kind=Kind.INQUIRY,
        due_at=now - timedelta(days=1),
    )
    later = data_request(
        status=Status.VERIFYING,
        customer=cast.other_customer,
        kind=Kind.DELETION,
        due_at=now + timedelta(days=10),
        assignee=cast.administrator,
    )

    def rows(**params):
        return set(_rows(agent_client.get(QUEUE, params)))

    assert rows(kind="disclosure") == {overdue.reference}
    assert rows(status="verifying") == {later.reference}
    # The parameter names and values other pages link with (the staff home page).
    assert rows(mine="1") == {overdue.reference}
    assert rows(mine="on") == {overdue.reference}
    assert rows(mine="0") == {overdue.reference, paused.reference, later.reference}
    assert rows(unassigned="1") == {paused.reference}
    assert rows(assignee=cast.administrator.pk) == {later.reference}
    assert rows(overdue="1") == {overdue.reference}  # a paused request is not overdue
    assert rows(due_within=3) == {overdue.reference, paused.reference}
    # "mine" wins over "unassigned", which wins over "assignee".
    assert rows(mine="1", unassigned="1") == {overdue.reference}
    assert rows(unassigned="1", assignee=cast.administrator.pk) == {paused.reference}
    assert rows(kind="deletion", status="verifying", q="bob") == {later.reference}
    assert rows(q=later.reference) == {later.reference}
    assert rows(q="BOB@example") == {paused.reference, later.reference}
    assert rows(q="アリス") == {overdue.reference}
    assert rows(kind="nonsense", due_within="x") == {
        overdue.reference,
        paused.reference,
        later.reference,
    }
    # A bad value is ignored and said next to its field, never a 500; the others still apply.
    response = agent_client.get(QUEUE, {"due_within": "x", "kind": "deletion", "sort": "zz"})
    assert response.status_code == 200
    assert set(_rows(response)) == {later.reference}
    assert response.context["form"].errors.keys() == {"due_within", "sort"}
    assert 'class="field has-error"' in response.content.decode()


def _many_requests(cast, n: int) -> None:
    customers = [make_customer(email=f"c{i}@example.jp", full_name=f"客{i}") for i in range(50)]
    now = timezone.now()
    DataRequest.objects.bulk_create(
        [
            DataRequest(
                reference=f"DR-2098-{i:06d}",
                kind=Kind.INQUIRY if i % 2 else Kind.DISCLOSURE,
                customer=customers[i % 50],
                status=Status.IN_REVIEW,
                on_behalf=True,  # many per customer and kind (the duplicate rule is per person)
                principal_name=f"p{i}",
                received_at=now,
                sla_days=14,
                sla_day_mode="calendar",
                due_at=now + timedelta(minutes=i),
                assignee=cast.agent if i % 3 else None,
            )
            for i in range(n)
        ]
    )


@pytest.mark.clause("LW-6.2", "LW-5")
@pytest.mark.parametrize(
    "params",
    [{}, {"sort": "-received"}, {"sort": "kind", "q": "example", "due_within": "30"}],
    ids=["default", "sorted", "filtered"],
)
def test_the_queue_takes_six_queries_with_500_requests_first_and_last_page(
    cast, agent_client, params
):
    """Issue 13: the same 6 queries whatever the size, once the browser answered the cookie
    banner: 1 the session, 2 the user, 3 the session's second-factor device, 4 the
    user's permissions (one query for own and group permissions,
    `portal.backends.PermissionsBackend`), 5 one statement with the page of requests
    (customer and assignee joined), the total and the privacy staff for the menus as scalar
    subqueries, 6 the audit event of the view. No cookie decision (the choice is in the
    cookie, no analytics id) and no policy announcement (a customer notice) on staff pages."""
    agent_client.cookies["portal_cookies"] = "necessary"
    _many_requests(cast, 500)
    for page in (1, 10):
        with CaptureQueriesContext(connection) as queries:
            response = agent_client.get(QUEUE, {**params, "page": page})
        assert response.status_code == 200
        assert len(response.context["rows"]) == PAGE_SIZE
        tables = [
            re.search(r'(?:FROM|INTO) "(\w+)"', q["sql"]).group(1) for q in queries.captured_queries
        ]
        assert tables == [
            "django_session",
            "portal_user",  # the signed-in user
            "otp_totp_totpdevice",  # the second factor this session was verified with
            "auth_permission",  # own and group permissions together
            "requests_datarequest",  # the page's rows, the total and the staff list
            "portal_auditevent",  # what this staff member saw
        ], [q["sql"][:120] for q in queries.captured_queries]
    assert response.context["page"].number == 10
    assert response.context["page"].paginator.num_pages == 10
    # The staff list came with the rows: both menus offer the agent and the administrator.
    menus = response.content.decode()
    assert menus.count(f'<option value="{cast.administrator.pk}">鈴木 ダナ</option>') == 2


def test_an_out_of_range_page_shows_the_last_page(cast, agent_client):
    _many_requests(cast, 120)
    response = agent_client.get(QUEUE, {"page": 99})
    assert response.status_code == 200
    assert response.context["page"].number == 3
    assert len(response.context["rows"]) == 20
    assert agent_client.get(QUEUE, {"page": "x"}).context["page"].number == 1


def test_the_queue_rows_carry_one_control_and_the_page_one_form(cast, agent_client):
    """Issues 13 and 16: one checkbox per row, no assign form, staff <select> or CSRF token
    per row; one assign form for the selection, with one menu of staff."""
    _many_requests(cast, 60)
    page = agent_client.get(QUEUE).content.decode()
    assert page.count('name="pick"') == PAGE_SIZE
    layout = agent_client.get(reverse("requests:staff_overview")).content.decode()
    tokens = 'name="csrfmiddlewaretoken"'
    assert page.count(tokens) == layout.count(tokens) + 1  # the layout's, plus one
    # The filter's kind, state and assignee, and the assign menu; plus the layout's own.
    assert page.count("<select") == layout.count("<select") + 4
    assert page.count('name="assignee"') == 2  # the filter and the assign form
    assert page.count("/assign/") == 1


def _pick(req) -> str:
    return f"{req.pk}:{req.assignee_id or ''}"


@pytest.mark.clause("LW-5")
def test_assigning_the_ticked_rows_to_one_person(cast, agent_client):
    first = data_request(customer=cast.customer, kind=Kind.INQUIRY)
    second = data_request(customer=cast.other_customer, kind=Kind.DELETION, assignee=cast.agent)
    untouched = data_request(customer=cast.other_customer, kind=Kind.INQUIRY)
    page = agent_client.get(QUEUE).content.decode()
    assert f'name="pick" value="{first.pk}:"' in page
    assert f'name="pick" value="{second.pk}:{cast.agent.pk}"' in page
    response = agent_client.post(
        reverse("requests:staff_assign_many"),
        {
            "pick": [_pick(first), _pick(second)],
            "assignee": str(cast.administrator.pk),
            "next": QUEUE + "?kind=inquiry&mine=1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == QUEUE + "?kind=inquiry&mine=1"  # the filters are kept
    assignees = dict(DataRequest.objects.values_list("reference", "assignee__email"))
    assert assignees == {
        first.reference: "dana@example.jp",
        second.reference: "dana@example.jp",
        untouched.reference: None,
    }
    assert AuditEvent.objects.filter(action="requests.request.assigned").count() == 2
    # "Me" is the viewer's own id; "none" unassigns.
    agent_client.post(
        reverse("requests:staff_assign_many"),
        {"pick": [f"{first.pk}:{cast.administrator.pk}"], "assignee": str(cast.agent.pk)},
    )
    agent_client.post(
        reverse("requests:staff_assign_many"),
        {"pick": [f"{second.pk}:{cast.administrator.pk}"], "assignee": "none"},
    )
    assignees = dict(DataRequest.objects.values_list("reference", "assignee__email"))
    assert assignees[first.reference] == "charlie@example.jp"
    assert assignees[second.reference] is None


@pytest.mark.clause("LW-5")
def test_assigning_a_selection_leaves_a_row_someone_changed_meanwhile_and_says_so(
    cast, agent_client
):
    fresh = data_request(customer=cast.customer, kind=Kind.INQUIRY)
    stale = data_request(customer=cast.other_customer, kind=Kind.INQUIRY)
    picks = [_pick(fresh), _pick(stale)]  # what the page showed: nobody on either
    assignment.request_assign(
        request_id=stale.pk,
        actor=cast.administrator,
        assignee=cast.administrator,
        expected_assignee_id=None,
    )
    response = agent_client.post(
        reverse("requests:staff_assign_many"),
        {"pick": picks, "assignee": str(cast.agent.pk), "next": QUEUE},
        follow=True,
    )
    assignees = dict(DataRequest.objects.values_list("reference", "assignee__email"))
    assert assignees == {fresh.reference: "charlie@example.jp", stale.reference: "dana@example.jp"}
    text = response.content.decode()
    assert "担当者が先に変更された" in text and stale.reference in text
    done = f"1件の依頼を佐藤 チャーリーに割り当てました（{fresh.reference}）。"  # noqa: RUF001
    assert done in text


@pytest.mark.parametrize(
    "data",
    [
        {"assignee": "1"},  # nothing ticked
        {"pick": ["x:1"], "assignee": "1"},  # unreadable
        {"pick": ["1:"], "assignee": "999999"},  # not a staff member
    ],
)
def test_a_bad_selection_is_a_message_not_an_error(cast, agent_client, data):
    req = data_request(customer=cast.customer, kind=Kind.INQUIRY)
    data = {**data, "pick": [p.replace("1:", f"{req.pk}:") for p in data.get("pick", [])]}
    response = agent_client.post(reverse("requests:staff_assign_many"), data, follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])  # says why
    req.refresh_from_db()
    assert req.assignee is None


def test_the_assign_url_is_staff_only(cast, client):
    req = data_request(customer=cast.customer, kind=Kind.INQUIRY)
    client.force_login(cast.customer)
    response = client.post(
        reverse("requests:staff_assign_many"), {"pick": [f"{req.pk}:"], "assignee": "none"}
    )
    assert response.status_code == 403
    assert client.get(reverse("requests:staff_queue_csv")).status_code == 403


@pytest.mark.clause("LW-5")
def test_the_queue_view_is_audited_with_the_rows_shown(cast, agent_client):
    req = data_request(customer=cast.customer, kind=Kind.INQUIRY)
    agent_client.get(QUEUE)
    event = AuditEvent.objects.get(action="requests.queue.viewed")
    assert event.actor == cast.agent and event.payload["requests"] == [req.pk]


@pytest.mark.clause("LW-6.2")
def test_pagination(cast, agent_client):
    for _ in range(PAGE_SIZE + 3):
        data_request(customer=make_customer(), kind=Kind.INQUIRY)
    first = agent_client.get(QUEUE)
    second = agent_client.get(QUEUE, {"page": 2})
    assert len(_rows(first)) == PAGE_SIZE and len(_rows(second)) == 3
    assert not set(_rows(first)) & set(_rows(second))
    assert "page=2" in first.content.decode()


@pytest.mark.clause("LW-6.2")
def test_the_overview_counts_and_draws_two_charts(cast, agent_client):
    now = timezone.now()
    data_request(status=Status.IN_REVIEW, customer=cast.customer, kind=Kind.DISCLOSURE)
    data_request(status=Status.VERIFYING, customer=cast.other_customer, kind=Kind.DISCLOSURE)
    on_time = data_request(status=Status.CLOSED, customer=cast.customer, kind=Kind.INQUIRY)
    late = data_request(status=Status.CLOSED, customer=cast.other_customer, kind=Kind.INQUIRY)
    DataRequest.objects.filter(pk=late.pk).update(due_at=now - timedelta(days=1))
    DataRequest.objects.filter(pk=on_time.pk).update(due_at=now + timedelta(days=1))
    with CaptureQueriesContext(connection) as ctx:
        response = agent_client.get(reverse("requests:staff_overview"))
    assert response.status_code == 200
    ours = [q for q in ctx.captured_queries if '"requests_datarequest"' in q["sql"]]
    assert len(ours) == 3  # counts per state and kind, received per week, closed on time
    table = dict(response.context["table"])
    states = [s.value for s in response.context["states"]]
    disclosure = table[Kind.DISCLOSURE]
    assert disclosure[states.index("in_review")] == 1 and disclosure[states.index("verifying")] == 1
    received = [r["value"] for r in response.context["received"]]
    assert len(received) == 12 and received[-1] == 4
    this_week = response.context["shares"][-1]
    assert (this_week["in_time"], this_week["total"], this_week["pct"]) == (1, 2, 50)
    assert response.context["on_time_pct"] == 50
    page = response.content.decode()
    # Charts with a value axis (portal.charts) and each one's table beside it.
    assert 'data-testid="received-table"' in page and 'data-testid="ontime-table"' in page
    assert page.count('role="img"') == 2
    assert page.count("<svg") == 2 and "<script" not in page.split("<main")[1]


@pytest.mark.clause("LW-5")
def test_the_approvals_list_query_count_does_not_grow(cast, admin_client_):
    """1 session, 2 user, 3 permissions, 4 the pending approvals with request, customer and
    who asked (joined), 5 the audit event; the layout's own queries do not depend on rows."""
    url = reverse("approvals")

    def ask():
        req = data_request(
            status=Status.AWAITING_PAYMENT, customer=make_customer(), kind=Kind.DISCLOSURE
        )
        approvals.approval_ask(
            request_id=req.pk, actor=cast.agent, kind="waiver", reason="Hardship"
        )

    ask()
    admin_client_.get(url)  # once, so that per-process caches (content types) are filled
    with CaptureQueriesContext(connection) as few:
        assert admin_client_.get(url).status_code == 200
    for _ in range(30):
        ask()
    with CaptureQueriesContext(connection) as many:
        response = admin_client_.get(url)
    assert len(response.context["rows"]) == 31
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.clause("LW-6.2")
def test_sorting_by_a_column_both_ways_keeps_the_filters(cast, agent_client):
    now = timezone.now()
    a = data_request(
        customer=cast.customer,
        kind=Kind.INQUIRY,
        due_at=now + timedelta(days=5),
        received_at=now - timedelta(days=1),
        reference="DR-2026-000003",
    )
    b = data_request(
        customer=cast.other_customer,
        kind=Kind.DELETION,
        due_at=now + timedelta(days=1),
        received_at=now - timedelta(days=3),
        reference="DR-2026-000001",
    )
    c = data_request(
        customer=cast.other_customer,
        kind=Kind.INQUIRY,
        due_at=now + timedelta(days=2),
        received_at=now - timedelta(days=2),
        reference="DR-2026-000002",
    )
    expected = {
        "": [b, c, a],
        "due": [b, c, a],
        "-due": [a, c, b],
        "received": [b, c, a],
        "-received": [a, c, b],
        "reference": [b, c, a],
        "-reference": [a, c, b],
        "kind": [b, c, a],  # deletion before inquiry, then soonest due
        "-kind": [a, c, b],
        "nonsense": [b, c, a],
    }
    for sort, order in expected.items():
        got = _rows(agent_client.get(QUEUE, {"sort": sort} if sort else {}))
        assert got == [r.reference for r in order], sort
    page = agent_client.get(QUEUE, {"sort": "received", "kind": "inquiry", "page": "1"})
    html = page.content.decode()
    assert _rows(page) == [c.reference, a.reference]
    assert 'aria-sort="ascending"><a href="?sort=-received&amp;kind=inquiry">' in html
    assert 'aria-sort="none"><a href="?sort=due&amp;kind=inquiry">' in html
    assert '<input type="hidden" name="sort" value="received"' in html  # kept when filtering


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sort", ["due", "-due", "received", "-received", "reference", "kind", "-status"]
)
def test_a_deep_page_reads_an_index_in_the_queue_order_and_sorts_nothing(cast, sort):
    """Issue 13: the page's ids come from a partial index whose order is the queue's order,
    so a deep page reads that index to its offset; with sorting disabled the planner still
    finds a plan without a Sort node (it could not, without such an index)."""
    from requests.filters import sort_order
    from requests.selectors import queue_open, queue_page_ids

    if connection.vendor != "postgresql":
        pytest.fail("needs PostgreSQL")
    _many_requests(cast, 300)
    ids = queue_page_ids(queue_open(), order=sort_order(sort), offset=250, per_page=PAGE_SIZE)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = ids.explain()
    assert "Sort" not in plan, plan
    assert "request_queue_" in plan, plan


@pytest.mark.clause("LW-5")
def test_the_filtered_queue_downloads_as_csv_and_the_download_is_audited(cast, agent_client):
    now = timezone.now()
    tokyo = timezone.get_default_timezone()
    due = (
        (now + timedelta(days=4, hours=2))
        .astimezone(tokyo)
        .replace(hour=18, minute=0, second=0, microsecond=0)
    )
    shown = data_request(
        customer=cast.other_customer,
        kind=Kind.DELETION,
        due_at=due,
        assignee=cast.agent,
        received_at=due - timedelta(days=14),
    )
    data_request(customer=cast.customer, kind=Kind.INQUIRY)  # filtered out
    cast.other_customer.full_name = "=HYPERLINK(1)"
    cast.other_customer.save(update_fields=["full_name"])
    agent_client.cookies["portal_language"] = "en"
    response = agent_client.get(reverse("requests:staff_queue_csv"), {"kind": "deletion"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="queue-')
    body = response.content.decode("utf-8")
    left = "due in 4 days" if due - now >= timedelta(days=4) else "due in 3 days"
    assert body.splitlines() == [
        "\ufeffReference,Kind,Customer,Email,State,Assignee,Received (Asia/Tokyo),"
        "Due (Asia/Tokyo),Time left",
        f"{shown.reference},Deletion of my data,'=HYPERLINK(1),bob@example.com,Submitted,"
        "佐藤 チャーリー,"
        f"{due - timedelta(days=14):%Y-%m-%d} 18:00,{due:%Y-%m-%d} 18:00,{left}",
    ]
    event = AuditEvent.objects.get(action="requests.queue.downloaded")
    assert event.actor == cast.agent
    assert event.payload == {"filters": {"kind": "deletion"}, "requests": [shown.pk]}
    assert not AuditEvent.objects.filter(action="requests.queue.viewed").exists()


def test_the_rows_written_in_python_escape_what_customers_typed(cast, agent_client):
    """The queue's rows are written by a template tag, not the template engine (issue 13):
    a name and an address with markup still come out as text."""
    person = make_customer(full_name='<b onmouseover="x()">Eve</b>', email="eve&co@example.com")
    req = data_request(customer=person, due_at=timezone.now() - timedelta(days=400))
    page = agent_client.get(reverse("requests:staff_queue")).content.decode()
    row = page[page.index(f'id="pick-{req.pk}"') :].split("</tr>")[0]
    assert "&lt;b onmouseover=&quot;x()&quot;&gt;Eve&lt;/b&gt;" in row
    assert "eve&amp;co@example.com" in row
    assert "<b " not in row


def test_the_csv_names_a_requester_without_an_account(cast, agent_client):
    data_request(
        customer=None,
        kind=Kind.INQUIRY,
        requester_name="郵送 太郎",
        requester_email="yuso@example.jp",
        channel="post",
        filed_by=cast.agent,
    )
    response = agent_client.get(reverse("requests:staff_queue_csv"))
    assert response.status_code == 200
    assert "郵送 太郎,yuso@example.jp" in response.content.decode()
