"""LIX (läsbarhetsindex, Björnsson 1968): how hard a Swedish text is to read.

LIX = words per sentence + 100 × (words of more than six letters) / words. Common
reading of the scale: below 30 very easy (children's books), 30–40 easy (fiction,
popular newspapers), 40–50 medium, above 50 hard. Numbers are not words here: "23 av
100" reads as three words, of which the two numbers are skipped.
"""

import re

_SENTENCE_END = re.compile(r"[.!?:]+(?:\s|$)")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
LONG_WORD = 6  # letters: a word longer than this is "long"


def lix(text: str) -> float:
    """The LIX of ``text``; 0.0 for a text without words."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len([s for s in _SENTENCE_END.split(text) if _WORD.search(s)]))
    long_words = sum(1 for word in words if len(word) > LONG_WORD)
    return len(words) / sentences + 100 * long_words / len(words)
