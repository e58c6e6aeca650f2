"""The leak test: applications full of unique markers in every identifying field, in free
text and in attachment metadata; every route a juror can reach (taken from app.url_map),
every juror export and the reminder mail must show none of them."""
import io
import itertools
import zipfile
from datetime import date

from flask import url_for
from sqlalchemy import select

from awards import fields
from awards.extensions import db
from awards.models.mail import OutboxMail
from awards.services.jury import rounds, scoring
from tests import factories
from awards.services.jury import rounds, scoring

IDENTITY = {
    "org_name": "Verein QXORGMARK e.V.",
    "contact_name": "Kim QXPERSONMARK",
    "street": "QXSTREETMARKstraße 5",
    "postcode": "85917",
    "city": "QXCITYMARK",
    "email": "qxmailbox@qxmaildomain.example",
    "phone": "08841 777123",
    "website": "https://www.qxwebmark.example/verein",
    "nominator_name": "Pat QXNOMMARK",
    "nominator_org": "QXNOMORGMARK gGmbH",
    "nominator_email": "vorschlag@qxnommail.example",
    "nominator_phone": "0171 9991234",
}
FREE_TEXT = {
    "project_title": "QXORGMARK hilft beim Ankommen",
    "summary": "Der Verein QXORGMARK e.V. begleitet Familien. Kontakt: Kim QXPERSONMARK.",
    "description": "Kim QXPERSONMARK (qxmailbox@qxmaildomain.example, Tel. 08841/777123) "
                   "leitet das Projekt; QXPERSONMARKs Team trifft sich in der "
                   "QXSTREETMARKstraße 5, 85917 QXCITYMARK.",
    "goals": "Mehr Infos auf www.qxwebmark.example oder https://qxwebmark.example/ziele.",
    "target_group": "Familien in qxcitymark und Umgebung.",
    "motto_relation": "Wie qxorgmark schon immer sagt: Sprache verbindet.",
    "partners": "Vorgeschlagen von Pat QXNOMMARK (QXNOMORGMARK gGmbH, +49 171 999 1234).",
    "funding": "Spenden an vorschlag@qxnommail.example.",
    "previous_awards": "Ehrenamtspreis für QXORGMARK 2022.",
}
METADATA_MARKERS = ("QXPDFAUTHOR", "QXPDFTITLE", "QXPDFCREATOR", "QXXMPMARK", "QXFILEMARK",
                    "QXDESCMARK", "QXEXIFARTIST", "QXEXIFDESC", "QXIMGFILE")
MARKERS = ("QXORGMARK", "QXPERSONMARK", "QXSTREETMARK", "85917", "QXCITYMARK", "qxmailbox",
           "qxmaildomain", "777123", "qxwebmark", "QXNOMMARK", "QXNOMORGMARK", "qxnommail",
           "9991234", "999 1234") + METADATA_MARKERS


VARIANTS = ("", "B", "C")


def _variant(text, n):
    return text.replace("QX", f"QX{n}").replace("qx", f"qx{n.lower()}")


ALL_MARKERS = tuple({_variant(m, n) for m in MARKERS for n in VARIANTS})


def _marked_application(comp, n):
    values = {k: _variant(v, n) for k, v in {**IDENTITY, **FREE_TEXT}.items()}
    application = factories.submitted_application(comp, admissible=True, project_start=date(2021, 3, 1), volunteers_count=14,
                                           staff_count=2, **values)
    factories.jury_attachment(application=application, content_type="application/pdf",
                  filename="QXFILEMARK Jahresbericht.pdf", description="QXDESCMARK",
                  data=factories.pdf_bytes(text="Jahresbericht 2025: 40 Treffen, 120 Teilnehmende",
                                    author="QXPDFAUTHOR", title="QXPDFTITLE", creator="QXPDFCREATOR",
                                    xmp="<x:xmpmeta><dc:creator>QXXMPMARK</dc:creator></x:xmpmeta>"))
    factories.jury_attachment(application=application, content_type="image/jpeg", filename="QXIMGFILE.jpg",
                  data=factories.jpeg_bytes(artist="QXEXIFARTIST", description="QXEXIFDESC"))
    factories.jury_attachment(application=application, content_type="application/pdf", filename="QXFILEMARK intern.pdf",
                  data=factories.pdf_bytes(text="Interne Liste QXORGMARK", author="QXPDFAUTHOR"), jury_visible=False)
    return application


def _texts(body):
    """Every readable form of a response body, XLSX unpacked."""
    texts = [body.decode("utf-8", "ignore"), body.decode("latin-1")]
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in archive.namelist():
                texts.append(archive.read(name).decode("utf-8", "ignore"))
    return texts


def _assert_clean(where, body, references):
    for text in _texts(body):
        lowered = text.lower()
        for marker in ALL_MARKERS + references:
            assert marker.lower() not in lowered, f"{marker!r} leaks in {where}"


def test_no_marker_reaches_any_juror_route_export_or_mail(app, client, auth):
    comp = factories.competition(prize_code="OBB")
    juror = factories.juror(comp)
    other = factories.juror(comp)
    round_ = factories.jury_round(competition=comp, show_others=True)
    applications = [_marked_application(comp, n) for n in VARIANTS]
    rounds.populate_entries(actor=None, round_=round_)
    factories.approve_all(round_)
    factories.assign_all(round_, [juror, other])
    rounds.open_round(actor=None, round_=round_)  # the release gate's leak scan passes
    first, second, third = round_.entries
    factories.score(round_=round_, entry=first, juror=other, values=(6, 7), comment="stark")
    scoring.save_score(actor=juror, entry=first, values={c.id: (5, "ok") for c in round_.criteria},
                       comment="gut", finalise=True)
    scoring.save_score(actor=juror, entry=second, values={round_.criteria[0].id: (3, "")}, comment="")
    db.session.commit()
    references = tuple(a.reference for a in applications)

    auth.login(juror)
    jury_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("jury.")]
    params = {"round_id": [round_.id], "code": [first.code, second.code, third.code],
              "number": [1, 2, 3], "fmt": ["csv", "xlsx"]}
    visited = set()
    for rule in jury_rules:
        if "GET" not in rule.methods:
            continue
        unknown = set(rule.arguments) - set(params)
        assert not unknown, f"leak test does not know how to fill {unknown} of {rule.rule}"
        names = sorted(rule.arguments)
        for combo in itertools.product(*(params[n] for n in names)):
            with app.test_request_context():
                url = url_for(rule.endpoint, **dict(zip(names, combo)))
            resp = client.get(url)
            assert resp.status_code in (200, 404), (url, resp.status_code)
            _assert_clean(url, resp.data, references)
            if resp.status_code == 200:
                visited.add(rule.endpoint)
    assert visited == {r.endpoint for r in jury_rules if "GET" in r.methods}

    # Form pages re-rendered with errors show the projection again.
    resp = client.post(f"/jury/runden/{round_.id}/{third.code}",
                       data={f"c{round_.criteria[0].id}": "99", "action": "final"})
    assert resp.status_code == 422
    _assert_clean("scoresheet with errors", resp.data, references)
    resp = client.post(f"/jury/runden/{round_.id}/{third.code}/befangenheit", data={"reason": ""})
    assert resp.status_code == 422
    _assert_clean("conflict form with errors", resp.data, references)

    # The reminder mail for jurors with open work.
    scoring.send_reminders(actor=None, round_=round_)
    mails = db.session.scalars(select(OutboxMail).where(OutboxMail.to_addr == juror.email)).all()
    assert len(mails) == 1
    _assert_clean("reminder mail", (mails[0].subject + mails[0].body_text + mails[0].body_html).encode(),
                  references)


def test_markers_are_really_in_the_data(app):
    """Guard: the leak test would be empty if the markers were not stored where claimed."""
    comp = factories.competition(prize_code="OBB")
    application = _marked_application(comp, "")
    assert {f: getattr(application, f) for f in fields.names(identifying=True)} == IDENTITY
    from awards.adapters.storage import get_storage

    raw = get_storage().read(application.attachments[0].storage_key)
    assert b"QXPDFAUTHOR" in raw and b"QXXMPMARK" in raw
    assert b"QXEXIFARTIST" in get_storage().read(application.attachments[1].storage_key)
