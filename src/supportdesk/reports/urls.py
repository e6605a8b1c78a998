from django.urls import path

from supportdesk.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.sla, name="sla"),
    path("backlog/", views.backlog, name="backlog"),
    path("work/", views.work_page, name="work"),
    path("satisfaction/", views.satisfaction_page, name="satisfaction"),
    path("<slug:name>.csv", views.csv_export, name="csv"),
]
