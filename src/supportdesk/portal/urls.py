from django.contrib.auth import views as auth_views
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from supportdesk.portal import (
    cases,
    delegations,
    downloads,
    invitations,
    knowledge,
    languages,
    licenses,
    passwords,
    people,
    survey,
    views,
    wizard,
)
from supportdesk.portal.forms import SignInForm

app_name = "portal"

urlpatterns = [
    path("", cases.home, name="home"),
    path("when/", views.when, name="when"),
    path("phone/", views.support_numbers, name="phone"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="portal/pages/login.html",
            authentication_form=SignInForm,
            extra_context={"title": _("Sign in")},
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", passwords.password_reset, name="password_reset"),
    path("password-reset/sent/", passwords.password_reset_sent, name="password_reset_sent"),
    path(
        "password-reset/<int:uid>/<str:token>/",
        passwords.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("invite/<str:token>/", invitations.invitation, name="invitation"),
    path("language/", languages.language_set, name="language"),
    path("licenses/", licenses.license_list, name="licenses"),
    # GET only here; a refused update request re-renders it through license_detail itself
    path("licenses/<int:pk>/", require_GET(licenses.license_detail), name="license"),
    path(
        "licenses/<int:pk>/update-request/",
        licenses.license_update_request,
        name="license_update_request",
    ),
    path("delegations/", delegations.delegation_list, name="delegations"),
    path("delegations/new/", delegations.delegation_create, name="delegation_create"),
    path("delegations/<int:pk>/end/", delegations.delegation_end, name="delegation_end"),
    path("people/", people.people, name="people"),
    path("people/invite/", people.people_invite, name="people_invite"),
    path(
        "people/invitations/<int:pk>/withdraw/",
        people.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("people/members/<int:pk>/role/", people.member_role, name="member_role"),
    path("people/members/<int:pk>/remove/", people.member_remove, name="member_remove"),
    path("survey/<str:token>/", survey.survey, name="survey"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/new/", wizard.case_new, name="case_new"),
    # GET only here; the case page's own forms re-render it through case_detail itself
    path("cases/<str:number>/", require_GET(cases.case_detail), name="case"),
    path("cases/<str:number>/comments/", cases.case_comment, name="case_comment"),
    path("cases/<str:number>/severity/", cases.case_severity, name="case_severity"),
    path("cases/<str:number>/status/", cases.case_transition, name="case_transition"),
    path("cases/<str:number>/manager/", cases.case_manager, name="case_manager"),
    path("cases/<str:number>/survey/", survey.case_survey, name="case_survey"),
    path("downloads/", downloads.download_index, name="downloads"),
    path("downloads/digest/", downloads.download_digest, name="download_digest"),
    path("downloads/versions/<int:pk>/", downloads.download_version, name="download_version"),
    path("downloads/releases/<int:pk>/file/", downloads.download_file, name="download_file"),
    path("kb/", knowledge.kb_index, name="kb"),
    path("kb/ask/", knowledge.kb_ask, name="kb_ask"),
    path("kb/suggest/", knowledge.kb_suggest, name="kb_suggest"),
    path("kb/sessions/<int:pk>/solved/", knowledge.kb_solved, name="kb_solved"),
    path("kb/sessions/<int:pk>/articles/<int:article>/", knowledge.kb_open, name="kb_open"),
    path("kb/<slug:slug>/", knowledge.kb_article, name="kb_article"),
]
