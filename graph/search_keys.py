"""Derived search keys: how a Chinese name fragment is found through an index.

A ``CONTAINS`` scan over a million names is too slow, and the engines'
full-text analyzers disagree on Chinese (Neo4j's Lucene has a CJK bigram
analyzer; FalkorDB's RediSearch segments words, so a fragment that cuts a word
is never found). So every named node carries two derived properties, written
by :func:`graph.writes.node_rows` on every load:

``search_keys``
    the distinct character bigrams of its normalised name and aliases, space
    separated (``哈尔滨工业大学`` → ``哈尔 尔滨 滨工 工业 业大 大学``). Both engines
    index it with a plain whitespace full-text index; a fragment of two or more
    characters is found by asking for *all* its bigrams, which every node whose
    name contains the fragment has (a superset, checked next).
``search_text``
    the normalised name and aliases joined as ``|name|alias|…|``. The query
    checks ``CONTAINS`` on the few candidates only, and ranks exact
    (``|q|``) above prefix (``|q``) above substring.

Normalisation (NFKC, case folding, letters and digits only) makes full-width
and half-width forms, brackets and spaces irrelevant: ``（哈工大）`` and
``(哈工大)`` are the same key.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

#: the derived property holding the bigrams (full-text indexed on both engines)
SEARCH_KEYS = "search_keys"
#: the derived property holding ``|name|alias|…|`` normalised
SEARCH_TEXT = "search_text"
#: the Neo4j full-text index over ``search_keys`` (FalkorDB has one per label)
SEARCH_INDEX = "innograph_search_keys"
#: derived properties: never shown to users as facts
DERIVED_PROPERTIES = (SEARCH_KEYS, SEARCH_TEXT)

_NOT_ALNUM = re.compile(r"[\W_]+")


def normalise(text: str | None) -> str:
    """The searchable form of a name: NFKC, case-folded, letters and digits only."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold()
    # \W is "not str.isalnum() and not _" in Python's re: this keeps exactly the alphanumerics
    return folded if folded.isalnum() else _NOT_ALNUM.sub("", folded)


def bigrams(text: str) -> list[str]:
    """The overlapping character pairs of an already normalised text, in order, distinct."""
    return list(dict.fromkeys(map(str.__add__, text, text[1:])))


def search_props(name: str | None, aliases: Iterable[str] | None = ()) -> dict[str, str]:
    """The derived properties of a node with this name and these aliases."""
    texts = [t for t in dict.fromkeys(normalise(x) for x in [name, *(aliases or ())]) if t]
    keys: dict[str, None] = {}
    for text in texts:
        # a one-character name has no bigram; keep the character so it is still indexed
        keys.update(dict.fromkeys(map(str.__add__, text, text[1:])) if len(text) > 1 else {text: None})
    return {SEARCH_KEYS: " ".join(keys), SEARCH_TEXT: "|" + "|".join(texts) + "|" if texts else ""}


def query_keys(fragment: str) -> list[str]:
    """The bigrams a node must have to contain ``fragment`` (empty when it is shorter than two)."""
    return bigrams(normalise(fragment))
