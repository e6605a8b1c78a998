from django.urls import path

from supportdesk.portal import views

app_name = "portal"

urlpatterns = [
    path("when/", views.when, name="when"),
]
