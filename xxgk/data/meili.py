"""``--where`` on the Meilisearch backend: every cell and metric as a numeric document field, and the
translation of a parsed condition into a Meilisearch filter expression.

Meilisearch compares an attribute with a literal only, so a comparison of two cells or metrics
(``requests.granted.total > requests.unavailable.not_held.total``) has no translation: ``to_filter``
returns None and the caller narrows by ``where.matching_ids`` over the store instead. A blank cell
or undefined metric is simply absent from the document, so comparisons skip it as the store does;
``!=`` adds ``EXISTS`` because Meilisearch's ``!=`` also matches a document without the attribute.
"""

from __future__ import annotations

from xxgk.data.facts import CELLS, flat
from xxgk.data.metrics import METRICS
from xxgk.data.where import And, Cell, Const, MetricRef, Node, Or, Where
from xxgk.model import Report

FIELDS: tuple[str, ...] = (*(f"cell.{key}" for key in CELLS), *(f"metric.{name}" for name in METRICS))
_SWAPPED = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "=": "=", "==": "=", "!=": "!="}


def fields(report: Report) -> dict[str, float | int]:
    """The report's known cells and defined metrics, under ``FIELDS`` names (blank ones left out)."""
    cells = flat(report.tables)
    out: dict[str, float | int] = {f"cell.{k}": v for k, v in cells.items() if v is not None and k in CELLS}
    for name, metric in METRICS.items():
        value = metric.value(cells)
        if value is not None:
            out[f"metric.{name}"] = value
    return out


def _field(operand: Cell | MetricRef) -> str:
    return f"cell.{operand.key}" if isinstance(operand, Cell) else f"metric.{operand.metric.name}"


def _literal(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _node(node: Node) -> str | None:
    if isinstance(node, And | Or):
        parts = [_node(part) for part in node.parts]
        if None in parts:
            return None
        return "(" + (" AND " if isinstance(node, And) else " OR ").join(parts) + ")"  # type: ignore[arg-type]
    left, op, right = node.left, node.op, node.right
    if isinstance(left, Const) and not isinstance(right, Const):
        left, op, right = right, _SWAPPED[op], left
    if isinstance(left, Const) or not isinstance(right, Const):
        return None  # two attributes (or two numbers): Meilisearch cannot compare them
    name, value = _field(left), _literal(right.value)
    if op == "!=":
        return f"({name} EXISTS AND {name} != {value})"
    return f"{name} {'=' if op == '==' else op} {value}"


def to_filter(where: Where) -> str | None:
    """The Meilisearch filter of ``where``, or None when it compares two attributes."""
    return _node(where.root)
