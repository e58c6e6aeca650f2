"""The competition's pre-selection setting cannot be switched off while its pre-selection
round is open during the call: the round could not be closed any more."""
import re

from awards.extensions import db
from awards.models.competitions import Competition
from tests import factories
from tests import factories
from tests.rendered_forms import rendered_form

MESSAGE = ("Die Vorauswahl-Runde läuft gerade. Solange sie geöffnet ist, kann diese Einstellung "
           "nicht ausgeschaltet werden. Schließen Sie zuerst die Runde ab.")


def _edit_form(client, comp):
    page = client.get(f"/geschaeftsstelle/wettbewerbe/{comp.id}/bearbeiten")
    assert page.status_code == 200
    return rendered_form(page.get_data(as_text=True), action="")


def _setting(comp):
    db.session.expire_all()
    return db.session.get(Competition, comp.id).preselection_during_call


def test_preselection_setting_kept_while_its_round_is_open(client, auth, app):
    staff = factories.staff(prize_code="BIP")
    comp = factories.competition(preselection_during_call=True)
    factories.open_round(competition=comp, jurors=[factories.juror(comp)], n=1)
    db.session.commit()
    auth.login(staff)
    form = _edit_form(client, comp)
    assert form.values["preselection_during_call"] == "y"
    form.fill(preselection_during_call=False, motto="Neues Motto")
    response = client.post(f"/geschaeftsstelle/wettbewerbe/{comp.id}/bearbeiten",
                           data=form.data())
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    # In the summary at the top and next to the checkbox, which the page now shows unticked
    # (what the user chose) with the typed motto kept.
    assert html.count(MESSAGE) == 2
    assert re.search(r'id="preselection_during_call-error"[^>]*>.*?' + re.escape(MESSAGE),
                     html, re.S)
    again = rendered_form(html, action="")
    assert "preselection_during_call" not in again.values
    assert again.values["motto"] == "Neues Motto"
    assert _setting(comp) is True
    assert db.session.get(Competition, comp.id).motto == "Testmotto"


def test_preselection_setting_switched_off_once_no_round_is_open(client, auth, app):
    staff = factories.staff(prize_code="BIP")
    comp = factories.competition(preselection_during_call=True)
    db.session.commit()
    auth.login(staff)
    form = _edit_form(client, comp)
    form.fill(preselection_during_call=False)
    response = client.post(f"/geschaeftsstelle/wettbewerbe/{comp.id}/bearbeiten",
                           data=form.data())
    assert response.status_code == 302
    assert _setting(comp) is False
