"""stats: the privacy budget ledger, the per-member bound of each release, the helped group

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stats_privacy_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('spent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('epsilon', sa.Double(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['release_id'], ['stats_releases.id'], name=op.f('fk_stats_privacy_ledger_release_id_stats_releases'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_privacy_ledger'))
    )
    with op.batch_alter_table('stats_privacy_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stats_privacy_ledger_spent_at'), ['spent_at'], unique=False)

    with op.batch_alter_table('stats_releases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_treatments_per_member', sa.Integer(), nullable=True))

    with op.batch_alter_table('treatment_stats', schema=None) as batch_op:
        batch_op.add_column(sa.Column('helped_count', sa.Integer(), nullable=True))

    # Releases made before the ledger spent their budget too: they enter it as they were.
    op.execute("INSERT INTO stats_privacy_ledger (spent_at, epsilon, release_id) "
               "SELECT created_at, epsilon, id FROM stats_releases")


def downgrade():
    with op.batch_alter_table('treatment_stats', schema=None) as batch_op:
        batch_op.drop_column('helped_count')

    with op.batch_alter_table('stats_releases', schema=None) as batch_op:
        batch_op.drop_column('max_treatments_per_member')

    with op.batch_alter_table('stats_privacy_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stats_privacy_ledger_spent_at'))

    op.drop_table('stats_privacy_ledger')
