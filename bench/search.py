"""Search latency per query class beside SQLite FTS5 on the same texts, in the same run (issue 17).

    python -m bench.search                                   # Whoosh, both corpora, 10 000 and 50 000
    python -m bench.search --sizes 10000 --corpus zipf       # one size, one corpus
    python -m bench.search --backend postgresql              # the PostgreSQL full-text backend
    python -m bench.search --api                             # also /api/v1/search against Flask + FTS5
    python -m bench.search --sizes 200 --queries 5 --corpus zipf --api   # a smoke run, seconds

Each (corpus, size) runs in a child process of its own. The repository is built once and cached
under ``$TMPDIR/toolbox-bench-search/`` (``--fresh`` builds it again): on SQLite a database file,
the Whoosh index and the FTS5 file; on PostgreSQL a template database
``toolbox_bench_<corpus>_<size>_<fingerprint>`` of which every run takes a fresh copy
(``CREATE DATABASE … TEMPLATE``), as ``bench/load.py`` does. The documents (topics, type,
municipality and size class, project, licence, year, format over the seeded vocabularies) are
inserted in bulk straight into the database, then indexed (``bench/search_build.py``): on
Whoosh with ``toolbox.search.reindex()``, which analyses on every core (``toolbox/search/_build.py``),
with a postings pool large enough not to spill to disk; on PostgreSQL with the backend's own write
path on several processes. A progress line every few seconds, the rate at the end.

Corpora (``--corpus``):

- ``zipf`` (typical selectivity): 1 000 words per document drawn from a Zipf distribution
  (exponent 1) over the words of real German text ranked by frequency — the project's demo
  documents (``toolbox/demo/catalogue.py``, ~25 000 words, ~3 500 distinct) — with a tail of
  20 000 compounds of their nouns. Query words come from the band whose documents' share makes a
  two-word query match 5–10 % of the documents; the measured share is reported per class.
- ``dense`` (the earlier corpus): 2 000 words per document from ``bench.german_text``, ~300
  function and domain words, so that nearly every query word occurs in 90 % of the documents —
  the worst case for facet counting.

Query classes, each with every facet's counts: two words, one word, phrase (two or three words
of a document, quoted), prefix (``digit*``), exclusion (``word -other``), browse with one filter
(a topic, no words, newest first). ``--kinds all`` adds the older classes (a topic and a size
class with a word, browsing two topics and a size class, one typo, synonym). Every query string
is distinct and runs once in the warm process, the engine's and FTS5's answer to it directly
after each other (alternating which goes first), so that both see the same machine load.

Before the first query the app starts as ``toolbox.wsgi`` starts it for a production server:
the search caches are warmed (``TOOLBOX_SEARCH_WARM_POSTINGS``) and the objects start-up made
are frozen for the garbage collector (``--cold`` skips that; the report gives its seconds).
The engine is called through ``toolbox.search.search(SearchQuery(...))``, what the page and the
API call: matching, ranking, every facet's counts (ten facets), 20 hits with highlighted
snippets. The FTS5 reference (``fts5(title, body)``, unicode61 without diacritics, a prefix index
of 5 letters) answers the same query with MATCH, the total, a bm25 page of 20 with ``snippet()``
and GROUP BY counts of the same ten facets, each under the other selected filters. It does not
stem, fold ß/ae/oe/ue, split compounds, drop stop words or widen to "any word".

``--api`` also times ``GET /api/v1/search`` of the toolbox against a small Flask endpoint over
the same FTS5 file doing the same work — 20 hits with their metadata and labels and snippets,
the total, the facet counts with labels, as JSON — both through Flask's test client.

The goal of issue 17: every class's p95 at most 1.0× FTS5's at 10 000 documents and 1.5× at
50 000; the report marks each class.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .german_text import DOMAIN_WORDS, TextGenerator

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CACHE_ROOT = Path(tempfile.gettempdir()) / "toolbox-bench-search"
#: Changes whenever the generated repository would differ: a stale cache is never reused.
CORPUS_VERSION = "2"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

WORDS_PER_DOC = 2000
FORMATS = [("pdf", 55), ("docx", 25), ("odt", 5), ("xlsx", 7), ("pptx", 8)]
MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
#: The classes of issue 17, measured by default.
KINDS = ("two words", "one word", "phrase", "prefix", "exclusion", "browse: one filter")
#: Older classes (issue 3 and 16), measured with ``--kinds all``.
EXTRA_KINDS = ("topic + size class + word", "browse: topic + size class", "one typo", "synonym")
ALL_KINDS = KINDS + EXTRA_KINDS
SYNONYM_SEED = PROJECT_ROOT / "toolbox" / "data" / "synonyms_seed.json"
#: The goal of issue 17: p95 against FTS5's, by corpus size.
GOALS = ((10_000, 1.0), (50_000, 1.5))


def goal_for(size: int) -> float:
    """The allowed p95 ratio to FTS5: 1.0 up to 10 000 documents, 1.5 beyond."""
    return 1.0 if size <= GOALS[0][0] else GOALS[1][1]


def typo_of(word: str, variant: int) -> str:
    """A typo in the middle of ``word``: swapped, dropped or doubled letter (issue 16)."""
    middle = len(word) // 2
    kind = variant % 3
    if kind == 0:
        return word[:middle] + word[middle + 1] + word[middle] + word[middle + 2:]
    if kind == 1:
        return word[:middle] + word[middle + 1:]
    return word[:middle] + word[middle] + word[middle:]


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cumulative(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def _sentences(words: list[str], rng: random.Random) -> str:
    sentences, start = [], 0
    while start < len(words):
        length = rng.randint(8, 20)
        sentences.append(" ".join(words[start:start + length]).capitalize() + ".")
        start += length
    return " ".join(sentences)


# --- corpora ---------------------------------------------------------------------------------


class Corpus:
    """The dense corpus: ``Corpus(seed).text(n)`` is the same whatever came before.

    2 000 words per document from ``bench.german_text`` (~300 words), one in 20 from a
    Zipf-weighted tail of 20 000 compounds of domain words.
    """

    name = "dense"
    words_per_doc = WORDS_PER_DOC

    def __init__(self, seed: int = 11):
        self.seed = seed
        rng = random.Random(seed)
        heads = [w for w in DOMAIN_WORDS if w.isalpha() and len(w) >= 4]
        compounds = set()
        while len(compounds) < 20_000:
            a, b = rng.choice(heads), rng.choice(heads)
            if a != b:
                compounds.add(a + b.lower())
        self.compounds = sorted(compounds)
        rng.shuffle(self.compounds)
        self.compound_cum = list(_cumulative(1.0 / (rank + 1) for rank in range(len(self.compounds))))

    def text(self, n: int) -> tuple[str, str, str]:
        gen = TextGenerator(self.seed * 1_000_003 + n)
        rng = gen.random
        words = gen.words_(WORDS_PER_DOC)
        for i in range(0, WORDS_PER_DOC, 20):  # one word in 20 from the rare tail
            words[i + rng.randrange(20)] = rng.choices(self.compounds, cum_weights=self.compound_cum)[0]
        text = _sentences(words, rng)
        title = gen.sentence(rng.randint(4, 8)).rstrip(".")
        description = gen.sentence(rng.randint(15, 30))
        return title, description, text

    def content_words(self) -> list[str]:
        return [w for w in DOMAIN_WORDS if w.isalpha() and len(w) >= 4]

    def pair_words(self, size: int) -> list[str]:
        return self.content_words()


def german_text() -> str:
    """Real German text that ships with the project: the demo documents' titles, descriptions,
    headings, paragraphs, lists and tables (``toolbox.demo.catalogue``)."""
    import dataclasses

    from toolbox.demo import catalogue

    def strings(value):
        if isinstance(value, str):
            yield value
        elif dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                if f.name not in ("filename", "layout"):
                    yield from strings(getattr(value, f.name))
        elif isinstance(value, (tuple, list)):
            for item in value:
                yield from strings(item)

    documents = [d for value in vars(catalogue).values() if isinstance(value, (tuple, list))
                 for d in value if isinstance(d, catalogue.DemoDocument)]
    seen, texts = set(), []
    for document in documents:
        if document.filename not in seen:
            seen.add(document.filename)
            texts.extend(strings(document))
    return "\n".join(texts)


_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def german_vocabulary() -> list[str]:
    """The words of ``german_text()`` ranked by frequency (the most frequent spelling of each),
    ties in order of first occurrence."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    first: dict[str, int] = {}
    for at, word in enumerate(_WORD.findall(german_text())):
        if len(word) < 2 or word.isupper():
            continue
        key = word.lower()
        counts[key] += 1
        spellings.setdefault(key, Counter())[word] += 1
        first.setdefault(key, at)
    ranked = sorted(counts, key=lambda k: (-counts[k], first[k]))
    return [spellings[k].most_common(1)[0][0] for k in ranked]


class ZipfCorpus:
    """Typical selectivity: words of real German text (``german_vocabulary``) drawn from a Zipf
    distribution (the word of rank r with weight 1/r), plus 20 000 compounds of its nouns in
    the tail; ``words_per_doc`` words per document."""

    name = "zipf"

    def __init__(self, seed: int = 11, words_per_doc: int = 1000):
        self.seed = seed
        self.words_per_doc = words_per_doc
        rng = random.Random(seed)
        real = german_vocabulary()
        nouns = [w for w in real if w[:1].isupper() and w.isalpha() and len(w) >= 5]
        known = {w.lower() for w in real}
        compounds: set[str] = set()
        while len(compounds) < 20_000:
            a, b = rng.choice(nouns), rng.choice(nouns)
            word = a + b.lower()
            if a != b and word.lower() not in known:
                compounds.add(word)
        tail = sorted(compounds)
        rng.shuffle(tail)
        self.vocabulary = real + tail
        self.real_words = len(real)
        weights = [1.0 / (rank + 1) for rank in range(len(self.vocabulary))]
        total = sum(weights)
        self.probability = {}
        for word, weight in zip(self.vocabulary, weights):
            self.probability[word] = self.probability.get(word, 0.0) + weight / total
        self.cum = list(_cumulative(weights))

    def text(self, n: int) -> tuple[str, str, str]:
        rng = random.Random(self.seed * 1_000_003 + n)
        vocabulary, cum = self.vocabulary, self.cum
        words = rng.choices(vocabulary, cum_weights=cum, k=self.words_per_doc)
        title = " ".join(rng.choices(vocabulary, cum_weights=cum, k=rng.randint(4, 8))).capitalize()
        description = " ".join(rng.choices(vocabulary, cum_weights=cum, k=rng.randint(15, 30))).capitalize() + "."
        return title, description, _sentences(words, rng)

    def document_share(self, word: str) -> float:
        """The expected share of documents that hold ``word`` (as typed, not stemmed)."""
        p = self.probability.get(word, 0.0)
        return 1.0 - (1.0 - p) ** (self.words_per_doc + 30)

    def content_words(self) -> list[str]:
        from toolbox.search.analysis import is_stopword

        return [w for w in self.vocabulary[:self.real_words]
                if w.isalpha() and len(w) >= 4 and not is_stopword(w)]

    def pair_words(self, size: int) -> list[str]:
        """Words each in 20–35 % of the documents: two of them together in about 5–10 %."""
        return [w for w in self.content_words() if 0.20 <= self.document_share(w) <= 0.35]


CORPORA = {"zipf": ZipfCorpus, "dense": Corpus}


# --- the repository --------------------------------------------------------------------------


FACETS = ("topic", "size_class", "type", "format", "license", "year", "municipality", "state", "project",
          "accessibility")
META_COLUMNS = ("size_class", "type", "format", "license", "year", "municipality", "state", "project",
                "accessibility")


def build_database(app, size: int, corpus, fts_path: Path) -> dict:
    """Insert ``size`` published documents with metadata and text; mirror them into FTS5."""
    from sqlalchemy import insert, select

    from toolbox.extensions import db
    from toolbox.models import (
        Document, DocumentType, FileVersion, License, Municipality, Project, SizeClass, Topic, document_topics,
    )

    rng = random.Random(size)
    now = datetime.now(timezone.utc)
    with app.app_context():
        topics = list(db.session.scalars(select(Topic)))
        types = list(db.session.scalars(select(DocumentType)))
        classes = list(db.session.scalars(select(SizeClass)))
        licenses = list(db.session.scalars(select(License)))
        municipalities = []
        for m in range(300):
            size_class = classes[m % len(classes)]
            municipalities.append({"id": m + 1, "name": f"Gemeinde {m + 1:03d}", "state": "Hessen",
                                   "population": 1000 + m * 997, "size_class_id": size_class.id,
                                   "size_class_manual": True})
        db.session.execute(insert(Municipality), municipalities)
        projects = [{"id": p + 1, "name": f"Projekt {p + 1}", "municipality_id": rng.randint(1, 300),
                     "year_finished": rng.randint(2015, 2025)} for p in range(800)]
        db.session.execute(insert(Project), projects)
        db.session.commit()
        class_of = {m["id"]: m["size_class_id"] for m in municipalities}
        slug_of_class = {c.id: c.slug for c in classes}
        labels = [(facet, entry.slug, entry.label_de) for facet, entries in
                  (("topic", topics), ("type", types), ("size_class", classes), ("license", licenses))
                  for entry in entries]
        labels += [("project", str(p["id"]), p["name"]) for p in projects]

        fts = sqlite3.connect(fts_path)
        fts.executescript(f"""
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE VIRTUAL TABLE docs_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2',
                                                     prefix = '5');
            CREATE TABLE meta (doc_id INTEGER PRIMARY KEY, {', '.join(f'{c} TEXT' for c in META_COLUMNS)},
                               status TEXT, published TEXT, title TEXT, description TEXT);
            CREATE TABLE meta_topic (doc_id INTEGER, topic TEXT, PRIMARY KEY (topic, doc_id)) WITHOUT ROWID;
            CREATE TABLE labels (facet TEXT, value TEXT, label TEXT, PRIMARY KEY (facet, value)) WITHOUT ROWID;
        """)
        fts.executemany("INSERT INTO labels VALUES (?, ?, ?)", labels)
        fts_seconds = 0.0
        words = 0
        batch = 500
        for start in range(0, size, batch):
            docs, versions, links, fts_rows, meta_rows, topic_rows = [], [], [], [], [], []
            for n in range(start, min(start + batch, size)):
                doc_id = n + 1
                title, description, text = corpus.text(n)
                words += len(title.split()) + len(description.split()) + len(text.split())
                municipality_id = rng.randint(1, 300)
                project = projects[rng.randrange(len(projects))]
                doc_type = rng.choice(types)
                licence = rng.choice(licenses)
                fmt = rng.choices([f for f, _ in FORMATS], weights=[w for _, w in FORMATS])[0]
                year = rng.randint(2015, 2025)
                chosen = rng.sample(topics, rng.choice((1, 1, 2, 2, 3)))
                published = now - timedelta(minutes=size - n)
                docs.append({"id": doc_id, "title": title, "description": description,
                             "document_type_id": doc_type.id, "project_id": project["id"],
                             "municipality_id": municipality_id, "license_id": licence.id, "language": "de",
                             "year": year, "status": "published", "download_count": rng.randint(0, 50),
                             "created_at": published, "updated_at": published, "published_at": published})
                versions.append({"id": doc_id, "document_id": doc_id, "number": 1, "sha256": f"{doc_id:064x}",
                                 "original_filename": f"dokument-{doc_id}.{fmt}", "media_type": MEDIA[fmt],
                                 "format": fmt, "size": len(text) * 2, "page_count": 8, "text": text,
                                 "extraction_status": "ok", "extraction_message": "", "properties": {},
                                 "uploaded_at": published})
                links.extend({"document_id": doc_id, "topic_id": t.id} for t in chosen)
                fts_rows.append((doc_id, title, text))
                meta_rows.append((doc_id, slug_of_class[class_of[municipality_id]], doc_type.slug, fmt,
                                  licence.slug, str(year), f"Gemeinde {municipality_id:03d}", "Hessen",
                                  str(project["id"]), "", "published", published.isoformat(), title, description))
                topic_rows.extend((doc_id, t.slug) for t in chosen)
            db.session.execute(insert(Document), docs)
            db.session.execute(insert(FileVersion), versions)
            db.session.execute(insert(document_topics), links)
            db.session.commit()
            began = time.perf_counter()
            fts.executemany("INSERT INTO docs_fts(rowid, title, body) VALUES (?, ?, ?)", fts_rows)
            fts.executemany(f"INSERT INTO meta VALUES ({', '.join('?' * (len(META_COLUMNS) + 5))})", meta_rows)
            fts.executemany("INSERT INTO meta_topic VALUES (?, ?)", topic_rows)  # one transaction
            fts_seconds += time.perf_counter() - began
            if (start // batch) % 20 == 0:
                _log(f"{size}: inserted {min(start + batch, size)} documents")
        began = time.perf_counter()
        fts.execute("INSERT INTO docs_fts(docs_fts) VALUES ('optimize')")
        fts.executescript("CREATE INDEX meta_sc ON meta(size_class); CREATE INDEX meta_pub ON meta(published); "
                          "ANALYZE;")
        fts.commit()
        fts_seconds += time.perf_counter() - began
        fts.close()
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy import text as sql

            # The bulk insert chose the ids itself; move each sequence past them for new rows.
            for table in db.metadata.sorted_tables:
                if "id" in table.c and table.c.id.primary_key:
                    db.session.execute(sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false) "
                        f"WHERE pg_get_serial_sequence('{table.name}', 'id') IS NOT NULL"))
            db.session.commit()
    return {"words": words, "fts_build_seconds": fts_seconds}


# --- queries ---------------------------------------------------------------------------------


def _phrases(corpus, size: int, count: int, content: set[str], rng: random.Random) -> list[tuple[str, ...]]:
    """Two or three consecutive words of a real document, at least one of them a content word."""
    phrases: list[tuple[str, ...]] = []
    n = 0
    while len(phrases) < count and n < count * 200:
        words = corpus.text((n * 37) % size)[2].replace(".", "").split()
        n += 1
        at = rng.randrange(len(words) - 3)
        phrase = tuple(words[at:at + rng.choice((2, 3))])
        if any(w in content for w in phrase) and phrase not in phrases:
            phrases.append(phrase)
    return phrases


def make_queries(corpus, size: int, count: int, topics: list[str], classes: list[str]) -> dict[str, list[dict]]:
    """``count`` distinct queries of each kind, the same for the engine and FTS5.

    A query is a dict: ``words`` (all must match), ``phrase`` (the words in a row), ``prefix``
    (the one word is a prefix), ``exclude`` (words that must not occur), filters ``topic``,
    ``topic2`` and ``size_class``.
    """
    rng = random.Random(4711)
    content = corpus.content_words()
    band = corpus.pair_words(size)
    singles = rng.sample(band, min(count, len(band)))
    while len(singles) < count:
        singles.append(rng.choice(band))
    pairs: list[tuple[str, str]] = []
    for _ in range(count * 100):
        if len(pairs) >= count:
            break
        pair = tuple(rng.sample(band, 2))
        if pair not in pairs and pair[0].lower() != pair[1].lower():
            pairs.append(pair)
    long_words = sorted({w[:5].lower() for w in band + content if len(w) >= 7 and w[:5].isalpha()})
    prefixes = rng.sample(long_words, min(count, len(long_words)))
    while len(prefixes) < count:
        prefixes.append(rng.choice(long_words))
    phrases = _phrases(corpus, size, count, set(content), rng)
    # Typos of words of eight letters and more (corrected with up to two edits from ten on).
    known = {w.lower() for w in content}
    long_content = [w for w in content if len(w) >= 8 and w.isalpha()]
    typos: list[str] = []
    variant = 0
    while len(typos) < count and variant < 30:
        for word in long_content:
            wrong = typo_of(word, variant)
            if wrong.lower() not in known and wrong not in typos and len(typos) < count:
                typos.append(wrong)
        variant += 1
    # Synonyms: every term of the seed list, then an abbreviation with a content word.
    groups = json.loads(SYNONYM_SEED.read_text(encoding="utf-8"))["groups"]
    synonyms: list[str] = list(dict.fromkeys(term for group in groups for term in group["terms"]))[:count]
    n = 0
    while len(synonyms) < count:
        candidate = f"{groups[n % len(groups)]['terms'][0]} {band[(n * 7) % len(band)]}"
        if candidate not in synonyms:
            synonyms.append(candidate)
        n += 1
    queries: dict[str, list[dict]] = {kind: [] for kind in ALL_KINDS}
    for i in range(count):
        topic, size_class = topics[i % len(topics)], classes[(i * 7) % len(classes)]
        queries["two words"].append({"words": list(pairs[i % len(pairs)])})
        queries["one word"].append({"words": [singles[i]]})
        queries["phrase"].append({"words": list(phrases[i % len(phrases)]), "phrase": True})
        queries["prefix"].append({"words": [prefixes[i]], "prefix": True})
        a, b = pairs[(i + count // 2) % len(pairs)]
        queries["exclusion"].append({"words": [a], "exclude": [b]})
        queries["browse: one filter"].append({"words": [], "topic": topic})
        queries["topic + size class + word"].append({"words": [singles[(i + 17) % count]], "topic": topic,
                                                     "size_class": size_class})
        queries["browse: topic + size class"].append({"words": [], "topic": topic, "size_class": size_class,
                                                      "topic2": topics[(i + 5) % len(topics)]})
        queries["one typo"].append({"words": [typos[i % len(typos)]]})
        queries["synonym"].append({"words": synonyms[i].split()})
    return queries


def query_text(spec: dict) -> str:
    """The search box's text for ``spec``."""
    words = spec["words"]
    if spec.get("phrase"):
        q = f'"{" ".join(words)}"'
    elif spec.get("prefix"):
        q = f"{words[0]}*"
    else:
        q = " ".join(words)
    return " ".join([q] + [f"-{w}" for w in spec.get("exclude", ())]).strip()


def query_params(spec: dict) -> list[tuple[str, str]]:
    """``spec`` as the parameters of ``/api/v1/search``."""
    params = [("q", query_text(spec))] if spec["words"] else []
    params += [("topic", t) for t in (spec.get("topic"), spec.get("topic2")) if t]
    if spec.get("size_class"):
        params.append(("size_class", spec["size_class"]))
    return params


def _search_query(spec: dict):
    from toolbox.search import SearchQuery, default_sort

    q = query_text(spec)
    topic = tuple(t for t in (spec.get("topic"), spec.get("topic2")) if t)
    size_class = (spec["size_class"],) if spec.get("size_class") else ()
    return SearchQuery(q=q, topic=topic, size_class=size_class, sort=default_sort(q))


class Fts5:
    """The reference: the same query answered by SQLite FTS5 plus GROUP BY facet counts."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute("PRAGMA temp_store=MEMORY")

    @staticmethod
    def _match(spec: dict) -> str | None:
        words = [w.replace('"', '""') for w in spec["words"]]
        if not words:
            return None
        if spec.get("phrase"):
            match = '"' + " ".join(words) + '"'
        elif spec.get("prefix"):
            match = f'"{words[0]}"*'
        else:
            match = " ".join(f'"{w}"' for w in words)  # implicit AND
        for word in spec.get("exclude", ()):
            match += ' NOT "' + word.replace('"', '""') + '"'
        return match

    def _filters(self, spec: dict, skip: str | None = None) -> tuple[str, list]:
        sql, args = [], []
        topic = [t for t in (spec.get("topic"), spec.get("topic2")) if t]
        if topic and skip != "topic":
            sql.append(f"m.doc_id IN (SELECT doc_id FROM meta_topic WHERE topic IN ({','.join('?' * len(topic))}))")
            args += topic
        if spec.get("size_class") and skip != "size_class":
            sql.append("m.size_class = ?")
            args.append(spec["size_class"])
        return (" AND " + " AND ".join(sql)) if sql else "", args

    def answer(self, spec: dict) -> dict:
        """The total, the page of 20 ids with snippets, and every facet's counts."""
        cur = self.db
        match = self._match(spec)
        cur.execute("DROP TABLE IF EXISTS temp.hits")
        if match is not None:
            cur.execute("CREATE TEMP TABLE hits AS SELECT rowid AS doc_id, rank FROM docs_fts WHERE docs_fts MATCH ?",
                        (match,))
        else:
            cur.execute("CREATE TEMP TABLE hits AS SELECT doc_id, 0 AS rank FROM meta WHERE status = 'published'")
        source = "hits h JOIN meta m ON m.doc_id = h.doc_id"
        where, args = self._filters(spec)
        total = cur.execute(f"SELECT count(*) FROM {source} WHERE 1{where}", args).fetchone()[0]
        order = "h.rank" if match is not None else "m.published DESC"
        page = [row[0] for row in cur.execute(
            f"SELECT h.doc_id FROM {source} WHERE 1{where} ORDER BY {order} LIMIT 20", args)]
        snippets: dict[int, str] = {}
        if page and match is not None:
            marks = ",".join("?" * len(page))
            snippets = dict(cur.execute(
                f"SELECT rowid, snippet(docs_fts, 1, '<mark>', '</mark>', '…', 24) FROM docs_fts "
                f"WHERE docs_fts MATCH ? AND rowid IN ({marks})", [match, *page]).fetchall())
        elif page:
            marks = ",".join("?" * len(page))
            snippets = dict(cur.execute(f"SELECT doc_id, substr(description, 1, 240) FROM meta "
                                        f"WHERE doc_id IN ({marks})", page).fetchall())
        facets: dict[str, list[tuple[str, int]]] = {}
        for facet in FACETS:
            where, args = self._filters(spec, skip=facet)
            if facet == "topic":
                facets[facet] = cur.execute(
                    f"SELECT t.topic, count(*) FROM {source} JOIN meta_topic t ON t.doc_id = h.doc_id "
                    f"WHERE 1{where} GROUP BY t.topic", args).fetchall()
            else:
                facets[facet] = cur.execute(
                    f"SELECT m.{facet}, count(*) FROM {source} WHERE 1{where} AND m.{facet} != '' "
                    f"GROUP BY m.{facet}", args).fetchall()
        return {"total": total, "page": page, "snippets": snippets, "facets": facets}

    def run(self, spec: dict) -> int:
        return self.answer(spec)["total"]

    def api(self, spec: dict) -> dict:
        """What the reference endpoint returns: the answer with each hit's metadata and the labels."""
        found = self.answer(spec)
        page = found["page"]
        labels: dict[tuple[str, str], str] = {}
        hits = []
        if page:
            marks = ",".join("?" * len(page))
            rows = {row[0]: row for row in self.db.execute(
                f"SELECT doc_id, title, description, type, size_class, municipality, project, year, format, license "
                f"FROM meta WHERE doc_id IN ({marks})", page)}
            topics: dict[int, list[str]] = {}
            for doc_id, topic in self.db.execute(f"SELECT doc_id, topic FROM meta_topic WHERE doc_id IN ({marks})",
                                                 page):
                topics.setdefault(doc_id, []).append(topic)
            labels = {(facet, value): label for facet, value, label in self.db.execute("SELECT * FROM labels")}
            for doc_id in page:
                _, title, description, type_, size_class, municipality, project, year, fmt, licence = rows[doc_id]

                def entry(facet: str, value: str) -> dict:
                    return {"value": value, "label": labels.get((facet, value), value)}

                hits.append({
                    "id": doc_id, "title": title, "description": description,
                    "topics": [entry("topic", t) for t in topics.get(doc_id, [])],
                    "type": entry("type", type_), "size_class": entry("size_class", size_class),
                    "municipality": municipality, "project": labels.get(("project", project), project),
                    "year": int(year), "format": fmt, "license": entry("license", licence),
                    "highlights": found["snippets"].get(doc_id, ""),
                    "url": f"http://127.0.0.1/dokumente/{doc_id}",
                    "download_url": f"http://127.0.0.1/dokumente/{doc_id}/download",
                })
        if not labels:
            labels = {(facet, value): label for facet, value, label in self.db.execute("SELECT * FROM labels")}
        selected = {("topic", t) for t in (spec.get("topic"), spec.get("topic2")) if t}
        if spec.get("size_class"):
            selected.add(("size_class", spec["size_class"]))
        return {
            "total": found["total"], "page": 1, "per_page": 20, "hits": hits,
            "facets": {facet: [{"value": value, "label": labels.get((facet, value), value), "count": count,
                                "selected": (facet, value) in selected}
                               for value, count in sorted(counts, key=lambda vc: (-vc[1], vc[0]))]
                       for facet, counts in found["facets"].items()},
        }


def fts5_app(path: Path):
    """A small Flask JSON endpoint over FTS5 doing the work of ``/api/v1/search``."""
    from flask import Flask, jsonify, request

    app = Flask("fts5-reference")
    fts = Fts5(path)

    @app.get("/search")
    def search():
        args = request.args
        q = args.get("q", "")
        spec: dict = {"words": [], "topic": None, "topic2": None, "size_class": args.get("size_class")}
        topics = args.getlist("topic")
        spec["topic"] = topics[0] if topics else None
        spec["topic2"] = topics[1] if len(topics) > 1 else None
        if q.startswith('"'):
            spec.update(words=q.strip('"').split(), phrase=True)
        elif q.endswith("*"):
            spec.update(words=[q[:-1]], prefix=True)
        else:
            parts = q.split()
            spec.update(words=[p for p in parts if not p.startswith("-")],
                        exclude=[p[1:] for p in parts if p.startswith("-")])
        return jsonify(fts.api(spec))

    return app


# --- measuring --------------------------------------------------------------------------------


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _summary(times: list[float], totals: list[int], size: int) -> dict:
    return {"p50": _percentile(times, 0.5), "p95": _percentile(times, 0.95), "max": max(times),
            "mean_hits": statistics.mean(totals), "share": statistics.mean(totals) / size, "n": len(times)}


def _paired(engine, reference, specs: list[dict], size: int) -> tuple[dict, dict]:
    """Each query by both, directly after each other, alternating which goes first."""
    times = {0: [], 1: []}
    totals = {0: [], 1: []}
    for n, spec in enumerate(specs):
        for side in ((0, 1) if n % 2 == 0 else (1, 0)):
            run = engine if side == 0 else reference
            began = time.perf_counter()
            total = run(spec)
            times[side].append((time.perf_counter() - began) * 1000)
            totals[side].append(total)
    return _summary(times[0], totals[0], size), _summary(times[1], totals[1], size)


def _fingerprint(backend: str) -> str:
    """Changes with the corpus, the database schema, the shared analysis, the index schema or the
    backend's own modules (its tables and the entries it computes)."""
    digest = hashlib.sha256(CORPUS_VERSION.encode())
    for path in sorted((PROJECT_ROOT / "toolbox" / "migrations" / "versions").glob("*.py")):
        digest.update(path.name.encode())
    digest.update((PROJECT_ROOT / "bench" / "german_text.py").read_bytes())
    digest.update((PROJECT_ROOT / "toolbox" / "demo" / "catalogue.py").read_bytes())
    search = PROJECT_ROOT / "toolbox" / "search"
    # The word forms every backend indexes come from the shared analysis and the record.
    for name in ("analysis.py", "_analysis.py", "_record.py"):
        digest.update((search / name).read_bytes())
    if backend == "whoosh":
        digest.update((search / "_schema.py").read_bytes())
    else:
        for path in sorted([*search.glob("*postgres*.py"), *search.glob("_pg_*.py")]):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def _app(database_url: str, folder: Path, backend: str):
    from toolbox import create_app

    # The instance folder comes from the environment only; put it back for whoever called us.
    previous = os.environ.get("TOOLBOX_INSTANCE_DIR")
    os.environ["TOOLBOX_INSTANCE_DIR"] = str(folder / "instance")
    try:
        return create_app({
            "TESTING": True,
            "SECRET_KEY": "bench",
            "BASE_URL": "http://127.0.0.1",
            "DATABASE_URL": database_url,
            "DOCUMENTS_DIR": str(folder / "documents"),
            "INDEX_DIR": str(folder / "index"),
            "SEARCH_BACKEND": backend,
            "RATELIMIT_ENABLED": False,
        })
    finally:
        if previous is None:
            os.environ.pop("TOOLBOX_INSTANCE_DIR", None)
        else:
            os.environ["TOOLBOX_INSTANCE_DIR"] = previous


def _build(database_url: str, folder: Path, size: int, corpus, backend: str) -> dict:
    """Migrate, seed, bulk-insert the corpus, index it; the build's figures."""
    from toolbox.services.database import prepare_database

    app = _app(database_url, folder, backend)
    prepare_database(app)
    began = time.perf_counter()
    built = build_database(app, size, corpus, folder / "fts.sqlite3")
    result = {"words": built["words"], "insert_seconds": time.perf_counter() - began,
              "fts_build_seconds": built["fts_build_seconds"]}
    _log(f"{size}: inserted in {result['insert_seconds']:.0f} s; indexing")
    began = time.perf_counter()
    indexed = index_repository(app, database_url, folder, backend, size)
    seconds = time.perf_counter() - began
    index_files = [f for f in (folder / "index").rglob("*") if f.is_file()] if (folder / "index").exists() else []
    result.update(index_seconds=seconds, indexed=indexed, docs_per_second=indexed / seconds,
                  words_per_second=built["words"] / seconds,
                  index_mb=sum(f.stat().st_size for f in index_files) / 2**20,
                  fts_mb=(folder / "fts.sqlite3").stat().st_size / 2**20)
    _log(f"{size}: indexed in {seconds:.1f} s ({indexed / seconds:.0f} docs/s)")
    return result


def index_repository(app, database_url: str, folder: Path, backend: str, size: int) -> int:
    """Index the inserted documents on the fastest path that gives what ``reindex()`` gives
    (``bench/search_build.py``): on Whoosh ``reindex()`` itself with a large postings pool
    (``TOOLBOX_INDEX_MEMORY_MB``), on
    PostgreSQL the backend's write path on several processes. Logs progress every few seconds."""
    from toolbox import search
    from toolbox.extensions import db

    from . import search_build

    try:
        if backend == "postgresql":
            return search_build.pg_rebuild(app, database_url, folder, _log)
        with app.app_context():
            app.config["TOOLBOX_INDEX_MEMORY_MB"] = search_build.POOL_MB
            return search.reindex(search_build.progress_printer(
                f"{size}: whoosh", _log, "the build workers write their segments"))
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def prepare(size: int, corpus, backend: str, database_url: str | None, fresh: bool):
    """A fresh copy of the cached repository (built first when missing): (database URL, folder,
    build figures, clean-up)."""
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    key = f"{corpus.name}-{corpus.words_per_doc}-{size}-{backend}-{_fingerprint(backend)}"
    cached = CACHE_ROOT / key
    run = Path(tempfile.mkdtemp(prefix="run-", dir=CACHE_ROOT))
    if backend == "whoosh" and database_url is None:
        if fresh or not (cached / "ready").exists():
            shutil.rmtree(cached, ignore_errors=True)
            cached.mkdir()
            _log(f"{size}: building the {corpus.name} repository in {cached}")
            build = _build(f"sqlite:///{cached / 'toolbox.sqlite3'}", cached, size, corpus, backend)
            (cached / "build.json").write_text(json.dumps(build))
            (cached / "ready").write_text(time.strftime("%Y-%m-%dT%H:%M:%S\n"))
        shutil.copyfile(cached / "toolbox.sqlite3", run / "toolbox.sqlite3")
        # The index and the FTS5 file are only read: used in place.
        (run / "index").symlink_to(cached / "index")
        return (f"sqlite:///{run / 'toolbox.sqlite3'}", run, cached,
                json.loads((cached / "build.json").read_text()), lambda: shutil.rmtree(run, ignore_errors=True))

    from sqlalchemy.engine import make_url

    from .load import require_loopback
    from .pg_template import copy_of_template

    url = database_url or DEFAULT_PG_URL
    require_loopback(make_url(url).host or "localhost", "database host")

    def build(template_url: str) -> None:
        _log(f"{size}: building the {corpus.name} repository in PostgreSQL")
        (cached / "build.json").write_text(json.dumps(_build(template_url, cached, size, corpus, backend)))

    copy_url, drop_copy = copy_of_template(url, f"toolbox_bench_{key.replace('-', '_')}", cached, build,
                                           run_prefix="toolbox_bench_run", fresh=fresh, log=_log)
    if (cached / "index").exists():
        (run / "index").symlink_to(cached / "index")

    def drop() -> None:
        drop_copy()
        shutil.rmtree(run, ignore_errors=True)

    return copy_url, run, cached, json.loads((cached / "build.json").read_text()), drop


def start_as_served(app) -> float:
    """What ``toolbox.wsgi`` does before a production server takes requests: warm the search
    caches (``TOOLBOX_SEARCH_WARM_POSTINGS``) and freeze the objects start-up made; the seconds.
    ``--cold`` skips it, for the first queries of a process that never warmed."""
    from toolbox.services.startup import freeze_start_up_objects, warm_search

    began = time.perf_counter()
    warm_search(app)
    freeze_start_up_objects()
    return time.perf_counter() - began


def measure(size: int, queries: int, corpus_name: str = "zipf", backend: str = "whoosh",
            database_url: str | None = None, api: bool = False, kinds: tuple[str, ...] = KINDS,
            fresh: bool = False, cold: bool = False) -> dict:
    """One corpus at one size: build (or reuse) the repository, then time every query class."""
    from sqlalchemy import select

    corpus = CORPORA[corpus_name]()
    url, run, cached, build, clean_up = prepare(size, corpus, backend, database_url, fresh)
    try:
        app = _app(url, run, backend)
        result: dict = {"size": size, "corpus": corpus_name, "backend": backend, "build": build,
                        "words_per_doc": corpus.words_per_doc, "database": url.split(":", 1)[0].split("+")[0]}
        result["start_up_seconds"] = None if cold else start_as_served(app)
        from toolbox import search
        from toolbox.extensions import db
        from toolbox.models import SizeClass, Topic

        with app.app_context():
            topics = [t.slug for t in db.session.scalars(select(Topic).order_by(Topic.position))]
            classes = [c.slug for c in db.session.scalars(select(SizeClass).order_by(SizeClass.position))]
            db.session.remove()
        specs = make_queries(corpus, size, queries, topics, classes)
        fts = Fts5(cached / "fts.sqlite3")
        with app.app_context():
            def engine(spec: dict) -> int:
                try:
                    return search.search(_search_query(spec)).total
                finally:
                    db.session.remove()  # a request's session ends with the request

            began = time.perf_counter()
            engine({"words": ["Zuständigkeiten"], "topic": topics[0]})  # opens the index, builds the facet view
            result["first_query_ms"] = (time.perf_counter() - began) * 1000
            fts.run({"words": ["Zuständigkeiten"], "topic": topics[0]})
            result["engine"], result["fts5"] = {}, {}
            for kind in kinds:
                result["engine"][kind], result["fts5"][kind] = _paired(engine, fts.run, specs[kind], size)
            _log(f"{corpus_name} {size}: in-process queries done")
        if api:
            toolbox_client = app.test_client()
            reference_client = fts5_app(cached / "fts.sqlite3").test_client()

            def through(client, path: str):
                def call(spec: dict) -> int:
                    response = client.get(path, query_string=query_params(spec))
                    assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:300])
                    return response.get_json()["total"]
                return call

            toolbox_api, reference_api = through(toolbox_client, "/api/v1/search"), through(reference_client, "/search")
            toolbox_api({"words": ["Zuständigkeiten"]})
            reference_api({"words": ["Zuständigkeiten"]})
            result["api_engine"], result["api_fts5"] = {}, {}
            for kind in kinds:
                result["api_engine"][kind], result["api_fts5"][kind] = _paired(toolbox_api, reference_api,
                                                                               specs[kind], size)
            _log(f"{corpus_name} {size}: API queries done")
        result["rss_mb"] = _rss_mb()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return result
    finally:
        clean_up()


def _measure_in_child(options: dict) -> dict:
    # Stopped with SIGTERM, the child still drops its copy of the database (``finally``).
    code = ("import json, signal, sys; from bench.search import measure; "
            "signal.signal(signal.SIGTERM, lambda *_: sys.exit(143)); "
            f"print(json.dumps(measure(**{options!r})))")
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
    if out.returncode != 0:
        raise SystemExit(f"search benchmark {options} failed (exit {out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- report ----------------------------------------------------------------------------------


def _ratio_cell(engine: dict, reference: dict, size: int) -> str:
    ratio = engine["p95"] / reference["p95"] if reference["p95"] else math.inf
    goal = goal_for(size)
    return f"{ratio:.2f}× {'✓' if ratio <= goal else '✗'} (≤ {goal:.1f})"


def _table(results: list[dict], engine_key: str, reference_key: str, title: str) -> None:
    print(f"\n### {title}\n")
    print("| corpus | documents | query | n | engine p50 | engine p95 | FTS5 p50 | FTS5 p95 | p95 ratio (goal) "
          "| matched: engine / FTS5 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        if engine_key not in r:
            continue
        for kind, e in r[engine_key].items():
            f = r[reference_key][kind]
            print(f"| {r['corpus']} | {r['size']:,} | {kind} | {e['n']} | {e['p50']:.1f} | {e['p95']:.1f} "
                  f"| {f['p50']:.1f} | {f['p95']:.1f} | {_ratio_cell(e, f, r['size'])} "
                  f"| {100 * e['share']:.1f} % / {100 * f['share']:.1f} % |")


def report(results: list[dict]) -> None:
    backend = results[0]["backend"] if results else "whoosh"
    if results and results[0].get("database", "sqlite") not in ("sqlite", backend):
        backend += f" ({results[0]['database']})"
    print("### Repository build\n")
    print("| corpus | documents | words | insert s | index build s | docs/s | index MB | FTS5 build s | FTS5 MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        b = r["build"]
        print(f"| {r['corpus']} | {r['size']:,} | {b['words'] / 1e6:.1f} M | {b['insert_seconds']:.0f} "
              f"| {b['index_seconds']:.1f} | {b['docs_per_second']:.0f} | {b['index_mb']:.0f} "
              f"| {b['fts_build_seconds']:.1f} | {b['fts_mb']:.0f} |")
    _table(results, "engine", "fts5", f"In process (ms): `toolbox.search.search()` on {backend} vs. SQLite FTS5")
    _table(results, "api_engine", "api_fts5", f"Through the API (ms): `/api/v1/search` on {backend} vs. Flask + FTS5")
    print()
    for r in results:
        started = r.get("start_up_seconds")
        start = "cold (no start-up warming)" if started is None else f"start-up as served {started:.1f} s"
        print(f"- {r['corpus']} {r['size']:,}: {start}, first query {r['first_query_ms']:.0f} ms, "
              f"peak RSS {r['rss_mb']:.0f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 50000])
    parser.add_argument("--corpus", nargs="+", choices=sorted(CORPORA), default=["zipf", "dense"])
    parser.add_argument("--backend", choices=("whoosh", "postgresql"), default="whoosh")
    parser.add_argument("--database-url", help=f"PostgreSQL server to create the databases on (default "
                                               f"{DEFAULT_PG_URL} with --backend postgresql)")
    parser.add_argument("--queries", type=int, default=60, help="distinct queries per class (default 60)")
    parser.add_argument("--kinds", choices=("default", "all"), default="default")
    parser.add_argument("--api", action="store_true", help="also time /api/v1/search against Flask + FTS5")
    parser.add_argument("--fresh", action="store_true", help="build the cached repositories again")
    parser.add_argument("--cold", action="store_true",
                        help="skip the start-up of a served app (search cache warming, gc.freeze)")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    args = parser.parse_args(argv)
    if args.backend == "postgresql":
        from toolbox.search import BACKENDS

        if "postgresql" not in BACKENDS:
            raise SystemExit("This checkout has no PostgreSQL search backend (toolbox.search.BACKENDS).")
    results = []
    for corpus in args.corpus:
        for size in args.sizes:
            _log(f"{corpus} corpus, {size} documents, {args.backend}")
            results.append(_measure_in_child({
                "size": size, "queries": args.queries, "corpus_name": corpus, "backend": args.backend,
                "database_url": args.database_url, "api": args.api, "fresh": args.fresh, "cold": args.cold,
                "kinds": ALL_KINDS if args.kinds == "all" else KINDS}))
            if args.json:
                args.json.write_text(json.dumps(results, indent=1))
    report(results)


if __name__ == "__main__":
    main()
