from django.urls import path

from supportdesk.console import knowledge, views

app_name = "console"

urlpatterns = [
    path("", views.my_cases, name="mine"),
    path("queue/", views.team_queue, name="queue"),
    path("manager/", views.manager, name="manager"),
    path(
        "manager/requests/<int:request_id>/answer/",
        views.manager_request_answer,
        name="manager_answer",
    ),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/<slug:action>/", views.case_action, name="action"),
    path("kb/", knowledge.article_list, name="kb"),
    path("kb/new/", knowledge.article_new, name="kb_new"),
    path("kb/<int:pk>/", knowledge.article_edit, name="kb_edit"),
]
