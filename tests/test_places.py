"""Municipalities' official keys (issue 15): the Regionalschlüssel apart from the Gemeindeschlüssel,
validated, shown and edited by editors."""
from __future__ import annotations

import pytest

from toolbox.extensions import db
from toolbox.models import Municipality, User
from toolbox.services.curation import CurationError, municipality_update

from conftest import make_document, make_user


def _municipality_id(app, name: str) -> int:
    with app.app_context():
        return db.session.query(Municipality).filter_by(name=name).one().id


def test_editor_enters_the_regionalschluessel_and_the_gemeindeschluessel_follows(app, client, auth):
    """The admin page has its own ARS field; a Gemeinde's AGS is derived when left empty; the list shows the ARS."""
    make_document(app, title="Konzept Fulda", municipality="Fulda", state="Hessen")
    make_user(app, "redaktion-ars@example.org", role="editor")
    auth.login("redaktion-ars@example.org")
    municipality_id = _municipality_id(app, "Fulda")
    page = client.get(f"/admin/municipalities/{municipality_id}").get_data(as_text=True)
    assert "Amtlicher Regionalschlüssel (ARS)" in page and "Amtlicher Gemeindeschlüssel (AGS)" in page
    response = client.post(f"/admin/municipalities/{municipality_id}",
                           data={"name": "Fulda", "ars": "06 631 0009 009", "ags": "", "state": "Hessen"})
    assert response.status_code == 302
    with app.app_context():
        fulda = db.session.get(Municipality, municipality_id)
        assert (fulda.ars, fulda.ags) == ("066310009009", "06631009")
    assert "066310009009" in client.get("/admin/municipalities").get_data(as_text=True)


@pytest.mark.parametrize("ars, ags, field, message", [
    ("06631000900", "", "ars", "hat 12 Ziffern"),
    ("17631000900X", "", "ars", "hat 12 Ziffern"),
    ("176310009009", "", "ars", "beginnt mit dem Land (01 bis 16)"),
    ("", "0663100", "ags", "hat 8 Ziffern"),
    ("066310009009", "06631010", "ags", "zum ARS 066310009009 gehört der AGS 06631009"),
])
def test_wrong_keys_are_refused_with_the_reason(app, client, auth, ars, ags, field, message):
    """A key of the wrong length or Land, or an AGS that is not the ARS's, is a 400 with a German
    sentence at the field; nothing is stored."""
    make_document(app, title="Konzept Fulda", municipality="Fulda")
    make_user(app, "redaktion-falsch@example.org", role="editor")
    auth.login("redaktion-falsch@example.org")
    municipality_id = _municipality_id(app, "Fulda")
    response = client.post(f"/admin/municipalities/{municipality_id}", data={"name": "Fulda", "ars": ars, "ags": ags})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        fulda = db.session.get(Municipality, municipality_id)
        assert (fulda.ars, fulda.ags) == (None, None)
        with pytest.raises(CurationError) as error:
            municipality_update(db.session.get(User, make_user(app, role="editor")), fulda, name="Fulda",
                                ars=ars, ags=ags)
        assert error.value.field == field


def test_a_kreis_keeps_its_regionalschluessel_without_a_gemeindeschluessel(app):
    """A Landkreis's ARS ends in seven zeros and gives no Gemeinde's AGS."""
    make_document(app, title="Kreiskonzept", municipality="Landkreis Fulda", size_class="landkreis")
    with app.app_context():
        kreis = db.session.query(Municipality).filter_by(name="Landkreis Fulda").one()
        municipality_update(db.session.get(User, make_user(app, role="editor")), kreis, name=kreis.name,
                            ars="066310000000", size_class="landkreis")
        assert (kreis.ars, kreis.ags) == ("066310000000", None)
