"""Search: index build and query latency through the service layer, with SQLite FTS5 as reference.

    python -m bench.search                          # 1 000, 10 000 and 50 000 documents
    python -m bench.search --sizes 1000 10000       # chosen sizes only
    python -m bench.search --queries 100            # queries per kind (default 60)

Each corpus size runs in its own child process (peak memory, ru_maxrss, belongs to it alone)
with a temporary app: SQLite file and index directory in a temporary folder.

"one typo" queries misspell a word of eight letters or more (swapped, dropped or doubled
letter; the search corrects it from the index vocabulary), "synonym" queries are the terms of
the seeded synonym list (`toolbox/data/synonyms_seed.json`), alone and beside a content word;
FTS5 answers both literally. The documents
(2 000 words each of `bench.german_text`, plus a tail of rarer compounds, with topics, type,
municipality/size class, licence, year and format spread over the seeded vocabularies) are
inserted straight into the database, then the index is built with `toolbox.search.reindex()`.

Queries run through `toolbox.search.search(SearchQuery(...))`, which is what the page and the
API call: matching, ranking, every facet's counts, 20 hits with highlighted snippets. Every
query string is distinct and runs once in the warm process (one untimed warm-up builds the
per-generation facet view; its time is reported as "first query"). Term caches are shared
between queries as they are in a running server.

The FTS5 reference indexes the same titles and texts (`fts5(title, body)`, tokenizer
unicode61 with diacritics removed) and answers the same queries with MATCH, a bm25-ranked
page of 20 hits with `snippet()`, the total, and GROUP BY counts for the six facets, each
with the other selected filters applied. It has no stemming, no ß/ae/oe/ue folding, no
compound splitting, no stop-word handling and no "any word" fallback, so it does less work
and may find fewer documents.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .german_text import DOMAIN_WORDS, TextGenerator

WORDS_PER_DOC = 2000
FORMATS = [("pdf", 55), ("docx", 25), ("odt", 5), ("xlsx", 7), ("pptx", 8)]
MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
KINDS = ("one word", "two words", "phrase", "topic + size class + word", "browse: topic + size class", "one typo",
         "synonym")
SYNONYM_SEED = Path(__file__).resolve().parents[1] / "toolbox" / "data" / "synonyms_seed.json"


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


# --- corpus ----------------------------------------------------------------------------------


class Corpus:
    """Deterministic documents: ``Corpus(seed).document(n)`` is the same whatever came before."""

    def __init__(self, seed: int = 11):
        self.seed = seed
        rng = random.Random(seed)
        # Rarer words: compounds of two domain words, Zipf-weighted, about 5 % of the text.
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
        sentences, start = [], 0
        while start < WORDS_PER_DOC:
            length = rng.randint(8, 20)
            sentences.append(" ".join(words[start:start + length]).capitalize() + ".")
            start += length
        title = gen.sentence(rng.randint(4, 8)).rstrip(".")
        description = gen.sentence(rng.randint(15, 30))
        return title, description, " ".join(sentences)


def _cumulative(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def build_database(app, size: int, corpus: Corpus, fts_path: Path) -> dict:
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

        fts = sqlite3.connect(fts_path)
        fts.executescript("""
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE VIRTUAL TABLE docs_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2');
            CREATE TABLE meta (doc_id INTEGER PRIMARY KEY, size_class TEXT, type TEXT, format TEXT,
                               license TEXT, year TEXT, status TEXT, published TEXT);
            CREATE TABLE meta_topic (doc_id INTEGER, topic TEXT, PRIMARY KEY (topic, doc_id)) WITHOUT ROWID;
        """)
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
                                  licence.slug, str(year), "published", published.isoformat()))
                topic_rows.extend((doc_id, t.slug) for t in chosen)
            db.session.execute(insert(Document), docs)
            db.session.execute(insert(FileVersion), versions)
            db.session.execute(insert(document_topics), links)
            db.session.commit()
            began = time.perf_counter()
            fts.executemany("INSERT INTO docs_fts(rowid, title, body) VALUES (?, ?, ?)", fts_rows)
            fts.executemany("INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?, ?, ?)", meta_rows)
            fts.executemany("INSERT INTO meta_topic VALUES (?, ?)", topic_rows)
            fts.commit()
            fts_seconds += time.perf_counter() - began
            if (start // batch) % 10 == 0:
                _log(f"{size}: inserted {min(start + batch, size)} documents")
        began = time.perf_counter()
        fts.execute("INSERT INTO docs_fts(docs_fts) VALUES ('optimize')")
        fts.executescript("CREATE INDEX meta_sc ON meta(size_class); ANALYZE;")
        fts.commit()
        fts_seconds += time.perf_counter() - began
        fts.close()
    return {"words": words, "fts_build_seconds": fts_seconds}


# --- queries ---------------------------------------------------------------------------------


def make_queries(corpus: Corpus, size: int, count: int, topics: list[str], classes: list[str]) -> dict[str, list[dict]]:
    """``count`` distinct queries of each kind, the same for Whoosh and FTS5."""
    rng = random.Random(4711)
    content = [w for w in DOMAIN_WORDS if w.isalpha() and len(w) >= 4]
    singles = rng.sample(content, min(count, len(content)))
    while len(singles) < count:
        singles.append(rng.choice(corpus.compounds[:2000]))
    pairs: list[tuple[str, str]] = []
    while len(pairs) < count:
        pair = tuple(rng.sample(content, 2))
        if pair not in pairs:
            pairs.append(pair)
    phrases: list[tuple[str, ...]] = []
    n = 0
    while len(phrases) < count:
        # Two or three consecutive words of a real document, at least one of them a content word.
        words = corpus.text((n * 37) % size)[2].replace(".", "").split()
        n += 1
        at = rng.randrange(len(words) - 3)
        phrase = tuple(words[at:at + rng.choice((2, 3))])
        if any(w in DOMAIN_WORDS and len(w) >= 4 for w in phrase) and phrase not in phrases:
            phrases.append(phrase)
    # Typos of words of eight letters and more (corrected with up to two edits from ten on).
    known = {w.lower() for w in DOMAIN_WORDS}
    long_words = [w for w in content if len(w) >= 8 and w.isalpha()]
    typos: list[str] = []
    variant = 0
    while len(typos) < count:
        for word in long_words:
            wrong = typo_of(word, variant)
            if wrong.lower() not in known and wrong not in typos and len(typos) < count:
                typos.append(wrong)
        variant += 1
    # Synonyms: every term of the seed list, then an abbreviation with a content word.
    groups = json.loads(SYNONYM_SEED.read_text(encoding="utf-8"))["groups"]
    synonyms: list[str] = list(dict.fromkeys(term for group in groups for term in group["terms"]))[:count]
    n = 0
    while len(synonyms) < count:
        candidate = f"{groups[n % len(groups)]['terms'][0]} {content[(n * 7) % len(content)]}"
        if candidate not in synonyms:
            synonyms.append(candidate)
        n += 1
    queries: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    for i in range(count):
        queries["one typo"].append({"words": [typos[i]]})
        queries["synonym"].append({"words": synonyms[i].split()})
        topic, size_class = topics[i % len(topics)], classes[(i * 7) % len(classes)]
        queries["one word"].append({"words": [singles[i]]})
        queries["two words"].append({"words": list(pairs[i])})
        queries["phrase"].append({"words": list(phrases[i]), "phrase": True})
        queries["topic + size class + word"].append({"words": [singles[(i + 17) % count]], "topic": topic,
                                                     "size_class": size_class})
        queries["browse: topic + size class"].append({"words": [], "topic": topic, "size_class": size_class,
                                                      "topic2": topics[(i + 5) % len(topics)]})
    return queries


def _search_query(spec: dict):
    from toolbox.search import SearchQuery

    words = spec["words"]
    q = f'"{" ".join(words)}"' if spec.get("phrase") else " ".join(words)
    topic = tuple(t for t in (spec.get("topic"), spec.get("topic2")) if t)
    size_class = (spec["size_class"],) if spec.get("size_class") else ()
    return SearchQuery(q=q, topic=topic, size_class=size_class)


FACETS = ("topic", "size_class", "type", "format", "license", "year")


class Fts5:
    """The reference: the same query answered by SQLite FTS5 plus GROUP BY facet counts."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA temp_store=MEMORY")

    @staticmethod
    def _match(spec: dict) -> str | None:
        words = [w.replace('"', '""') for w in spec["words"]]
        if not words:
            return None
        if spec.get("phrase"):
            return '"' + " ".join(words) + '"'
        return " ".join(f'"{w}"' for w in words)  # implicit AND

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

    def run(self, spec: dict) -> int:
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
        if page and match is not None:
            marks = ",".join("?" * len(page))
            cur.execute(f"SELECT snippet(docs_fts, 1, '<mark>', '</mark>', '…', 24) FROM docs_fts "
                        f"WHERE docs_fts MATCH ? AND rowid IN ({marks})", [match, *page]).fetchall()
        elif page:
            marks = ",".join("?" * len(page))
            cur.execute(f"SELECT substr(body, 1, 200) FROM docs_fts WHERE rowid IN ({marks})", page).fetchall()
        for facet in FACETS:
            where, args = self._filters(spec, skip=facet)
            if facet == "topic":
                cur.execute(f"SELECT t.topic, count(*) FROM {source} JOIN meta_topic t ON t.doc_id = h.doc_id "
                            f"WHERE 1{where} GROUP BY t.topic", args).fetchall()
            else:
                cur.execute(f"SELECT m.{facet}, count(*) FROM {source} WHERE 1{where} GROUP BY m.{facet}",
                            args).fetchall()
        return total


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _latencies(run, specs: list[dict]) -> dict:
    times, totals = [], []
    for spec in specs:
        began = time.perf_counter()
        totals.append(run(spec))
        times.append((time.perf_counter() - began) * 1000)
    return {"p50": _percentile(times, 0.5), "p95": _percentile(times, 0.95), "max": max(times),
            "mean_hits": statistics.mean(totals), "n": len(times)}


# --- one size, in a child process ------------------------------------------------------------


def measure(size: int, queries: int) -> dict:
    from toolbox import create_app
    from toolbox.services.database import prepare_database

    corpus = Corpus()
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        os.environ["TOOLBOX_INSTANCE_DIR"] = tmp
        app = create_app({
            "TESTING": True,
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "DOCUMENTS_DIR": f"{tmp}/documents",
            "INDEX_DIR": f"{tmp}/index",
        })
        prepare_database(app)
        began = time.perf_counter()
        built = build_database(app, size, corpus, Path(tmp) / "fts.sqlite3")
        result: dict = {"size": size, "words": built["words"], "insert_seconds": time.perf_counter() - began,
                        "fts_build_seconds": built["fts_build_seconds"]}
        result["rss_before_index_mb"] = _rss_mb()
        with app.app_context():
            from sqlalchemy import select

            from toolbox import search
            from toolbox.extensions import db
            from toolbox.models import SizeClass, Topic

            _log(f"{size}: reindex")
            began = time.perf_counter()
            indexed = search.reindex()
            seconds = time.perf_counter() - began
            result.update(index_seconds=seconds, indexed=indexed, docs_per_second=indexed / seconds,
                          words_per_second=built["words"] / seconds,
                          index_mb=sum(f.stat().st_size for f in Path(tmp, "index").rglob("*") if f.is_file()) / 2**20,
                          rss_after_index_mb=_rss_mb(),
                          child_rss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
            _log(f"{size}: indexed in {seconds:.1f} s ({indexed / seconds:.0f} docs/s)")
            topics = [t.slug for t in db.session.scalars(select(Topic).order_by(Topic.position))]
            classes = [c.slug for c in db.session.scalars(select(SizeClass).order_by(SizeClass.position))]
            specs = make_queries(corpus, size, queries, topics, classes)

            def whoosh(spec: dict) -> int:
                return search.search(_search_query(spec)).total

            began = time.perf_counter()
            whoosh({"words": ["Zuständigkeiten"], "topic": topics[0]})  # builds the facet view
            result["first_query_ms"] = (time.perf_counter() - began) * 1000
            result["whoosh"] = {kind: _latencies(whoosh, specs[kind]) for kind in KINDS}
            db.session.remove()
            result["rss_after_queries_mb"] = _rss_mb()
            _log(f"{size}: Whoosh queries done")
        fts = Fts5(Path(tmp) / "fts.sqlite3")
        fts.run({"words": ["Zuständigkeiten"], "topic": topics[0]})
        result["fts5"] = {kind: _latencies(fts.run, specs[kind]) for kind in KINDS}
        result["fts_mb"] = Path(tmp, "fts.sqlite3").stat().st_size / 2**20
        _log(f"{size}: FTS5 queries done")
    result["peak_rss_mb"] = _rss_mb()
    return result


def _measure_in_child(size: int, queries: int) -> dict:
    code = (
        "import json; from bench.search import measure; "
        f"print(json.dumps(measure({size}, {queries})))"
    )
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                         cwd=Path(__file__).resolve().parents[1])
    if out.returncode != 0:
        raise SystemExit(f"search benchmark for {size} documents failed (exit {out.returncode})")
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(results: list[dict]) -> None:
    print("### Index build (`toolbox.search.reindex()`)\n")
    print("| documents | words | build s | docs/s | words/s | index MB | FTS5 build s | FTS5 DB MB "
          "| peak RSS main after build / per build worker / main after queries (MB) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['size']:,} | {r['words'] / 1e6:.1f} M | {r['index_seconds']:.1f} | {r['docs_per_second']:.0f} "
              f"| {r['words_per_second'] / 1e3:.0f} k | {r['index_mb']:.0f} | {r['fts_build_seconds']:.1f} "
              f"| {r['fts_mb']:.0f} | {r['rss_after_index_mb']:.0f} / {r['child_rss_mb']:.0f} / "
              f"{r['peak_rss_mb']:.0f} |")
    print("\n### Query latency (ms), Whoosh through `search()` with all facet counts vs. SQLite FTS5\n")
    print("| documents | query | n | Whoosh p50 | Whoosh p95 | FTS5 p50 | FTS5 p95 | mean hits Whoosh / FTS5 |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        for kind in KINDS:
            w, f = r["whoosh"][kind], r["fts5"][kind]
            print(f"| {r['size']:,} | {kind} | {w['n']} | {w['p50']:.1f} | {w['p95']:.1f} | {f['p50']:.1f} "
                  f"| {f['p95']:.1f} | {w['mean_hits']:.0f} / {f['mean_hits']:.0f} |")
    print()
    for r in results:
        print(f"- {r['size']:,} documents: first query after the build (builds the facet view) "
              f"{r['first_query_ms']:.0f} ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--queries", type=int, default=60, help="distinct queries per kind (default 60)")
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        _log(f"corpus of {size} documents")
        results.append(_measure_in_child(size, args.queries))
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    report(results)


if __name__ == "__main__":
    main()
