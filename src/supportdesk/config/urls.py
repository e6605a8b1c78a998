from django.contrib import admin
from django.urls import include, path, re_path

from supportdesk.api.root import api, not_found
from supportdesk.portal.forms import AdminSignInForm

admin.site.login_form = AdminSignInForm  # the same sign-in throttling as the portal's

urlpatterns = [
    # the API first: its requests are the most frequent, and behind the portal's patterns
    # each one was matched against every portal page first (90-odd patterns a request)
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", not_found),
    path("console/", include("supportdesk.console.urls")),
    path("admin/", admin.site.urls),
    path("reports/", include("supportdesk.reports.urls")),
    path("", include("supportdesk.portal.urls")),
]
