"""The catalogue: credentials (+ SQLite FTS5 index), quarantine, runs, sources, API tokens.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credentials",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("source", sa.String(120), nullable=False, index=True),
        sa.Column("source_record_id", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("first_seen", sa.String(40), nullable=False),
        sa.Column("last_seen", sa.String(40), nullable=False),
        sa.Column("last_changed", sa.String(40), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("country", sa.String(2), index=True),
        sa.Column("eqf_level", sa.Integer, index=True),
        sa.Column("ects", sa.Float),
        sa.Column("participation_mode", sa.String(16)),
        sa.Column("credential_type", sa.String(40)),
        sa.Column("languages", sa.Text),
        sa.Column("isced_f", sa.Text),
        sa.Column("completeness", sa.Float),
        sa.Column("doc", sa.Text, nullable=False),
        sa.Column("search_text", sa.Text),
    )
    op.create_index("ix_credentials_source_record", "credentials", ["source", "source_record_id"], unique=True)
    op.create_table(
        "quarantine",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(40), nullable=False, index=True),
        sa.Column("source", sa.String(120), nullable=False, index=True),
        sa.Column("source_record_id", sa.Text),
        sa.Column("record_id", sa.String(200), index=True),
        sa.Column("locator", sa.Text),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(40), primary_key=True),
        sa.Column("source", sa.String(120), nullable=False, index=True),
        sa.Column("path", sa.Text),
        sa.Column("file_sha256", sa.String(64)),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("finished_at", sa.String(40)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("counts", sa.Text),
        sa.Column("message", sa.Text),
    )
    op.create_table(
        "sources",
        sa.Column("key", sa.String(120), primary_key=True),
        sa.Column("country", sa.String(2)),
        sa.Column("last_file_sha256", sa.String(64)),
        sa.Column("last_run_id", sa.String(40)),
        sa.Column("updated_at", sa.String(40)),
    )
    op.create_table(
        "api_tokens",
        sa.Column("token_id", sa.String(16), primary_key=True),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("source", sa.String(120)),
        sa.Column("operator", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40)),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE credentials_fts USING fts5("
                   "id UNINDEXED, title, description, outcomes, skills, "
                   "tokenize = 'unicode61 remove_diacritics 2')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS credentials_fts")
    for table in ("api_tokens", "sources", "runs", "quarantine", "credentials"):
        op.drop_table(table)
