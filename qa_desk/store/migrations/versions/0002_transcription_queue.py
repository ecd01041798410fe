"""transcription queue

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

The transcription queue shared by the window, `qa-desk transcribe` and `qa-desk worker`,
and each call's transcript status for the library.
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('transcription_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('model_name', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=20), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('worker', sa.String(length=200), nullable=True),
    sa.Column('lease_expires', sa.Float(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_transcription_jobs_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transcription_jobs'))
    )
    with op.batch_alter_table('transcription_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transcription_jobs_call_id'), ['call_id'], unique=False)
        batch_op.create_index('ix_transcription_jobs_status', ['status', 'priority', 'id'], unique=False)

    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transcript_status', sa.String(length=12), server_default='none', nullable=False))
    # Calls transcribed before the queue existed are done.
    op.execute(
        "UPDATE calls SET transcript_status = 'done' "
        "WHERE id IN (SELECT call_id FROM transcripts)"
    )



def downgrade() -> None:
    # Not a batch drop: on SQLite that rebuilds `calls`, and with foreign keys on,
    # dropping the old table deletes every transcript and flag by ON DELETE CASCADE.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE calls DROP COLUMN transcript_status')  # SQLite 3.35+
    else:
        op.drop_column('calls', 'transcript_status')

    with op.batch_alter_table('transcription_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_transcription_jobs_status')
        batch_op.drop_index(batch_op.f('ix_transcription_jobs_call_id'))

    op.drop_table('transcription_jobs')
