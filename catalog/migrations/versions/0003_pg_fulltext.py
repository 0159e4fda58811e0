"""PostgreSQL full text: a tsvector per credential (folded text in the 'simple' configuration plus
the record's own language configuration where it is known) with a GIN index, and the unaccent
extension for queries. Nothing on SQLite (FTS5 does this there).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.add_column("credentials", sa.Column("search_vector", postgresql.TSVECTOR))
    op.create_index("ix_credentials_search_vector", "credentials", ["search_vector"], postgresql_using="gin")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_credentials_search_vector", "credentials")
    op.drop_column("credentials", "search_vector")
