"""evaluation workflow

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Who scored an evaluation (by name, as flags record their reviewers: a single-user
SQLite install has no user rows), which flag suggested an answer, and the
evaluation's history: every save after submission, acknowledgement, dispute and
resolution with who, when, old and new values. Columns are added in place
(ALTER TABLE ADD COLUMN): rebuilding a table on SQLite would cascade-delete its
children.
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade() -> None:
    op.add_column('evaluations', sa.Column('reviewer_name', sa.String(length=200), nullable=True))
    op.add_column('evaluations', sa.Column('updated_by', sa.String(length=200), nullable=True))
    if _sqlite():
        op.execute(
            "ALTER TABLE answers ADD COLUMN suggested_flag_id INTEGER "
            "CONSTRAINT fk_answers_suggested_flag_id_flags REFERENCES flags (id) ON DELETE SET NULL"
        )
    else:
        op.add_column('answers', sa.Column('suggested_flag_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_answers_suggested_flag_id_flags', 'answers', 'flags',
                              ['suggested_flag_id'], ['id'], ondelete='SET NULL')
    op.create_table('evaluation_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('by', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('old', sa.JSON(), nullable=True),
    sa.Column('new', sa.JSON(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_evaluation_events_evaluation_id_evaluations'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_events'))
    )
    op.create_index('ix_evaluation_events_evaluation_id', 'evaluation_events', ['evaluation_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_evaluation_events_evaluation_id', table_name='evaluation_events')
    op.drop_table('evaluation_events')
    if not _sqlite():  # SQLite drops the column's own foreign key with the column
        op.drop_constraint('fk_answers_suggested_flag_id_flags', 'answers', type_='foreignkey')
    for table, column in (('answers', 'suggested_flag_id'), ('evaluations', 'updated_by'),
                          ('evaluations', 'reviewer_name')):
        if _sqlite():
            op.execute(f'ALTER TABLE {table} DROP COLUMN "{column}"')
        else:
            op.drop_column(table, column)
