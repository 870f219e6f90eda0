"""Error pages in the site's layout and the visitor's language, each with a way on: back to
where the visitor came from (when that is this site), their page or the sign-in, the home
page and the contact form."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme


def back_url(request: HttpRequest) -> str | None:
    """The page the visitor came from, when it is one of ours and not this one."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return None if referer.endswith(request.get_full_path()) else referer


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    context = {"back_url": back_url(request), "sign_in_next": request.get_full_path()}
    return render(request, "public/errors/403.html", context, status=403)


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    context = {"back_url": back_url(request), "sign_in_next": request.get_full_path()}
    return render(request, "public/errors/404.html", context, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the error may come from one of them.
    context = {"back_url": back_url(request)}
    return HttpResponse(render_to_string("public/errors/500.html", context), status=500)
