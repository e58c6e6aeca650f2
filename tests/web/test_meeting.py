"""Jury meeting mode: the chair (and staff) lead the meeting from the frozen ranking of a
closed round — by codes while the jury's anonymity holds, with the spread of the scores,
notes per application and attendance, which the minutes pick up."""

from sqlalchemy import select

from awards.enums import CompetitionStatus
from awards.extensions import db
from awards.models.audit import AuditLog
from awards.models.meeting import MeetingAttendance, MeetingNote
from awards.services.jury import release, rounds, scoring
from tests import factories
from tests.rendered_forms import rendered_form

D = "/geschaeftsstelle/entscheidungen"


def _scene():
    """A closed anonymised round of three applications: the first scored far apart, the
    second alike; the chair declared a conflict for the third."""
    comp = factories.competition(prize_code="OBB")
    staff = factories.staff(prize_code="OBB", name="Sina Geschäftsstelle")
    chair = factories.juror(comp, is_chair=True, name="Vera Vorsitz")
    member = factories.juror(comp, name="Jonas Jury")
    third = factories.juror(comp, name="Mira Mitglied")
    applications = [factories.submitted_application(comp, admissible=True, org_name=f"Verein Sichtbar {i}",
                                             project_title=f"Nachbarschaftscafé Nummer {i}")
                    for i in range(3)]
    round_ = factories.open_round(competition=comp, jurors=[chair, member, third],
                           applications=applications)
    entries = {e.application_id: e for e in round_.entries}
    first, second, conflicted = (entries[a.id] for a in applications)
    factories.score(round_=round_, entry=first, juror=chair, values=(10, 10))
    factories.score(round_=round_, entry=first, juror=member, values=(1, 1))
    factories.score(round_=round_, entry=second, juror=chair, values=(6, 6))
    factories.score(round_=round_, entry=second, juror=member, values=(6, 7))
    factories.score(round_=round_, entry=conflicted, juror=member, values=(5, 5))
    scoring.declare_conflict(actor=chair, entry=conflicted, reason="Mitglied im Verein")
    rounds.close_round(actor=staff, round_=round_)
    db.session.commit()
    return dict(comp=comp, staff=staff, chair=chair, member=member, third=third,
                applications=applications, round=round_,
                codes=[e.code for e in (first, second, conflicted)])


def _identities(scene):
    values = []
    for application in scene["applications"]:
        values += [application.org_name, application.reference]
    return values


def _checked(page):
    """How many attendance checkboxes the page shows ticked."""
    return sum(1 for tag in page.split("<input")[1:]
               if 'name="present"' in tag.split(">")[0] and "checked" in tag.split(">")[0])


def test_meeting_shows_the_chair_codes_spread_and_no_names(client, auth):
    scene = _scene()
    auth.login(scene["chair"])
    response = client.get(f"{D}/{scene['comp'].id}/sitzung")
    assert response.status_code == 200
    page = response.text
    first, second, conflicted = scene["codes"]
    assert first in page and second in page
    for value in _identities(scene):
        assert value not in page
    # The first application was scored 30 and 3 points: far apart, flagged; the second not.
    assert page.count("Hohe Streuung</strong>") == 1
    item = page.split(f'id="bewerbung-{scene["applications"][0].id}"')[1].split("</li>")[0]
    assert "Hohe Streuung" in item and "3,00 – 30,00" in item
    assert "<dd>16,50</dd>" in item  # the mean, in German notation
    assert "Rang 1" in page.split(second)[0]  # 18.5 points before 16.5
    # Attendance: everyone proposed until recorded.
    form = rendered_form(page, action=f"{D}/{scene['comp'].id}/sitzung/anwesenheit")
    everyone = sorted(str(u.id) for u in (scene["chair"], scene["member"], scene["third"]))
    assert sorted(form.checkboxes["present"]) == everyone
    assert page.count('name="present" type="checkbox" value=') == 3
    assert _checked(page) == 3


def test_meeting_leaves_out_what_the_chair_has_a_conflict_for(client, auth):
    scene = _scene()
    auth.login(scene["chair"])
    page = client.get(f"{D}/{scene['comp'].id}/sitzung").text
    assert scene["codes"][2] not in page
    assert "1 Bewerbung ist wegen Ihrer Befangenheit ausgeblendet" in page
    conflicted = scene["applications"][2]
    response = client.post(f"{D}/{scene['comp'].id}/sitzung/notiz/{conflicted.id}",
                           data={f"n{conflicted.id}-text": "Nicht erlaubt"})
    assert response.status_code == 404
    assert db.session.scalars(select(MeetingNote)).all() == []


def test_a_member_who_is_not_chair_cannot_open_the_meeting(client, auth):
    scene = _scene()
    auth.login(scene["member"])
    comp, application = scene["comp"], scene["applications"][0]
    assert client.get(f"{D}/{comp.id}/sitzung").status_code == 403
    assert client.post(f"{D}/{comp.id}/sitzung/notiz/{application.id}",
                       data={f"n{application.id}-text": "x"}).status_code == 403
    assert client.post(f"{D}/{comp.id}/sitzung/anwesenheit",
                       data={"present": [str(scene["member"].id)]}).status_code == 403
    assert db.session.scalars(select(MeetingAttendance)).all() == []


def test_notes_and_attendance_are_saved_and_go_into_the_minutes(client, auth):
    scene = _scene()
    comp, application = scene["comp"], scene["applications"][0]
    auth.login(scene["chair"])
    url = f"{D}/{comp.id}/sitzung"
    page = client.get(url).text
    form = rendered_form(page, action=f"{url}/notiz/{application.id}")
    form.fill(**{f"n{application.id}-text": "Aussprache: Wirkung im Viertel überzeugt."})
    response = client.post(form.action, data=form.data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#bewerbung-{application.id}")

    page = client.get(url).text
    assert "Aussprache: Wirkung im Viertel überzeugt." in page
    form = rendered_form(page, action=f"{url}/anwesenheit")
    form.values["present"] = [str(scene["chair"].id), str(scene["third"].id)]
    assert client.post(form.action, data=form.data()).status_code == 302
    present = {a.juror_id: a.present for a in db.session.scalars(select(MeetingAttendance))}
    assert present == {scene["chair"].id: True, scene["member"].id: False,
                       scene["third"].id: True}
    actions = [a.action for a in db.session.scalars(
        select(AuditLog).where(AuditLog.action.like("jury.meeting.%")).order_by(AuditLog.id))]
    assert actions == ["jury.meeting.note", "jury.meeting.attendance"]

    # The minutes form proposes the recorded attendance; the PDF carries it and the note.
    assert _checked(client.get(f"{D}/{comp.id}/niederschrift").text) == 2
    response = client.post(f"{D}/{comp.id}/niederschrift",
                           data={"session_date": "2026-05-12", "place": "München",
                                 "present": [str(scene["chair"].id), str(scene["third"].id)]})
    text = factories.pdf_text(response.data)
    assert "Notizen aus der Sitzung" in text
    assert f"{scene['codes'][0]}" in text and "Aussprache: Wirkung im Viertel überzeugt." in text
    assert "Entschuldigt: Jonas Jury" in text
    for value in _identities(scene):
        assert value not in text


def test_a_note_too_long_is_refused_and_kept(client, auth):
    scene = _scene()
    comp, application = scene["comp"], scene["applications"][1]
    auth.login(scene["chair"])
    url = f"{D}/{comp.id}/sitzung"
    form = rendered_form(client.get(url).text, action=f"{url}/notiz/{application.id}")
    long_text = "Lang " * 1001
    form.fill(**{f"n{application.id}-text": long_text})
    response = client.post(form.action, data=form.data())
    assert response.status_code == 422
    assert 'id="error-summary"' in response.text
    assert response.text.count("Bitte kürzen Sie den Text auf höchstens 5000 Zeichen.") == 2
    assert long_text.strip() in response.text
    assert db.session.scalars(select(MeetingNote)).all() == []


def test_an_empty_note_removes_the_note(client, auth):
    scene = _scene()
    comp, application = scene["comp"], scene["applications"][0]
    auth.login(scene["staff"])
    url = f"{D}/{comp.id}/sitzung/notiz/{application.id}"
    client.post(url, data={f"n{application.id}-text": "Erst so"})
    assert [n.text for n in db.session.scalars(select(MeetingNote))] == ["Erst so"]
    client.post(url, data={f"n{application.id}-text": "  "})
    assert db.session.scalars(select(MeetingNote)).all() == []


def test_names_appear_for_the_chair_only_after_the_reveal(client, auth):
    scene = _scene()
    comp, staff = scene["comp"], scene["staff"]
    factories.decide(scene["applications"][0], actor=staff)
    db.session.commit()
    auth.login(scene["chair"])
    page = client.get(f"{D}/{comp.id}/sitzung").text
    assert "Verein Sichtbar 0" not in page and "1. Preis" in page  # the decision, by code
    release.release_decisions(actor=staff, competition=comp)
    db.session.commit()
    assert "Verein Sichtbar 0" not in client.get(f"{D}/{comp.id}/sitzung").text
    auth.login(staff)
    assert client.post(f"{D}/{comp.id}/namen-aufdecken", data={"confirm": "y"}).status_code == 302
    auth.login(scene["chair"])
    page = client.get(f"{D}/{comp.id}/sitzung").text
    assert "Verein Sichtbar 0" in page and scene["applications"][0].reference in page


def test_staff_not_on_the_jury_see_the_names(client, auth):
    scene = _scene()
    auth.login(scene["staff"])
    page = client.get(f"{D}/{scene['comp'].id}/sitzung").text
    assert "Verein Sichtbar 0" in page and scene["applications"][0].reference in page
    # Staff have no conflict: all three applications are listed.
    assert "wegen Ihrer Befangenheit" not in page
    assert scene["applications"][2].reference in page


def test_meeting_without_a_closed_round_says_so(client, auth):
    comp = factories.competition(prize_code="OBB")
    chair = factories.juror(comp, is_chair=True)
    db.session.commit()
    auth.login(chair)
    page = client.get(f"{D}/{comp.id}/sitzung").text
    assert "Es gibt noch keine abgeschlossene Bewertungsrunde." in page
    assert client.get(f"{D}/{comp.id}/sitzung?runde=999").status_code == 404


def test_a_decision_recorded_from_the_meeting_leads_back_to_it(client, auth):
    scene = _scene()
    comp, application = scene["comp"], scene["applications"][1]
    comp.status = CompetitionStatus.JURY  # decisions are recorded in the jury phase
    db.session.commit()
    auth.login(scene["chair"])
    page = client.get(f"{D}/{comp.id}/sitzung").text
    link = f"{D}/{comp.id}/bewerbung/{application.id}?von=sitzung"
    assert f'href="{link}"' in page
    html = client.get(link).text
    assert "Zurück zur Jurysitzung" in html
    form = rendered_form(html, action="")
    form.fill(category=str(comp.categories[0].id), rationale="Überzeugt in der Aussprache.")
    response = client.post(link, data=form.data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{D}/{comp.id}/sitzung#bewerbung-{application.id}")
    page = client.get(f"{D}/{comp.id}/sitzung").text
    item = page.split(f'id="bewerbung-{application.id}"')[1].split("</li>")[0]
    assert "<strong>1. Preis</strong>" in item
