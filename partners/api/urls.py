"""URLs of the partner API, mounted at /api/v1/ by portal.urls."""

from django.urls import path

from partners.api import docs
from partners.api.views import api

urlpatterns = [
    path("docs/", docs.page, name="api_docs"),
    path("", api.urls),
]
