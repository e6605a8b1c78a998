from django.contrib.auth import views as auth_views
from django.urls import path

from supportdesk.portal import licenses, survey, views
from supportdesk.portal.forms import SignInForm

app_name = "portal"

urlpatterns = [
    path("when/", views.when, name="when"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="portal/pages/login.html",
            authentication_form=SignInForm,
            extra_context={"title": "Sign in"},
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("licenses/", licenses.license_list, name="licenses"),
    path("licenses/<int:pk>/", licenses.license_detail, name="license"),
    path("survey/<str:token>/", survey.survey, name="survey"),
]
