"""PostgreSQL full text: tsvector upkeep after a delivery's writes, and the query condition."""
from __future__ import annotations

from sqlalchemy import Connection, bindparam, func, literal_column, text

from catalog.fts import tokens

# ISO 639-1 -> PostgreSQL text search configuration (those shipped with PostgreSQL)
CONFIGS = {"da": "danish", "de": "german", "en": "english", "es": "spanish", "fi": "finnish",
           "fr": "french", "hu": "hungarian", "it": "italian", "nl": "dutch", "no": "norwegian",
           "pt": "portuguese", "ro": "romanian", "ru": "russian", "sv": "swedish", "tr": "turkish"}


def config_for(rec: dict) -> str:
    lang = rec.get("title_language") or ((rec.get("languages") or [None])[0])
    return CONFIGS.get(lang or "", "simple")


def refresh(conn: Connection, records: list[dict]) -> None:
    """search_vector = the folded text in 'simple' (exact words, any language) plus, where the
    record's language is known, that language's configuration (stems: 'Kurse' finds 'Kurs')."""
    if conn.dialect.name != "postgresql" or not records:
        return
    conn.execute(
        text("UPDATE credentials SET search_vector = setweight(to_tsvector('simple', coalesce(search_text, '')), 'A')"
             " || to_tsvector(CAST(:cfg AS regconfig), coalesce(search_text, '')) WHERE id = :id"),
        [{"id": r["id"], "cfg": config_for(r)} for r in records],
    )


def condition(query_text: str):
    """search_vector matches every word of the query as a prefix ('simple', accents removed by
    unaccent), or every word as stemmed by one of the language configurations ('analyses' finds
    'analysing' through the English stems)."""
    words = tokens(query_text)
    prefix = " & ".join(f"{w}:*" for w in words)
    plain = " ".join(words)
    tsq = func.to_tsquery(literal_column("'simple'"), func.unaccent(bindparam("ts_prefix", prefix)))
    for cfg in sorted(set(CONFIGS.values())):
        tsq = tsq.op("||")(func.plainto_tsquery(literal_column(f"'{cfg}'"), bindparam("ts_plain", plain)))
    return literal_column("credentials.search_vector").op("@@")(tsq)
