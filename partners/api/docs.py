"""The API's documentation page, rendered by the portal from the OpenAPI document: no
Swagger UI from a CDN, nothing but our own HTML and styles."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from partners.api.views import api

METHODS = ("get", "post", "put", "patch", "delete")
# Where a parameter goes, in the reader's words (OpenAPI's `in`).
LOCATIONS = {
    "path": _("in the path"),
    "query": _("in the query string"),
    "header": _("in a header"),
    "cookie": _("in a cookie"),
}


def page(request: HttpRequest) -> HttpResponse:
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    operations = []
    for route, item in schema["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            operations.append(
                {
                    "method": method.upper(),
                    "path": route,
                    "summary": op.get("summary", ""),
                    "parameters": [
                        {**p, "where": LOCATIONS.get(p.get("in"), p.get("in"))}
                        for p in op.get("parameters", [])
                    ],
                    "body": body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1],
                    "responses": sorted(op.get("responses", {}).items()),
                }
            )
    components = {
        name: json.dumps(value, indent=2, ensure_ascii=False)
        for name, value in sorted(schema.get("components", {}).get("schemas", {}).items())
    }
    return render(
        request,
        "public/partners/api_docs.html",
        {"info": schema["info"], "operations": operations, "components": components},
    )
