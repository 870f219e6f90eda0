"""Printable documents as PDF, by WeasyPrint (needs Debian's Pango, which bin/run and
bin/services install). Templates include "includes/print_page.css" for the page size and the
Japanese fonts (fonts-noto-cjk), so that every document prints the same way: incident reports
(APPI-26) and disclosure packages for paper delivery (LW-6.1)."""

from __future__ import annotations


def pdf_from_html(html: str) -> bytes:
    """The PDF of a self-contained HTML document (no external resources are fetched)."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args, **kwargs):
    # A package holds what customers typed: nothing in it may make the renderer fetch a URL.
    raise ValueError(f"external resource refused: {url[:80]}")
