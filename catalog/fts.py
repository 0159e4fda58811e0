"""Full-text index upkeep and queries. SQLite: an FTS5 table with diacritics folded. Other
backends get a portable LIKE fallback here (PostgreSQL's tsvector index is its own module)."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import Connection, text

from catalog.tables import FTS_TABLE


def searchable_text(rec: dict[str, Any]) -> dict[str, str]:
    """The indexed fields, folded in Python exactly as queries are (so "Straße" is found by
    "strasse" and "straße" alike: SQLite's tokenizer alone would keep the ß)."""
    skills = [s.get("label") or "" for s in rec.get("esco_skills") or []]
    titles = [rec.get("title") or ""] + list((rec.get("titles") or {}).values())
    return {
        "id": rec["id"],
        "title": fold(" ".join(titles)),
        "description": fold(rec.get("description") or ""),
        "outcomes": fold("\n".join(rec.get("learning_outcomes") or [])),
        "skills": fold("\n".join(skills)),
    }


def folded_text(rec: dict[str, Any]) -> str:
    """One folded string of the searchable text, for backends searched with LIKE."""
    parts = searchable_text(rec)
    words = tokens(" ".join(parts[k] for k in ("title", "description", "outcomes", "skills")))
    return " " + " ".join(words) + " "


# The index row of a credential has the credential's own rowid, so it is found by key (the FTS
# table's id column is UNINDEXED: a WHERE on it would scan the whole index).
def fts_insert(conn: Connection, records: list[dict[str, Any]]) -> None:
    if conn.dialect.name != "sqlite" or not records:
        return
    conn.execute(
        text(f"INSERT INTO {FTS_TABLE} (rowid, id, title, description, outcomes, skills) "
             "SELECT rowid, :id, :title, :description, :outcomes, :skills FROM credentials WHERE id = :id"),
        [searchable_text(r) for r in records],
    )


def fts_delete(conn: Connection, ids: list[str]) -> None:
    if conn.dialect.name != "sqlite" or not ids:
        return
    conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = (SELECT rowid FROM credentials WHERE id = :id)"),
                 [{"id": i} for i in ids])


# Letters and digits, as FTS5's unicode61 tokenizer reads words: an underscore separates them
# ("MBA_201404" is "mba" and "201404"), so a query finds what the index holds.
WORD = r"[^\W_]+"
_TOKEN = re.compile(WORD, re.UNICODE)


def fold(s: str) -> str:
    """Case and diacritics folded, as the FTS tokenizer sees text."""
    decomposed = unicodedata.normalize("NFKD", s.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(query: str) -> list[str]:
    return _TOKEN.findall(fold(query))


def fts5_match(query: str) -> str | None:
    """User text to an FTS5 MATCH expression: every word must occur, as a word prefix."""
    toks = tokens(query)
    if not toks:
        return None
    return " AND ".join(f'"{tok}"*' for tok in toks)
