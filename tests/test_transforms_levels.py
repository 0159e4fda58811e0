"""Level crosswalk: national levels to EQF via the published referencing, QF-EHEA cycles."""
import pytest

from transforms.levels import derive_level, table
from transforms.result import Derived


def codes(d: Derived) -> list[str]:
    return [f.code for f in d.flags]


def rules(d: Derived) -> list[str]:
    return [p.rule for p in d.problems]


@pytest.mark.parametrize("kwargs, values, flags", [
    # explicit framework column
    (dict(nqf_level="7", nqf_framework="NFQ"),
     {"nqf": {"framework": "IE-NFQ", "level": "7"}, "eqf_level": 6, "qf_ehea_cycle": "first"}, []),
    (dict(nqf_level="Level 9", nqf_framework="National Framework of Qualifications"),
     {"nqf": {"framework": "IE-NFQ", "level": "9"}, "eqf_level": 7, "qf_ehea_cycle": "second"}, []),
    (dict(nqf_level="6", nqf_framework="Irish NFQ"),
     {"nqf": {"framework": "IE-NFQ", "level": "6"}, "eqf_level": 5, "qf_ehea_cycle": "short"}, []),
    (dict(nqf_level="5", nqf_framework="NFQ"),
     {"nqf": {"framework": "IE-NFQ", "level": "5"}, "eqf_level": 4}, []),
    (dict(nqf_level="10", nqf_framework="NFQ"),
     {"nqf": {"framework": "IE-NFQ", "level": "10"}, "eqf_level": 8, "qf_ehea_cycle": "third"}, []),
    (dict(nqf_level="11", nqf_framework="SCQF"),
     {"nqf": {"framework": "GB-SCT-SCQF", "level": "11"}, "region": "GB-SCT", "eqf_level": 7,
      "qf_ehea_cycle": "second"}, []),
    (dict(nqf_level="4", nqf_framework="RQF"),
     {"nqf": {"framework": "GB-ENG-RQF", "level": "4"}, "eqf_level": 5, "qf_ehea_cycle": "short"}, []),
    (dict(nqf_level="3", nqf_framework="CQFW"),
     {"nqf": {"framework": "GB-WLS-CQFW", "level": "3"}, "region": "GB-WLS", "eqf_level": 4}, []),
    (dict(nqf_level="6", nqf_framework="Deutscher Qualifikationsrahmen"),
     {"nqf": {"framework": "DE-DQR", "level": "6"}, "eqf_level": 6, "qf_ehea_cycle": "first"}, []),
    (dict(nqf_level="6", nqf_framework="Polska Rama Kwalifikacji"),
     {"nqf": {"framework": "PL-PRK", "level": "6"}, "eqf_level": 6, "qf_ehea_cycle": "first"}, []),
    (dict(nqf_level="5", nqf_framework="PQF"),
     {"nqf": {"framework": "PL-PRK", "level": "5"}, "eqf_level": 5, "qf_ehea_cycle": "short"}, []),
    (dict(nqf_level="4", nqf_framework="QCF"),
     {"nqf": {"framework": "GB-ENG-RQF", "level": "4"}, "eqf_level": 5, "qf_ehea_cycle": "short"},
     ["framework-superseded"]),
    # framework named in the level text
    (dict(level="NFQ 8"), {"nqf": {"framework": "IE-NFQ", "level": "8"}, "eqf_level": 6, "qf_ehea_cycle": "first"}, []),
    (dict(level="SCQF level 9"),
     {"nqf": {"framework": "GB-SCT-SCQF", "level": "9"}, "region": "GB-SCT", "eqf_level": 6,
      "qf_ehea_cycle": "first"}, []),
    (dict(level="DQR-Niveau 6"), {"nqf": {"framework": "DE-DQR", "level": "6"}, "eqf_level": 6, "qf_ehea_cycle": "first"}, []),
    (dict(level="Niveau 6 (RNCP)"), {"nqf": {"framework": "FR-CNCP", "level": "6"}, "eqf_level": 6, "qf_ehea_cycle": "first"}, []),
    (dict(level="poziom 7 PRK"), {"nqf": {"framework": "PL-PRK", "level": "7"}, "eqf_level": 7, "qf_ehea_cycle": "second"}, []),
    (dict(level="EQF 6"), {"eqf_level": 6, "qf_ehea_cycle": "first"}, []),
    (dict(level="Europäischer Qualifikationsrahmen Stufe 5"), {"eqf_level": 5, "qf_ehea_cycle": "short"}, []),
    (dict(eqf_level="Niveau 4 CEC"), {"eqf_level": 4}, []),
    (dict(level="NFQ Level 8 / EQF Level 6"),
     {"nqf": {"framework": "IE-NFQ", "level": "8"}, "eqf_level": 6, "qf_ehea_cycle": "first"}, []),
    # RQF entry levels
    (dict(level="Entry 3"), {"nqf": {"framework": "GB-ENG-RQF", "level": "Entry 3"}, "eqf_level": 1}, []),
    (dict(level="Entry Level 3"), {"nqf": {"framework": "GB-ENG-RQF", "level": "Entry 3"}, "eqf_level": 1}, []),
    (dict(nqf_level="E3", nqf_framework="RQF"), {"nqf": {"framework": "GB-ENG-RQF", "level": "Entry 3"}, "eqf_level": 1}, []),
    (dict(level="Entry 3", country="Wales"),
     {"nqf": {"framework": "GB-WLS-CQFW", "level": "Entry 3"}, "region": "GB-WLS", "eqf_level": 1}, []),
    # levels without EQF referencing: no EQF level, a flag, never a guess
    (dict(nqf_level="Entry 2", nqf_framework="RQF"),
     {"nqf": {"framework": "GB-ENG-RQF", "level": "Entry 2"}}, ["level-not-referenced"]),
    (dict(nqf_level="Entry 1-2", nqf_framework="RQF"),
     {"nqf": {"framework": "GB-ENG-RQF", "level": "Entry 1-2"}}, ["level-not-referenced"]),
    (dict(nqf_level="2", nqf_framework="SCQF"),
     {"nqf": {"framework": "GB-SCT-SCQF", "level": "2"}, "region": "GB-SCT"}, ["level-not-referenced"]),
    # France: CNCP 1-8 (Decree 2019-14) and the legacy nomenclature V-I
    (dict(nqf_level="Niveau 5", nqf_framework="RNCP"),
     {"nqf": {"framework": "FR-CNCP", "level": "5"}, "eqf_level": 5, "qf_ehea_cycle": "short"}, []),
    (dict(nqf_level="Niveau III", country="FR"),
     {"nqf": {"framework": "FR-CNCP", "level": "III"}, "eqf_level": 5, "qf_ehea_cycle": "short"},
     ["framework-from-country"]),
    (dict(nqf_level="niveau V", nqf_framework="CNCP"), {"nqf": {"framework": "FR-CNCP", "level": "V"}, "eqf_level": 3}, []),
    (dict(nqf_level="II", nqf_framework="RNCP"),
     {"nqf": {"framework": "FR-CNCP", "level": "II"}, "eqf_level": 6, "qf_ehea_cycle": "first"}, []),
    (dict(nqf_level="Niveau I (Master)", nqf_framework="RNCP"),
     {"nqf": {"framework": "FR-CNCP", "level": "I-Master"}, "eqf_level": 7, "qf_ehea_cycle": "second"}, []),
    (dict(nqf_level="Niveau I - Doctorat", nqf_framework="RNCP"),
     {"nqf": {"framework": "FR-CNCP", "level": "I-Doctorat"}, "eqf_level": 8, "qf_ehea_cycle": "third"}, []),
    (dict(nqf_level="Niveau I", nqf_framework="RNCP"), {"nqf": {"framework": "FR-CNCP", "level": "I"}}, ["level-ambiguous"]),
    # framework from the country only: flagged
    (dict(level="7", country="IE"),
     {"nqf": {"framework": "IE-NFQ", "level": "7"}, "eqf_level": 6, "qf_ehea_cycle": "first"}, ["framework-from-country"]),
    (dict(level="Niveau 7", country="France"),
     {"nqf": {"framework": "FR-CNCP", "level": "7"}, "eqf_level": 7, "qf_ehea_cycle": "second"}, ["framework-from-country"]),
    (dict(nqf_level="6", country="Scotland"),
     {"nqf": {"framework": "GB-SCT-SCQF", "level": "6"}, "region": "GB-SCT", "eqf_level": 4}, ["framework-from-country"]),
    (dict(nqf_level="6", country="GB", region="GB-SCT"),
     {"nqf": {"framework": "GB-SCT-SCQF", "level": "6"}, "region": "GB-SCT", "eqf_level": 4}, ["framework-from-country"]),
    (dict(level="6", country="GB", region="Wales"),
     {"nqf": {"framework": "GB-WLS-CQFW", "level": "6"}, "region": "GB-WLS", "eqf_level": 6, "qf_ehea_cycle": "first"},
     ["framework-from-country"]),
    (dict(level="6", country="United Kingdom"),
     {"nqf": {"framework": "GB-ENG-RQF", "level": "6"}, "eqf_level": 6, "qf_ehea_cycle": "first"}, ["framework-from-country"]),
    (dict(level="4", country="Polska"),
     {"nqf": {"framework": "PL-PRK", "level": "4"}, "eqf_level": 4}, ["framework-from-country"]),
    (dict(level="NQF 7", country="DE"),  # a national framework named, the country says which
     {"nqf": {"framework": "DE-DQR", "level": "7"}, "eqf_level": 7, "qf_ehea_cycle": "second"}, []),
    # no framework at all
    (dict(level="7"), {"eqf_level": 7, "qf_ehea_cycle": "second"}, ["level-without-framework"]),
    (dict(nqf_level="7"), {"nqf": {"framework": None, "level": "7"}}, ["framework-unknown"]),
    (dict(nqf_level="7", nqf_framework="AQF"), {"nqf": {"framework": "AQF", "level": "7"}}, ["framework-not-supported"]),
    # EQF given and national level: agree / disagree
    (dict(eqf_level="6", nqf_level="8", nqf_framework="NFQ"),
     {"nqf": {"framework": "IE-NFQ", "level": "8"}, "eqf_level": 6, "qf_ehea_cycle": "first"}, []),
    (dict(eqf_level="7", nqf_level="8", nqf_framework="NFQ"),
     {"nqf": {"framework": "IE-NFQ", "level": "8"}, "eqf_level": 7, "qf_ehea_cycle": "second"}, ["level-mismatch"]),
    (dict(eqf_level="EQF 3"), {"eqf_level": 3}, []),
    (dict(), {}, []),
])
def test_derive_level(kwargs, values, flags):
    d = derive_level(**kwargs)
    assert d.problems == ()
    assert d.values == values
    assert codes(d) == flags


@pytest.mark.parametrize("kwargs, field, rule", [
    (dict(nqf_level="9", nqf_framework="DQR"), "nqf", "not-in-framework"),
    (dict(nqf_level="11", nqf_framework="NFQ"), "nqf", "not-in-framework"),
    (dict(level="SCQF 13"), "nqf", "not-in-framework"),
    (dict(nqf_level="Entry 3", nqf_framework="SCQF"), "nqf", "not-in-framework"),
    (dict(nqf_level="9", nqf_framework="PRK"), "nqf", "not-in-framework"),
    (dict(level="Niveau 9", country="FR"), "nqf", "not-in-framework"),  # a level word: a level, and wrong
    (dict(eqf_level="9"), "eqf_level", "out-of-range"),
    (dict(eqf_level="0"), "eqf_level", "out-of-range"),
    (dict(level="EQF 10"), "eqf_level", "out-of-range"),
    (dict(level="12"), "eqf_level", "out-of-range"),
    (dict(eqf_level="hoch"), "eqf_level", "unparseable"),
    (dict(eqf_level="6.5"), "eqf_level", "unparseable"),
    (dict(level="Level 4-5", country="GB"), "nqf", "unparseable"),
    (dict(level="Bachelor", country="DE"), "nqf", "unparseable"),
])
def test_derive_level_problems(kwargs, field, rule):
    d = derive_level(**kwargs)
    assert [(p.field, p.rule) for p in d.problems] == [(field, rule)]
    assert "eqf_level" not in d.values


@pytest.mark.parametrize("raw", ["210", "CG 2391"])
def test_a_bare_number_the_countrys_framework_lacks_is_no_level(raw):
    """Adam Smith College's free-text mlo:level holds unit numbers and City & Guilds scheme
    numbers: with no framework or level word, a number SCQF does not have is no level at all."""
    d = derive_level(level=raw, country="GB", region="GB-SCT")
    assert d.problems == () and "nqf" not in d.values and "eqf_level" not in d.values
    assert "not-a-level" in codes(d)


def test_method_names_the_referencing_source():
    d = derive_level(nqf_level="7", nqf_framework="NFQ")
    assert d.methods["eqf_level"] == (
        "from IE-NFQ 7 via Referencing of the Irish NFQ to the EQF, National Report (NQAI, June 2009)")
    assert d.methods["qf_ehea_cycle"].startswith("from EQF 6")


def test_problem_message_names_value():
    d = derive_level(nqf_level="9", nqf_framework="DQR")
    assert "DE-DQR has no level '9'" in d.problems[0].message
    assert "1, 2, 3, 4, 5, 6, 7, 8" in d.problems[0].message


def test_not_referenced_flag_cites_source():
    d = derive_level(nqf_level="1", nqf_framework="SCQF")
    assert "SCQF 1-2 not referenced" in d.flags[0].message


def test_table_covers_every_csv_row():
    t = table()
    assert t[("IE-NFQ", "8")].eqf == 6
    assert t[("GB-SCT-SCQF", "12")].eqf == 8
    assert t[("GB-ENG-RQF", "Entry 3")].eqf == 1
    assert t[("FR-CNCP", "II")].eqf == 6
    assert t[("FR-CNCP", "8")].eqf == 8
    assert t[("GB-SCT-SCQF", "1")].eqf is None
    assert len([k for k in t if k[0] == "IE-NFQ"]) == 10
