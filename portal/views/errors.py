"""Error pages in the site's layout and the visitor's language."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "public/errors/403.html", status=403)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "public/errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the error may come from one of them.
    return HttpResponse(render_to_string("public/errors/500.html"), status=500)
