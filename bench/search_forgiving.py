"""What typo tolerance and synonyms cost (issue 16), measured so that machine load cancels out.

    python -m bench.search_forgiving                    # 1 000 documents, 60 queries per kind
    python -m bench.search_forgiving --size 10000

The corpus and queries are those of ``bench.search`` (its "two words", "one word", "one typo"
and "synonym" kinds). Every query runs twice in a row, once as the search runs now and once
with the issue-16 steps switched off (no synonym list, no spelling variants, no correction),
alternating which goes first, so that both see the same load; the table gives p50/p95 of each
and of the per-query difference. "one typo" is compared with the correctly spelt word it came
from, which is what the user would otherwise have had to type. Autocomplete (``suggest``) is
timed for eight-letter prefixes as typed and with two letters swapped.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from .german_text import DOMAIN_WORDS
from .search import Corpus, _percentile, _search_query, build_database, make_queries, typo_of


@contextmanager
def _without_forgiveness():
    from toolbox.search import _matching
    from toolbox.search._synonyms import SynonymTable

    saved = (_matching.current_table, _matching.rewrite, _matching.corrected_match)
    _matching.current_table = lambda: SynonymTable()
    _matching.rewrite = lambda clauses, table: clauses
    _matching.corrected_match = lambda *args, **kwargs: None
    try:
        yield
    finally:
        _matching.current_table, _matching.rewrite, _matching.corrected_match = saved


def _timed(run, spec) -> tuple[float, int]:
    began = time.perf_counter()
    total = run(spec)
    return (time.perf_counter() - began) * 1000, total


def measure(size: int, queries: int) -> dict:
    from sqlalchemy import select

    from toolbox import create_app, search
    from toolbox.extensions import db
    from toolbox.models import SizeClass, Topic
    from toolbox.services.database import prepare_database

    corpus = Corpus()
    with tempfile.TemporaryDirectory(prefix="bench-forgiving-") as tmp:
        os.environ["TOOLBOX_INSTANCE_DIR"] = tmp
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                          "DOCUMENTS_DIR": f"{tmp}/documents", "INDEX_DIR": f"{tmp}/index"})
        prepare_database(app)
        build_database(app, size, corpus, Path(tmp) / "fts.sqlite3")
        with app.app_context():
            search.reindex()
            topics = [t.slug for t in db.session.scalars(select(Topic).order_by(Topic.position))]
            classes = [c.slug for c in db.session.scalars(select(SizeClass).order_by(SizeClass.position))]
            specs = make_queries(corpus, size, queries, topics, classes)

            def run(spec: dict) -> int:
                return search.search(_search_query(spec)).total

            run({"words": ["Zuständigkeiten"]})  # builds the facet view
            result = {}
            for kind in ("two words", "one word", "synonym", "one typo"):
                now_ms, before_ms, differences, totals = [], [], [], []
                for n, spec in enumerate(specs[kind]):
                    order = (True, False) if n % 2 else (False, True)
                    times = {}
                    for forgiving in order:
                        if forgiving:
                            times[True], total = _timed(run, spec)
                            totals.append(total)
                        else:
                            with _without_forgiveness():
                                # what the user had to type without typo tolerance: the correct word
                                reference = dict(spec, words=[_correct(w) for w in spec["words"]]) \
                                    if kind == "one typo" else spec
                                times[False], _ = _timed(run, reference)
                    now_ms.append(times[True])
                    before_ms.append(times[False])
                    differences.append(times[True] - times[False])
                result[kind] = {
                    "now_p50": _percentile(now_ms, 0.5), "now_p95": _percentile(now_ms, 0.95),
                    "before_p50": _percentile(before_ms, 0.5), "before_p95": _percentile(before_ms, 0.95),
                    "diff_p50": _percentile(differences, 0.5), "diff_p95": _percentile(differences, 0.95),
                    "mean_hits": sum(totals) / len(totals), "n": len(now_ms),
                }
            # Autocomplete: the first eight letters of a long word, as typed and with a swap.
            prefixes = [w[:8] for w in DOMAIN_WORDS if w.isalpha() and len(w) >= 9][:queries]
            correct_ms, typo_ms, completed = [], [], 0
            search.suggest("Zust")
            for prefix in prefixes:
                correct_ms.append(_timed(search.suggest, prefix)[0])
                elapsed, found = _timed(search.suggest, typo_of(prefix, 0))
                typo_ms.append(elapsed)
                completed += any(s.lower().startswith(prefix.lower()) for s in found)
            result["suggest"] = {"correct_p50": _percentile(correct_ms, 0.5), "correct_p95": _percentile(correct_ms, 0.95),
                                 "typo_p50": _percentile(typo_ms, 0.5), "typo_p95": _percentile(typo_ms, 0.95),
                                 "completed": completed, "n": len(prefixes)}
            db.session.remove()
    return result


_CORRECT: dict[str, str] = {}


def _correct(word: str) -> str:
    """The word a bench typo was made from."""
    if not _CORRECT:
        for original in DOMAIN_WORDS:
            if len(original) >= 3:
                for variant in range(3):
                    _CORRECT.setdefault(typo_of(original, variant), original)
    return _CORRECT.get(word, word)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=60)
    args = parser.parse_args(argv)
    result = measure(args.size, args.queries)
    print(f"| documents | query | n | p50 now | p95 now | p50 without | p95 without | difference p50 | "
          f"difference p95 | mean hits |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    suggest = result.pop("suggest")
    for kind, r in result.items():
        print(f"| {args.size:,} | {kind} | {r['n']} | {r['now_p50']:.1f} | {r['now_p95']:.1f} | {r['before_p50']:.1f} "
              f"| {r['before_p95']:.1f} | {r['diff_p50']:+.1f} | {r['diff_p95']:+.1f} | {r['mean_hits']:.0f} |")
    print(f"\nAutocomplete of {suggest['n']} eight-letter prefixes: as typed p50 {suggest['correct_p50']:.1f} / p95 "
          f"{suggest['correct_p95']:.1f} ms, with one swap p50 {suggest['typo_p50']:.1f} / p95 {suggest['typo_p95']:.1f} ms, "
          f"completed to the intended word {suggest['completed']} of {suggest['n']}")


if __name__ == "__main__":
    main()
