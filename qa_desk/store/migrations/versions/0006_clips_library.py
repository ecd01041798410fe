"""clips library

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Clips keep what they show: their own audio (FLAC in ``clip_audio``), the transcript
lines they cover, the agent's and team's names, the call's content hash; so deleting
or re-importing the call never breaks one. No QA Desk before this revision wrote a
clip or a playlist (the tables came empty with the first schema), so the three tables
are built again in their new shape rather than altered column by column; a database
that somehow holds rows in them is refused rather than emptied.
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_TABLES = ('playlist_entries', 'clips', 'playlists')


def _refuse_rows() -> None:
    bind = op.get_bind()
    for table in _TABLES:
        if bind.execute(sa.text(f'SELECT COUNT(*) FROM {table}')).scalar():
            raise RuntimeError(f'table {table} holds rows no QA Desk wrote; refusing to rebuild it')


def _drop_old() -> None:
    op.drop_index('ix_playlist_entries_playlist_id', table_name='playlist_entries')
    op.drop_table('playlist_entries')
    op.drop_index('ix_clips_call_id', table_name='clips')
    op.drop_table('clips')
    op.drop_table('playlists')


def upgrade() -> None:
    _refuse_rows()
    _drop_old()
    op.create_table('clips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('call_hash', sa.String(length=64), nullable=True),
    sa.Column('call_started_at', sa.DateTime(), nullable=True),
    sa.Column('start', sa.Float(), nullable=False),
    sa.Column('end', sa.Float(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('form_key', sa.String(length=100), nullable=True),
    sa.Column('section_key', sa.String(length=100), nullable=True),
    sa.Column('form_item_key', sa.String(length=100), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('agent_name', sa.String(length=200), nullable=True),
    sa.Column('team_name', sa.String(length=200), nullable=True),
    sa.Column('excerpt', sa.JSON(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_clips_agent_id_agents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_clips_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_clips_call_id_calls'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clips'))
    )
    op.create_index('ix_clips_call_id', 'clips', ['call_id'], unique=False)
    op.create_index('ix_clips_agent_id', 'clips', ['agent_id'], unique=False)
    op.create_table('clip_audio',
    sa.Column('clip_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('sample_rate', sa.Integer(), nullable=False),
    sa.Column('channels', sa.Integer(), nullable=False),
    sa.Column('offset', sa.Float(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['clip_id'], ['clips.id'], name=op.f('fk_clip_audio_clip_id_clips'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('clip_id', name=op.f('pk_clip_audio'))
    )
    op.create_table('playlists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_playlists_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playlists'))
    )
    _playlist_entries()


def _playlist_entries() -> None:
    op.create_table('playlist_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playlist_id', sa.Integer(), nullable=False),
    sa.Column('clip_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['clip_id'], ['clips.id'], name=op.f('fk_playlist_entries_clip_id_clips'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['playlist_id'], ['playlists.id'], name=op.f('fk_playlist_entries_playlist_id_playlists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playlist_entries'))
    )
    op.create_index('ix_playlist_entries_playlist_id', 'playlist_entries', ['playlist_id'], unique=False)
    op.create_index('ix_playlist_entries_clip_id', 'playlist_entries', ['clip_id'], unique=False)


def downgrade() -> None:
    # Back to the first schema's empty shapes: clips made since are lost, as a
    # downgrade past the revision that introduced them must.
    op.drop_index('ix_playlist_entries_clip_id', table_name='playlist_entries')
    op.drop_index('ix_playlist_entries_playlist_id', table_name='playlist_entries')
    op.drop_table('playlist_entries')
    op.drop_table('clip_audio')
    op.drop_index('ix_clips_agent_id', table_name='clips')
    op.drop_index('ix_clips_call_id', table_name='clips')
    op.drop_table('clips')
    op.drop_table('playlists')
    op.create_table('playlists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_playlists_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playlists'))
    )
    op.create_table('clips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('start', sa.Float(), nullable=False),
    sa.Column('end', sa.Float(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('form_item_key', sa.String(length=100), nullable=True),
    sa.Column('audio_path', sa.Text(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_clips_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_clips_call_id_calls'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clips'))
    )
    op.create_index('ix_clips_call_id', 'clips', ['call_id'], unique=False)
    op.create_table('playlist_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playlist_id', sa.Integer(), nullable=False),
    sa.Column('clip_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['clip_id'], ['clips.id'], name=op.f('fk_playlist_entries_clip_id_clips'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['playlist_id'], ['playlists.id'], name=op.f('fk_playlist_entries_playlist_id_playlists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_playlist_entries'))
    )
    op.create_index('ix_playlist_entries_playlist_id', 'playlist_entries', ['playlist_id'], unique=False)
