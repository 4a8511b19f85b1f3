"""Parser throughput on one core: reports/s for text, HTML (incl. trafilatura), PDF and DOCX inputs.

Inputs come from the seed reports (text as is; HTML and PDF built from their tables) and from the
report generator's rendered layouts. Every input is parsed once first and its cells compared with the
known truth, so the figures are for correct parses.

    python bench/parse.py [--seconds 3] [--table-format 2019]
"""

from __future__ import annotations

import argparse
import html
import io
import json
import random
import time
from pathlib import Path

from xxgk.generate import LAYOUTS, generate, render
from xxgk.generate.pdf import tsv_pdf
from xxgk.generate.report import HEADINGS
from xxgk.parse import parse_document

SEEDS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "seeds"
TARGETS = {"text": 500, "html": 100, "pdf": 20}


def seed_inputs() -> list[tuple[str, bytes, dict]]:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        truth = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))["tables"]
        out.append((path.stem, path.read_bytes(), truth))
    return out


def seed_html(text: str, truth: dict) -> bytes:
    """A portal-like page: the seed's sections as paragraphs and its tables as HTML tables with spans."""
    from xxgk.parse import parse_text
    from xxgk.schema import PROACTIVE_LABELS, REQUEST_LABELS, REVIEW_GROUPS, SECTIONS

    sections = parse_text(text).sections

    def cell(v: object) -> str:
        return "<td><p><span>&nbsp;</span></p></td>" if v is None else f"<td><p><span>{v}</span></p></td>"

    t1 = ['<table border="1"><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>']
    for row, label in PROACTIVE_LABELS.items():
        values = list(truth[row].values())
        span = f' colspan="{4 - len(values)}"' if len(values) == 1 else ""
        t1.append(f"<tr><td>{label}</td>" + "".join(cell(v) for v in values).replace("<td>", f"<td{span}>") + "</tr>")
    t2 = [
        '<table border="1"><tr><td rowspan="2">（本列数据的勾稽关系为：第一项加第二项之和，'
        "等于第三项加第四项之和）</td>"
        '<td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>'
        "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>"
    ]
    for row, label in REQUEST_LABELS.items():
        if row in truth:
            t2.append(f"<tr><td>{html.escape(label)}</td>" + "".join(cell(v) for v in truth[row].values()) + "</tr>")
    t3 = [
        '<table border="1"><tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr><tr>'
        + "".join(f"<td>{h}</td>" for h in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3)
        + "</tr><tr>"
        + "".join(cell(v) for g in REVIEW_GROUPS for v in truth[g].values())
        + "</tr>"
    ]
    tables = {"proactive": t1, "requests": t2, "review_litigation": t3}
    parts = [
        '<html><head><meta charset="utf-8"><title>报告</title></head><body>',
        '<div class="nav"><a href="/">首页</a> <a href="/xxgk">信息公开</a></div><div class="article">',
        f"<h1>{html.escape(text.strip().splitlines()[0])}</h1>",
    ]
    for key in SECTIONS:
        if key in sections or key in tables:
            if key in HEADINGS:
                parts.append(f"<p>{HEADINGS[key]}</p>")
            if key in tables:
                parts.append("\n".join(tables[key]) + "</table>")
            else:
                parts += [f"<p>{html.escape(line)}</p>" for line in sections[key].splitlines() if line.strip()]
    parts.append('</div><div class="footer">版权所有 网站标识码 0000000000</div></body></html>')
    return "\n".join(parts).encode("utf-8")


def generated_inputs(n: int, table_format: str = "2021") -> dict[str, list[tuple[str, bytes, dict]]]:
    """Reports from the generator, by layout."""
    out: dict[str, list[tuple[str, bytes, dict]]] = {}
    for layout in LAYOUTS:
        reports = [generate(random.Random(i), blanks=i % 3 == 0, table_format=table_format) for i in range(n)]
        out[layout] = [(f"{layout}-{i}", render(r, layout), r.tables) for i, r in enumerate(reports)]
    return out


def pdfplumber_text(data: bytes) -> str:
    """Body text as the earlier pdfplumber (pdfminer) extractor produced it: the reference for PDF figures."""
    import re

    import pdfplumber

    from xxgk.extract.document import Block, Document

    wrap = re.compile(r"\s*\n\s*")
    blocks: list[Block] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            items = []
            tables = page.find_tables()
            boxes = [t.bbox for t in tables]
            for table in tables:
                rows = [[None if c is None else wrap.sub("", c).strip() for c in row] for row in table.extract()]
                if rows := [r for r in rows if any(r)]:
                    items.append((table.bbox[1], Block(grid=rows)))

            def outside(obj: dict, boxes: list = boxes) -> bool:
                x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
                return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

            rest = page.filter(outside) if boxes else page
            items += [(ln["top"], Block(text=ln["text"])) for ln in rest.extract_text_lines(strip=True) if ln["text"]]
            for _, block in sorted(items, key=lambda item: item[0]):
                if block.text is not None and blocks and blocks[-1].text is not None:
                    blocks[-1].text += "\n" + block.text
                else:
                    blocks.append(block)
    return Document(source_type="pdf", blocks=blocks).text


def compare_pdf(items: list[tuple[str, bytes, dict]], seconds: float) -> None:
    """PDF extraction now (PDFium) against the pdfplumber reference: speed, and whether the text is the same."""
    from xxgk.extract.pdf import extract_pdf

    same = sum(extract_pdf(data).text == pdfplumber_text(data) for _, data, _ in items)
    rates = []
    for extract in (lambda d: extract_pdf(d).text, pdfplumber_text):
        n, start = 0, time.process_time()
        while time.process_time() - start < seconds:
            for _, data, _ in items:
                extract(data)
                n += 1
        rates.append(n / (time.process_time() - start))
    print(
        f"PDF extraction only, {len(items)} generated PDFs: PDFium {rates[0]:.1f}/s, "
        f"pdfplumber reference (before) {rates[1]:.1f}/s, x{rates[0] / rates[1]:.1f}; "
        f"identical text {same}/{len(items)}"
    )


def correct(report, truth: dict) -> bool:
    return all(
        report.tables.get(row, {}).get(col, "missing") == want
        and (want is None) == (report.tables.get(row, {}).get(col) is None)
        for row, cols in truth.items()
        for col, want in cols.items()
    )


def measure(items: list[tuple[str, bytes, dict]], kind: str, seconds: float) -> tuple[float, int, int]:
    hint = {"html": "page.html", "pdf": "r.pdf", "docx": "r.docx", "text": "r.txt"}[kind]
    ok = sum(correct(parse_document(data, filename=hint), truth) for _, data, truth in items)
    # CPU time of this process: reports per second of one core, even when other work shares the machine.
    n, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for _, data, _ in items:
            parse_document(data, filename=hint)
            n += 1
    return n / (time.process_time() - start), ok, len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per input kind")
    parser.add_argument("--generated", type=int, default=20, help="generated reports per layout")
    parser.add_argument("--table-format", choices=["2021", "2019"], default="2021", help="of the generated reports")
    args = parser.parse_args()
    seeds = seed_inputs()
    suites: list[tuple[str, str, list]] = [
        ("text", "seeds as text", seeds),
        ("html", "seeds as HTML tables", [(n, seed_html(d.decode("utf-8"), t), t) for n, d, t in seeds]),
        (
            "pdf",
            "seeds 002/003 as PDF",
            [(n, tsv_pdf(d.decode("utf-8")), t) for n, d, t in seeds if n.startswith(("002", "003"))],
        ),
    ]
    kinds = {"html_grid": "html", "html_messy": "html", "pipe": "text", "tsv": "text", "pdf": "pdf", "docx": "docx"}
    for layout, items in generated_inputs(args.generated, args.table_format).items():
        name = layout if args.table_format == "2021" else f"{args.table_format} {layout}"
        suites.append((kinds[layout], f"generated {name}", items))
    print(f"{'input':28} {'kind':5} {'reports/s':>10} {'target':>7} {'correct':>9}   (per CPU-second, one core)")
    for kind, label, items in suites:
        rate, ok, total = measure(items, kind, args.seconds)
        target = TARGETS.get(kind)
        flag = "" if target is None else (" ok" if rate >= target else " BELOW")
        print(f"{label:28} {kind:5} {rate:10.1f} {target or '-':>7} {ok:>4}/{total:<4}{flag}")
    pdfs = next((items for _, label, items in suites if label == "generated pdf"), None)
    if pdfs:
        compare_pdf(pdfs, args.seconds)


if __name__ == "__main__":
    main()
