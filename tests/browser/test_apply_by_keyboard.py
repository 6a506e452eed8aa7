"""Applying to a course with the keyboard alone: from the website's course listing, Tab to the
apply button, follow it, sign in, fill in and send the application, and see it confirmed. Every
stop shows where the focus is."""

import pytest

from training.models import Application, Cohort

from .test_sign_in import demo  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 80

FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), name: el.getAttribute('name'), type: el.getAttribute('type'),
    href: el.getAttribute('href'), text: (el.innerText || el.value || '').trim().slice(0, 80),
    outline: style.outlineStyle, width: parseFloat(style.outlineWidth) || 0,
    visible: el.matches(':focus-visible'),
  };
}"""


def tab_to(page, matches, stops: list) -> dict:
    """Press Tab until the focused element matches; every stop on the way must show its focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        if focus is None:
            continue
        assert focus["visible"] and focus["outline"] != "none" and focus["width"] >= 2, (
            f"focus not visible on {focus}"
        )
        stops.append(focus)
        if matches(focus):
            return focus
    raise AssertionError(f"not reached with Tab; stops were {[s['tag'] + ':' + (s['text'] or '') for s in stops]}")


def test_apply_to_a_course_with_the_keyboard_alone(browser, live_server, demo):  # noqa: F811
    applied = Application.objects.filter(applicant__email="peer@example.org").values("cohort")
    cohort = (
        Cohort.objects.filter(name__startswith="2026年度", pair_applications=False)
        .exclude(pk__in=applied).first()
    )
    assert cohort is not None, "the demo has an open cohort the demo peer has not applied to"
    apply_path = f"/en/training/cohorts/{cohort.pk}/apply/"

    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    stops: list = []
    page.goto(f"{live_server.url}/en/courses/")

    # The first stop is the skip link; then on through the page to this cohort's apply button.
    first = tab_to(page, lambda f: True, stops)
    assert first["href"] == "#main"
    tab_to(page, lambda f: f["href"] == apply_path, stops)
    page.keyboard.press("Enter")

    # Not signed in yet: the sign-in page, which returns to the application afterwards.
    page.wait_for_url("**/en/accounts/login/**")
    tab_to(page, lambda f: f["name"] == "login", stops)
    page.keyboard.type("peer@example.org")
    tab_to(page, lambda f: f["name"] == "password", stops)
    page.keyboard.type("kakehashi-demo")
    tab_to(page, lambda f: f["tag"] == "button" and f["type"] == "submit" and f["text"] == "Sign In", stops)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{apply_path}")

    # The application form: an accommodation request typed in, consent ticked with Space.
    tab_to(page, lambda f: f["name"] == "accommodation_request", stops)
    page.keyboard.type("Written instructions, please.")
    accommodation_consent = tab_to(page, lambda f: f["name"] == "accommodation_consent", stops)
    assert accommodation_consent["type"] == "checkbox"
    page.keyboard.press("Space")
    consent = tab_to(page, lambda f: f["name"] == "consent", stops)
    assert consent["type"] == "checkbox"
    page.keyboard.press("Space")
    assert page.locator('input[name="consent"]').is_checked()
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Send application", stops)
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/en/me/training/")
    assert "Your application has been sent" in page.locator(".messages").inner_text()
    application = Application.objects.get(applicant__email="peer@example.org", cohort=cohort)
    assert application.accommodation_request == "Written instructions, please."
    assert len(stops) > 5
    context.close()
