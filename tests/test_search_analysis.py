"""The German analysis every search backend shares (``toolbox.search.analysis``)."""
from __future__ import annotations

from toolbox.search._analysis import GermanTokenizer
from toolbox.search.analysis import (
    adjacent_pairs,
    compound_keys,
    fold,
    head_terms,
    pair_term,
    phrase_pairs,
    term_for,
    term_positions,
)

LONG = "x" * 61  # over MAX_WORD_LENGTH: not indexed, but it still takes a position


def test_term_positions_are_what_the_whoosh_index_holds():
    """Another engine indexing ``term_positions`` gets the terms and positions Whoosh indexes."""
    text = f"Die Ausschreibungen zur Bürgerbeteiligung {LONG} an der Straße, Strasse und Strassen."
    from_whoosh: dict[str, list[int]] = {}
    for token in GermanTokenizer()(text, positions=True):
        from_whoosh.setdefault(token.text, []).append(token.pos)
    assert dict(term_positions(text)) == from_whoosh


def test_positions_count_dropped_words_so_phrases_do_not_span_them():
    """The junk word between two words keeps them apart by two positions, not one."""
    positions = term_positions(f"Bürger {LONG} Beteiligung")
    assert positions[term_for("Bürger")] == [0]
    assert positions[term_for("Beteiligung")] == [2]


def test_one_term_however_the_word_is_typed():
    """Umlauts, their transliterations, ß/ss and inflection meet in one term."""
    assert term_for("Straße") == term_for("Strasse") == term_for("STRASSE")
    assert term_for("Bürgerbeteiligung") == term_for("Buergerbeteiligung")
    assert term_for("Ausschreibungen") == term_for("Ausschreibung")
    assert fold("Größe") == fold("groesse") and fold("Steuer") == "steuer"


def test_compound_keys_let_a_head_find_its_compounds():
    """A compound's key starts with the reversed stem of its head; short words give no key."""
    keys = compound_keys({"Datenstrategie", "Amt"})
    assert len(keys) == 1
    assert any(keys[0].startswith(head[::-1]) for head in head_terms("Strategie"))
    assert any(compound_keys({"Verkehrsplanung"})[0].startswith(head[::-1]) for head in head_terms("Planung"))


def test_word_pairs_are_the_terms_at_adjacent_positions():
    """A pair is two terms at positions p and p + 1 of ``term_positions``, whatever their
    spelling; the junk word's position leaves the words around it unpaired."""
    text = f"Ein Konzept für die Digitalisierung, die die Bürger {LONG} Beteiligung braucht."
    at = {pos: term for term, found in term_positions(text).items() for pos in found}
    expected = {pair_term(at[pos], at[pos + 1]) for pos in at if pos + 1 in at}
    assert adjacent_pairs(text) == expected
    assert pair_term(term_for("Konzept"), term_for("für")) in expected
    assert pair_term(term_for("die"), term_for("die")) in expected
    assert pair_term(term_for("Bürger"), term_for("Beteiligung")) not in expected
    assert pair_term(term_for("Fuer"), term_for("DIE")) in adjacent_pairs("Konzept fuer DIE Schulen")


def test_a_phrase_needs_each_of_its_pairs_once():
    terms = [term_for(w) for w in "die die die Regel".split()]
    assert phrase_pairs(terms) == [pair_term(terms[0], terms[1]), pair_term(terms[2], terms[3])]
    assert phrase_pairs(terms[:1]) == []
