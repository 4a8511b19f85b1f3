"""Reading the web pages back: the report page's table cells, and a value as the page shows it."""

from __future__ import annotations

from html.parser import HTMLParser


class Cells(HTMLParser):
    """Collects table data cells (data-cell, class, title, text) and every tag name seen."""

    def __init__(self):
        super().__init__()
        self.cells: dict[str, dict[str, str]] = {}
        self.tags: list[str] = []
        self.rows = 0
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag == "tr":
            self.rows += 1
        if tag == "td" and "data-cell" in attrs:
            self._current = {"class": attrs.get("class") or "", "title": attrs.get("title") or "", "text": ""}
            self.cells[attrs["data-cell"]] = self._current

    def handle_endtag(self, tag):
        if tag == "td":
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self._current["text"] += data


def parse(body: str) -> Cells:
    parser = Cells()
    parser.feed(body)
    return parser


def shown(value: int | float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.12g}" if isinstance(value, float) else str(value)
