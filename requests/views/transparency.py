"""The public transparency report: anyone may read it, in Japanese or English."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from requests import transparency
from requests.transparency_display import csv_rows, sections


def _year(year: int | None) -> tuple[int, list[int]]:
    years = transparency.available_years()
    if year is None:
        return years[0], years
    if year not in years:
        raise Http404(_("There is no transparency report for that year."))
    return year, years


def report(request: HttpRequest, year: int | None = None) -> HttpResponse:
    year, years = _year(year)
    data = transparency.report_for(year)
    count_sections, times = sections(data)
    return render(
        request,
        "public/requests/transparency.html",
        {
            "report": data,
            "years": years,
            "sections": count_sections,
            "times": times,
        },
    )


def report_csv(request: HttpRequest, year: int) -> HttpResponse:
    year, _years = _year(year)
    data = transparency.report_for(year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="transparency-{year}.csv"'
    # A byte-order mark, so that spreadsheet programs read the Japanese text as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerows(csv_rows(data) if data.published else csv_rows(data)[:1])
    return response
