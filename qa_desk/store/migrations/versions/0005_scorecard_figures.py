"""scorecard figures

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-09

What scorecards aggregate in SQL, kept beside what it is derived from: each
evaluation's section scores (`evaluation_sections`), its number of failed critical
items (`evaluations.critical_failures`), each answer's points, and scalar summaries
of a call's audio metrics (`silence_total`, `hold_total`, `overtalk_total`,
`interruptions` in `calls.metrics`), which SQL can average where it cannot sum a
JSON list portably. On PostgreSQL `calls.metrics` becomes jsonb: reading a key out of
json (stored as text) parses the whole document every time, and a scorecard reads five
keys of every call of two periods (80,000 calls: 3 s as json, 0.3 s as jsonb).

Existing evaluations are scored again from their stored answers on their stored form
version. Calling the pure scoring code (qa_desk.scoring) from a migration is
acceptable here: it is the one definition of a section's score, a database function
of nothing but the stored form definition and answers, and it is exactly what the
app runs on the next save of the evaluation; a copy frozen into this file could only
drift from it. (0003 calls qa_desk.store.search for the same reason.) The stored
score and percentage are left as they are: the backfill adds figures, it does not
re-grade anyone. An evaluation whose answers the form no longer accepts keeps no
section rows until its next save; the migration does not fail a team's upgrade for it.

Columns are added in place (ALTER TABLE ADD COLUMN); on SQLite a rebuilt
`evaluations` table would cascade-delete its answers.
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

BATCH = 1000
SUMMARY_KEYS = ('silence_total', 'hold_total', 'overtalk_total', 'interruptions')

_evaluations = sa.table('evaluations', sa.column('id', sa.Integer), sa.column('form_id', sa.Integer),
                        sa.column('critical_failures', sa.Integer))
_answers = sa.table('answers', sa.column('id', sa.Integer), sa.column('evaluation_id', sa.Integer),
                    sa.column('item_key', sa.String), sa.column('value', sa.String), sa.column('points', sa.Float))
_forms = sa.table('forms', sa.column('id', sa.Integer), sa.column('key', sa.String),
                  sa.column('version', sa.Integer), sa.column('definition', sa.JSON))
_sections = sa.table('evaluation_sections', sa.column('evaluation_id', sa.Integer),
                     sa.column('section_key', sa.String), sa.column('title', sa.String),
                     sa.column('earned', sa.Float), sa.column('max', sa.Float), sa.column('percent', sa.Float),
                     sa.column('failed', sa.Boolean))
_calls = sa.table('calls', sa.column('id', sa.Integer), sa.column('metrics', sa.JSON))


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _round(value):
    return None if value is None else round(value, 4)


def _batches(bind, table, columns, where=None):
    """Rows of ``table`` by id, BATCH at a time (a centre's evaluations do not fit in memory)."""
    last = 0
    while True:
        query = sa.select(table.c.id, *columns).where(table.c.id > last).order_by(table.c.id).limit(BATCH)
        if where is not None:
            query = query.where(where)
        rows = bind.execute(query).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _backfill_evaluations() -> None:
    from qa_desk.scoring.forms import Form
    from qa_desk.scoring.score import score_form

    bind = op.get_bind()
    forms: dict[int, object] = {}

    def form(form_id: int):
        if form_id not in forms:  # parsed as qa_desk.store.forms.stored_form does
            row = bind.execute(sa.select(_forms.c.key, _forms.c.version, _forms.c.definition)
                               .where(_forms.c.id == form_id)).one()
            forms[form_id] = Form.from_definition(row.definition, f"{row.key} v{row.version}")
        return forms[form_id]

    for rows in _batches(bind, _evaluations, [_evaluations.c.form_id]):
        answers: dict[int, list] = {}
        for answer in bind.execute(sa.select(_answers.c.id, _answers.c.evaluation_id, _answers.c.item_key,
                                             _answers.c.value)
                                   .where(_answers.c.evaluation_id.in_([r.id for r in rows]))):
            answers.setdefault(answer.evaluation_id, []).append(answer)
        sections, failures, points = [], [], []
        for evaluation_id, form_id in rows:
            given = answers.get(evaluation_id, [])
            try:
                result = score_form(form(form_id), {a.item_key: a.value for a in given})
            except (ValueError, KeyError, TypeError):  # answers the stored form does not accept
                continue
            sections += [{'evaluation_id': evaluation_id, 'section_key': s.key, 'title': s.title[:300],
                          'earned': _round(s.earned), 'max': _round(s.max), 'percent': _round(s.percent),
                          'failed': s.failed} for s in result.sections]
            failures.append({'row_id': evaluation_id, 'count': len(result.critical_failures)})
            earned = {i.key: i for s in result.sections for i in s.items}
            points += [{'row_id': a.id, 'earned': _round(earned[a.item_key].earned) if a.value is not None else None}
                       for a in given]
        if sections:
            bind.execute(sa.insert(_sections), sections)
        if failures:
            bind.execute(sa.update(_evaluations).where(_evaluations.c.id == sa.bindparam('row_id'))
                         .values(critical_failures=sa.bindparam('count')), failures)
        if points:
            bind.execute(sa.update(_answers).where(_answers.c.id == sa.bindparam('row_id'))
                         .values(points=sa.bindparam('earned')), points)


def _spans_total(spans) -> float:
    return round(sum(float(s['end']) - float(s['start']) for s in spans or ()), 3)


def metric_summaries(metrics: dict) -> dict:
    """The four summary keys, from a stored metrics dict's lists (as CallMetrics.as_dict writes them)."""
    overtalk = metrics.get('overtalk')
    return {
        'silence_total': _spans_total(metrics.get('silences')),
        'hold_total': _spans_total(metrics.get('holds')),
        'overtalk_total': None if overtalk is None else _spans_total(overtalk),
        'interruptions': None if overtalk is None else sum(1 for o in overtalk if o.get('started_by') == 'agent'),
    }


def _rewrite_metrics(change) -> None:
    bind = op.get_bind()
    for rows in _batches(bind, _calls, [_calls.c.metrics], _calls.c.metrics.isnot(None)):
        updates = []
        for call_id, metrics in rows:
            if not isinstance(metrics, dict):  # JSON null, or something QA Desk did not write
                continue
            try:
                new = change(metrics)
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
            if new != metrics:
                updates.append({'row_id': call_id, 'new_metrics': new})
        if updates:
            bind.execute(sa.update(_calls).where(_calls.c.id == sa.bindparam('row_id'))
                         .values(metrics=sa.bindparam('new_metrics')), updates)


def upgrade() -> None:
    op.add_column('evaluations', sa.Column('critical_failures', sa.Integer(), server_default='0', nullable=False))
    op.create_table('evaluation_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('section_key', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('earned', sa.Float(), nullable=False),
    sa.Column('max', sa.Float(), nullable=False),
    sa.Column('percent', sa.Float(), nullable=True),
    sa.Column('failed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'],
                            name=op.f('fk_evaluation_sections_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_sections')),
    sa.UniqueConstraint('evaluation_id', 'section_key', name='uq_evaluation_sections_evaluation_section'),
    )
    op.create_index('ix_evaluation_sections_section_key', 'evaluation_sections', ['section_key'], unique=False)
    _backfill_evaluations()
    if not _sqlite():
        op.alter_column('calls', 'metrics', type_=postgresql.JSONB(), existing_type=sa.JSON(),
                        postgresql_using='metrics::jsonb')
    _rewrite_metrics(lambda metrics: {**metrics, **metric_summaries(metrics)})


def downgrade() -> None:
    _rewrite_metrics(lambda metrics: {k: v for k, v in metrics.items() if k not in SUMMARY_KEYS})
    if not _sqlite():
        op.alter_column('calls', 'metrics', type_=sa.JSON(), existing_type=postgresql.JSONB(),
                        postgresql_using='metrics::json')
    op.drop_index('ix_evaluation_sections_section_key', table_name='evaluation_sections')
    op.drop_table('evaluation_sections')
    if _sqlite():
        op.execute('ALTER TABLE evaluations DROP COLUMN "critical_failures"')
    else:
        op.drop_column('evaluations', 'critical_failures')
