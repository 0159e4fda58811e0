"""Names of languages and territories in every language and script, from the CLDR data that
langcodes reads through ``language_data`` ('中文' -> zh, 'Россия' -> RU). Only whole names
count: language_data's own prefix matching ('Deutsch und Englisch' -> de) is not used, so a
phrase naming two languages is split by the caller instead."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=8192)
def code_for_name(category: str, name: str) -> str | None:
    """The CLDR code ('zh', 'zh-Hans', 'RU') whose name in any language is exactly `name`
    (case, hyphens, brackets and commas ignored as CLDR's lookup does); None otherwise.
    `category` is 'language' or 'territory'."""
    from language_data.names import TRIES, name_to_code, normalize_name

    try:
        code = name_to_code(category, name)
    except (LookupError, ValueError, AssertionError):
        return None
    trie = TRIES.get(f"und/name_to_{category}")
    if code is None or trie is None or normalize_name(name) not in trie:
        return None
    return code
