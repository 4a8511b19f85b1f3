"""The web tests' sample: 25 ordinary reports, one failing its checks, one with markup planted everywhere."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from xxgk.generate import store_record
from xxgk.model import Check, Region, Report
from xxgk.schema import TABLE_ROWS
from xxgk.store import Store

XSS = '<script>window.__xss = 1; alert("xss")</script>'
XSS_IMG = '<img src="x" onerror="window.__xss = 1">'


def zero_tables() -> dict[str, dict[str, int | float | None]]:
    return {row: dict.fromkeys(cols, 0) for row, cols in TABLE_ROWS.items()}


def make_report(n: int, **fields: object) -> Report:
    """Report ``n`` of the web sample (built on the generator's ``store_record``); ``fields`` override."""
    url = str(fields.pop("url", f"https://www.gov.example.cn/xxgk/{n}.html"))
    body = f"第{n}号单位总体情况：依申请公开工作稳步推进。存在的问题：培训不足。"
    record = {
        "title": f"测试县第{n}号单位2023年政府信息公开工作年度报告",
        "agency": f"测试县第{n}号单位",
        "agency_level": "county",
        "year": 2023,
        "region": Region("黑龙江省", "佳木斯市", "抚远市", "230883"),
        "published": "2024-01-20",
        "format": "2021",
        "sections": {
            "overview": f"第{n}号单位总体情况：依申请公开工作稳步推进。",
            "problems": "存在的问题：培训不足。",
        },
        "tables": zero_tables(),
        "text": body,
        "source_type": "html",
        "site": "gov.example.cn",
        "fetched_at": "2024-03-01T00:00:00+00:00",
    }
    return store_record(url, **{**record, **fields})


def failing_report() -> Report:
    """A report whose Table 2 breaks rule 3 in one row and has a blank cell with raw text."""
    tables = zero_tables()
    tables["requests.new"].update(natural_person=5, commercial=2, total=9)  # 5 + 2 != 9
    tables["requests.carried_forward"]["legal"] = None
    tables["proactive.fees"]["amount_10k_yuan"] = 25.1
    return make_report(
        900,
        title="抚远镇人民政府2024年政府信息公开工作年度报告",
        agency="抚远镇人民政府",
        agency_level="township",
        year=2024,
        tables=tables,
        cells_raw={"requests.carried_forward.legal": "/", "proactive.fees.amount_10k_yuan": "251000元"},
        checks=[
            Check(
                3,
                "本年新收申请：总计 9 ≠ 各类申请人之和 7",
                ["requests.new.total", "requests.new.natural_person", "requests.new.commercial"],
            ),
        ],
        problems=["结转下年度 法律服务机构 一栏为“/”"],
        sections={
            "overview": "抚远镇人民政府认真贯彻落实《条例》。",
            "requests": "本年度共收到申请9件。",
            "review_litigation": "未发生行政复议、行政诉讼。",
        },
        text="抚远镇人民政府认真贯彻落实《条例》。本年度共收到申请9件。",
    )


def planted_report() -> Report:
    """Crawled text with markup planted everywhere a page could echo it."""
    tables = zero_tables()
    tables["requests.new"]["total"] = None
    return make_report(
        901,
        url="https://evil.example.cn/report.html",
        title=f"恶意标题{XSS}",
        agency=f"机构{XSS_IMG}",
        region=Region("黑龙江省", f"市{XSS}", None, None),
        year=2022,
        sections={"overview": f"正文{XSS}{XSS_IMG}", "other": "普通内容"},
        tables=tables,
        cells_raw={"requests.new.total": XSS},
        tables_raw={f"旧表{XSS}": ["1", XSS_IMG]},
        checks=[Check(1, f"消息{XSS}", ["requests.new.total"])],
        problems=[f"问题{XSS_IMG}"],
        text=f"恶意正文{XSS}",
        published="2023-02-01",
    )


def sample_reports() -> list[Report]:
    """25 ordinary reports over two provinces and three years, plus the failing and planted ones."""
    places = [
        Region("黑龙江省", "佳木斯市", "抚远市", "230883"),
        Region("黑龙江省", "哈尔滨市", "道里区", "230102"),
        Region("河南省", "新乡市", "卫滨区", "410703"),
    ]
    reports = [
        make_report(i, region=places[i % 3], year=2021 + i % 3, agency_level=("county", "city")[i % 2])
        for i in range(25)
    ]
    return [*reports, failing_report(), planted_report()]


def fill_store(path: Path, reports: Iterable[Report]) -> Store:
    store = Store(path)
    for report in reports:
        store.save(report)
    return store
