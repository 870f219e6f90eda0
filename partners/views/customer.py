"""The customer's page: per partner, what they allowed and what was provided (LY-1, LY-4,
LY-7, APPI-29). The same content is a section of the consent page (apps.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partners import diagrams, selectors


def section_context(customer) -> dict:
    return {
        "overview": selectors.customer_partner_overview(customer=customer),
        "records": selectors.provision_records_for(customer=customer)[:20],
    }


def consent_section(customer) -> dict | None:
    """Provider for the consent page (consents.sections)."""
    if customer is None or not customer.is_authenticated:
        return None
    return {"template": "customer/partners/section.html", "context": section_context(customer)}


@login_required
def provisions(request: HttpRequest) -> HttpResponse:
    """The customer's "my data" page: the overview, the latest records, and the picture of
    where their data went and may go, with its table (LY-1, LY-2, APPI-29)."""
    context = section_context(request.user)
    flows = selectors.customer_flows(customer=request.user, overview=context["overview"])
    context.update(flows=flows, flow_diagram=diagrams.flow_diagram(flows))
    return render(request, "customer/partners/provisions.html", context)
