"""Receipt, certificate and minutes are tagged PDFs (PDF/UA-1) that stay PDF/A (PDF/A-3a):
the structure tree, language, headings, figures with alternative text, both identifications
in the XMP metadata, and that all marked content is either in the structure tree or an
artifact (the running footer) are read back from the files with pikepdf. pdfua's checks of
the same files are in test_pdf_ua_checker.py."""
import io
import logging
import re
from datetime import date

import pikepdf
import pytest

from awards.adapters import pdf as pdf_adapter
from awards.adapters.storage import get_storage
from awards.services import certificates
from awards.services.jury import minutes
from tests import factories


def _walk(element, found):
    """Collect (structure type, element) pairs below a structure element, depth first."""
    kids = element.get("/K")
    if kids is None:
        return
    if not isinstance(kids, pikepdf.Array):
        kids = [kids]
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            found.append((str(kid.S)[1:], kid))
            _walk(kid, found)


def _marked_content(page):
    """The properties of each BDC on the page: (tag, properties dictionary or None)."""
    for instruction in pikepdf.parse_content_stream(page):
        if isinstance(instruction, pikepdf.ContentStreamInstruction) and str(instruction.operator) == "BDC":
            properties = instruction.operands[-1]
            yield str(instruction.operands[0]), properties if isinstance(properties, pikepdf.Dictionary) else None


def content_outside_tree(pdf, elements):
    """(page, MCID) of marked content whose MCID does not lead, through the parent tree, to
    an element of the structure tree: neither content a screen reader gets nor an artifact."""
    in_tree = {element.objgen for _, element in elements}
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2)}
    outside = []
    for number, page in enumerate(pdf.pages, start=1):
        slots = parents.get(int(page.obj.get("/StructParents", -1)))
        for _, properties in _marked_content(page):
            if properties is None or "/MCID" not in properties:
                continue
            mcid = int(properties.MCID)
            parent = slots[mcid] if isinstance(slots, pikepdf.Array) and mcid < len(slots) else None
            if not isinstance(parent, pikepdf.Dictionary) or parent.objgen not in in_tree:
                outside.append((number, mcid))
    return outside


def pagination_artifacts(pdf):
    """Per page, how many marked-content sequences are artifacts of type Pagination."""
    return [sum(1 for tag, properties in _marked_content(page)
                if tag == "/Artifact" and properties is not None
                and properties.get("/Type") == pikepdf.Name.Pagination)
            for page in pdf.pages]


def structure(data):
    """What an assistive technology gets from the file, as plain values."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        elements = []
        _walk(root.StructTreeRoot, elements)
        xmp = root.Metadata.read_bytes().decode()
        return {
            "outside_tree": content_outside_tree(pdf, elements),
            "pagination": pagination_artifacts(pdf),
            "marked": bool(root.MarkInfo.Marked),
            "lang": str(root.get("/Lang", "")),
            "display_title": bool(root.ViewerPreferences.DisplayDocTitle),
            "types": [name for name, _ in elements],
            "figures": [str(el.get("/Alt", "")) for name, el in elements if name == "Figure"],
            "pdfa": (re.search(r'pdfaid:part(?:>|=")(\d)', xmp).group(1),
                     re.search(r'pdfaid:conformance(?:>|=")([A-Z])', xmp).group(1)),
            "pdfua": re.search(r'pdfuaid:part(?:>|=")(\d)', xmp).group(1),
            "pdfua_schema": "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp,
            "title": re.search(r"<dc:title>.*?<rdf:li[^>]*>(.*?)</rdf:li>", xmp, re.S).group(1),
        }


def weasyprint_errors(caplog):
    """What WeasyPrint reports while tagging: a missing lang or alt text is logged as ERROR."""
    return [r.getMessage() for r in caplog.records
            if r.name.startswith("weasyprint") and r.levelno >= logging.ERROR]


def headings(types):
    return [t for t in types if re.fullmatch(r"H[1-6]", t)]


@pytest.fixture
def laureate(app):
    comp, winners, _ = factories.released_competition(winners=1, others=0, prize_code="UFR", year=2025,
                                               title="Integrationspreis der Regierung von Unterfranken")
    certificates.save_settings(actor=None, competition=comp, show_amount=True, place="Würzburg",
                               issue_date=date(2025, 10, 17), tribute="",
                               signatories=[{"name": "Dr. Erika Beispiel", "title": "Regierungspräsidentin"}])
    return winners[0]


def test_certificate_is_tagged_pdfua_and_pdfa3a_with_logo_and_qr_alt(laureate, caplog):
    storage = get_storage()
    cert, _ = certificates.ensure_certificate(actor=None, application=laureate, storage=storage)
    s = structure(storage.read(cert.storage_key))
    assert (s["marked"], s["lang"], s["display_title"]) == (True, "de", True)
    assert s["pdfa"] == ("3", "A") and s["pdfua"] == "1" and s["pdfua_schema"] is True
    assert s["title"].startswith("Urkunde Integrationspreis der Regierung von Unterfranken 2025")
    assert headings(s["types"]) == ["H1"]
    # The signatures are laid out as a table but are no data table.
    assert "Table" not in s["types"] and "TD" not in s["types"]
    assert s["outside_tree"] == [] and s["pagination"] == [0]
    assert s["figures"] == ["Logo: Integrationspreis der Regierung von Unterfranken",
                            "QR-Code zur Echtheitsprüfung der Urkunde, Prüfcode " + cert.code]
    assert weasyprint_errors(caplog) == []


def test_receipt_is_tagged_with_headings_per_section(app, caplog):
    comp = factories.competition(prize_code="BIP")
    application = factories.submitted_application(comp, via_service=True)
    s = structure(get_storage().read(application.receipt_key))
    assert (s["marked"], s["lang"], s["display_title"]) == (True, "de", True)
    assert s["pdfa"] == ("3", "A") and s["pdfua"] == "1"
    found = headings(s["types"])
    assert found[0] == "H1" and found.count("H1") == 1
    assert set(found[1:]) == {"H2"}
    assert "L" in s["types"] and "LI" in s["types"]
    # "Seite 1 von 2" in the page margin is a pagination artifact on every page.
    assert s["outside_tree"] == [] and set(s["pagination"]) == {1}
    assert weasyprint_errors(caplog) == []


def test_weasyprint_alone_leaves_the_running_footer_outside_the_tree(app, monkeypatch):
    monkeypatch.setattr(pdf_adapter, "mark_content_outside_tree_as_artifacts", lambda pdf: None)
    comp = factories.competition(prize_code="BIP")
    application = factories.submitted_application(comp, via_service=True)
    s = structure(get_storage().read(application.receipt_key))
    pages = len(s["pagination"])
    assert set(s["pagination"]) == {0} and len(s["outside_tree"]) == pages
    assert "H1" in s["types"]


def test_minutes_are_tagged_with_nested_headings(app, caplog):
    comp, _, _ = factories.released_competition(winners=1, others=0)
    factories.juror(comp, is_chair=True, name="Johanna Vorsitz")
    data = minutes.minutes_data(competition=comp, session_date=date(2026, 3, 12), place="München",
                                present_ids=[], recorder="Miriam Ministerium")
    s = structure(minutes.render_minutes_pdf(data, storage=get_storage()))
    assert (s["marked"], s["lang"]) == (True, "de")
    assert s["pdfa"] == ("3", "A") and s["pdfua"] == "1"
    found = headings(s["types"])
    assert found[0] == "H1" and found.count("H1") == 1 and "H2" in found
    assert s["title"].startswith("Niederschrift der Jurysitzung")
    assert s["outside_tree"] == [] and set(s["pagination"]) == {1}
    assert weasyprint_errors(caplog) == []


def _font_names(data):
    names = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for font in (page.Resources.get("/Font") or {}).values():
                names.add(str(font.get("/BaseFont", "")))
    return names


def test_receipt_is_set_in_the_house_font(app):
    """The receipt uses Fira Sans, the KERN font, like certificate and minutes; a fallback
    font in its place would mean the font files did not load."""
    comp = factories.competition(prize_code="BIP")
    application = factories.submitted_application(comp, via_service=True)
    names = _font_names(get_storage().read(application.receipt_key))
    assert names and all("Fira-Sans" in name for name in names), names
