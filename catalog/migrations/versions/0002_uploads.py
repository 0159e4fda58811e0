"""Institution uploads: one row per file received through the API.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("upload_id", sa.String(40), primary_key=True),
        sa.Column("source", sa.String(120), nullable=False, index=True),
        sa.Column("token_id", sa.String(16)),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.Text),  # as the client named it: shown, never used as a path
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),  # received, processing, published, failed
        sa.Column("run_id", sa.String(80)),
        sa.Column("report", sa.Text),  # JSON: format, rows, first errors; counts when published
    )


def downgrade() -> None:
    op.drop_table("uploads")
