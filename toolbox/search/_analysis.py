"""The shared German analysis (``analysis``) in Whoosh's shapes: a tokenizer and a positions
format for the index fields, and a format for the word-pair field."""
from __future__ import annotations

import pickle
from itertools import accumulate

from whoosh.analysis import Token, Tokenizer
from whoosh.formats import Existence, Positions
from whoosh.system import _INT_SIZE

from .analysis import _TERM_CACHE as TERM_CACHE
from .analysis import MAX_WORD_LENGTH, WORD_PATTERN, term_for, term_positions


class GermanTokenizer(Tokenizer):
    """Tokenize and analyse in one pass (the hot loop of indexing).

    Positions count every word, including the over-long ones that are dropped, so that a
    phrase never matches across a dropped word.
    """

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __hash__(self):
        return hash(self.__class__.__name__)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = term_for(value)
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        cache = TERM_CACHE
        pos = start_pos
        for match in WORD_PATTERN.finditer(value):
            word = match.group(0)
            if len(word) <= MAX_WORD_LENGTH:
                term = cache.get(word)
                if term is None:
                    term = term_for(word)
                token.text = term
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = word
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + match.start()
                    token.endchar = start_char + match.end()
                yield token
            pos += 1


class GermanPositions(Positions):
    """Positions format with a fast path for ``GermanTokenizer`` (the hot loop of indexing).

    Whoosh's generic path builds a Token object per word and walks a generator chain; this
    one maps words straight to cached terms. The terms and positions are the same.
    """

    def word_values(self, value, analyzer, **kwargs):
        if not isinstance(analyzer, GermanTokenizer) or kwargs.get("mode") not in (None, "index"):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        encode = self.encode
        for term, positions in term_positions(value).items():
            yield (term, len(positions), len(positions) * boost, encode(positions))

    def decode_positions(self, valuestring):
        # Same encoding as Whoosh (pickled deltas); the running sum is done in C here.
        if not valuestring.endswith(b"."):
            valuestring += b"."
        return list(accumulate(pickle.loads(valuestring[_INT_SIZE:])))


class PairTerms(Existence):
    """The word-pair field's format: its value is the list of ready pair terms
    (``_schema.index_fields``), taken as they are.

    Whoosh's generic path would build a Token object for each of a document's thousand pairs;
    a pair term holds a space, so no tokenizer may split it anyway.
    """

    def word_values(self, value, analyzer, **kwargs):
        if not isinstance(value, (list, tuple, set)):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for term in set(value):
            yield (term, 1, boost, b"")
