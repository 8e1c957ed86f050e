"""What autocomplete makes of the typed text and of what an engine found, the same on every
engine: the engines only find the completions of the last word and the matching titles."""
from __future__ import annotations

from dataclasses import dataclass

from ._did_you_mean import match_case
from ._syntax import clean
from .analysis import words


@dataclass(frozen=True)
class Typed:
    """The words before the last one, and the last one (the one being typed)."""

    head: list[str]
    last: str
    limit: int


def typed(prefix: str, limit: int) -> Typed | None:
    """The typed text as words, or None when there is nothing to complete: no word, or a single
    letter, which would expand to half the vocabulary."""
    parts = words(clean(prefix or ""))
    if not parts or (len(parts) == 1 and len(parts[0]) < 2):
        return None
    return Typed(parts[:-1], parts[-1], max(1, min(int(limit or 8), 50)))


def completed(entry: Typed, scored: list[tuple[int, str]]) -> list[str]:
    """The typed text with its last word completed, for each (-documents, word) in order, in the
    case the user typed."""
    head = " ".join(entry.head)
    return [((head + " ") if head else "") + match_case(entry.last, word) for _, word in scored]


def merged(completions: list[str], titles: list[str], limit: int) -> list[str]:
    """Half the places for completions, then the titles, then the other completions; each text
    once, whatever its case."""
    result: list[str] = []
    seen: set[str] = set()
    half = (limit + 1) // 2
    for item in completions[:half] + titles + completions[half:]:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result[:limit]
