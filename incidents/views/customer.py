"""What a person who was told of an incident sees (APPI-26): a card on their home page and
the notice itself. Another customer's notice is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from incidents import selectors
from incidents.models import AffectedPerson
from incidents.notices import person_data_items
from portal.i18n import join_list


def dashboard_section(user) -> dict | None:
    """The home page's section: the incidents this person was told about (one query)."""
    if not user.is_authenticated:
        return None
    notices = list(selectors.notices_for_customer(customer=user)[:10])
    if not notices:
        return None
    return {"template": "customer/incidents/dashboard_card.html", "context": {"notices": notices}}


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        person = selectors.notice_for_customer(customer=request.user, incident_id=pk)
    except AffectedPerson.DoesNotExist:
        raise Http404 from None
    incident = person.incident
    return render(
        request,
        "customer/incidents/notice.html",
        {
            "incident": incident,
            "person": person,
            "items_text": join_list(person_data_items(person, incident)),
        },
    )
