"""Translations: every text has an English version, and the visitor gets the language they ask for."""
from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_DIR = ROOT / "toolbox" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None}


def _source_messages() -> set[str]:
    """Every msgid (the singular for plurals) in templates/ and toolbox/, read as pybabel does."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**KEYWORDS, "ngettext": (1, 2)}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalogue():
    with open(CATALOGUE_DIR / "messages.po", "rb") as po:
        return read_po(po, locale="en")


def test_every_text_has_an_english_translation():
    """Each text of a template or of the code has a non-empty, non-fuzzy English entry; run
    `make translations` and fill in messages.po when this fails."""
    catalogue = _catalogue()
    missing = []
    for msgid in sorted(_source_messages()):
        entry = catalogue.get(msgid)
        if entry is None:
            missing.append(f"not in messages.po: {msgid!r}")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(strings):
            missing.append(f"empty: {msgid!r}")
        if entry.fuzzy:
            missing.append(f"fuzzy: {msgid!r}")
    assert not missing, "\n".join(missing)


def test_placeholders_survive_translation():
    """A translation keeps the %(name)s placeholders of its German source."""
    wrong = []
    for entry in _catalogue():
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
        for string in strings:
            if set(re.findall(r"%\(\w+\)[sd]", string)) != expected:
                wrong.append(f"{ids[0]!r} → {string!r}")
    assert not wrong, "\n".join(wrong)


def test_compiled_catalogue_matches_the_po_file():
    """The committed messages.mo holds exactly the translations of messages.po (`make translations`)."""
    with open(CATALOGUE_DIR / "messages.mo", "rb") as mo:
        compiled = read_mo(io.BytesIO(mo.read()))

    def pairs(catalogue):
        return {tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id:
                tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string
                for m in catalogue if m.id}

    assert pairs(_catalogue()) == pairs(compiled)


def test_german_without_preference(client):
    """Without Accept-Language or a choice the pages are German."""
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="de">' in html and "Zum Inhalt springen" in html


def test_browser_preference_chooses_english(client):
    """A browser that prefers English gets English pages."""
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,de;q=0.5"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "Skip to content" in html


def test_switch_is_remembered_over_the_browser_preference(client):
    """The header switch stores the choice in the session; it beats the browser's preference."""
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<a href="/\?lang=en" lang="en" hreflang="en"[^>]*>English</a>', html)
    client.get("/?lang=en")
    html = client.get("/search", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert re.search(r'<a href="/search\?lang=de" lang="de" hreflang="de"[^>]*>Deutsch</a>', html)
    client.get("/?lang=de")
    assert '<html lang="de">' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_switch_keeps_search_and_filters(client):
    """Switching the language on a result page keeps the query and every filter."""
    html = client.get("/search?q=Daten&topic=a&topic=b").get_data(as_text=True)
    assert 'href="/search?q=Daten&amp;topic=a&amp;topic=b&amp;lang=en"' in html


def test_document_page_in_english(client, make_doc):
    """Vocabulary labels, texts and dates follow the locale on the document page."""
    document_id = make_doc(title="Datenstrategie", topics=["daten-plattformen"], year=2023)
    german = client.get(f"/documents/{document_id}").get_data(as_text=True)
    english = client.get(f"/documents/{document_id}?lang=en").get_data(as_text=True)
    assert "Themenfelder" in german and "Topics" in english
    from toolbox.models import Topic
    from toolbox.extensions import db

    with client.application.app_context():
        topic = db.session.query(Topic).filter_by(slug="daten-plattformen").one()
        label_de, label_en = topic.label_de, topic.label_en
    from markupsafe import escape

    assert str(escape(label_de)) in german and str(escape(label_en)) in english and label_de != label_en
