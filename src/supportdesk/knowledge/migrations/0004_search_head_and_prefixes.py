"""What keeps a search's cost flat as the knowledge base grows (bench/kb_search.py).

SQLite: the FTS5 table again, now with prefix indexes of 2, 3 and 4 characters, so that the
wizard's suggestions (the last word still being typed, ``word*``) read one stored list instead
of merging the lists of every word that begins so. The triggers of 0002 write to it by name
and stay as they are.

PostgreSQL: a ``head_vector`` of the title (weight A) and the summary (weight B) alone, with a
GIN index of its own: the search ranks those matches first, and ranking them on the whole
article's vector read (and decompressed) the body's vector for every candidate.
"""

from django.db import migrations

FTS = """
    CREATE VIRTUAL TABLE knowledge_article_fts USING fts5(
        title, summary, body,
        content='knowledge_article', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'{prefix}
    )
"""
SQLITE_UP = [
    "DROP TABLE knowledge_article_fts",
    FTS.format(prefix=",\n        prefix='2 3 4'"),
    "INSERT INTO knowledge_article_fts(knowledge_article_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TABLE knowledge_article_fts",
    FTS.format(prefix=""),
    "INSERT INTO knowledge_article_fts(knowledge_article_fts) VALUES ('rebuild')",
]

VECTOR = """
    CREATE OR REPLACE FUNCTION knowledge_article_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector(NEW.stemming::regconfig, coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector(NEW.stemming::regconfig, coalesce(NEW.summary, '')), 'B')
            || setweight(to_tsvector(NEW.stemming::regconfig, coalesce(NEW.body, '')), 'C');{head}
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
"""
HEAD = """
        NEW.head_vector :=
            setweight(to_tsvector(NEW.stemming::regconfig, coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector(NEW.stemming::regconfig, coalesce(NEW.summary, '')), 'B');"""
POSTGRES_UP = [
    "ALTER TABLE knowledge_article ADD COLUMN head_vector tsvector",
    VECTOR.format(head=HEAD),
    "UPDATE knowledge_article SET stemming = stemming",
    "CREATE INDEX knowledge_article_head_idx ON knowledge_article USING GIN (head_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS knowledge_article_head_idx",
    VECTOR.format(head=""),
    "ALTER TABLE knowledge_article DROP COLUMN IF EXISTS head_vector",
]

_UP = {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}
_DOWN = {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}


def forwards(apps, schema_editor):
    for statement in _UP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    for statement in _DOWN.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0003_suggestion_opened")]

    operations = [migrations.RunPython(forwards, backwards)]
