"""Tokenizer and parser of the XLSForm ``relevant`` expressions we support.

The subset (``${CODE} = 'x'``, ``selected(${CODE}, 'x')``, ``and``, ``or``, parentheses) is
described in ``docs/questionnaire-format.md``; the result is a ``show_if`` document mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final, cast


class RelevantError(Exception):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


_TOKEN: Final = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{(?P<code>[^}]*)\})
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<number>-?[0-9]+)
      | (?P<word>[A-Za-z_][A-Za-z0-9_:-]*)
      | (?P<op>!=|<=|>=|[(),=<>+*/|-])
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    value: str
    position: int


def _tokenize(expression: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while expression[position:].strip():
        match = _TOKEN.match(expression, position)
        if match is None:
            start = len(expression) - len(expression[position:].lstrip())
            raise RelevantError(f"unexpected character {expression[start]!r}", start)
        kind = cast(str, match.lastgroup)
        value = match.group("code") if kind == "ref" else match.group(kind)
        if kind == "string":
            value = value[1:-1]
        tokens.append(_Token(kind, value, match.start(kind)))
        position = match.end()
    tokens.append(_Token("end", "", len(expression)))
    return tokens


class RelevantParser:
    """Recursive descent over the supported subset; yields a show_if document mapping.

    Grammar: or := and ('or' and)* ; and := atom ('and' atom)* ;
    atom := '(' or ')' | ${CODE} '=' value | selected '(' ${CODE} ',' value ')'.
    """

    def __init__(self, expression: str) -> None:
        self.tokens = _tokenize(expression)
        self.index = 0
        self.equality_refs: list[tuple[str, int]] = []

    def parse(self) -> dict[str, Any]:
        result = self.disjunction()
        self.expect("end", "end of expression")
        return result

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, kind: str, what: str, value: str | None = None) -> _Token:
        token = self.take()
        if token.kind != kind or (value is not None and token.value != value):
            found = "end of expression" if token.kind == "end" else repr(token.value)
            raise RelevantError(f"expected {what}, found {found}", token.position)
        return token

    def is_word(self, word: str) -> bool:
        token = self.peek()
        return token.kind == "word" and token.value == word

    def disjunction(self) -> dict[str, Any]:
        parts = [self.conjunction()]
        while self.is_word("or"):
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else {"any_of": parts}

    def conjunction(self) -> dict[str, Any]:
        parts = [self.atom()]
        while self.is_word("and"):
            self.take()
            parts.append(self.atom())
        return parts[0] if len(parts) == 1 else {"all_of": parts}

    def atom(self) -> dict[str, Any]:
        token = self.peek()
        if token.kind == "op" and token.value == "(":
            self.take()
            inner = self.disjunction()
            self.expect("op", "')'", ")")
            return inner
        if token.kind == "ref":
            self.take()
            operator = self.take()
            if operator.kind != "op" or operator.value != "=":
                found = "end of expression" if operator.kind == "end" else repr(operator.value)
                raise RelevantError(
                    f"unsupported comparison {found} (only = is supported)", operator.position
                )
            self.equality_refs.append((token.value, token.position))
            return {"question": token.value, "in": [self.value()]}
        if self.is_word("selected"):
            self.take()
            self.expect("op", "'('", "(")
            reference = self.expect("ref", "${CODE}")
            self.expect("op", "','", ",")
            value = self.value()
            self.expect("op", "')'", ")")
            return {"question": reference.value, "in": [value]}
        found = "end of expression" if token.kind == "end" else repr(token.value)
        raise RelevantError(
            f"unsupported expression at {found} (expected ${{CODE}} = 'x' or selected(...))",
            token.position,
        )

    def value(self) -> str:
        token = self.take()
        if token.kind not in ("string", "number"):
            raise RelevantError("expected a quoted option code", token.position)
        return token.value
