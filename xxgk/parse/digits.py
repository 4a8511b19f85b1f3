"""Numbers whose separators were lost: every reading of a digit run that the form's sums allow.

A row of Table 2 is six counts and their total (rule 3); a group of Table 3 is four counts and their total
(rule 4). So a run such as ``713000074`` is read as groups of ``parts`` numbers, each group followed by its
sum: for one group the total is the run's tail, and the parts before it must add up to it; for several,
the parts of a group fix its total's digits, which must come next. Numbers carry no leading
zero (``0`` alone is a number) and have at most ``MAX_DIGITS`` digits.

The search is bounded: at most ``MAX_STEPS`` parts are tried per run and ``MAX_READINGS`` readings kept
(``MAX_LOOSE`` by :func:`split_loose`); past either bound the run counts as unreadable (``None``), never as
read.
"""

from __future__ import annotations

MAX_DIGITS = 6
MAX_STEPS = 10_000
MAX_READINGS = 16
MAX_LOOSE = 64  # readings kept of a run whose row breaks its sum (see split_loose)

Reading = tuple[int, ...]


class _Budget:
    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps = MAX_STEPS

    def spend(self) -> bool:
        self.steps -= 1
        return self.steps >= 0


def _pieces(digits: str, at: int, budget: _Budget):
    """Numbers that can start at ``at``: (value, end)."""
    if at >= len(digits):
        return
    if digits[at] == "0":
        if budget.spend():
            yield 0, at + 1
        return
    for end in range(at + 1, min(len(digits), at + MAX_DIGITS) + 1):
        if not budget.spend():
            return
        yield int(digits[at:end]), end


def _row_splits(digits: str, parts: int, budget: _Budget, found: list[Reading]) -> None:
    """One group: its total is the run's tail, so choose the tail, then parts that add up to it."""
    for size in range(1, min(MAX_DIGITS, len(digits) - parts) + 1):
        tail = digits[len(digits) - size :]
        if size == 1 or tail[0] != "0":
            _parts(digits[: len(digits) - size], parts, int(tail), budget, found)
        if budget.steps < 0 or len(found) > MAX_READINGS:
            return


def _parts(head: str, parts: int, total: int, budget: _Budget, found: list[Reading]) -> None:
    """Readings of ``head`` as ``parts`` numbers adding up to ``total``, each followed by ``total``."""

    def walk(at: int, part: int, left: int, acc: list[int]) -> None:
        if part == parts:
            if at == len(head) and left == 0:
                found.append((*acc, total))
            return
        for value, end in _pieces(head, at, budget):
            rest, after = len(head) - end, parts - part - 1
            if value > left or rest < after:
                break
            # The longest of the remaining numbers has at least ceil(rest / after) digits, so it is at least
            # 10 ** (that - 1); past 1 digit it cannot be 0. Together they stay below 10 ** d for each number of
            # d digits, most when one takes every digit the others leave; the last one is what is left.
            need = left - value
            if rest > after * MAX_DIGITS or (after and rest > after and 10 ** (-(-rest // after) - 1) > need):
                continue
            if after == 1 and head[end:] != str(need) or after > 1 and need >= 10 ** (rest - after + 1) + 10 * after:
                continue
            acc.append(value)
            walk(end, part + 1, left - value, acc)
            acc.pop()
            if budget.steps < 0 or len(found) > MAX_READINGS:
                return

    walk(0, 0, total, [])


def split_run(digits: str, groups: int, parts: int) -> list[Reading] | None:
    """Every reading of ``digits`` as ``groups`` × (``parts`` numbers, then their sum); None past the bounds."""
    budget = _Budget()
    found: list[Reading] = []
    if groups == 1:
        _row_splits(digits, parts, budget, found)
        return None if budget.steps < 0 or len(found) > MAX_READINGS else found

    def walk(at: int, group: int, part: int, acc: list[int], total: int) -> bool:
        if budget.steps < 0 or len(found) > MAX_READINGS:
            return False
        if group == groups:
            if at == len(digits):
                found.append(tuple(acc))
            return True
        if part == parts:
            text = str(total)
            if not digits.startswith(text, at):
                return True
            acc.append(total)
            ok = walk(at + len(text), group + 1, 0, acc, 0)
            acc.pop()
            return ok
        # Each remaining number needs at least one digit.
        left = (groups - group) * (parts + 1) - part
        for value, end in _pieces(digits, at, budget):
            if len(digits) - end < left - 1:
                break
            acc.append(value)
            ok = walk(end, group, part + 1, acc, total + value)
            acc.pop()
            if not ok:
                return False
        return budget.steps >= 0

    complete = walk(0, 0, 0, [], 0)
    if not complete or budget.steps < 0 or len(found) > MAX_READINGS:
        return None
    return found


def split_loose(digits: str, count: int) -> list[Reading] | None:
    """Every reading of ``digits`` as ``count`` numbers, whatever their sums (for a row that breaks its own
    sum, so only other rows can tell); None past ``MAX_STEPS`` or ``MAX_LOOSE`` readings."""
    budget = _Budget()
    found: list[Reading] = []

    def walk(at: int, acc: list[int]) -> None:
        left = count - len(acc)
        if left == 0:
            if at == len(digits):
                found.append(tuple(acc))
            return
        for value, end in _pieces(digits, at, budget):
            rest = len(digits) - end
            if rest < left - 1:
                break
            if rest > (left - 1) * MAX_DIGITS:
                continue
            acc.append(value)
            walk(end, acc)
            acc.pop()
            if budget.steps < 0 or len(found) > MAX_LOOSE:
                return

    walk(0, [])
    return None if budget.steps < 0 or len(found) > MAX_LOOSE else found
