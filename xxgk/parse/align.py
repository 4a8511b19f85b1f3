"""Second stage of table parsing: align the document's numbers to the fixed form.

Runs after the label-anchored parse (:mod:`xxgk.parse.tables`) and reads the same region three more ways:

- **stream** (``label``/``constraint``): the form's labels searched in printed order in the region's text,
  whatever its line structure (one line, rows glued together, one cell per line); a row's values are
  what follows its label up to the next text. A row printed as one run of digits (``713000074``) is
  split only where the row sums (rules 3 and 4) leave exactly one reading, or where rules 1 and 2
  with the other rows leave exactly one (:mod:`xxgk.parse.digits`).
- **lines** (``label``): a line holding one label and exactly its row's values, in any order.
- **position**: value rows without a label (labels detached into text, fragmented Markdown tables) take
  the unread rows between two read rows when their number is exactly the number of those rows, or
  follow a list of as many labels printed just before them.

A cell read by the label-anchored parse stays as it is unless a direct reading (stream or lines) of its
row disagrees; where two direct readings disagree the row is left blank. Where the text shows lost
separators, rows only the label-anchored parse could read are blanked, since it reads such text by
whole tokens. Every cell gets its provenance (``how:line``); what stays unread is said in ``problems``.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise, product
from math import prod

from xxgk.model import Number, Tables
from xxgk.parse.digits import split_loose, split_run
from xxgk.parse.labels import match_label
from xxgk.parse.lines import Line
from xxgk.parse.normalize import fold, label_key
from xxgk.parse.tables import TableResult, cell_value, mirror_decisions
from xxgk.parse.template import TEMPLATE_2019, TEMPLATE_2021, TEMPLATE_HYBRID, TemplateRow
from xxgk.parse.tokens import BLANK, NULL, PLAIN_NUMBER, VALUE, kind_of, split_cells
from xxgk.schema import DECIMAL_CELLS, OTHER_2019, OTHER_ROWS

MAX_JOINT = 10_000  # nodes of the joint (rules 1–2) search over rows with several readings

_GAP = r"[\s“”\"'‘’「」『』、,，]*"
_VALUE_ATOM = re.compile(
    r"[+-]?(?:[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*|0)(?:\.\d+)?(?:万元|元|件|个|条|项|次|人次|家|宗)?(?!\d|\.\d)"
    r"|[/\\]+|[-—–]{1,2}|(?:无|空)(?=[\s|｜/\\\-—–\d（(]|$)"
    r"|\d+(?!\.\d)"  # digits run together (or a number with leading zeros): not a value by itself
)
_ORDINAL_NEXT = re.compile(r"[.、．][^\d\s]")
_QUOTES = re.compile(r"[“”\"'‘’」』]*")
_SEPARATORS = re.compile(r"(?:[\s|｜]|:?-{3,}:?)*")
_REMARK = re.compile(r"[(（][^()（）\d]{1,40}[)）]")  # 部分公开（区分处理的，只计这一情形，不计其他情形）
_TRAILING_ORDINAL = r"[(（]?{}[)）.、．]\s*$"
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_REVIEW_HEAD = re.compile(
    r"(?:[\s|｜()（）:：]|-{3,}|结果维持|结果纠正|其他结果|尚未审结|总计|行政诉讼|行政复议|未经复议直接起诉|复议后起诉)*"
)
_GLUED_LABEL = re.compile(r"\d[(（]?\d{1,2}[)）.、．]$")
_APPLICANT_HEAD_END = re.compile(r"(?:法律服务机构|其他)[\s|｜]*$")  # 总计 after these heads Table 2's last column


@dataclass(frozen=True, slots=True)
class Reading:
    """One way a row was read: its cells (raw text as printed; None where its readings disagree), how, and its
    line (0-based)."""

    raws: tuple[str | None, ...]
    how: str  # label | position | constraint
    line: int

    def values(self, key: str) -> tuple[Number | None, ...]:
        return tuple(
            None if raw is None else cell_value(raw, decimal=f"{key}.{col}" in DECIMAL_CELLS)
            for raw, col in zip(self.raws, _COLS[key], strict=True)
        )


def _shared(readings: list[tuple[int, ...]]) -> tuple[str | None, ...]:
    """The cells every reading gives the same value (as printed), None where they differ."""
    return tuple(str(v[0]) if len(set(v)) == 1 else None for v in zip(*readings, strict=True))


_ROWS = (*TEMPLATE_2021, *TEMPLATE_HYBRID, *TEMPLATE_2019)  # every row of any form
_COLS = {row.key: row.columns for row in _ROWS}
_TABLE = {row.key: row.table for row in _ROWS}
_PATTERNS = {row.key: re.compile(_GAP.join(map(re.escape, row.label))) for row in _ROWS if row.table < 3}


@dataclass(frozen=True)
class _Form:
    """The form a document is aligned to: its rows in printed order, and Table 2's rows."""

    rows: tuple[TemplateRow, ...]
    cols: dict[str, tuple[str, ...]]
    t2: tuple[str, ...]
    t2_index: dict[str, int]
    rules: dict[int, dict[str, int]]  # rules 1 and 2 as signed rows: per column, sum of coefficient × row is 0


def _form(rows: tuple[TemplateRow, ...]) -> _Form:
    t2 = tuple(row.key for row in rows if row.table == 2)
    results = [k for k in t2 if k not in ("requests.new", "requests.carried_over", "requests.total")][:-1]
    rules = {
        1: {"requests.new": 1, "requests.carried_over": 1, "requests.total": -1, "requests.carried_forward": -1},
        2: {**dict.fromkeys(results, 1), "requests.total": -1},
    }
    return _Form(rows, {row.key: row.columns for row in rows}, t2, {key: i for i, key in enumerate(t2)}, rules)


FORM_2021 = _form(TEMPLATE_2021)
FORM_HYBRID = _form(TEMPLATE_HYBRID)  # the single old （六）其他处理 row in place of the three 2021 rows
FORM_2019 = _form(TEMPLATE_2019)


@dataclass
class AlignResult:
    tables: Tables
    cells_raw: dict[str, str]
    sources: dict[str, str] = field(default_factory=dict)  # cell -> "how:line" (1-based line)
    problems: list[str] = field(default_factory=list)
    read: set[str] = field(default_factory=set)  # rows read by this stage (their earlier problems are void)


@dataclass
class _Region:
    text: str
    starts: list[int]  # offset of each line in text
    first: int  # index of the region's first line

    def line_at(self, offset: int) -> int:
        return self.first + bisect.bisect_right(self.starts, offset) - 1


def _region(lines: list[Line], start: int, end: int) -> _Region:
    parts, starts, at = [], [], 0
    for line in lines[start:end]:
        text = unicodedata.normalize("NFKC", line.norm)
        starts.append(at)
        parts.append(text)
        at += len(text) + 1
    return _Region("\n".join(parts), starts, start)


# --- stream: labels in printed order ----------------------------------------------------------------------


def _value_atoms(text: str, at: int, *, ordinals: bool = True) -> tuple[list[str], int]:
    """Value atoms (numbers, null markers) from ``at`` up to the first other text; and where they end.

    With ``ordinals=False`` they also end before a number that is a label's ordinal (``3.要求…``).
    """
    atoms: list[str] = []
    pos = _SEPARATORS.match(text, at).end()
    while pos < len(text):
        m = _VALUE_ATOM.match(text, pos)
        if m is None or (not ordinals and len(m.group()) <= 2 and _ORDINAL_NEXT.match(text, m.end())):
            break
        atoms.append(m.group())
        pos = _SEPARATORS.match(text, m.end()).end()
    return atoms, pos


def _after_label(text: str, end: int) -> int:
    """Where the values of a label ending at ``end`` start: past quotes, separators and a remark."""
    pos = _SEPARATORS.match(text, _QUOTES.match(text, end).end()).end()
    m = _REMARK.match(text, pos)
    return _SEPARATORS.match(text, m.end()).end() if m else pos


def _is_run(atom: str) -> bool:
    """Digits that cannot be one printed number (run together, or with a leading zero)."""
    return len(atom) > 1 and atom[0] == "0" and atom.isdigit()


@dataclass
class _Stream:
    readings: dict[str, Reading] = field(default_factory=dict)
    ambiguous: dict[str, tuple[list[tuple[int, ...]], int]] = field(default_factory=dict)  # row -> readings, line
    unsummed: set[str] = field(default_factory=set)  # ambiguous rows no reading of which fits the row sum
    damaged: bool = False  # separators lost somewhere in Table 2 or 3
    unread: dict[str, str] = field(default_factory=dict)  # row -> why its digits could not be split
    runs: dict[str, tuple[str, int]] = field(default_factory=dict)  # row -> digits too long to enumerate, line
    end: int = 0  # offset after Table 2


def _stream(region: _Region, detached: set[int], review_at: int | None, form: _Form) -> _Stream:
    """Rows read after their labels in printed order; Tables 1–2 end where Table 3's section starts."""
    text = region.text
    out = _Stream()
    cursor = 0
    marks: list[tuple[TemplateRow, int, int]] = []  # row, label start, values start
    for row in form.rows:
        if row.table == 3:
            continue
        pos, n = cursor, len(row.columns)
        while (m := _PATTERNS[row.key].search(text, pos, review_at or len(text))) is not None:
            if _APPLICANT_HEAD_END.search(text, max(0, m.start() - 12), m.start()):
                pos = m.end()  # a column head (…其他 | 总计), not a row's label
                continue
            start = _after_label(text, m.end())
            atoms, end = _value_atoms(text, start)
            # The next row's ordinal may follow as one more number (``0 0 4.保护第三方…``).
            last = atoms[-1] if atoms else ""
            ordinal = len(last) <= 2 and _ORDINAL_NEXT.match(text, text.rindex(last, 0, end) + len(last)) is not None
            k = len(atoms) - (ordinal and len(atoms) > 1)
            if n in (k, len(atoms)) or (k == 1 and atoms[0].isdigit() and len(atoms[0]) >= n):
                if text[m.end()].isdigit() or (m.start() and text[m.start() - 1].isdigit()):
                    out.damaged = True  # a label glued to numbers: whole-token readings are unreliable here
                marks.append((row, m.start(), start))
                cursor = start
                break
            pos = m.end()
    for i, (row, label_at, start) in enumerate(marks):
        nxt = marks[i + 1] if i + 1 < len(marks) else None
        stop = nxt[1] if nxt else len(text)
        segment = text[:stop]
        if nxt and nxt[0].ordinal:
            tail = re.search(_TRAILING_ORDINAL.format(nxt[0].ordinal), segment[start:])
            if tail:
                if _GLUED_LABEL.search(segment[: start + tail.end()].rstrip()):
                    out.damaged = True
                segment = segment[: start + tail.start()]
        atoms, end = _value_atoms(segment, start, ordinals=False)
        line = region.line_at(start)
        if line in detached and line != region.line_at(label_at):
            continue  # a label alone on its line, then a row of values: placed by position, not read here
        n = len(row.columns)
        if atoms and len(atoms[-1]) > 2 and atoms[-1].isdigit() and _ORDINAL_NEXT.match(segment, end):
            # The last number runs into a label's ordinal (``…423.补正后…``, the next label not found):
            # its last digit may be that ordinal, so only a reading the row sum confirms is taken.
            out.damaged = True
            _glued_ordinal(out, row.key, atoms, n, line)
        elif len(atoms) == n and not any(map(_is_run, atoms)):
            out.readings[row.key] = Reading(tuple(atoms), "label", line)
        elif len(atoms) == 1 and n == 7 and atoms[0].isdigit() and len(atoms[0]) >= n:
            out.damaged = True
            # As many digits as cells: one digit each, whatever the sums (a wrong total stays wrong).
            found = [tuple(map(int, atoms[0]))] if len(atoms[0]) == n else split_run(atoms[0], 1, 6)
            if found is None:
                out.unread[row.key] = f"digits run together ({atoms[0]}): too many ways to split"
                out.runs[row.key] = (atoms[0], line)
            elif not found:
                loose = split_loose(atoms[0], n)  # the row breaks rule 3: only rules 1–2 can read it
                if loose:
                    out.ambiguous[row.key] = (loose, line)
                    out.unsummed.add(row.key)
                out.unread[row.key] = f"digits run together ({atoms[0]}): no split where total = sum of columns"
            elif len(found) == 1:
                out.readings[row.key] = Reading(tuple(map(str, found[0])), "constraint", line)
            else:
                out.ambiguous[row.key] = (found, line)
        out.end = max(out.end, end)
    _review(region, out)
    return out


def _glued_ordinal(out: _Stream, key: str, atoms: list[str], n: int, line: int) -> None:
    """Row ``key`` whose last atom may end with the next label's ordinal digit: keep a reading the sums fix."""
    found: set[tuple[int, ...]] = set()
    for option in (atoms, [*atoms[:-1], atoms[-1][:-1]]):
        if n != 7 or any(map(_is_run, option[:-1])):
            continue
        if len(option) == n and not _is_run(option[-1]):
            values = tuple(map(int, option))
            if sum(values[:6]) == values[6]:
                found.add(values)
        elif len(option) == 1 and len(option[0]) >= n:
            found.update(split_run(option[0], 1, 6) or ())
    if len(found) == 1:
        out.readings[key] = Reading(tuple(map(str, found.pop())), "constraint", line)
    elif found:
        out.ambiguous[key] = (sorted(found), line)
    else:
        out.unread[key] = f"last number run into the next label's ordinal ({atoms[-1]}.): no reading fits the row sum"


def _review(region: _Region, out: _Stream) -> None:
    """Table 3: 15 values after its header, or 5 after each group's label; digits split by rule 4."""
    text = region.text
    groups = ("review", "litigation_direct", "litigation_after_review")
    names = ("行政复议", "未经复议直接起诉", "复议后起诉")
    pos = out.end
    g = 0
    while g < 3:
        m = re.compile(names[g]).search(text, pos)
        if m is None:
            return
        start = _REVIEW_HEAD.match(text, m.start()).end()
        atoms, end = _value_atoms(text, start)
        line = region.line_at(start)
        if len(atoms) == 1 and atoms[0].isdigit() and len(atoms[0]) >= 5 * (3 - g):
            out.damaged = True
            cells = 5 * (3 - g)
            found = [tuple(map(int, atoms[0]))] if len(atoms[0]) == cells else split_run(atoms[0], 3 - g, 4)
            if not found:
                why = "too many ways to split" if found is None else "no split fits rule 4"
                out.unread["review"] = f"Table 3 digits run together ({atoms[0]}): {why}"
                return
            shared = _shared(found)
            for i, key in enumerate(groups[g:]):
                raws = shared[5 * i : 5 * i + 5]
                if any(raw is not None for raw in raws):
                    out.readings[key] = Reading(raws, "constraint", line)
                if None in raws:
                    out.unread[key] = f"Table 3 digits run together ({atoms[0]}): {len(found)} splits fit rule 4"
            return
        if any(map(_is_run, atoms)):
            out.damaged = True
            return
        if len(atoms) == 5 * (3 - g):
            for i, key in enumerate(groups[g:]):
                out.readings[key] = Reading(tuple(atoms[5 * i : 5 * i + 5]), "label", line)
            return
        if len(atoms) == 5:
            out.readings[groups[g]] = Reading(tuple(atoms), "label", line)
            g += 1
        pos = max(end, m.end())


# --- lines: one label and its values on a line ---------------------------------------------------------------


_REVIEW_KEYS = {"行政复议": "review"}
_HEADER_WORDS = frozenset(
    ("自然人", "商业企业", "科研机构", "社会公益组织", "社会组织", "法律服务机构", "其他", "总计", "申请人情况")
    + ("法人或其他组织", "信息内容")
)


def _review_key(key: str) -> str | None:
    if "复议后起诉" in key:
        return "litigation_after_review"
    if "未经复议直接起诉" in key:
        return "litigation_direct"
    return _REVIEW_KEYS.get(key)


@dataclass
class _Lines:
    readings: dict[str, Reading] = field(default_factory=dict)
    conflicts: set[str] = field(default_factory=set)
    value_rows: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)  # unlabelled rows of 7
    label_lines: list[tuple[int, str]] = field(default_factory=list)  # lines that are one row label alone
    filler: set[int] = field(default_factory=set)  # empty lines, Markdown rules, rows of empty cells


def _lines(lines: list[Line], start: int, end: int, form: _Form) -> _Lines:
    out = _Lines()
    for i in range(start, end):
        norm = lines[i].norm
        if not norm.strip() or _MD_RULE.match(norm):
            out.filler.add(i)
            continue
        cells = [c.strip() for c in split_cells(fold(norm))]
        kinds = [kind_of(c) for c in cells]
        first_value = len(cells)
        while first_value > 0 and kinds[first_value - 1] in (VALUE, NULL, BLANK):
            first_value -= 1
        values = cells[first_value:]
        labels = [c for c, k in zip(cells[:first_value], kinds, strict=False) if k != BLANK]
        header = bool(labels) and all(c in _HEADER_WORDS for c in labels) and all(kind_of(v) == BLANK for v in values)
        if not labels or header:
            if header or all(k == BLANK for k in kinds) or (len(values) != 7 and VALUE not in kinds):
                out.filler.add(i)  # headers, empty rows, stub tables of - cells
            elif len(values) == 7:
                out.value_rows.append((i, tuple(values)))
            continue
        if any(ch.isdigit() for ch in label_key(labels[-1])):
            continue  # a label run into numbers: not a cell of its own
        key = match_label(labels[-1])
        if key is None or key not in form.cols:
            key = _review_key(label_key("".join(labels)))
        if key is None:
            continue
        n = len(_COLS[key])
        spare = len(values) > n
        while len(values) > n and kind_of(values[-1]) == BLANK:
            values.pop()
        if spare and values and kind_of(values[0]) == BLANK:
            continue  # blanks on both sides: which one is the label's spanned cell is not certain
        if not values:
            if len(labels) == 1:
                out.label_lines += [(i, k) for k in _listed(labels[0], form)]
            continue
        if len(values) != n or all(kind_of(v) == BLANK for v in values):
            continue
        reading = Reading(tuple(values), "label", i)
        if key in out.readings and out.readings[key].values(key) != reading.values(key):
            out.conflicts.add(key)
        out.readings.setdefault(key, reading)
    return out


def _listed(cell: str, form: _Form) -> list[str]:
    """Table 2 rows whose labels a text cell lists (one, or several joined by ；), in printed order."""
    text = unicodedata.normalize("NFKC", cell)
    found: list[tuple[int, int, str]] = []
    for key in form.t2:
        found += [(m.start(), -m.end(), key) for m in _PATTERNS[key].finditer(text)]
    out, reach = [], -1
    for start, neg_end, key in sorted(found):
        if start >= reach:
            out.append(key)
            reach = -neg_end
    return out


def _only_filler(lines: _Lines, a: int, b: int) -> bool:
    return all(i in lines.filler for i in range(a, b))


def _blocks(lines: _Lines) -> list[list[tuple[int, tuple[str, ...]]]]:
    """Unlabelled value rows grouped into blocks: rows with only filler lines between them."""
    out: list[list[tuple[int, tuple[str, ...]]]] = []
    for row in lines.value_rows:
        if out and _only_filler(lines, out[-1][-1][0] + 1, row[0]):
            out[-1].append(row)
        else:
            out.append([row])
    return out


def _in_blocks(lines: _Lines) -> set[int]:
    """Lines of unlabelled value rows that come two or more together (only filler lines between them).

    Such a block belongs to labels printed elsewhere; a single row of values right after a label wrapped
    over lines is that label's row.
    """
    return {at for block in _blocks(lines) if len(block) > 1 for at, _ in block}


# --- position: unlabelled value rows -----------------------------------------------------------------------


def _positional(known: dict[str, int], lines: _Lines, form: _Form) -> dict[str, Reading]:
    """Unlabelled rows of 7 values placed by order (between read rows) or after a list of their labels."""
    out: dict[str, Reading] = {}
    used: set[int] = set()
    # A list of labels alone on their lines next to a block of as many value rows pairs up with it in order,
    # where only one side (the block just before the list, or just after it, not taken by an earlier list)
    # has that many rows.
    labels = lines.label_lines
    rows = lines.value_rows
    blocks = _blocks(lines)
    for j, (first, key) in enumerate(labels):
        if j and labels[j - 1][0] >= first - 1:
            continue  # not the first of its list
        run, last = [key], first
        while j + len(run) < len(labels) and labels[j + len(run)][0] <= last + 1:
            last = labels[j + len(run)][0]
            run.append(labels[j + len(run)][1])
        if not all(k in form.t2_index for k in run):
            continue
        before = [b for b in blocks if b[-1][0] < first and _only_filler(lines, b[-1][0] + 1, first)]
        after = [b for b in blocks if b[0][0] > last and _only_filler(lines, last + 1, b[0][0])]
        fits = [b for b in before + after if len(b) == len(run) and b[0][0] not in used]
        if len(fits) == 1:
            for key, (at, values) in zip(run, fits[0], strict=True):
                if key not in known:
                    out[key] = Reading(values, "position", at)
                used.add(at)
    # Between two read rows, exactly as many unlabelled rows as unread rows: they are those rows, in order.
    placed = {**known, **{key: reading.line for key, reading in out.items()}}
    anchors = sorted((line, form.t2_index[key]) for key, line in placed.items() if key in form.t2_index)
    if any(b[1] <= a[1] for a, b in pairwise(anchors)):
        return out  # read rows out of order: no order to place by
    bounds = [(-1, -1), *anchors, (1 << 30, len(form.t2))]
    for (line_a, idx_a), (line_b, idx_b) in pairwise(bounds):
        missing = form.t2[idx_a + 1 : idx_b]
        between = [(at, v) for at, v in rows if line_a < at < line_b and at not in used]
        if missing and len(between) == len(missing) == idx_b - idx_a - 1:
            for key, (at, values) in zip(missing, between, strict=True):
                out[key] = Reading(values, "position", at)
    return out


# --- rules 1–2 over rows with several readings ---------------------------------------------------------------


def _derived(key: str, digits: str, fixed: dict[str, tuple], form: _Form) -> tuple[int, ...] | None:
    """Row ``key`` as rule 1 or 2 gives it from fixed rows, if that is exactly its printed run of digits.

    For a run with too many splits to list: the rule names one reading, and the digits confirm it.
    """
    for coefs in form.rules.values():
        others = [k for k in coefs if k != key]
        if key not in coefs or any(k not in fixed or None in fixed[k] for k in others):
            continue
        row = tuple(-coefs[key] * sum(coefs[k] * fixed[k][c] for k in others) for c in range(7))
        if all(isinstance(v, int) and v >= 0 for v in row) and "".join(map(str, row)) == digits:
            return row
    return None


def _joint(
    ambiguous: dict[str, tuple[list[tuple[int, ...]], int]], known: dict[str, tuple], form: _Form, *, wrong: bool
) -> dict[str, tuple[str | None, ...]]:
    """Each row's cells that are the same in every solution of rules 1–2 (where those rules can be evaluated).

    Rules 1 and 2 are 14 equations, one a rule and column. An equation that fails whatever the readings
    is the document's own error: it is left out. Where the document is wrong (that, or ``wrong``: a row
    breaks its own sum whatever its reading), a reading is accepted only
    if it is also the one of every solution that may break one more equation (so one error hidden by a
    coincidence cannot pick a wrong reading). At most ``MAX_JOINT`` combinations are tried.
    """
    keys = list(ambiguous)
    if not keys:
        return {}
    choices = [ambiguous[k][0] for k in keys]
    if prod(len(c) for c in choices) > MAX_JOINT:
        return {}

    # Each checkable equation as a constant (the fixed rows) plus signed cells of the ambiguous rows.
    at = {k: i for i, k in enumerate(keys)}
    equations: list[tuple[tuple[int, int], int, list[tuple[int, int]]]] = []
    for rule, coefs in form.rules.items():
        for c in range(7):
            fixed = [(coef, known[k][c] if k in known else None) for k, coef in coefs.items() if k not in at]
            if all(v is not None for _, v in fixed):
                terms = [(at[k] * 7 + c, coef) for k, coef in coefs.items() if k in at]
                equations.append(((rule, c), sum(coef * v for coef, v in fixed), terms))
    tried: list[tuple[tuple[tuple[int, ...], ...], frozenset[tuple[int, int]]]] = []
    for combo in product(*choices):
        flat = [v for row in combo for v in row]
        fails = frozenset(name for name, const, terms in equations if const + sum(k * flat[j] for j, k in terms))
        tried.append((combo, fails))
    always = frozenset.intersection(*(f for _, f in tried))
    if not any(f == always for _, f in tried):
        return {}  # which equations fail depends on the reading: no reading stands out
    slack = 1 if always or wrong else 0  # the document is wrong: allow one more hidden error
    solutions = [combo for combo, f in tried if len(f - always) <= slack]
    shared = {k: _shared([s[i] for s in solutions]) for i, k in enumerate(keys)}
    return {k: cells for k, cells in shared.items() if any(raw is not None for raw in cells)}


# --- the stage ----------------------------------------------------------------------------------------------


def _region_bounds(headings: dict[str, int], n: int) -> tuple[int, int]:
    """The lines the tables are read from: as the label-anchored parse reads them."""
    start = headings.get("proactive", 0)
    ends = [i for key, i in headings.items() if key in ("problems", "other") and i > start]
    return start, min(ends) if ends else n


def align_tables(
    lines: list[Line],
    headings: dict[str, int],
    tables: Tables,
    cells_raw: dict[str, str],
    label_lines: dict[str, int],
    unresolved: set[str],
    form: _Form = FORM_2021,
) -> AlignResult:
    """Fill and check the label-anchored reading ``tables`` against ``form``.

    ``label_lines`` gives the line of each row the label-anchored parse read; ``unresolved`` the rows it
    could not read. Returns the merged tables (the rows of ``form``) with each cell's provenance and what
    stays unread.
    """
    start, end = _region_bounds(headings, len(lines))
    by_line = _lines(lines, start, end, form)
    detached = _in_blocks(by_line)
    region = _region(lines, start, end)
    review = headings.get("review_litigation", -1)
    stream = _stream(region, detached, region.starts[review - start] if start < review < end else None, form)
    problems: list[str] = []
    direct: dict[str, Reading | None] = {}  # None: two direct readings disagree
    for key in form.cols:
        a, b = stream.readings.get(key), by_line.readings.get(key)
        if key in by_line.conflicts:
            b = None
            problems.append(f"{key}: printed twice with different values; left blank")
            direct[key] = None
        if a and b and a.values(key) != b.values(key):
            problems.append(f"{key}: read two ways ({' '.join(a.raws)} / {' '.join(b.raws)}); left blank")
            direct[key] = None
        elif (a or b) and key not in direct:
            direct[key] = a or b
    claimed = {r.line: k for k, r in direct.items() if r}  # lines that are another row's
    label_rows = {
        k
        for k in form.cols
        if k in tables
        and k not in unresolved
        and label_lines.get(k) not in detached
        and label_lines.get(k) not in by_line.filler
        and claimed.get(label_lines.get(k), k) == k
    }
    known = {k: r.line for k, r in direct.items() if r}
    known.update({k: label_lines[k] for k in label_rows if k in label_lines and k not in known})
    positional = _positional(known, by_line, form)
    # A row read on a line that order places another row on, its label not on that line (a header cell
    # such as 总计 above a row of values): not that row's reading; rows are placed again without it.
    owner = {r.line: k for k, r in positional.items()}
    misread = {
        k
        for k, line in known.items()
        if owner.get(line, k) != k and getattr(by_line.readings.get(k), "line", None) != line
    }
    if misread:
        label_rows -= misread
        for k in misread:
            direct.pop(k, None)
        known = {k: line for k, line in known.items() if k not in misread}
        positional = _positional(known, by_line, form)
    trusted = {k for k in label_rows if not (stream.damaged and _TABLE[k] > 1)}
    if stream.ambiguous or stream.runs:
        fixed: dict[str, tuple] = {}
        for key in form.t2:
            reading = direct.get(key) or positional.get(key)
            if reading is not None:
                fixed[key] = reading.values(key)
            elif key in trusted:
                fixed[key] = tuple(tables[key][c] for c in form.cols[key])
        candidates = dict(stream.ambiguous)
        for key, (digits, line) in stream.runs.items():
            if key not in fixed and (row := _derived(key, digits, fixed, form)) is not None:
                candidates[key] = ([row], line)
        open_rows = {k: v for k, v in candidates.items() if k not in fixed}
        solved = _joint(open_rows, fixed, form, wrong=bool(stream.unsummed & set(open_rows)))
        for key, (found, line) in candidates.items():
            if key in solved:
                direct.setdefault(key, Reading(solved[key], "constraint", line))
            reading = direct.get(key)
            if key not in stream.unsummed and (key not in direct or (reading is not None and None in reading.raws)):
                why = f"{len(found)} splits fit the row sum, and rules 1–2 with the other rows do not single one out"
                stream.unread[key] = f"digits run together: {why}"
    result = AlignResult(tables={k: dict(v) for k, v in tables.items() if k in form.cols}, cells_raw=dict(cells_raw))
    for key, cols in form.cols.items():
        reading = direct[key] if key in direct else positional.get(key)
        if reading is None and key not in tables:
            continue
        if reading is None:
            if key not in direct and key in trusted:
                result.tables[key] = dict(tables[key])
                if key in label_lines:
                    result.sources.update({f"{key}.{c}": f"label:{label_lines[key] + 1}" for c in cols})
                continue
            result.tables[key] = dict.fromkeys(cols)
            for col in cols:
                result.cells_raw.pop(f"{key}.{col}", None)
            if key in stream.unread:
                problems.append(f"{key}: {stream.unread[key]}")
            elif key not in direct and any(v is not None for v in tables[key].values()):
                problems.append(f"{key}: left blank: its label-anchored reading is not confirmed in this damaged text")
            continue
        result.read.add(key)
        result.tables[key] = dict(zip(cols, reading.values(key), strict=True))
        before = tables.get(key, {})
        if None in reading.raws:
            blank = ", ".join(c for c, raw in zip(cols, reading.raws, strict=True) if raw is None)
            problems.append(f"{key}: {stream.unread[key]}; read where every split agrees, left blank: {blank}")
        for col, raw in zip(cols, reading.raws, strict=True):
            cell = f"{key}.{col}"
            if raw is None:
                result.cells_raw.pop(cell, None)
                continue
            result.sources[cell] = f"{reading.how}:{reading.line + 1}"
            if cell in cells_raw and before.get(col) == result.tables[key][col]:
                continue  # the same value: keep the text as printed, not as folded for reading
            if PLAIN_NUMBER.match(raw):
                result.cells_raw.pop(cell, None)
            else:
                result.cells_raw[cell] = raw
    if "review" in stream.unread and "review" not in result.read:
        problems.append(stream.unread["review"])
    result.tables = {k: result.tables[k] for k in form.cols if k in result.tables}  # in printed order
    result.problems = problems
    return result


def _markdown(lines: list[Line], headings: dict[str, int]) -> bool:
    """Markdown tables in the table region: their rules and stubs read as blank cells."""
    start, end = _region_bounds(headings, len(lines))
    return any("---" in line.norm and _MD_RULE.match(line.norm) for line in lines[start:end])


_REVIEW_ROWS = frozenset(k for k, t in _TABLE.items() if t == 3)


def _single_other(lines: list[Line], headings: dict[str, int], found: TableResult) -> bool:
    """The report prints the single old （六）其他处理 row, not the three 2021 rows (their long labels absent)."""
    if OTHER_2019 in found.tables:
        return True
    start, end = _region_bounds(headings, len(lines))
    text = _region(lines, start, end).text
    return _PATTERNS[OTHER_2019].search(text) is not None and not any(
        _PATTERNS[key].search(text) for key in OTHER_ROWS[:2]
    )


def align_to_form(lines: list[Line], headings: dict[str, int], found: TableResult) -> dict[str, str]:
    """Run this stage on the label-anchored result ``found``, in place; return each cell's provenance."""
    if not found.problems and found.tables and not _markdown(lines, headings):
        # Every row read by its label, with exactly its values: nothing to align (the fast path).
        return {
            f"{row}.{col}": f"label:{line + 1}"
            for row, line in found.row_lines.items()
            for col in found.tables.get(row, ())
        }
    form = FORM_2019 if found.format == "2019" else FORM_HYBRID if _single_other(lines, headings, found) else FORM_2021
    if form is not FORM_2021 and found.tables:  # the three 2021 rows are not printed: not "not found"
        found.problems = [p for p in found.problems if not p.startswith(OTHER_ROWS)]
        if OTHER_2019 not in found.tables:
            found.tables[OTHER_2019] = dict.fromkeys(form.cols[OTHER_2019])
            found.problems.append(f"{OTHER_2019}: row not found")
    unresolved = {row for row in form.cols if any(p.startswith(f"{row}:") for p in found.problems)}
    if any(p.startswith("Table 3") for p in found.problems):
        unresolved |= _REVIEW_ROWS
    tables = found.tables or {k: dict.fromkeys(c) for k, c in form.cols.items()}
    aligned = align_tables(
        lines, headings, tables, found.cells_raw, found.row_lines, unresolved | set(form.cols) - set(found.tables), form
    )
    if not found.tables and not aligned.read:
        return {}
    if not found.tables:
        found.format = "2019" if form is FORM_2019 else "2021"
        found.problems = [f"{k}: row not found" for k in form.cols if k not in aligned.read]
    else:
        review_read = aligned.read >= _REVIEW_ROWS
        found.problems = [
            p
            for p in found.problems
            if not any(p.startswith(f"{k}:") for k in aligned.read) and not (review_read and p.startswith("Table 3"))
        ]
    found.problems += aligned.problems
    found.tables, found.cells_raw = aligned.tables, aligned.cells_raw
    for row, why in found.unplaced.items():  # a block read column by column: no reading of it is certain
        if row in found.tables and any(v is not None for v in found.tables[row].values()):
            found.tables[row] = dict.fromkeys(found.tables[row])
            for col in found.tables[row]:
                found.cells_raw.pop(f"{row}.{col}", None)
                aligned.sources.pop(f"{row}.{col}", None)
            if not any(p.startswith(f"{row}:") for p in found.problems):
                found.problems.append(f"{row}: {why}")
    if form is FORM_2019:
        mirror_decisions(found.tables, found.cells_raw, aligned.sources)
    return aligned.sources
