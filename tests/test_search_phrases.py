"""Phrases: the batch decoding of word positions (``_positions``) and the phrase edge cases
it must not change, through the real ingest and search services."""
from __future__ import annotations

import random

import numpy as np
import pytest

from toolbox import search
from toolbox.search import SearchQuery
from toolbox.search._analysis import GermanPositions
from toolbox.search._positions import decode_position_lists


def _lists(rng: random.Random, count: int) -> list[list[int]]:
    """Ascending position lists of every shape the pickler writes differently: one item,
    batches of 1000 and their edges, deltas of one, two, four and eight bytes."""
    lists = []
    for _ in range(count):
        n = rng.choice([1, 1, 2, 3, 40, 999, 1000, 1001, 2001])
        step = rng.choice([1, 255, 256, 70_000, 2**31 + 7])
        position, found = rng.randint(0, step), []
        for _ in range(n):
            found.append(position)
            position += rng.randint(1, step)
        lists.append(found)
    return lists


@pytest.mark.parametrize("seed", range(6))
def test_batch_decoding_equals_whooshs_decoding_per_value(seed):
    rng = random.Random(seed)
    fmt = GermanPositions()
    lists = _lists(rng, rng.randint(1, 25))
    values = [fmt.encode(found) for found in lists]
    counts, flat = decode_position_lists(values)
    assert counts.tolist() == [len(found) for found in lists]
    assert flat.tolist() == [p for value in values for p in fmt.decode_positions(value)]
    assert flat.dtype == np.int64


def test_only_small_or_only_large_deltas_decode_alike():
    fmt = GermanPositions()
    small = [[0, 1, 2], [7], list(range(0, 2400, 2))]
    large = [[300], [5, 70_000, 2**31 + 70_000], [256, 512]]
    for lists in (small, large, small + large, large + small):
        counts, flat = decode_position_lists([fmt.encode(found) for found in lists])
        assert counts.tolist() == [len(found) for found in lists]
        assert flat.tolist() == [p for found in lists for p in found]


def test_values_in_another_format_are_refused_not_misread():
    fmt = GermanPositions()
    good = fmt.encode([3, 9])
    assert decode_position_lists([]) is not None
    for bad in (
        good[:4] + b"\x80\x03" + good[6:],        # another pickle protocol
        good[:-1],                                 # no STOP
        fmt.encode([]),                            # no positions
        b"\x00\x00\x00\x05" + good[4:],            # count and items disagree
        good[:9] + b"M\x03\x00" + good[11:],       # an item of another size where one byte was expected
    ):
        assert decode_position_lists([good, bad]) is None, bad


def test_position_keys_fall_back_to_per_value_decoding(app, make_doc, monkeypatch):
    """When the batch decoder refuses a value, the phrase still finds the same documents."""
    import toolbox.search._phrases as phrases

    make_doc(title="Eins", text="Die Planung der Radwege beginnt im Frühjahr.")
    make_doc(title="Zwei", text="Radwege werden geplant, die Planung dauert.")
    with app.app_context():
        expected = search.search(SearchQuery(q='"Planung der Radwege"'))
        monkeypatch.setattr(phrases, "decode_position_lists", lambda values: None)
        fallback = search.search(SearchQuery(q='"Planung der Radwege"'))
    assert expected.total == 1
    assert [h.document_id for h in fallback.hits] == [h.document_id for h in expected.hits]
    assert [h.highlights for h in fallback.hits] == [h.highlights for h in expected.hits]


def _found(q: str) -> set[int]:
    return {hit.document_id for hit in search.search(SearchQuery(q=q, per_page=100)).hits}


def test_phrase_edge_cases_through_the_search(app, make_doc):
    boundary = make_doc(title="Konzept Radverkehr", text="Planung und Bau der Wege")
    repeated = make_doc(title="Regeln", text="Wir wissen, dass die die Regeln kennen.")
    single = make_doc(title="Regeln", text="Die Regeln und die Leute.")
    compound = make_doc(title="Ausbau", text="Der Radwegeausbau beginnt im Mai.")
    umlaut = make_doc(title="Beteiligung", text="Die Bürgerbeteiligung für Gemeinden wächst.")
    excluded = make_doc(title="Haushalt", text="Bürgerbeteiligung für Gemeinden im Haushalt.")
    with app.app_context():
        # Title and text are fields of their own: a phrase never runs from one into the other.
        assert boundary not in _found('"Radverkehr Planung"')
        assert _found('"Konzept Radverkehr"') == {boundary}
        # A repeated word needs both occurrences next to each other.
        assert _found('"die die"') == {repeated}
        assert single in _found('"die Regeln"') and repeated in _found('"die Regeln"')
        # A phrase takes its words as they are: a compound part is no word of the phrase.
        assert _found('"Radwegeausbau beginnt"') == {compound}
        assert compound not in _found('"Ausbau beginnt"')
        # Typed transliterations mean the umlauts, inside a phrase too.
        assert _found('"Buergerbeteiligung fuer Gemeinden"') == {umlaut, excluded}
        assert _found('"Bürgerbeteiligung für Gemeinden" -Haushalt') == {umlaut}


def test_phrases_in_long_texts_with_large_gaps_and_many_occurrences(app, make_doc):
    """More than a thousand occurrences of a word in a document (several pickle batches) and
    gaps of more than 255 words (two-byte items) are decoded in place."""
    filler = " ".join(f"wort{n}" for n in range(300))
    many = make_doc(title="Viele", text=" ".join(["die Regel"] * 1200) + " und die die Ausnahme")
    none = make_doc(title="Keine", text=" ".join(["die Regel"] * 1200))
    far = make_doc(title="Weit", text=f"Anfang {filler} Anfang Mitte Ende")
    with app.app_context():
        assert _found('"die die Ausnahme"') == {many}
        assert _found('"Regel die Regel"') == {many, none}
        assert _found('"Anfang Mitte Ende"') == {far}
        assert _found('"Anfang wort0"') == {far}
        assert search.search(SearchQuery(q='"die die"')).total == 1


def test_a_two_word_phrase_with_a_stop_word_is_one_pair_lookup(app, make_doc, monkeypatch):
    """Two words, one of them a stop word ("und", in nearly every document), are exactly their
    pair: no document's positions are read."""
    import toolbox.search._matching as matching

    together = make_doc(title="Eins", text="Wege und offen gestaltete Plätze.")
    reversed_order = make_doc(title="Zwei", text="Offen und ehrlich über Wege.")
    make_doc(title="Drei", text="Die Wege sind offen.")

    def no_positions(*args, **kwargs):
        raise AssertionError("a two-word phrase read word positions")

    monkeypatch.setattr(matching, "phrase_docs", no_positions)
    with app.app_context():
        assert _found('"und offen"') == {together}
        assert _found('"offen und"') == {reversed_order}
        assert _found('"Wege und"') == {together}
        assert _found("Wege offen") == {together, reversed_order, _found('"sind offen"').pop()}


@pytest.fixture
def checked(monkeypatch) -> list[set[int]]:
    """The candidate documents of every position check of a phrase (``phrase_docs``), in order."""
    import toolbox.search._matching as matching

    calls: list[set[int]] = []
    real = matching.phrase_docs

    def recording(reader, fieldname, terms, candidates):
        calls.append(set(candidates))
        return real(reader, fieldname, terms, candidates)

    monkeypatch.setattr(matching, "phrase_docs", recording)
    return calls


def test_a_longer_phrase_checks_positions_only_where_all_its_pairs_occur(app, make_doc, checked):
    """Pairs may occur apart, so the documents holding all of them are checked over positions;
    the many documents with the words but not the pairs are never read."""
    together = make_doc(title="Eins", text="Das Netz der Stadtwerke wächst.")
    apart = make_doc(title="Zwei", text="Das Netz der Kommune und die Leitungen der Stadtwerke.")
    for n in range(5):
        make_doc(title=f"Bericht {n}", text="Stadtwerke und Netz: der Bericht.")
    with app.app_context():
        assert _found('"Netz der Stadtwerke"') == {together}
        assert len(_found("Netz der Stadtwerke")) == 7 and apart in _found("Netz der Stadtwerke")
    assert [len(docs) for docs in checked] == [2]


def test_phrases_of_content_words_check_positions_in_the_few_documents_with_all_words(app, make_doc, checked):
    """Pairs of two content words are not indexed on Whoosh (they would be most of the pair
    terms); such a phrase reads the positions of the documents holding all its words."""
    together = make_doc(title="Eins", text="Die Stadtwerke bauen Ladesäulen am Markt.")
    apart = make_doc(title="Zwei", text="Ladesäulen bauen die Stadtwerke.")
    make_doc(title="Drei", text="Die Stadtwerke planen.")
    with app.app_context():
        assert _found('"Stadtwerke bauen"') == {together}
        assert _found('"Ladesäulen bauen die"') == {apart}
        assert _found('"Stadtwerke bauen Ladesäulen am"') == {together}
    assert [len(docs) for docs in checked] == [2, 1, 1]
