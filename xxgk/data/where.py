"""``--where``: numeric conditions over canonical cells and derived metrics, never eval or string-built SQL.

Grammar (hand-written tokenizer and recursive-descent parser)::

    where      := and_expr ("or" and_expr)*
    and_expr   := term ("and" term)*
    term       := "(" where ")" | comparison
    comparison := operand OP operand          OP: >= <= > < = == !=
    operand    := CELL_KEY | METRIC | NUMBER  e.g. requests.new.total, 公开率, review_correction_rate, 0.5

``and`` binds tighter than ``or``. A comparison with a blank cell or an undefined metric is false
(null-aware: a blank is never 0). ``parse_where(text).matches(tables)`` tests one report;
``Where.mask(facts)`` tests every report of a ``facts.Facts`` at once; ``matching_ids`` filters the store.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from xxgk.data.facts import CELLS, INDEX, Facts, Selection, flat, load
from xxgk.data.metrics import METRICS, Metric, metric
from xxgk.model import Number, Tables
from xxgk.schema import TABLE_ROWS
from xxgk.store import Store

OPERATORS: dict[str, Callable] = {
    ">=": operator.ge,
    "<=": operator.le,
    "!=": operator.ne,
    "==": operator.eq,
    "=": operator.eq,
    ">": operator.gt,
    "<": operator.lt,
}
TOKEN = re.compile(
    r"\s*(?:(?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?![\w.]))|(?P<name>[^\W\d][\w.]*)"
    r"|(?P<op>[<>=!~]+)|(?P<paren>[()])|(?P<bad>\S+?))"
)


class WhereError(ValueError):
    """A condition that does not parse; the message says what is valid."""


@dataclass(frozen=True)
class Cell:
    key: str


@dataclass(frozen=True)
class MetricRef:
    metric: Metric


@dataclass(frozen=True)
class Const:
    value: float


Operand = Cell | MetricRef | Const


@dataclass(frozen=True)
class Compare:
    left: Operand
    op: str
    right: Operand


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


Node = Compare | And | Or


@dataclass(frozen=True)
class Where:
    """A parsed condition: ``text`` as given, ``root`` the predicate tree."""

    text: str
    root: Node

    def matches(self, tables: Tables) -> bool:
        """Whether one report's tables satisfy the condition."""
        cells = flat(tables)
        return _test(self.root, lambda operand: _scalar(operand, cells))

    def mask(self, facts: Facts) -> np.ndarray:
        """A boolean per report of ``facts``."""
        return _mask(self.root, facts)

    def cells(self) -> tuple[str, ...]:
        """Every cell the condition reads (directly or through a metric)."""
        return tuple(dict.fromkeys(_cells(self.root)))

    def __and__(self, other: Where) -> Where:
        return Where(f"({self.text}) and ({other.text})", And((self.root, other.root)))


def _scalar(operand: Operand, cells: dict[str, Number | None]) -> float | None:
    if isinstance(operand, Const):
        return operand.value
    if isinstance(operand, Cell):
        value = cells.get(operand.key)
        return None if value is None else float(value)
    return operand.metric.value(cells)


def _test(node: Node, value: Callable[[Operand], float | None]) -> bool:
    if isinstance(node, And):
        return all(_test(part, value) for part in node.parts)
    if isinstance(node, Or):
        return any(_test(part, value) for part in node.parts)
    left, right = value(node.left), value(node.right)
    return left is not None and right is not None and OPERATORS[node.op](left, right)


def _cells(node: Node) -> list[str]:
    if isinstance(node, And | Or):
        return [key for part in node.parts for key in _cells(part)]
    out = []
    for operand in (node.left, node.right):
        if isinstance(operand, Cell):
            out.append(operand.key)
        elif isinstance(operand, MetricRef):
            out += operand.metric.cells
    return out


def _column(operand: Operand, facts: Facts) -> np.ndarray:
    if isinstance(operand, Const):
        return np.full(len(facts.values), operand.value)
    if isinstance(operand, Cell):
        return facts.cell(operand.key)
    return operand.metric.column(facts)


def _mask(node: Node, facts: Facts) -> np.ndarray:
    if isinstance(node, And | Or):
        masks = [_mask(part, facts) for part in node.parts]
        return np.logical_and.reduce(masks) if isinstance(node, And) else np.logical_or.reduce(masks)
    left, right = _column(node.left, facts), _column(node.right, facts)
    known = ~(np.isnan(left) | np.isnan(right))
    with np.errstate(invalid="ignore"):
        return known & OPERATORS[node.op](left, right)


# -- parsing ---------------------------------------------------------------------------------------------


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None:
            continue
        token = match.group(kind)
        if kind == "bad":
            raise WhereError(f"unexpected {token!r} in {text!r}; operators are {' '.join(OPERATORS)}")
        if kind == "op" and token not in OPERATORS:
            raise WhereError(f"unknown operator {token!r} in {text!r}; operators are {' '.join(OPERATORS)}")
        if kind == "name" and token.lower() in ("and", "or"):
            kind, token = token.lower(), token.lower()
        out.append((kind, token))
    return out


def valid_names() -> str:
    """What an operand may name: the metrics, and cells as ROW.COLUMN."""
    by_columns: dict[tuple[str, ...], list[str]] = {}
    for row, cols in TABLE_ROWS.items():
        by_columns.setdefault(cols, []).append(row)
    cells = "; ".join(f"{', '.join(rows)} × .{{{','.join(cols)}}}" for cols, rows in by_columns.items())
    metrics = ", ".join(f"{m.name} ({m.label})" for m in METRICS.values())
    return f"metrics: {metrics}; cells: {cells}"


def _operand(kind: str, token: str) -> Operand:
    if kind == "number":
        return Const(float(token))
    if token in INDEX:
        return Cell(token)
    found = metric(token)
    if found is not None:
        return MetricRef(found)
    close = difflib.get_close_matches(token, [*CELLS, *METRICS], n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise WhereError(f"unknown cell or metric {token!r}{hint}; valid {valid_names()}")


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise WhereError(f"{self.text!r} ends too early: expected a cell, metric, number or '('")
        self.pos += 1
        return token

    def where(self) -> Node:
        parts = [self.and_expr()]
        while self.peek() == ("or", "or"):
            self.pos += 1
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.term()]
        while self.peek() == ("and", "and"):
            self.pos += 1
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def term(self) -> Node:
        if self.peek() == ("paren", "("):
            self.pos += 1
            node = self.where()
            if self.take() != ("paren", ")"):
                raise WhereError(f"missing ')' in {self.text!r}")
            return node
        left = self.operand()
        kind, op = self.take()
        if kind != "op":
            raise WhereError(f"expected an operator after the operand, got {op!r}; operators are {' '.join(OPERATORS)}")
        return Compare(left, op, self.operand())

    def operand(self) -> Operand:
        kind, token = self.take()
        if kind not in ("number", "name"):
            raise WhereError(f"expected a cell, metric or number in {self.text!r}, got {token!r}")
        return _operand(kind, token)


def parse_where(text: str) -> Where:
    """Parse one condition; raises ``WhereError`` naming the valid keys or operators."""
    parser = _Parser(text)
    if not parser.tokens:
        raise WhereError("empty condition")
    root = parser.where()
    if parser.peek() is not None:
        raise WhereError(f"unexpected {parser.peek()[1]!r} in {text!r}; join conditions with 'and' / 'or'")
    return Where(text, root)


def combine(texts: list[str]) -> Where | None:
    """Several ``--where`` options: all must hold."""
    wheres = [parse_where(t) for t in texts]
    if not wheres:
        return None
    out = wheres[0]
    for where in wheres[1:]:
        out = out & where
    return out


def matching_ids(store: Store, where: Where, selection: Selection | None = None) -> list[str]:
    """Ids of the stored reports (ordered by URL) that satisfy ``where`` within ``selection``."""
    facts = load(store, selection or Selection(), columns=("id", "url"), cells=where.cells())
    return [facts.columns["id"][i] for i in np.flatnonzero(where.mask(facts))]
