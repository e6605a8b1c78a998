from django.contrib import admin
from django.urls import include, path, re_path

from supportdesk.api.root import api, not_found
from supportdesk.portal.forms import AdminSignInForm

admin.site.login_form = AdminSignInForm  # the same sign-in throttling as the portal's

urlpatterns = [
    path("", include("supportdesk.portal.urls")),
    path("console/", include("supportdesk.console.urls")),
    path("admin/", admin.site.urls),
    path("reports/", include("supportdesk.reports.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", not_found),
]
