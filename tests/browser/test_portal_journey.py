"""The portal in a real browser: Debian's Chromium driven by Playwright (no browser is ever
downloaded). One journey: sign in, open a case through the wizard while it suggests a
knowledge-base article, see it on the home page with its due time in the viewer's zone, upload
a log file whose connection drops mid-way and resumes, reply, see the due time move once
support agrees a new severity, switch to Czech, and answer the survey once the case is closed.
On every page the strict Content-Security-Policy reports no violation, an accessibility check
in the page finds nothing, and a phone-sized screen needs no sideways scrolling. Each step's
screenshot goes to the test's tmp_path (the path is printed; a phone-sized one of a page that
is too wide).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from supportdesk.attachments.models import Attachment
from supportdesk.attachments.storage import get_storage
from supportdesk.cases import services as case_services
from supportdesk.cases.models import Case, Comment
from supportdesk.surveys.models import Survey
from tests.accounts.factories import StaffFactory
from tests.cases.test_services import make_customer
from tests.knowledge.factories import ArticleFactory

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


def _log_file(tmp_path: Path) -> Path:
    """A log file of four upload chunks and a bit (64 KiB each), different in every line."""
    lines = [f"03:00:{i % 60:02d} job {i} failed: VSS writer timeout\n" for i in range(6000)]
    path = tmp_path / "backup-job.log"
    path.write_text("".join(lines))
    return path


def test_the_customer_journey_from_sign_in_to_the_survey(
    browser_page: Any, live_server: Any, tmp_path: Path, settings: Any
) -> None:
    print(f"screenshots: {tmp_path}")
    settings.SUPPORTDESK_PORTAL_UPLOAD_CHUNK_BYTES = 64 * 1024
    page = browser_page
    customer = make_customer()
    article = ArticleFactory.create(
        title="Backups fail after an upgrade", body="Rescan the repository, then retry the job."
    )
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
    # the knowledge base suggests an article from the words typed so far
    suggestion = page.locator("#kb-suggestions").get_by_role("link", name=article.title)
    suggestion.wait_for()
    check_page(page, tmp_path, "03-wizard-suggestion")
    page.get_by_label("Description").fill("Every job fails at 3 a.m. since the upgrade.")
    page.get_by_label("Severity 2:").check()
    page.get_by_label("Business impact").fill("No backups of the file servers.")
    check_page(page, tmp_path, "04-wizard-problem")
    page.get_by_role("button", name="Next").click()
    # step 3: how to reach the person; the e-mail is theirs already
    assert page.get_by_label("E-mail address").input_value() == "nora@acme.example"
    page.get_by_label("Phone number").fill("+49 30 1234567")
    check_page(page, tmp_path, "05-wizard-contact")
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
    check_page(page, tmp_path, "06-case")

    # the home page lists it with its due time
    page.get_by_role("link", name="Home").click()
    row = page.get_by_role("row").filter(has_text=case.number)
    assert row.get_by_role("cell").nth(4).inner_text() == f"due by {due}"
    assert page.get_by_text("1 open case", exact=True).is_visible()
    check_page(page, tmp_path, "07-home")

    # upload a log file: the connection drops after the server took the second chunk (the
    # answer never reaches the browser), the page asks where the upload stands and goes on
    log = _log_file(tmp_path)
    row.get_by_role("link", name=case.number).click()
    patches: list[str] = []

    def drop_the_second_answer(route: Any) -> None:
        if route.request.method == "PATCH":
            patches.append(route.request.headers["upload-offset"])
            if len(patches) == 2:
                route.fetch()  # the server stores the chunk ...
                route.abort("connectionreset")  # ... and the browser hears nothing back
                return
        route.continue_()

    page.route("**/api/v1/uploads/*", drop_the_second_answer)
    page.get_by_label("Upload logs").set_input_files(str(log))
    check_page(page, tmp_path, "08-upload-chosen")
    page.get_by_role("button", name="Upload", exact=True).click()
    # the page sets the #attachments hash (a same-document navigation) and then reloads: wait
    # for the reloaded page's list rather than for "a navigation", which the hash alone ends
    page.locator("table.attachments").get_by_role("link", name="backup-job.log").wait_for(
        timeout=60_000
    )
    page.unroute("**/api/v1/uploads/*")
    chunk = 64 * 1024
    size = log.stat().st_size
    # the third chunk went from the offset the server reported, not a resend of the second
    assert patches[:4] == ["0", str(chunk), str(2 * chunk), str(3 * chunk)]
    assert len(patches) == -(-size // chunk)  # each chunk sent once: the dropped one was kept
    attachment = Attachment.objects.get(case=case)
    stored = b"".join(get_storage().read(attachment.storage_key))
    original = hashlib.sha256(log.read_bytes()).hexdigest()
    assert (attachment.size, attachment.sha256) == (size, original)
    assert hashlib.sha256(stored).hexdigest() == original
    assert page.locator("table.attachments").get_by_role("link", name="backup-job.log").is_visible()
    check_page(page, tmp_path, "09-uploaded")

    # reply
    page.get_by_label("Your reply").fill("The logs are on the file share.")
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_url(f"{url}/cases/{case.number}/#comments")
    assert page.locator(".timeline .comment .prose").inner_text() == (
        "The logs are on the file share."
    )
    assert Comment.objects.get().body == "The logs are on the file share."
    check_page(page, tmp_path, "10-replied")

    # ask for Severity 1; support agrees it, and the first-response due time moves
    page.get_by_label("New severity").select_option("1")
    page.get_by_label("Why: how has the business impact changed?").fill("Every site is down.")
    page.get_by_role("button", name="Ask for this severity").click()
    page.locator(".badge-pending").wait_for()
    engineer = StaffFactory.create()
    case.refresh_from_db()
    case_services.case_agree_severity(
        actor=engineer,
        case=case,
        severity=1,
        reason="Agreed: every site is down.",
        expected_version=case.version,
        at=timezone.now(),
    )
    case.refresh_from_db()
    with translation.override("en"), timezone.override("America/New_York"):
        due_now = date_format(timezone.localtime(case.first_response_due_at), "DATETIME_FORMAT")
    assert due_now != due
    page.reload()
    assert page.locator(".clock-box .due").inner_text() == (
        f"First response due by {due_now} (America/New_York, your time)"
    )
    assert page.locator(".case-state").get_by_text("Severity 1", exact=True).is_visible()
    check_page(page, tmp_path, "11-severity-agreed")

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
    check_page(page, tmp_path, "12-case-czech")
    admin.refresh_from_db()
    assert admin.language == "cs"

    # support resolves the case; the customer confirms it, and answers the survey
    case.refresh_from_db()
    case_services.case_transition(
        actor=engineer,
        case=case,
        status="resolved",
        expected_version=case.version,
        at=timezone.now(),
    )
    page.reload()
    with translation.override("cs"):
        close = translation.gettext("Confirm the resolution and close the case")
        answer = translation.gettext("Answer the satisfaction survey")
        send = translation.gettext("Send")
        thanks = translation.gettext("Thank you: your answers are recorded.")
    page.get_by_role("button", name=close).click()
    page.get_by_role("link", name=answer).click()
    page.wait_for_url(f"{url}/cases/{case.number}/survey/")
    check_page(page, tmp_path, "13-survey")
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("4", exact=True).check()
    page.get_by_role("textbox").fill("Quick once the logs were in.")
    page.get_by_role("button", name=send, exact=True).click()
    assert page.get_by_role("status").inner_text() == thanks
    check_page(page, tmp_path, "14-survey-answered")
    survey = Survey.objects.get(case=case)
    assert (survey.overall, survey.comment) == (4, "Quick once the logs were in.")
    assert survey.answered_at is not None

    # the other pages pass the same checks
    for name, path in (("15-cases", "/cases/?state=all"), ("16-licenses", "/licenses/")):
        page.goto(f"{url}{path}")
        check_page(page, tmp_path, name)
    with page.expect_navigation():  # else the checks can run while the old page unloads
        page.locator("table.licenses a").first.click()
    check_page(page, tmp_path, "17-license")
    for name, path in (
        ("18-downloads", "/downloads/"),
        ("19-knowledge-base", "/kb/"),
        ("21-delegations", "/delegations/"),
    ):
        page.goto(f"{url}{path}")
        check_page(page, tmp_path, name)
    page.goto(f"{url}/when/")
    page.get_by_role("button", name="Zobrazit lhůtu").click()
    page.locator("#when-result .answer").wait_for()
    check_page(page, tmp_path, "20-when")
