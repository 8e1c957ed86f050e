"""The PostgreSQL backend's index entries: a document's row in ``search_entries``, written on the
caller's connection (so inside the caller's transaction), and the vocabulary in ``search_terms``.

The ``tsvector`` is built here from the shared analysis (``analysis.term_positions``), never by
PostgreSQL's own parser: each index term goes in as a literal lexeme with its word positions, so
the German behaviour (stems, folding, transliteration, compound keys) is exactly Whoosh's. A
lexeme carries its field as a prefix (``t:`` title, ``d:`` description, ``b:`` body, ``p:``
project, ``m:`` municipality), so one GIN index answers fielded and unfielded words, phrases
and prefixes (``:*``). Three kinds of position-less lexemes serve the phrases, the ranking and
the compounds, all answered from the GIN index alone:

* ``tp:``, ``dp:``, ``bp:``, ``pp:``, ``mp:`` hold each two adjacent words of a field
  (``analysis.adjacent_pairs``, "bp:konzept fur"): a two-word phrase is one such lexeme, which
  the GIN index answers without a recheck; a longer phrase ANDs its pairs with ``<->`` over the
  positions, so only the few documents holding every pair have their ``tsvector`` read. Before
  the pairs, ``<->`` alone had PostgreSQL recheck every document holding the words, de-toasting
  each ``tsvector``: a phrase with "und" or "der" read nearly all of them. Every pair is
  indexed, not only those with a stop word as in Whoosh (``_schema.PAIR_FIELD``): a recheck
  here reads a whole ``tsvector``, so a phrase of two content words must not need one either;

* ``b2:``, ``b4:``, ``b8:`` mark a body term occurring at least 2, 4, 8 times: the steps of BM25's
  saturating term frequency (``_pg_query``);
* ``rt:``, ``rd:``, ``rb:`` hold the reversed stems of a field's long words (``analysis.
  compound_keys``), so that "Strategie" finds "Datenstrategie" by one prefix lookup
  (``'rb:igetarts':*``), whatever the number of such compounds.

Ranking never reads a ``tsvector``: a document's entry is several kilobytes, and reading
(de-toasting) it for thousands of matches cost more than everything else of a search.

PostgreSQL keeps at most 256 positions per lexeme and positions up to 16 383, so a long body's
positions go in parts: ``b:`` holds those of its first ``PART_WORDS`` words, ``x1:``, ``x2:`` …
those of the following parts (each starting ``PART_OVERLAP`` words early, so that no phrase
falls between two parts), and a body phrase of three or more words asks every part
(``_pg_query``). Beyond ``MAX_PARTS`` parts (about 50 000 words) such a phrase is not found;
words and two-word phrases (pairs have no positions) are found anywhere. The pairs of a body
too large for them and its positions (``MAX_VECTOR_CHARS``) are left out and ``np:body`` put
in their place, so that its body phrases are checked over positions alone.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from sqlalchemy import text

from ._fields import municipality_key
from ._record import IndexRecord
from ._syntax import MAX_PHRASE_WORDS
from .analysis import MIN_COMPOUND_LENGTH, adjacent_pairs, term_positions

#: Text field → (lexeme prefix, ``ts_rank`` weight label).
FIELD_LEXEMES = {"title": ("t", "A"), "description": ("d", "B"), "body": ("b", "D"),
                 "project": ("p", "C"), "municipality": ("m", "C")}
PREFIX = {name: prefix for name, (prefix, _label) in FIELD_LEXEMES.items()}
#: ``ts_rank``'s weights for the labels {D, C, B, A}: body 1, project/municipality 1.5,
#: description 2, title 4 (``_fields.TEXT_FIELD_BOOSTS``), scaled to at most 1 (autocomplete's
#: titles only; searches rank from the GIN index, ``_pg_query``).
RANK_WEIGHTS = "{0.25,0.375,0.5,1.0}"

MAX_POSITIONS = 256
MAX_POSITION = 16383
#: ``tsvector`` values are limited to 1 MB; far below that the body's positions are left out.
MAX_VECTOR_CHARS = 700_000

#: Kinds of vocabulary row.
KIND_WORD = "w"
KIND_COMPOUND = "c"

ENTRY_TABLE = "search_entries"
TERMS_TABLE = "search_terms"
STATE_TABLE = "search_state"
TABLES = (ENTRY_TABLE, TERMS_TABLE, STATE_TABLE)


def quote(lexeme: str) -> str:
    """A lexeme as a ``tsvector``/``tsquery`` literal."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


#: Body term frequencies that get a lexeme of their own (``b2:``, ``b4:``, ``b8:``).
FREQUENCY_STEPS = (2, 4, 8)
#: Fields whose long words are compound keys (``_fields.COMPOUND_FIELDS``), and their prefixes.
COMPOUND_PREFIX = {"title": "rt", "description": "rd", "body": "rb"}
#: Each field's word pairs (``analysis.adjacent_pairs``): "bp:konzept fur".
PAIR_PREFIX = {"title": "tp", "description": "dp", "body": "bp", "project": "pp", "municipality": "mp"}
#: The lexeme of an entry that holds its body's positions but not its body's pairs, which a huge
#: text had no room for: its body phrases are checked over positions (``_pg_query``).
UNPAIRED = "np:body"


#: Words of the body whose positions one lexeme prefix holds (well below 16 383, and a frequent
#: word such as "die" stays below 256 occurrences in one part).
PART_WORDS = 4000
#: A part starts this many words before the previous one ends: the longest phrase (``_query``).
PART_OVERLAP = MAX_PHRASE_WORDS
#: Parts after the first (``x1:`` … ``x12:``) that a phrase is looked for in.
MAX_PARTS = 12


def part_prefix(part: int) -> str:
    return "b" if part == 0 else f"x{part}"


def _body_part_lexemes(term: str, found: list[int]) -> list[str]:
    """The positions of a long body's term beyond the first part, part by part."""
    parts: dict[int, list[int]] = {}
    for pos in found:
        if pos < PART_WORDS:
            if pos >= PART_WORDS - PART_OVERLAP:  # the first part's end begins the second
                parts.setdefault(1, []).append(pos - (PART_WORDS - PART_OVERLAP) + 1)
            continue
        part = (pos - PART_WORDS) // (PART_WORDS - PART_OVERLAP) + 1
        start = PART_WORDS + (part - 1) * (PART_WORDS - PART_OVERLAP) - PART_OVERLAP
        if part <= MAX_PARTS:
            parts.setdefault(part, []).append(pos - start + 1)
        # The first words of the next part repeat the end of this one.
        following = part + 1
        next_start = PART_WORDS + part * (PART_WORDS - PART_OVERLAP) - PART_OVERLAP
        if pos >= next_start and following <= MAX_PARTS:
            parts.setdefault(following, []).append(pos - next_start + 1)
    return [f"{quote(part_prefix(part) + ':' + term)}:{','.join(map(str, sorted(positions)[:MAX_POSITIONS]))}"
            for part, positions in sorted(parts.items())]


def _pair_parts(name: str, value: str) -> list[str]:
    prefix = PAIR_PREFIX[name]
    return [quote(f"{prefix}:{pair}") for pair in adjacent_pairs(value)]


def _field_parts(name: str, value: str, positions: bool, counted: list[int]) -> list[str]:
    prefix, label = FIELD_LEXEMES[name]
    suffix = "" if label == "D" else label
    reversed_prefix = COMPOUND_PREFIX.get(name)
    parts = []
    for term, found in term_positions(value).items():
        counted[0] += len(found)
        lexeme = quote(f"{prefix}:{term}")
        if positions and name == "body" and found[-1] >= PART_WORDS - PART_OVERLAP:
            first = [pos for pos in found if pos < PART_WORDS]
            kept = ",".join(str(pos + 1) for pos in first[:MAX_POSITIONS])
            parts.append(f"{lexeme}:{kept}" if kept else lexeme)
            parts.extend(_body_part_lexemes(term, found))
        elif positions:
            kept = ",".join(f"{min(pos + 1, MAX_POSITION)}{suffix}" for pos in found[:MAX_POSITIONS])
            parts.append(f"{lexeme}:{kept}")
        else:
            parts.append(lexeme)
        if name == "body":
            parts.extend(quote(f"b{step}:{term}") for step in FREQUENCY_STEPS if len(found) >= step)
        if reversed_prefix and len(term) >= MIN_COMPOUND_LENGTH:
            parts.append(quote(f"{reversed_prefix}:{term[::-1]}"))
    return parts


def tsvector_literal(record: IndexRecord) -> tuple[str, int]:
    """The document's ``tsvector`` as text and the number of words in its fields."""
    values = {"title": record.title, "description": record.description, "body": record.text,
              "project": record.project, "municipality": record.municipality}
    counted = [0]
    fielded: list[str] = []
    for name in FIELD_LEXEMES:
        fielded.extend(_field_parts(name, values[name], True, counted))
    pairs = [part for name in FIELD_LEXEMES if name != "body" for part in _pair_parts(name, values[name])]
    body_pairs = _pair_parts("body", values["body"])
    literal = " ".join(fielded + pairs + body_pairs)
    if len(literal) > MAX_VECTOR_CHARS:
        # A huge text: its body phrases are found over positions, without pairs ...
        literal = " ".join(fielded + pairs + [quote(UNPAIRED)])
    if len(literal) > MAX_VECTOR_CHARS:
        # ... or, huger still, its body words stay findable, only phrases in it are not.
        fielded = []
        for name in FIELD_LEXEMES:
            fielded.extend(_field_parts(name, values[name], name != "body", [0]))
        literal = " ".join(fielded + pairs)
    return literal, counted[0]


def entry_row(record: IndexRecord) -> tuple[dict, list[str], list[str]]:
    """The ``search_entries`` row of ``record``, its vocabulary words and its compound keys."""
    vocabulary = record.vocabulary()
    compounds = record.compound_keys()
    municipality = record.municipality_name
    state = record.state_name
    tsv, length = tsvector_literal(record)
    row = {
        "document_id": record.id,
        "status": record.status,
        "tsv": tsv,
        "words": length,
        "title": record.title,
        "title_sort": record.title_sort(),
        "sort_date": record.sort_date(),
        "topics": sorted(set(record.topics)),
        "size_class": record.size_class or "",
        "type": record.type or "",
        "format": record.format or "",
        "license": record.license or "",
        "year": record.year,
        "municipality": municipality,
        "municipality_key": municipality_key(municipality) if municipality else "",
        "state": state,
        "state_key": municipality_key(state) if state else "",
        "project": record.project_id or "",
        "accessibility": record.accessibility or "",
        "fingerprint": record.fingerprint(),
    }
    return row, vocabulary, compounds


_COLUMNS = ("document_id", "status", "tsv", "title", "title_sort", "sort_date", "topics", "size_class", "type",
            "format", "license", "year", "municipality", "municipality_key", "state", "state_key", "project",
            "accessibility", "words", "fingerprint")
_CASTS = {"tsv": "CAST(:tsv AS tsvector)", "topics": "CAST(:topics AS text[])"}

UPSERT = text(
    f"INSERT INTO {ENTRY_TABLE} ({', '.join(_COLUMNS)}) VALUES ("
    + ", ".join(_CASTS.get(name, f":{name}") for name in _COLUMNS)
    + ") ON CONFLICT (document_id) DO UPDATE SET "
    + ", ".join(f"{name} = EXCLUDED.{name}" for name in _COLUMNS if name != "document_id"))
DELETE = text(f"DELETE FROM {ENTRY_TABLE} WHERE document_id = ANY(CAST(:ids AS integer[]))")
# Sorted, so that two transactions adding the same new words take their row locks in one order.
ADD_TERMS = text(
    f"INSERT INTO {TERMS_TABLE} (kind, term) SELECT CAST(:kind AS \"char\"), t "
    "FROM unnest(CAST(:terms AS text[])) AS t ORDER BY t ON CONFLICT DO NOTHING")


def write_entries(connection, records: Iterable[IndexRecord], removed: Sequence[int] = ()) -> int:
    """Write the entries of ``records`` and delete those of ``removed`` on ``connection``, in
    whatever transaction it is in (nothing is committed here). Returns the entries written."""
    rows = []
    words: set[str] = set()
    compounds: set[str] = set()
    for record in sorted(records, key=lambda r: r.id):
        row, vocabulary, keys = entry_row(record)
        rows.append(row)
        words.update(vocabulary)
        compounds.update(keys)
    gone = sorted(set(removed) - {row["document_id"] for row in rows})
    if gone:
        connection.execute(DELETE, {"ids": gone})
    if words:
        connection.execute(ADD_TERMS, {"kind": KIND_WORD, "terms": sorted(words)})
    if compounds:
        connection.execute(ADD_TERMS, {"kind": KIND_COMPOUND, "terms": sorted(compounds)})
    if rows:
        connection.execute(UPSERT, rows)
    return len(rows)
