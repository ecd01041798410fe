"""review operations: users, audit, sampling, review queue, calibration

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Users get a team and a last sign-in; audit entries keep the user's name as it was and
a readable summary, and become append-only in the database itself (a trigger refuses
every UPDATE and DELETE, for every role and every client, not only QA Desk's own
code). Sampling rules, their runs and the review queue's assignments; calibration
sessions with their calls and participants, and the evaluations scored in one (which
never count on a scorecard). Columns are added in place (ALTER TABLE ADD COLUMN):
rebuilding a table on SQLite would cascade-delete its children.
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

APPEND_ONLY = "the audit log is append-only: entries cannot be changed or deleted"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _add_reference(table: str, column: str, target: str, ondelete: str) -> None:
    """A nullable foreign-key column added in place (SQLite cannot add the constraint later)."""
    name = f'fk_{table}_{column}_{target}'
    if _sqlite():
        op.execute(f'ALTER TABLE {table} ADD COLUMN {column} INTEGER '
                   f'CONSTRAINT {name} REFERENCES {target} (id) ON DELETE {ondelete}')
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(name, table, target, [column], ['id'], ondelete=ondelete)


def _append_only_audit() -> None:
    if _sqlite():
        for verb in ('UPDATE', 'DELETE'):
            op.execute(f"CREATE TRIGGER audit_entries_no_{verb.lower()} BEFORE {verb} ON audit_entries "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
    else:
        op.execute(f"CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$")
        op.execute("CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries "
                   "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()")
        op.execute("CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()")


def upgrade() -> None:
    _add_reference('users', 'team_id', 'teams', 'SET NULL')
    op.add_column('users', sa.Column('last_sign_in_at', sa.DateTime(), nullable=True))
    op.add_column('audit_entries', sa.Column('user_name', sa.String(length=200), nullable=False, server_default=''))
    op.add_column('audit_entries', sa.Column('summary', sa.Text(), nullable=True))
    _append_only_audit()

    op.create_table('sampling_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sampling_rules')),
    sa.UniqueConstraint('name', name=op.f('uq_sampling_rules_name'))
    )
    op.create_table('sampling_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('rule_definition', sa.JSON(), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('reviewers', sa.JSON(), nullable=False),
    sa.Column('picked', sa.Integer(), nullable=False),
    sa.Column('ran_by', sa.String(length=200), nullable=False),
    sa.Column('ran_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['sampling_rules.id'], name=op.f('fk_sampling_runs_rule_id_sampling_rules'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sampling_runs'))
    )
    op.create_index('ix_sampling_runs_rule_id', 'sampling_runs', ['rule_id'], unique=False)
    op.create_table('review_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_name', sa.String(length=200), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.Column('assigned_by', sa.String(length=200), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_review_assignments_call_id_calls'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'],
                            name=op.f('fk_review_assignments_evaluation_id_evaluations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['sampling_runs.id'], name=op.f('fk_review_assignments_run_id_sampling_runs'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_assignments'))
    )
    for column in ('call_id', 'reviewer_name', 'run_id'):
        op.create_index(f'ix_review_assignments_{column}', 'review_assignments', [column], unique=False)

    op.create_table('calibration_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=10), nullable=False),
    sa.Column('reference_reviewer', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_calibration_sessions_form_id_forms'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_sessions'))
    )
    op.create_table('calibration_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_calibration_calls_call_id_calls'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['calibration_sessions.id'],
                            name=op.f('fk_calibration_calls_session_id_calibration_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_calls')),
    sa.UniqueConstraint('session_id', 'call_id', name='uq_calibration_calls_session_call')
    )
    op.create_index('ix_calibration_calls_session_id', 'calibration_calls', ['session_id'], unique=False)
    op.create_table('calibration_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['calibration_sessions.id'],
                            name=op.f('fk_calibration_participants_session_id_calibration_sessions'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_participants')),
    sa.UniqueConstraint('session_id', 'reviewer_name', name='uq_calibration_participants_session_reviewer')
    )
    op.create_index('ix_calibration_participants_session_id', 'calibration_participants', ['session_id'],
                    unique=False)
    _add_reference('evaluations', 'calibration_session_id', 'calibration_sessions', 'CASCADE')
    op.create_index('ix_evaluations_calibration_session_id', 'evaluations', ['calibration_session_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_evaluations_calibration_session_id', table_name='evaluations')
    if not _sqlite():  # SQLite drops a column's own foreign key with the column
        op.drop_constraint('fk_evaluations_calibration_session_id_calibration_sessions', 'evaluations',
                           type_='foreignkey')
        op.drop_constraint('fk_users_team_id_teams', 'users', type_='foreignkey')
    for table in ('calibration_participants', 'calibration_calls'):
        op.drop_index(f'ix_{table}_session_id', table_name=table)
        op.drop_table(table)
    for column in ('call_id', 'reviewer_name', 'run_id'):
        op.drop_index(f'ix_review_assignments_{column}', table_name='review_assignments')
    op.drop_table('review_assignments')
    op.drop_index('ix_sampling_runs_rule_id', table_name='sampling_runs')
    op.drop_table('sampling_runs')
    op.drop_table('sampling_rules')
    if _sqlite():
        op.execute('DROP TRIGGER audit_entries_no_update')
        op.execute('DROP TRIGGER audit_entries_no_delete')
    else:
        op.execute('DROP TRIGGER audit_entries_no_truncate ON audit_entries')
        op.execute('DROP TRIGGER audit_entries_append_only ON audit_entries')
        op.execute('DROP FUNCTION audit_entries_append_only()')
    for table, column in (('evaluations', 'calibration_session_id'), ('audit_entries', 'summary'),
                          ('audit_entries', 'user_name'), ('users', 'last_sign_in_at'), ('users', 'team_id')):
        if _sqlite():
            op.execute(f'ALTER TABLE {table} DROP COLUMN "{column}"')
        else:
            op.drop_column(table, column)
    op.drop_table('calibration_sessions')
