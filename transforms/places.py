"""Countries (ISO 3166-1 alpha-2) and UK nations / subdivisions (ISO 3166-2)."""
from __future__ import annotations

import gettext
import re
from functools import lru_cache
from pathlib import Path

import pycountry

from transforms.cldr import code_for_name
from transforms.result import Derived, Flag, Problem
from transforms.text import as_text, fold, load_yaml, shorten

LOCALES = ("de", "fr", "es", "it", "nl", "pl")


def _all_locales(domain: str) -> list[str]:
    """The locales pycountry ships a translation catalogue of `domain` for, the project's seven
    languages first (their names win where two countries share a translated name)."""
    root = Path(pycountry.LOCALES_DIR)
    found = sorted(p.parent.parent.name for p in root.glob(f"*/LC_MESSAGES/{domain}.mo"))
    return [*LOCALES, *(loc for loc in found if loc not in LOCALES)]


@lru_cache(maxsize=None)
def _country_names() -> dict[str, tuple[str, str | None]]:
    """folded name -> (alpha-2, region): pycountry's English names and their translations in
    every locale it ships ('Deutschland', 'Allemagne', 'Niemcy', 'Германия', '德国'), then the
    project's names file (short forms, endonyms, UK nations)."""
    names: dict[str, tuple[str, str | None]] = {}
    translators = [None] + [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[loc])
                            for loc in _all_locales("iso3166-1")]
    for tr in translators:
        for c in pycountry.countries:
            for attr in ("name", "common_name", "official_name"):
                name = getattr(c, attr, None)
                if not name:
                    continue
                name = tr.gettext(name) if tr else name
                for variant in {name, re.sub(r"\s*\(.*?\)\s*", " ", name).strip()}:
                    names.setdefault(fold(variant), (c.alpha_2, None))
    vocab = load_yaml("places.yaml")
    for name, code in vocab["countries"].items():
        names[fold(str(name))] = (code, None)
    for region, words in vocab["nations"].items():
        for word in words:
            names[fold(word)] = (region.split("-")[0], region)
    return names


def _region_alias(code: str) -> str:
    return load_yaml("places.yaml")["region_aliases"].get(code.upper(), code.upper())


def _lookup_country(text: str) -> tuple[str, str | None, str] | None:
    """(alpha-2, region, how) for one country name or code, or None."""
    t = text.strip().strip(".").strip()
    names = _country_names()
    key = fold(text.strip())
    if key in names:
        code, region = names[key]
        return code, region, "name"
    if re.fullmatch(r"[A-Za-z]{2}", t):
        c = pycountry.countries.get(alpha_2=t.upper())
        if c:
            return c.alpha_2, None, "alpha-2"
    if re.fullmatch(r"[A-Za-z]{3}", t):
        c = pycountry.countries.get(alpha_3=t.upper())
        if c:
            return c.alpha_2, None, "alpha-3"
    if re.fullmatch(r"\d{3}", t):
        c = pycountry.countries.get(numeric=t)
        if c:
            return c.alpha_2, None, "numeric"
    if re.fullmatch(r"[A-Za-z]{2}-[A-Za-z0-9]{1,3}", t):
        code = _region_alias(t)
        sub = pycountry.subdivisions.get(code=code)
        if sub:
            return sub.country_code, sub.code, "ISO 3166-2"
    if key.startswith("the ") and key[4:] in names:
        code, region = names[key[4:]]
        return code, region, "name"
    code = _cldr_territory(t)
    if code:
        return code, None, "name (CLDR)"
    return None


def _cldr_territory(name: str) -> str | None:
    """Alpha-2 of a country name in any language and script that CLDR knows: 'Россия' -> RU."""
    code = code_for_name("territory", name) if len(name) >= 3 else None
    country = pycountry.countries.get(alpha_2=code) if code and len(code) == 2 else None
    return country.alpha_2 if country else None


def derive_country(text: str | None) -> Derived:
    """Country of the awarding body -> values country (alpha-2) and, where the text names a UK
    nation, region ('Scotland' -> GB + GB-SCT). Names in en, de, fr, es, it, nl, pl, alpha-2,
    alpha-3, numeric; 'UK' -> GB. Unknown -> Problem unknown-code."""
    raw = as_text(text)
    if raw is None:
        return Derived()
    hit = _lookup_country(raw)
    flags: list[Flag] = []
    if hit is None and ("," in raw or " - " in raw):
        # an address or 'City, Country': the last part that is a country
        for part in reversed(re.split(r",|\s-\s", raw)):
            if part.strip() and (hit := _lookup_country(part)):
                flags.append(Flag("country", "country-from-address",
                                  f"Country {hit[0]} read from the last part of '{shorten(raw)}'."))
                break
    if hit is None:
        return Derived(problems=(Problem(
            "country", "unknown-code",
            f"'{shorten(raw)}' is not a country name or ISO 3166 country code that we know."),))
    code, region, how = hit
    values = {"country": code}
    methods = {"country": f"from '{shorten(raw)}' ({how}, ISO 3166-1 via pycountry)"}
    if region:
        values["region"] = region
        methods["region"] = f"UK nation named in '{shorten(raw)}'"
    return Derived(values=values, flags=tuple(flags), methods=methods)


def derive_region(text: str | None, country: str | None = None) -> Derived:
    """Explicit region column -> values region (ISO 3166-2): codes ('GB-SCT', also the non-ISO
    'UK-SCT'), UK nation names in seven languages, or a subdivision name of `country`
    (alpha-2). An invalid code is a Problem; an unrecognised name a Flag."""
    raw = as_text(text)
    if raw is None:
        return Derived()
    country_code = None
    country = as_text(country)
    if country:
        c = _lookup_country(country)
        country_code = c[0] if c else None
    flags: list[Flag] = []
    t = raw.strip()
    code = None
    how = ""
    if re.fullmatch(r"[A-Za-z]{2}-[A-Za-z0-9]{1,3}", t):
        fixed = _region_alias(t)
        sub = pycountry.subdivisions.get(code=fixed)
        if sub is None:
            return Derived(problems=(Problem(
                "region", "unknown-code", f"'{raw}' is not an ISO 3166-2 subdivision code."),))
        if fixed != t.upper():
            flags.append(Flag("region", "region-code-repaired",
                              f"Region code '{raw}' read as the ISO 3166-2 code {fixed}."))
        code, how = sub.code, "ISO 3166-2 code"
    else:
        hit = _country_names().get(fold(t))
        if hit and hit[1]:
            code, how = hit[1], "UK nation name"
        else:
            key = fold(t)
            candidates = pycountry.subdivisions.get(country_code=country_code) if country_code else []
            for sub in candidates or []:
                names = {fold(n) for n in re.split(r"\s*\[|\]|,", sub.name) if n.strip()}
                names |= {fold(n.split(" GB-")[0]) for n in names}
                if key in names:
                    code, how = sub.code, f"subdivision name in {country_code}"
                    break
    if code is None:
        return Derived(flags=(Flag("region", "unrecognised-value",
                                   f"Region '{shorten(raw)}' is not an ISO 3166-2 code or a subdivision name we know; left empty."),))
    if country_code and not code.startswith(country_code + "-"):
        flags.append(Flag("region", "region-country-mismatch",
                          f"Region {code} is not in country {country_code}."))
    return Derived(values={"region": code}, flags=tuple(flags),
                   methods={"region": f"from '{shorten(raw)}' ({how}, ISO 3166-2 via pycountry)"})
