from django.contrib.auth.models import AbstractUser
from django.db import models

from supportdesk.accounts.validators import validate_language_tag, validate_time_zone


class User(AbstractUser):
    """A person who signs in: customer contact, partner, engineer or staff.

    Custom from the first migration, so that fields can be added without swapping models.
    """

    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA time zone in which this person reads times, such as Europe/Prague.",
    )
    language = models.CharField(
        max_length=35,
        default="en",
        validators=[validate_language_tag],
        help_text="Language tag for pages and mail, such as en or cs.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_username()
