from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from supportdesk.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Preferences", {"fields": ("time_zone", "language")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "time_zone")
