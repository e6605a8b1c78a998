"""Texts of the default policy file that pages show, marked for the message catalogue.

The policy file is the operator's data, in English; the portal looks each text up in the
catalogue when it shows it (``gettext(label)`` or ``{% translate label %}``), so a translated
text shows translated and an operator's own text shows as written.
"""

from django.utils.translation import gettext_noop

POLICY_TEXTS = (
    # hours
    gettext_noop("Mon-Fri 08:00-17:00, customer's local business days"),
    gettext_noop("Mon-Fri 08:00-20:00, customer's local business days"),
    gettext_noop("24x7"),
    gettext_noop("Best effort, no hours"),
    # severities
    gettext_noop("Severity 1"),
    gettext_noop("Severity 2"),
    gettext_noop("Severity 3"),
    gettext_noop("Severity 4"),
    gettext_noop(
        "A critical component or system is down or unreachable; production is down or in an "
        "emergency; needs an immediate fix or workaround."
    ),
    gettext_noop("Production is degraded but up; the product works but is severely limited."),
    gettext_noop("A non-production problem; most functions usable; easy workaround."),
    gettext_noop(
        "A minor problem or question, no production impact (how-to, typo in a message or "
        "document, general feedback)."
    ),
)
