"""API tokens: an institution's token reads and uploads for its own source; an operator token
sees everything. Only the token's SHA-256 is stored."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from catalog import tables as t


@dataclass(frozen=True)
class Principal:
    token_id: str
    source: str | None
    operator: bool

    def may_read_source(self, source: str) -> bool:
        return self.operator or self.source == source


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(engine: Engine, *, source: str | None = None, operator: bool = False) -> tuple[str, str]:
    """A new token: (token_id, token). The token is shown once and stored hashed."""
    if not operator and not source:
        raise ValueError("an institution token needs its source")
    token_id = secrets.token_hex(4)
    token = f"chx_{token_id}_{secrets.token_urlsafe(32)}"
    with engine.begin() as conn:
        conn.execute(insert(t.api_tokens).values(
            token_id=token_id, token_sha256=_digest(token), source=None if operator else source,
            operator=1 if operator else 0, created_at=datetime.now(UTC).isoformat(timespec="seconds")))
    return token_id, token


def resolve(engine: Engine, token: str) -> Principal | None:
    digest = _digest(token)
    with engine.connect() as conn:
        row = conn.execute(select(t.api_tokens).where(t.api_tokens.c.token_sha256 == digest,
                                                      t.api_tokens.c.revoked_at.is_(None))).first()
    if row is None or not hmac.compare_digest(row.token_sha256, digest):
        return None
    return Principal(token_id=row.token_id, source=row.source, operator=bool(row.operator))


def revoke(engine: Engine, token_id: str) -> bool:
    with engine.begin() as conn:
        res = conn.execute(update(t.api_tokens).where(t.api_tokens.c.token_id == token_id,
                                                      t.api_tokens.c.revoked_at.is_(None))
                           .values(revoked_at=datetime.now(UTC).isoformat(timespec="seconds")))
    return res.rowcount > 0
