"""The customer's "where my data went" picture: a server-rendered SVG flow from the customer
to each partner and on to each country (LY-1, LY-2). Geometry only; the figures come from
`partners.selectors.customer_flows`, the table beside it on the page carries the same facts.

Three columns: the customer, the recipients, the countries. A solid arrow is data that was
provided (with how many times), a dashed one data that may be provided under an arrangement
in force. Names are wrapped to their box with portal.charts' measure (two lines at most, then
shortened with an ellipsis; the full name is in the box's title and in the table). Each box
links to the public entry: the partner's, or the country's Art. 28 information.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partners.selectors import CustomerFlows
from portal.charts import text_width, wrap_label

WIDTH = 760
FONT = 12
LINE = 15
BOX_H = 42
GAP = 14
YOU_X, YOU_W = 8, 110
PARTNER_X, PARTNER_W = 200, 280
COUNTRY_X, COUNTRY_W = 570, 182
PROVIDED = "#0072B2"
MAY = "#595959"
TEXT = "#1a1a1a"


def _fit(text: str, width: float, lines: int = 2) -> list[str]:
    """At most `lines` lines of `text` within `width`; the last one cut with an ellipsis."""
    wrapped = wrap_label(text, width, FONT, max_lines=lines)
    if wrapped is not None:
        return wrapped
    out: list[str] = []
    current = ""
    for char in text:
        if text_width(current + char, FONT) > width:
            out.append(current)
            current = char
            if len(out) == lines:
                break
        else:
            current += char
    else:
        out.append(current)
    out = out[:lines]
    last = out[-1]
    if "".join(out) != text:
        while last and text_width(last + "…", FONT) > width:
            last = last[:-1]
        out[-1] = last + "…"
    return out


def _text(x: float, y: float, lines: list[str], *, anchor: str = "start", weight: str = "") -> str:
    spans = mark_safe(  # noqa: S308 - each piece is escaped by format_html
        "".join(
            format_html('<tspan x="{}" dy="{}">{}</tspan>', x, LINE if i else 0, line)
            for i, line in enumerate(lines)
        )
    )
    return format_html(
        '<text x="{}" y="{}" fill="{}" font-size="{}" text-anchor="{}"{}>{}</text>',
        x,
        y,
        TEXT,
        FONT,
        anchor,
        mark_safe(' font-weight="bold"') if weight else "",
        spans,
    )


def _box(x, y, w, h, *, title: str, lines: list[str], href: str, dashed: bool) -> str:
    inner = format_html(
        '<title>{}</title><rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="#ffffff" '
        'stroke="{}" stroke-width="1.5"{}/>{}',
        title,
        x,
        y,
        w,
        h,
        MAY if dashed else PROVIDED,
        mark_safe(' stroke-dasharray="5 4"') if dashed else "",
        mark_safe(_text(x + 8, y + 17 + (0 if len(lines) > 1 else 7), lines)),  # noqa: S308
    )
    if href:
        return format_html('<a href="{}" class="flow-node">{}</a>', href, inner)
    return format_html('<g class="flow-node">{}</g>', inner)


def _edge(x1, y1, x2, y2, *, dashed: bool, label: str = "") -> str:
    mid = (x1 + x2) / 2
    path = format_html(
        '<path d="M{} {} C{} {} {} {} {} {}" fill="none" stroke="{}" stroke-width="{}"{} '
        'marker-end="url(#flow-arrow-{})"/>',
        x1,
        y1,
        mid,
        y1,
        mid,
        y2,
        x2 - 2,
        y2,
        MAY if dashed else PROVIDED,
        1.5 if dashed else 2.5,
        mark_safe(' stroke-dasharray="5 4"') if dashed else "",
        "may" if dashed else "provided",
    )
    if label:
        path += format_html(
            '<text x="{}" y="{}" fill="{}" font-size="{}" text-anchor="end">{}</text>',
            x2 - 8,
            y2 - 5,
            TEXT,
            FONT - 1,
            label,
        )
    return path


def flow_diagram(flows: CustomerFlows) -> SafeString:
    """The SVG, or "" when no partner received or may receive the customer's data."""
    if not flows.partners:
        return mark_safe("")
    rows = len(flows.partners)
    height_partners = rows * BOX_H + (rows - 1) * GAP
    n_countries = len(flows.countries)
    height_countries = n_countries * BOX_H + (n_countries - 1) * GAP
    top = 40
    height = top + max(height_partners, height_countries, BOX_H) + 12
    countries_top = top + (max(height_partners, height_countries) - height_countries) / 2
    partners_top = top + (max(height_partners, height_countries) - height_partners) / 2
    country_y = {c.code: countries_top + i * (BOX_H + GAP) for i, c in enumerate(flows.countries)}
    you_y = top + (max(height_partners, height_countries) - BOX_H) / 2

    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart flow" id="data-flow" '
            # A group, not an image: its boxes are links (an image's content is not reachable).
            'role="group" aria-labelledby="data-flow-title" aria-describedby="data-flow-desc" '
            'viewBox="0 0 {} {}" '
            'width="{}" height="{}" font-family="sans-serif" font-size="{}">',
            WIDTH,
            int(height),
            WIDTH,
            int(height),
            FONT,
        ),
        format_html('<title id="data-flow-title">{}</title>', _("Where your data went")),
        format_html('<desc id="data-flow-desc">{}</desc>', _describe(flows)),
        "<defs>"
        + "".join(
            format_html(
                '<marker id="flow-arrow-{}" viewBox="0 0 10 10" refX="9" refY="5" '
                'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
                '<path d="M0 0 L10 5 L0 10 z" fill="{}"/></marker>',
                name,
                colour,
            )
            for name, colour in (("provided", PROVIDED), ("may", MAY))
        )
        + "</defs>",
    ]
    for x, label in (
        (YOU_X, _("You")),
        (PARTNER_X, _("Recipients")),
        (COUNTRY_X, _("Countries and regions")),
    ):
        parts.append(_text(x, 18, [label], weight="bold"))

    # Edges first, so boxes sit on top of them.
    for i, flow in enumerate(flows.partners):
        y = partners_top + i * (BOX_H + GAP)
        label = ""
        if flow.provided:
            n = flow.overview.provided_count
            label = ngettext("%(n)d time", "%(n)d times", n) % {"n": n}
        parts.append(
            _edge(
                YOU_X + YOU_W,
                you_y + BOX_H / 2,
                PARTNER_X,
                y + BOX_H / 2,
                dashed=not flow.provided,
                label=label,
            )
        )
        for code in flow.countries:
            parts.append(
                _edge(
                    PARTNER_X + PARTNER_W,
                    y + BOX_H / 2,
                    COUNTRY_X,
                    country_y[code] + BOX_H / 2,
                    dashed=not flow.provided,
                )
            )

    parts.append(
        _box(
            YOU_X,
            you_y,
            YOU_W,
            BOX_H,
            title=_("You"),
            lines=[_("You")],
            href="",
            dashed=False,
        )
    )
    for i, flow in enumerate(flows.partners):
        y = partners_top + i * (BOX_H + GAP)
        name = flow.partner.name
        state = (
            _("%(name)s: received your data") % {"name": name}
            if flow.provided
            else _("%(name)s: may receive your data") % {"name": name}
        )
        parts.append(
            _box(
                PARTNER_X,
                y,
                PARTNER_W,
                BOX_H,
                title=state,
                lines=_fit(name, PARTNER_W - 16),
                href=flow.public_url,
                dashed=not flow.provided,
            )
        )
    countries_url = reverse("partners:countries")
    for country in flows.countries:
        provided_there = any(f.provided and country.code in f.countries for f in flows.partners)
        parts.append(
            _box(
                COUNTRY_X,
                country_y[country.code],
                COUNTRY_W,
                BOX_H,
                title=country.name,
                lines=_fit(country.name, COUNTRY_W - 16),
                href=f"{countries_url}#country-{country.code}" if country.overseas else "",
                dashed=not provided_there,
            )
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built from format_html pieces


def _describe(flows: CustomerFlows) -> str:
    received = [f.partner.name for f in flows.partners if f.provided]
    may = [f.partner.name for f in flows.partners if not f.provided]
    sep = _(", ")
    parts = []
    if received:
        parts.append(_("Received your data: %(names)s.") % {"names": sep.join(received)})
    if may:
        parts.append(_("May receive your data: %(names)s.") % {"names": sep.join(may)})
    parts.append(
        _("Countries and regions: %(names)s.")
        % {"names": sep.join(c.name for c in flows.countries)}
    )
    parts.append(_("The table below has the same facts, with links."))
    return " ".join(parts)
