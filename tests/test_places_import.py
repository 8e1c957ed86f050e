"""``toolbox places import FILE``: keys and populations from Destatis' Gemeindeverzeichnis (issue 15.1)."""
from __future__ import annotations

from pathlib import Path

from toolbox.extensions import db
from toolbox.models import AuditEntry, Municipality, User
from toolbox.services.curation import municipality_update

from conftest import make_document, make_user


def gv_record(kind: str, key: str, name: str, *, verband: str = "", kreis_type: str = "",
              population: int | None = None) -> str:
    """One fixed-width GV100AD line: Satzart, Gebietsstand, key (Land RB Kreis Gemeinde), Verband, name …"""
    line = kind + "20241231" + key.ljust(8) + verband.ljust(4) + name.ljust(50)
    line = line.ljust(122) + kreis_type.ljust(2)
    if population is not None:
        line = line.ljust(128) + "1234".rjust(11) + str(population).rjust(11) + str(population // 2).rjust(11)
    return line.ljust(220)


GV100AD = [
    gv_record("10", "06", "Hessen"),
    gv_record("10", "07", "Rheinland-Pfalz"),
    gv_record("40", "06631", "Fulda", kreis_type="44"),
    gv_record("40", "06412", "Frankfurt am Main", kreis_type="41"),
    gv_record("40", "07332", "Bad Dürkheim", kreis_type="44"),
    gv_record("60", "06631009", "Fulda, Stadt", verband="0009", population=70_112),
    gv_record("60", "06631020", "Neuhof", verband="0020", population=11_003),
    gv_record("60", "06412000", "Frankfurt am Main, Stadt", verband="0000", population=773_068),
    gv_record("60", "07332032", "Neustadt an der Weinstraße, Stadt", verband="0000", population=53_000),
    gv_record("60", "06631018", "Neustadt", verband="0018", population=3_100),
    gv_record("60", "07332045", "Neustadt", verband="5006", population=900),
]


def write_directory(tmp_path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path = tmp_path / "GV100AD_31122024.txt"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _municipality(app, name: str) -> Municipality:
    with app.app_context():
        municipality = db.session.query(Municipality).filter_by(name=name).one()
        db.session.expunge(municipality)
        return municipality


def test_import_sets_keys_population_land_kreis_and_size_class(app, runner, tmp_path):
    """Municipalities matched by name (and Land where known) get their ARS, population, Land, Kreis and size class."""
    make_document(app, title="Konzept Fulda", municipality="Fulda", population=60_000)
    make_document(app, title="Konzept Neuhof", municipality="Gemeinde Neuhof")
    make_document(app, title="Konzept Frankfurt", municipality="Frankfurt am Main")
    result = runner.invoke(args=["places", "import", str(write_directory(tmp_path, GV100AD))])
    assert result.exit_code == 0, result.output
    assert "Aktualisiert: 3" in result.output
    fulda = _municipality(app, "Fulda")
    assert (fulda.ags, fulda.population, fulda.state, fulda.district) == ("066310009009", 70_112, "Hessen", "Fulda")
    neuhof = _municipality(app, "Gemeinde Neuhof")
    assert neuhof.ags == "066310020020" and neuhof.population == 11_003
    frankfurt = _municipality(app, "Frankfurt am Main")
    # A kreisfreie Stadt is its own Kreis: no district is recorded.
    assert frankfurt.ags == "064120000000" and frankfurt.district is None
    with app.app_context():
        sizes = {m.name: m.size_class.slug for m in db.session.query(Municipality)}
        assert sizes == {"Fulda": "mittelstadt", "Gemeinde Neuhof": "kleinstadt", "Frankfurt am Main": "grossstadt"}
        entry = db.session.query(AuditEntry).filter_by(object_id=db.session.query(Municipality).filter_by(
            name="Fulda").one().id, action="municipality.update").one()
        assert entry.details["changes"]["population"] == [60_000, 70_112]
    again = runner.invoke(args=["places", "import", str(write_directory(tmp_path, GV100AD))])
    assert "Aktualisiert: 0" in again.output and "Unverändert: 3" in again.output


def test_same_name_in_two_laender_needs_the_land(app, runner, tmp_path):
    """"Neustadt" exists in Hessen and Rheinland-Pfalz: without a Land it is reported, with one it is matched."""
    make_document(app, title="Konzept A", municipality="Neustadt")
    result = runner.invoke(args=["places", "import", str(write_directory(tmp_path, GV100AD))])
    assert "Mehrdeutig (bitte Land eintragen): 1" in result.output
    assert "Neustadt (Hessen, 066310018018)" in result.output and "Neustadt (Rheinland-Pfalz" in result.output
    assert _municipality(app, "Neustadt").ags is None
    with app.app_context():
        neustadt = db.session.query(Municipality).filter_by(name="Neustadt").one()
        municipality_update(db.session.get(User, make_user(app, role="editor")), neustadt, name="Neustadt",
                            state="Rheinland-Pfalz")
        db.session.commit()
    runner.invoke(args=["places", "import", str(write_directory(tmp_path, GV100AD))])
    assert _municipality(app, "Neustadt").ags == "073325006045"


def test_landkreise_and_verbuende_keep_the_size_class_an_editor_set(app, runner, tmp_path):
    """A Landkreis gets the Kreis key, a Verbund nothing; neither loses its hand-set size class."""
    make_document(app, title="Kreiskonzept", municipality="Landkreis Fulda", size_class="landkreis")
    make_document(app, title="Verbundkonzept", municipality="Neuhof", size_class="verbund-region")
    result = runner.invoke(args=["places", "import", str(write_directory(tmp_path, GV100AD, encoding="cp1252"))])
    assert result.exit_code == 0, result.output
    kreis = _municipality(app, "Landkreis Fulda")
    assert kreis.ags == "066310000000" and kreis.state == "Hessen"
    verbund = _municipality(app, "Neuhof")
    assert verbund.ags is None and verbund.population is None
    with app.app_context():
        sizes = {m.name: (m.size_class.slug, m.size_class_manual) for m in db.session.query(Municipality)}
    assert sizes == {"Landkreis Fulda": ("landkreis", True), "Neuhof": ("verbund-region", True)}


def test_a_file_that_is_no_directory_is_refused_with_a_german_message(app, runner, tmp_path):
    """A CSV or any other file stops the command with a message and a non-zero exit; nothing changes."""
    make_document(app, title="Konzept Fulda", municipality="Fulda")
    wrong = tmp_path / "gemeinden.csv"
    wrong.write_text("Name;Einwohner\nFulda;70000\n", encoding="utf-8")
    result = runner.invoke(args=["places", "import", str(wrong)])
    assert result.exit_code != 0
    assert "keine Gemeinde-Sätze (Satzart 60)" in result.output
    assert _municipality(app, "Fulda").ags is None
