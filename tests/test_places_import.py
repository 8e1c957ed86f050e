"""``toolbox places import FILE``: keys and populations from Destatis' Gemeindeverzeichnis (issue 15.1)."""
from __future__ import annotations

from pathlib import Path

import pytest

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
    assert (fulda.ars, fulda.ags, fulda.population, fulda.state, fulda.district) == (
        "066310009009", "06631009", 70_112, "Hessen", "Fulda")
    neuhof = _municipality(app, "Gemeinde Neuhof")
    assert neuhof.ars == "066310020020" and neuhof.ags == "06631020" and neuhof.population == 11_003
    frankfurt = _municipality(app, "Frankfurt am Main")
    # A kreisfreie Stadt is its own Kreis: no district is recorded.
    assert frankfurt.ars == "064120000000" and frankfurt.ags == "06412000" and frankfurt.district is None
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
    assert _municipality(app, "Neustadt").ars is None
    with app.app_context():
        neustadt = db.session.query(Municipality).filter_by(name="Neustadt").one()
        municipality_update(db.session.get(User, make_user(app, role="editor")), neustadt, name="Neustadt",
                            state="Rheinland-Pfalz")
        db.session.commit()
    runner.invoke(args=["places", "import", str(write_directory(tmp_path, GV100AD))])
    assert _municipality(app, "Neustadt").ars == "073325006045"


def test_landkreise_and_verbuende_keep_the_size_class_an_editor_set(app, runner, tmp_path):
    """A Landkreis gets the Kreis key, a Verbund nothing; neither loses its hand-set size class."""
    make_document(app, title="Kreiskonzept", municipality="Landkreis Fulda", size_class="landkreis")
    make_document(app, title="Verbundkonzept", municipality="Neuhof", size_class="verbund-region")
    result = runner.invoke(args=["places", "import", str(write_directory(tmp_path, GV100AD, encoding="cp1252"))])
    assert result.exit_code == 0, result.output
    kreis = _municipality(app, "Landkreis Fulda")
    # A Kreis has a Regionalschlüssel but no Gemeindeschlüssel.
    assert kreis.ars == "066310000000" and kreis.ags is None and kreis.state == "Hessen"
    verbund = _municipality(app, "Neuhof")
    assert verbund.ars is None and verbund.population is None
    with app.app_context():
        sizes = {m.name: (m.size_class.slug, m.size_class_manual) for m in db.session.query(Municipality)}
    assert sizes == {"Landkreis Fulda": ("landkreis", True), "Neuhof": ("verbund-region", True)}


def test_a_file_that_is_no_directory_is_refused_with_a_german_message(app, runner, tmp_path):
    """A CSV of something else stops the command with a message and a non-zero exit; nothing changes."""
    make_document(app, title="Konzept Fulda", municipality="Fulda")
    wrong = tmp_path / "gemeinden.csv"
    wrong.write_text("Name;Einwohner\nFulda;70000\n", encoding="utf-8")
    result = runner.invoke(args=["places", "import", str(wrong)])
    assert result.exit_code == 1
    assert "fehlt die Kopfzeile des Gemeindeverzeichnisses" in result.output and "Traceback" not in result.output
    assert _municipality(app, "Fulda").ars is None


# --- GV-ISys: the "Auszug GV" table, as Destatis publishes it (XLSX) and offices save it (CSV) --

#: The head of the sheet "Onlineprodukt_Gemeinden…": a title, the header over two rows (the
#: Regionalschlüssel and the population split into sub-columns), a blank row, column numbers.
GV_ISYS_HEAD = [
    ["Gemeindeverzeichnis-Informationssystem GV-ISys"],
    ["Alle politisch selbständigen Gemeinden mit ausgewählten Merkmalen am 31.12.2024 (4. Quartal)"],
    ["Satz-\nart", "Text-\nkenn-\nzeichen", "Amtlicher Regionalschlüssel (ARS)", None, None, None, None,
     "Gemeindename", "Fläche \nkm2 1)", "Bevölkerung 2)", None, None, None, "Post-\nleit-\nzahl 3)"],
    [None, None, "Land", "RB", "Kreis", "VB", "Gem", None, None, "insgesamt", "männlich", "weiblich", "je km2"],
    [],
    [str(n) for n in range(1, 15)],
]


def gv_isys_rows(*, numbers_as_numbers: bool = False) -> list[list]:
    """Records of Hessen and Rheinland-Pfalz; ``numbers_as_numbers`` as after Excel re-saved the
    file and dropped the leading zeros of the key parts."""
    def key(land, rb, kreis, vb=None, gem=None):
        parts = [land, rb, kreis, vb, gem]
        return [int(p) if numbers_as_numbers and p is not None else p for p in parts]

    return GV_ISYS_HEAD + [
        ["10", None, *key("06", None, None), "Hessen"],
        ["40", "41", *key("06", "4", "12"), "Frankfurt am Main, Stadt"],
        ["60", "61", *key("06", "4", "12", "0000", "000"), "Frankfurt am Main, Stadt", 248.31, 773_068, 380_000,
         393_068, 3113, "60311"],
        ["40", "44", *key("06", "6", "31"), "Fulda"],
        ["50", "50", *key("06", "6", "31", "0009"), "Fulda, Stadt"],
        ["60", "63", *key("06", "6", "31", "0009", "009"), "Fulda, Stadt", 104.04, 70_112, 34_000, 36_112, 674,
         "36037"],
        ["60", "64", *key("06", "6", "31", "0020", "020"), "Neuhof", 80.05, 11_003, 5_500, 5_503, 137, "36119"],
        ["10", None, *key("07", None, None), "Rheinland-Pfalz"],
        ["40", "44", *key("07", "3", "32"), "Bad Dürkheim"],
        ["60", "64", *key("07", "3", "32", "5006", "045"), "Neustadt", 3.2, 900, 450, 450, 281, "67433"],
    ]


def write_xlsx(path: Path, rows: list[list], sheet: str = "Onlineprodukt_Gemeinden_311224") -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    cover = workbook.active
    cover.title = "Deckblatt"
    cover.append(["Statistisches Bundesamt – Gemeindeverzeichnis"])
    data = workbook.create_sheet(sheet)
    for row in rows:
        data.append(row)
    workbook.create_sheet("Erläuterungen").append(["1) Fläche in km²"])
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str) -> Path:
    """The table as Excel saves "CSV (Trennzeichen-getrennt)" in German: semicolons, thousands with a dot."""
    import csv
    import io

    def cell(value):
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        if isinstance(value, float):
            return f"{value:.2f}".replace(".", ",")
        return value

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([[cell(v) for v in row] for row in rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _import_and_check(app, runner, path: Path, layout: str) -> None:
    make_document(app, title="Konzept Fulda", municipality="Fulda", population=60_000)
    make_document(app, title="Kreiskonzept", municipality="Landkreis Fulda", size_class="landkreis")
    make_document(app, title="Konzept Neustadt", municipality="Neustadt", state="Rheinland-Pfalz")
    make_document(app, title="Konzept Bad Dürkheim", municipality="Bad Dürkheim, Kreisstadt?")
    result = runner.invoke(args=["places", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Gelesen ({layout}): 4 Gemeinden, 2 Kreise" in result.output
    assert "Zugeordnet: 3 (aktualisiert 3, unverändert 0)" in result.output
    assert "Nicht zugeordnet: 1" in result.output and "  Bad Dürkheim, Kreisstadt?" in result.output
    fulda = _municipality(app, "Fulda")
    assert (fulda.ars, fulda.ags, fulda.population, fulda.district) == ("066310009009", "06631009", 70_112, "Fulda")
    kreis = _municipality(app, "Landkreis Fulda")
    assert (kreis.ars, kreis.state) == ("066310000000", "Hessen")
    assert _municipality(app, "Neustadt").ars == "073325006045"
    with app.app_context():
        assert db.session.query(Municipality).filter_by(name="Fulda").one().size_class.slug == "mittelstadt"
    again = runner.invoke(args=["places", "import", str(path)])
    assert "Zugeordnet: 3 (aktualisiert 0, unverändert 3)" in again.output


def test_gv_isys_workbook_as_destatis_publishes_it(app, runner, tmp_path):
    """The XLSX "Auszug GV" with its title rows, two-row header and the sheet Onlineprodukt_Gemeinden… is read."""
    path = write_xlsx(tmp_path / "31122024_Auszug_GV.xlsx", gv_isys_rows())
    _import_and_check(app, runner, path, "GV-ISys (XLSX)")


def test_gv_isys_workbook_saved_again_by_excel_keeps_the_key_digits(app, runner, tmp_path):
    """Key parts that lost their leading zeros as numbers ("6" for "06") still give the 12-digit key."""
    path = write_xlsx(tmp_path / "gemeinden.xlsx", gv_isys_rows(numbers_as_numbers=True))
    _import_and_check(app, runner, path, "GV-ISys (XLSX)")


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_gv_isys_table_as_csv_in_latin_1_or_utf_8(app, runner, tmp_path, encoding):
    """The same table saved as CSV with semicolons, in Windows-1252 or UTF-8, gives the same result."""
    path = write_csv(tmp_path / "31122024_Auszug_GV.csv", gv_isys_rows(), encoding)
    _import_and_check(app, runner, path, "GV-ISys (CSV)")


def test_long_files_report_their_progress(app, tmp_path):
    """Reading reports (done, total) as it goes and ends at the total."""
    from toolbox.services.places_import import read_directory

    lines = GV100AD[:5] + [gv_record("60", f"06631{n % 1000:03d}", f"Ort {n}", verband=f"{n // 1000:04d}",
                                     population=n) for n in range(1_200)]
    calls = []
    directory = read_directory(write_directory(tmp_path, lines), progress=lambda done, total: calls.append((done, total)))
    assert directory.layout == "GV100AD" and directory.gemeinden == 1_200
    total = len(lines)
    assert calls[0] == (500, total) and calls[-1] == (total, total)


def test_unreadable_files_get_a_clear_message(app, runner, tmp_path):
    """A damaged workbook, one without the sheet, an empty or a binary file: a German message and exit 1."""
    damaged = tmp_path / "kaputt.xlsx"
    damaged.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    two_sheets = write_xlsx(tmp_path / "anderes.xlsx", gv_isys_rows(), sheet="Tabelle1")
    empty = tmp_path / "leer.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "bild.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    expected = {damaged: "lässt sich nicht als Excel-Arbeitsmappe (XLSX) lesen",
                two_sheets: "hat kein Blatt „Onlineprodukt_Gemeinden“ (Blätter: Deckblatt, Tabelle1, Erläuterungen)",
                empty: "ist leer", binary: "ist keine Textdatei"}
    for path, message in expected.items():
        result = runner.invoke(args=["places", "import", str(path)])
        assert result.exit_code == 1, (path, result.output)
        assert message in result.output and "Traceback" not in result.output, result.output


def test_a_table_with_the_whole_key_in_one_column_is_read_too(app, runner, tmp_path):
    """A one-row header with the 12-digit ARS in one column (as GV-ISys' online export gives it) works as well."""
    make_document(app, title="Konzept Neuhof", municipality="Neuhof")
    path = tmp_path / "gemeinden.csv"
    path.write_text("Satzart;Textkennzeichen;ARS;Gemeindename;Bevölkerung insgesamt\n"
                    "10;;06;Hessen;\n40;44;06631;Fulda;\n60;64;066310020020;Neuhof;11 003\n", encoding="utf-8")
    result = runner.invoke(args=["places", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Gelesen (GV-ISys (CSV)): 1 Gemeinden, 1 Kreise" in result.output
    neuhof = _municipality(app, "Neuhof")
    assert (neuhof.ars, neuhof.ags, neuhof.population, neuhof.state, neuhof.district) == (
        "066310020020", "06631020", 11_003, "Hessen", "Fulda")
