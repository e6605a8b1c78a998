"""The portal in a real browser: Debian's Chromium driven by Playwright (no browser is ever
downloaded). One journey: sign in, open a case through the wizard, see it on the home page
with its due time in the viewer's zone, reply, switch to Czech; on every page the strict
Content-Security-Policy reports no violation, an accessibility check in the page finds nothing,
and a phone-sized screen needs no sideways scrolling. Screenshots go to the test's tmp_path
(a phone-sized one of a page that is too wide).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from supportdesk.cases.models import Case, Comment
from tests.cases.test_services import make_customer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("SUPPORTDESK_BROWSER_TESTS") == "required"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # a dozen pages in a real browser: seconds on a quiet machine, more on a busy one
    pytest.mark.timeout(600),
    pytest.mark.skipif(
        CHROMIUM is None and not REQUIRED,
        reason="Debian's chromium is not installed (apt-get install chromium)",
    ),
]

PASSWORD = "a long demo passphrase"

#: The accessibility check evaluated in each page (what it checks: the file's comment).
A11Y_CHECK = (Path(__file__).parent / "a11y_check.js").read_text().split("\n", 5)[5]


@pytest.fixture
def browser_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        pytest.fail("Debian's chromium is required here: apt-get install chromium")
    # Playwright's sync API runs an event loop in this thread: the ORM calls the test makes
    # between browser steps are plain synchronous calls all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(locale="en-GB", viewport={"width": 1100, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)
        violations: list[str] = []
        page.csp_violations = violations  # type: ignore[attr-defined]

        def console(message: Any) -> None:
            if "Content Security Policy" in message.text:
                violations.append(message.text)

        page.on("console", console)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def check_page(page: Any, tmp_path: Path, name: str) -> None:
    """No CSP violation so far, nothing the accessibility check finds, and no sideways
    scrolling on a phone-sized screen; a screenshot of both sizes."""
    page.wait_for_load_state("load")
    assert page.csp_violations == [], page.csp_violations
    problems = page.evaluate(A11Y_CHECK)
    assert problems == [], f"{name}: {problems}"
    page.screenshot(path=str(tmp_path / f"{name}.png"))
    size = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 740})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        page.screenshot(path=str(tmp_path / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(size)
    assert overflow <= 0, f"{name}: {overflow}px wider than a phone screen"


def test_sign_in_open_a_case_reply_and_switch_to_czech(
    browser_page: Any, live_server: Any, tmp_path: Path
) -> None:
    page = browser_page
    customer = make_customer()
    admin = customer.admin
    admin.username, admin.time_zone, admin.email = "nora", "America/New_York", "nora@acme.example"
    admin.set_password(PASSWORD)
    admin.save()
    url = live_server.url

    # sign in
    page.goto(f"{url}/")
    page.get_by_label("Username").fill("nora")
    page.get_by_label("Password").fill(PASSWORD)
    check_page(page, tmp_path, "01-sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your support"
    assert page.get_by_text("0 open cases").is_visible()

    # the wizard, step 1: the Support ID and version, checked at once
    page.get_by_role("link", name="Open a case").first.click()
    page.get_by_label("Technical problem").check()
    page.get_by_label("Support ID").fill("sid-aaaa-bbbb-cccc")
    page.get_by_label("Product version").fill("12.1")
    check_page(page, tmp_path, "02-wizard-support-id")
    page.get_by_role("button", name="Next").click()
    # step 2: the entitlement is shown; the problem
    assert page.locator(".entitlement-box .badge").inner_text() == "Production"
    page.get_by_role("button", name="Next").click()  # nothing typed: the fields say so
    assert page.locator("#id_subject-error").inner_text() == "This field is required."
    page.get_by_label("Subject").fill("Backups fail every night")
    page.get_by_label("Description").fill("Every job fails at 3 a.m. since the upgrade.")
    page.get_by_label("Severity 2:").check()
    page.get_by_label("Business impact").fill("No backups of the file servers.")
    check_page(page, tmp_path, "03-wizard-problem")
    page.get_by_role("button", name="Next").click()
    # step 3: how to reach the person; the e-mail is theirs already
    assert page.get_by_label("E-mail address").input_value() == "nora@acme.example"
    page.get_by_label("Phone number").fill("+49 30 1234567")
    check_page(page, tmp_path, "04-wizard-contact")
    page.get_by_role("button", name="Open the case").click()

    case = Case.objects.get()
    page.wait_for_url(f"{url}/cases/{case.number}/")
    assert page.get_by_role("status").inner_text() == (
        f"Case {case.number} is open. We sent its number to nora@acme.example."
    )
    assert case.first_response_due_at is not None
    with translation.override("en"), timezone.override("America/New_York"):
        due = date_format(timezone.localtime(case.first_response_due_at), "DATETIME_FORMAT")
    assert page.locator(".clock-box .due").inner_text() == (
        f"First response due by {due} (America/New_York, your time)"
    )
    check_page(page, tmp_path, "05-case")

    # the home page lists it with its due time
    page.get_by_role("link", name="Home").click()
    row = page.get_by_role("row").filter(has_text=case.number)
    assert row.get_by_role("cell").nth(4).inner_text() == f"due by {due}"
    assert page.get_by_text("1 open case", exact=True).is_visible()
    check_page(page, tmp_path, "06-home")

    # reply
    row.get_by_role("link", name=case.number).click()
    page.get_by_label("Your reply").fill("The logs are on the file share.")
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_url(f"{url}/cases/{case.number}/#comments")
    assert page.locator(".timeline .comment .prose").inner_text() == (
        "The logs are on the file share."
    )
    assert Comment.objects.get().body == "The logs are on the file share."

    # switch to Czech: the page, its dates and the preference follow
    page.get_by_label("Language").select_option("cs")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_url(f"{url}/cases/{case.number}/")
    assert page.locator("html").get_attribute("lang") == "cs"
    assert page.get_by_role("heading", name="Konverzace").is_visible()
    with translation.override("cs"), timezone.override("America/New_York"):
        due_cs = date_format(timezone.localtime(case.first_response_due_at), "DATETIME_FORMAT")
    assert page.locator(".clock-box .due").inner_text() == (
        f"První odpověď nejpozději {due_cs} (America/New_York, váš čas)"
    )
    check_page(page, tmp_path, "07-case-czech")
    admin.refresh_from_db()
    assert admin.language == "cs"

    # the other pages pass the same checks
    for name, path in (("08-cases", "/cases/?state=all"), ("09-licenses", "/licenses/")):
        page.goto(f"{url}{path}")
        check_page(page, tmp_path, name)
    with page.expect_navigation():  # else the checks can run while the old page unloads
        page.locator("table.licenses a").first.click()
    check_page(page, tmp_path, "10-license")
    page.goto(f"{url}/when/")
    page.get_by_role("button", name="Zobrazit lhůtu").click()
    page.locator("#when-result .answer").wait_for()
    check_page(page, tmp_path, "11-when")
