"""The privacy administrators' inbox: every approval that waits, of every kind (LW-5)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal import approvals
from portal.roles import privacy_admin_required


@privacy_admin_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Oldest first; each row links to the page where its kind is decided; what was shown
    is audited in one event."""
    rows = approvals.pending()
    approvals.inbox_view_record(request.user, rows)
    return render(request, "staff/approvals.html", {"rows": rows})
