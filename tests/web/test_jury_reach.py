"""Anonymity belongs to the person and the phase: while a competition has an anonymised
round whose names staff have not revealed, NOTHING any jury member can reach names an
application — not the juror pages, and not the decision pages, minutes, staff-jury pages,
exports, downloads and mails a chair or a jury member who is also staff can open.

Every GET route of `app.url_map` is walked as the chair, as a juror and as a staff member
who sits on the jury, with its parameters filled from the data below; each route a person
can load must carry the marker listed for it (the positive control that it was really
loaded, and that a new page cannot slip through unlisted). Downloads are unpacked (XLSX,
ZIP) and PDFs read as text; the mails to jury members in the outbox are read too.
"""
import io
import itertools
import zipfile
from datetime import date

import pytest
from flask import url_for
from sqlalchemy import select

from awards.enums import Role
from awards.extensions import db
from awards.models.applications import Attachment
from awards.models.mail import OutboxMail
from awards.services import accounts
from awards.services.jury import rounds, scoring
from tests import factories
from awards.services import accounts
from awards.services.jury import rounds, scoring
from tests.web.test_jury_leaks import FREE_TEXT, IDENTITY, MARKERS, _variant

VARIANTS = ("", "B", "C")
OWNER_MARKERS = ("QXOWNERMARK", "qxownermail")
ALL_MARKERS = tuple(sorted({_variant(m, n) for m in MARKERS + OWNER_MARKERS for n in VARIANTS}))
# What the projection leaves of the title "QXORGMARK hilft beim Ankommen".
TITLE_REST = "hilft beim Ankommen"


def _application(comp, n):
    values = {k: _variant(v, n) for k, v in {**IDENTITY, **FREE_TEXT}.items()}
    owner = factories.user(email=_variant("qxowner@qxownermail.example", n),
                           name=_variant("Alex QXOWNERMARK", n))
    application = factories.submitted_application(comp, admissible=True, owner=owner, project_start=date(2021, 3, 1),
                                           volunteers_count=14, staff_count=2, **values)
    factories.jury_attachment(application=application, content_type="application/pdf",
                  filename=_variant("QXFILEMARK Jahresbericht.pdf", n), description="QXDESCMARK",
                  data=factories.pdf_bytes(text="Jahresbericht 2025: 40 Treffen", author="QXPDFAUTHOR",
                                    title="QXPDFTITLE", creator="QXPDFCREATOR",
                                    xmp="<x:xmpmeta><dc:creator>QXXMPMARK</dc:creator></x:xmpmeta>"))
    factories.jury_attachment(application=application, content_type="image/jpeg", filename="QXIMGFILE.jpg",
                  data=factories.jpeg_bytes(artist="QXEXIFARTIST", description="QXEXIFDESC"))
    factories.jury_attachment(application=application, content_type="application/pdf",
                  filename="QXFILEMARK intern.pdf", jury_visible=False,
                  data=factories.pdf_bytes(text="Interne Liste QXORGMARK", author="QXPDFAUTHOR"))
    return application


def _scene():
    """Two anonymised rounds (the first closed, the second open), a decision, conflicts
    (one lifted), mails to the jury. The jury: a chair, a juror, a staff member of the prize
    and an administrator who also sit on the jury."""
    comp = factories.competition(prize_code="OBB")
    staff = factories.staff(prize_code="OBB", name="Sina Geschäftsstelle")
    chair = factories.juror(comp, is_chair=True, name="Vera Vorsitz")
    juror = factories.juror(comp, name="Jonas Jury")
    staff_juror = factories.staff(prize_code="OBB", name="Stefan Doppelrolle")
    accounts.assign_role(actor=None, user=staff_juror, role=Role.JUROR, competition=comp)
    admin_juror = factories.admin(name="Ada Admin")
    accounts.assign_role(actor=None, user=admin_juror, role=Role.JUROR, competition=comp)
    jury = [chair, juror, staff_juror, admin_juror]
    applications = [_application(comp, n) for n in VARIANTS]
    first = factories.open_round(competition=comp, jurors=jury, applications=applications)
    for entry in first.entries:
        for person, points in zip(jury, ((8, 7), (6, 6), (5, 9))):
            factories.score(round_=first, entry=entry, juror=person, values=points, comment="stark")
    # A conflict declared and lifted (it goes into the minutes), one that stays.
    by_application = {e.application_id: e for e in first.entries}
    second_entry = by_application[applications[1].id]
    lifted = scoring.declare_conflict(actor=staff_juror, entry=second_entry, reason="Irrtum")
    scoring.lift_conflict(actor=staff, conflict=lifted, round_=first, code=second_entry.code,
                          reason="Falsche Bewerbung gewählt")
    kept = scoring.declare_conflict(actor=juror, entry=by_application[applications[2].id],
                                    reason="Nachbarschaft")
    rounds.close_round(actor=staff, round_=first)
    final = factories.jury_round(competition=comp, name="Finalrunde", source="advanced")
    rounds.advance(actor=staff, round_=first, entries=list(first.entries), target=final)
    factories.approve_all(final)
    factories.assign_all(final, jury)
    rounds.open_round(actor=staff, round_=final)
    factories.score(round_=final, entry=next(e for e in final.entries
                                      if e.application_id == applications[0].id),
             juror=chair, values=(9, 9))
    decision = factories.decide(applications[0], actor=staff)
    scoring.send_reminders(actor=staff, round_=final)
    invited = accounts.invite(actor=staff, email="ina.eingeladen@example.org", name="Ina Eingeladen",
                              role=Role.JUROR, competition=comp)
    db.session.commit()
    return dict(admin_juror=admin_juror, invited=invited, comp=comp, staff=staff, chair=chair, juror=juror, staff_juror=staff_juror,
                applications=applications, first=first, final=final, decision=decision,
                conflict=kept)


# --------------------------------------------------------------------------- reading bodies

def _texts(body):
    """Every readable form of a response body: raw, XLSX/ZIP members, PDF text."""
    texts = [body.decode("utf-8", "ignore"), body.decode("latin-1")]
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in archive.namelist():
                member = archive.read(name)
                texts.append(name)
                texts.extend(_texts(member))
    if body[:5] == b"%PDF-":
        texts.append(factories.pdf_text(body))
    return texts


def _identifiers(scene):
    """Every identifying value of every application, whole: markers, references and the
    unredacted titles."""
    values = set(ALL_MARKERS)
    for application in scene["applications"]:
        values.add(application.reference)
        values.add(application.project_title)
    return sorted(values)


def _assert_clean(where, body, identifiers):
    for text in _texts(body):
        lowered = text.lower()
        for value in identifiers:
            assert value.lower() not in lowered, f"{value!r} leaks in {where}"


# --------------------------------------------------------------------------- the walk

def _params(scene):
    comp, first, final = scene["comp"], scene["first"], scene["final"]
    entries = list(first.entries) + list(final.entries)
    attachments = db.session.scalars(select(Attachment.id).order_by(Attachment.id)).all()
    return {
        "competition_id": [comp.id], "round_id": [first.id, final.id],
        "application_id": [a.id for a in scene["applications"]],
        "attachment_id": attachments, "code": sorted({e.code for e in entries}),
        "number": [1, 2, 3], "fmt": ["csv", "xlsx"],
        "kind": ["bewertungen", "rangliste", "congratulation", "notice"],
        "entry_id": [e.id for e in entries], "conflict_id": [scene["conflict"].id],
        "criterion_id": [comp.criteria[0].id], "category_id": [comp.categories[0].id],
        "prize_code": ["OBB"], "year": [comp.year], "decision_id": [scene["decision"].id],
        "user_id": [scene["chair"].id, scene["applications"][0].owner_id],
        "audience": ["jury", "geschaeftsstelle", "bewerbende"], "slug": ["impressum"],
        "lang": ["de"], "token": ["unbekannt"], "step": [1, 5], "page": [1, 2],
        "id": [comp.id], "action": ["back_to_draft", "end_early", "archive", "announce"],
    }


# Routes that end the session or change it are walked last.
LAST = ("auth.", "public.set_language")


def _walk(app, client, scene):
    """GET every rule with every filling; returns {endpoint: [(url, response)]} of the 200s."""
    params = _params(scene)
    identifiers = _identifiers(scene)
    rules = sorted((r for r in app.url_map.iter_rules()
                    if "GET" in r.methods and r.endpoint != "static"),
                   key=lambda r: (r.endpoint.startswith(LAST), r.endpoint, r.rule))
    loaded = {}
    for rule in rules:
        names = sorted(rule.arguments)
        unknown = set(names) - set(params)
        assert not unknown, f"the walk does not know how to fill {unknown} of {rule.rule}"
        for combo in itertools.product(*(params[n] for n in names)):
            with app.test_request_context():
                url = url_for(rule.endpoint, **dict(zip(names, combo)))
            response = client.get(url)
            assert response.status_code in (200, 302, 400, 403, 404, 410), (url, response.status_code)
            _assert_clean(url, response.data, identifiers)
            if response.status_code == 200:
                loaded.setdefault(rule.endpoint, []).append((url, response))
    return loaded


def _codes(round_):
    return [e.code for e in round_.entries]


def _code_of(round_, application):
    return next(e.code for e in round_.entries if e.application_id == application.id)


def _expected(scene, who):
    """Marker per endpoint that this person can load: a string the page must contain (in at
    least one of its fillings), or bytes a download must start with."""
    first = _codes(scene["first"])
    # The final round's code of the first application: no jury member has a conflict for it.
    final = [_code_of(scene["final"], scene["applications"][0])]
    common = {
        "public.index": "Integrationspreis", "public.competitions": "Ausschreibungen",
        "public.competition": "Testpreis OBB", "public.page": "Impressum", "public.ping": "ok",
        "api.openapi": "openapi", "api.winners": '"data":[]',
        # The open-data API: the call is public, no winner yet (no names while anonymous).
        "api.winners_csv": "laureate;place;project_title", "api.calls": "Testpreis OBB",
        "api.calls_csv": "Testpreis OBB", "api.call": "Testpreis OBB",
        "api.call_winners": '"data":[]', "api.statistics": '"data":[]',
        "api.statistics_csv": "prize_code;dimension", "api.catalogue": "dcat", "health.healthz": "ok",
        "health.livez": "ok", "health.readyz": "ok", "auth.change_password": "Passwort",
        "help.index": "Hilfe", "help.audience": "Hilfe",
        "winners.overview": "Preisträger", "winners.verify_form": "Urkunde",
        "applicant.dashboard": "Meine Bewerbungen", "applicant.start": "Testpreis OBB",
        "privacy.overview": "Meine Daten", "infobrief.subscribe": "Infobrief abonnieren",
        "privacy.export": b"PK", "auth.login": "Anmelden",
        "auth.register": "Konto anlegen", "auth.request_reset": "Passwort",
        "jury.dashboard": "Finalrunde", "jury.round_view": final[0],
        "jury.scoresheet": TITLE_REST, "jury.conflict": "Befangenheit anzeigen: " + final[0], "jury.attachment": b"%PDF-",
        # The text version of the (redacted) PDF: its page text, no file name.
        "jury.attachment_text": "Jahresbericht 2025: 40 Treffen",
        "jury.own_export": final[0],
        "decisions.index": final[0], "decisions.decide": TITLE_REST,
        "decisions.minutes_view": "Niederschrift der Jurysitzung",
        # The meeting: the frozen ranking of the closed first round, by codes.
        "decisions.meeting_view": first[0],
    }
    if who not in ("staff_juror", "admin_juror"):
        return common
    staff_pages = common | {
        "staff.index": "Geschäftsstelle", "staff.competition": "Testpreis OBB",
        # Confirmation pages: what a step will do, counted, never named.
        "staff.stage": "Testpreis OBB", "staffjury.close_round": "abschließen?",
        "staff.edit_competition": "Testpreis OBB", "staff.criterion": "Kriterium",
        "staff.category": "Preis", "staff.create_competition": "Wettbewerb",
        "intake.index": "Eingang",
        "staffjury.rounds": "Finalrunde", "staffjury.members": "Vera Vorsitz",
        "staffjury.new_round": "Runde",
        "staffjury.round_overview": "Finalrunde", "staffjury.assignments": final[0],
        "staffjury.progress": final[0], "staffjury.conflicts": "Nachbarschaft",
        "staffjury.lift_conflict": "Nachbarschaft", "staffjury.ranking_view": first[0],
        "staffjury.export": first[0],
        # Counts only, and without the competition whose anonymous jury they sit on.
        "statistics.index": "Für diese Auswahl gibt es keine Wettbewerbe.",
        "statistics.export_xlsx": b"PK",
        # The composer offers a jury member only the jury groups (no applicant in a preview).
        "messaging.compose": "Jury der Runde", "messaging.auto_mails": "Automatische E-Mails",
        "messaging.infobrief_counts": "Abonnements",
    }
    if who == "staff_juror":
        return staff_pages
    # The audit log (it carries every value) is refused; the accounts of the applicants
    # are left out of the user administration.
    return staff_pages | {"admin.users": "Vera Vorsitz", "admin.user": "Vera Vorsitz",
                          "admin.invite": "einladen"}


@pytest.mark.parametrize("who", ["chair", "juror", "staff_juror", "admin_juror"])
def test_no_jury_member_reaches_an_identity_anywhere(app, client, auth, who):
    scene = _scene()
    person = scene[who]
    identifiers = _identifiers(scene)
    auth.login(person)
    loaded = _walk(app, client, scene)
    expected = _expected(scene, who)
    if who == "juror":  # not the chair: no decision pages, no minutes
        expected = {k: v for k, v in expected.items() if not k.startswith("decisions.")}

    unlisted = set(loaded) - set(expected)
    assert not unlisted, f"{who} loads pages the leak test has no marker for: {sorted(unlisted)}"
    missing = sorted(set(expected) - set(loaded))
    assert not missing, f"{who} could not load {missing} (positive control)"
    unmarked = []
    for endpoint, marker in expected.items():
        bodies = [response.data for _url, response in loaded[endpoint]]
        if isinstance(marker, bytes):
            found = any(b.startswith(marker) for b in bodies)
        else:
            found = any(marker in b.decode("utf-8", "ignore") for b in bodies)
        if not found:
            unmarked.append((endpoint, marker, bodies[0][:80]))
    assert not unmarked, f"pages without their marker: {unmarked}"

    comp, final = scene["comp"], scene["final"]
    application = scene["applications"][0]
    if who != "juror":
        # The minutes PDF, the decision form re-rendered with an error.
        response = client.post(f"/geschaeftsstelle/entscheidungen/{comp.id}/niederschrift",
                               data={"session_date": "2026-05-12", "place": "München",
                                     "present": [str(scene["chair"].id)], "recorder": "Protokoll"})
        assert response.status_code == 200 and response.data[:5] == b"%PDF-"
        text = " ".join(factories.pdf_text(response.data).split())
        assert "Niederschrift der Jurysitzung" in text and _code_of(final, application) in text
        assert "Falsche Bewerbung gewählt" in text  # the lifted conflict, with its reason
        _assert_clean("minutes PDF", response.data, identifiers)
        response = client.post(
            f"/geschaeftsstelle/entscheidungen/{comp.id}/bewerbung/{application.id}",
            data={"category": str(comp.categories[0].id), "rationale": ""})
        assert response.status_code == 422 and TITLE_REST in response.text
        _assert_clean("decision form with errors", response.data, identifiers)
    # Jury pages re-rendered with errors.
    code = _code_of(final, application)
    response = client.post(f"/jury/runden/{final.id}/{code}",
                           data={f"c{final.criteria[0].id}": "99", "action": "final"})
    assert response.status_code == 422 and TITLE_REST in response.text
    _assert_clean("scoresheet with errors", response.data, identifiers)

    # Every mail to a jury member.
    jury_addresses = {scene[k].email for k in ("chair", "juror", "staff_juror", "admin_juror",
                                               "invited")}
    mails = db.session.scalars(select(OutboxMail).where(OutboxMail.to_addr.in_(jury_addresses))).all()
    # The reminders of the final round and the invitation of a new jury member.
    assert {m.to_addr for m in mails} == jury_addresses
    for m in mails:
        _assert_clean(f"mail to {m.to_addr}", (m.subject + m.body_text + (m.body_html or "")).encode(),
                      identifiers)


def test_the_markers_are_in_the_data_staff_see(app, client, auth):
    """Guard: staff of the prize who are not on the jury do see the identities on the
    same pages, so the walk above would find them if the rule failed."""
    scene = _scene()
    comp, application = scene["comp"], scene["applications"][0]
    auth.login(scene["staff"])
    page = client.get(f"/geschaeftsstelle/entscheidungen/{comp.id}").text
    assert application.reference in page and application.org_name in page
    assert application.project_title in page
    response = client.post(f"/geschaeftsstelle/entscheidungen/{comp.id}/niederschrift",
                           data={"session_date": "2026-05-12", "present": [str(scene["chair"].id)]})
    text = factories.pdf_text(response.data)
    # The minutes are the jury's document: codes while the anonymity holds, whoever prints.
    assert application.reference not in text and _code_of(scene["final"], application) in text
    ranking = client.get(f"/geschaeftsstelle/jury/runden/{scene['first'].id}/rangliste").text
    assert application.org_name in ranking
