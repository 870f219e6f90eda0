"""The substitute public announcements (APPI Art. 26(2) proviso): for people who cannot be
told one by one, the announcement is on the portal's public pages."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from incidents import selectors
from incidents.models import Incident
from portal.i18n import join_list


def announcement_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/incidents/announcements.html",
        {"announcements": list(selectors.announcements())},
    )


def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        incident = selectors.announcement(pk=pk)
    except Incident.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "public/incidents/announcement.html",
        {"incident": incident, "items_text": join_list(incident.data_item_labels)},
    )
