"""Browser test: the help pages in English (axe-checked, German UI terms marked lang="de")."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("audience, heading", [
    ("bewerbende", "Help for applicants"),
    ("jury", "Help for jury members"),
    ("geschaeftsstelle", "Help for the prize office"),
])
def test_english_help_pages(page, live_server, audience, heading):
    page.goto(f"/sprache/en?next=/hilfe/{audience}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.locator('main [lang="de"]').count() > 0
