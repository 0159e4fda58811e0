"""Languages of instruction and title language -> ISO 639-1."""
import pytest

from transforms.languages import derive_languages, language_code


@pytest.mark.parametrize("text, expected, flags", [
    ("Deutsch, Englisch", ["de", "en"], []),
    ("Irish; English", ["ga", "en"], []),
    ("Gaelic, English", ["gd", "en"], []),
    ("en-EN", ["en"], ["language-tag-repaired"]),  # a valid language, an invalid region
    ("Irish Gaelic", ["ga"], []),
    ("anglais/français", ["en", "fr"], []),
    ("Deutsch und Englisch", ["de", "en"], []),
    ("English and French", ["en", "fr"], []),
    ("anglais et français", ["en", "fr"], []),
    ("Inglés y Español", ["en", "es"], []),
    ("Italiano e Inglese", ["it", "en"], []),
    ("Engels en Frans", ["en", "fr"], []),
    ("Frans en Duits", ["fr", "de"], []),
    ("polski i angielski", ["pl", "en"], []),
    ("English, French & German", ["en", "fr", "de"], []),
    ("Nederlands | Engels", ["nl", "en"], []),
    ("Deutsch\nEnglisch", ["de", "en"], []),
    ("English + Welsh", ["en", "cy"], []),
    ("en français", ["fr"], []),
    ("in English", ["en"], []),
    ("w języku polskim", ["pl"], []),
    ("langue française", ["fr"], []),
    ("Unterrichtssprache: Deutsch", ["de"], []),
    ("Englisch (B2)", ["en"], []),
    ("Spanisch (Kastilisch)", ["es"], []),
    ("español", ["es"], []),
    ("Néerlandais", ["nl"], []),
    ("Gaeilge", ["ga"], []),
    ("EN", ["en"], []),
    ("en-GB", ["en"], []),
    ("FR;EN", ["fr", "en"], []),
    ("de en", ["de", "en"], []),
    ("Deutsch, deutsch, DE", ["de"], []),
    ("eng", ["en"], ["language-tag-repaired"]),
    ("ENG", ["en"], ["language-tag-repaired"]),
    ("ger", ["de"], ["language-tag-repaired"]),
    ("de_DE", ["de"], ["language-tag-repaired"]),
    ("en_GB, fr", ["en", "fr"], ["language-tag-repaired"]),
])
def test_derive_languages(text, expected, flags):
    d = derive_languages(text)
    assert d.problems == ()
    assert d.values == {"languages": expected}
    assert [f.code for f in d.flags] == flags


@pytest.mark.parametrize("text, offending", [
    ("Klingonisch", "Klingonisch"),
    ("xx", "xx"),
    ("sco", "sco"),  # Scots: an ISO 639-3 language without a 639-1 code
])
def test_unknown_language_is_problem(text, offending):
    d = derive_languages(text)
    assert [p.rule for p in d.problems] == ["unknown-code"]
    assert f"'{offending}'" in d.problems[0].message
    assert d.values == {}


@pytest.mark.parametrize("text, kept, offending", [
    ("Englisch und Klingonisch", ["en"], "Klingonisch"),
    ("polski, angileski", ["pl"], "angileski"),
])
def test_an_unknown_language_beside_known_ones_is_flagged_and_the_known_kept(text, kept, offending):
    d = derive_languages(text)
    assert d.problems == () and d.values == {"languages": kept}
    assert [(f.field, f.code) for f in d.flags] == [("languages", "unknown-code")]
    assert f"'{offending}'" in d.flags[0].message


@pytest.mark.parametrize("text, expected", [
    ("中文", ["zh"]), ("日本語", ["ja"]), ("اللغة العربية", ["ar"]), ("简体中文", ["zh"]),
    ("Русский", ["ru"]), ("Tiếng Việt", ["vi"]), ("Português (Brasil)", ["pt"]), ("pt-BR", ["pt"]),
    ("en-US", ["en"]), ("English, 中文", ["en", "zh"]), ("한국어", ["ko"]),
])
def test_language_names_in_any_language_and_script(text, expected):
    d = derive_languages(text)
    assert d.problems == () and d.values == {"languages": expected}


def test_empty():
    assert derive_languages(None).values == {} and derive_languages("").problems == ()


@pytest.mark.parametrize("text, code, flags", [
    ("Deutsch", "de", []), ("fr", "fr", []), ("Polish", "pl", []), ("nl_BE", "nl", ["language-tag-repaired"]),
    ("en, de", "en", ["several-values"]),
])
def test_language_code(text, code, flags):
    d = language_code(text)
    assert d.values == {"title_language": code}
    assert [f.code for f in d.flags] == flags


def test_language_code_unknown():
    d = language_code("Elbisch")
    assert [(p.field, p.rule) for p in d.problems] == [("title_language", "unknown-code")]
