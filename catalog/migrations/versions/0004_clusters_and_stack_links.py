"""One entry per credential: cluster columns on credentials (cluster id, representative flag,
normalised-title blocking key, stackable flag) and the stack_links table (isPartOf, supersedes).
Existing records start as their own cluster's representative; catalog/clusters.py fills the rest
on the next delivery of any source (records without a blocking key are clustered then).

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("credentials", sa.Column("cluster_id", sa.String(40)))
    op.add_column("credentials", sa.Column("cluster_primary", sa.Integer, nullable=False,
                                           server_default=sa.text("1")))
    op.add_column("credentials", sa.Column("block_key", sa.String(200)))
    op.add_column("credentials", sa.Column("stackable", sa.Integer, nullable=False,
                                           server_default=sa.text("0")))
    op.create_index("ix_credentials_cluster_id", "credentials", ["cluster_id"])
    op.create_index("ix_credentials_block_key", "credentials", ["block_key"])
    op.create_table(
        "stack_links",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("from_id", sa.String(200), nullable=False, index=True),
        sa.Column("relation", sa.String(20), nullable=False),
        sa.Column("target_ref", sa.Text, nullable=False),
        sa.Column("to_id", sa.String(200), index=True),
    )


def downgrade() -> None:
    op.drop_table("stack_links")
    op.drop_index("ix_credentials_block_key", "credentials")
    op.drop_index("ix_credentials_cluster_id", "credentials")
    # ALTER TABLE ... DROP COLUMN in place (SQLite 3.35+), not a batch copy: the copy would renumber
    # the rowids that the FTS5 index refers to
    for name in ("stackable", "block_key", "cluster_primary", "cluster_id"):
        op.drop_column("credentials", name)
