"""The rows of the staff's intake list (templates/intake/_row.html), kept per process.

A page of the list shows 25 applications, and the same rows are shown again and again while
the staff check what came in; the template work of a row cost about as much as everything
else of the page but the database. Each row is rendered from its declared inputs only
(`INPUTS`): the values it shows, as loaded for this request (`row_values`), the language
and the script root of its link. The row's template sees nothing else — not the request,
the session or the viewer; who may see the list at all is decided before — so what is
kept is a function of the key alone. A few thousand rows at most.
"""
from flask import request, url_for
from flask_babel import get_locale

from awards.cachekeys import CacheInputs
from awards.models.reference import district_label
from awards.views.fragments import kept_render

TEMPLATE = "intake/_row.html"
INPUTS = CacheInputs("intake-row", context=("template", "language", "script_root", "row"),
                     has_data=False)
MAX_ENTRIES = 4096
EXTENSION = "awards.intake_rows"


def row_values(application, files, marker, nominee_status):
    """Everything a row shows, as one tuple (the enum members themselves: a label is the
    member in the key's language)."""
    a = application
    district = (a.district.name, a.district.is_city) if a.district else None
    return (a.id, a.reference, a.display_title, a.org_name, a.kind, nominee_status,
            a.applicant_type, a.region, district, a.submitted_at, a.status, a.formal_check,
            marker, files)


def _context(values):
    (id_, reference, title, org_name, kind, nominee_status, applicant_type, region, district,
     submitted_at, status, formal_check, marker, files) = values
    return {"row": {
        "url": url_for("intake.detail", application_id=id_), "reference": reference,
        "title": title, "org_name": org_name, "nomination": kind.value == "nomination",
        "nominee_status": nominee_status.label if nominee_status else None,
        "applicant_type": applicant_type.label if applicant_type else None,
        "region": region.label if region else None,
        "district": district_label(*district) if district else None,
        "submitted_at": submitted_at, "status": status.label,
        "formal_check": formal_check.label, "marker": marker, "files": files,
    }}


def intake_rows(rows):
    """The HTML of each row, for [(application, files, marker, nominee status)]."""
    language, script_root = str(get_locale()), request.script_root
    shown = []
    for row in rows:
        values = row_values(*row)
        key = INPUTS.key(template=TEMPLATE, language=language, script_root=script_root,
                         row=values)
        shown.append(kept_render(EXTENSION, key, TEMPLATE,
                                 lambda values=values: _context(values), limit=MAX_ENTRIES))
    return shown
