"""The full-text index of articles, kept by the database (no code path can forget it).

SQLite: an FTS5 table over title, summary and body with the Porter stemmer (FTS5's only one),
external content (the article table holds the text once), and triggers that follow inserts,
updates and deletes.

PostgreSQL: a ``search_vector`` column, title weighted A, summary B, body C, each stemmed with
the article's own text-search configuration (``stemming``, chosen by the policy core from the
language), set by a trigger, and a GIN index over it.
"""

from django.db import migrations

SQLITE_UP = [
    """
    CREATE VIRTUAL TABLE knowledge_article_fts USING fts5(
        title, summary, body,
        content='knowledge_article', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER knowledge_article_fts_insert AFTER INSERT ON knowledge_article BEGIN
        INSERT INTO knowledge_article_fts(rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body);
    END
    """,
    """
    CREATE TRIGGER knowledge_article_fts_delete AFTER DELETE ON knowledge_article BEGIN
        INSERT INTO knowledge_article_fts(knowledge_article_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
    END
    """,
    """
    CREATE TRIGGER knowledge_article_fts_update
    AFTER UPDATE OF title, summary, body ON knowledge_article BEGIN
        INSERT INTO knowledge_article_fts(knowledge_article_fts, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
        INSERT INTO knowledge_article_fts(rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body);
    END
    """,
    # articles written before the index (none in a new database)
    "INSERT INTO knowledge_article_fts(knowledge_article_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS knowledge_article_fts_update",
    "DROP TRIGGER IF EXISTS knowledge_article_fts_delete",
    "DROP TRIGGER IF EXISTS knowledge_article_fts_insert",
    "DROP TABLE IF EXISTS knowledge_article_fts",
]

POSTGRES_UP = [
    "ALTER TABLE knowledge_article ADD COLUMN search_vector tsvector",
    """
    CREATE FUNCTION knowledge_article_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector(NEW.stemming::regconfig, coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector(NEW.stemming::regconfig, coalesce(NEW.summary, '')), 'B')
            || setweight(to_tsvector(NEW.stemming::regconfig, coalesce(NEW.body, '')), 'C');
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER knowledge_article_search_vector
    BEFORE INSERT OR UPDATE OF title, summary, body, stemming ON knowledge_article
    FOR EACH ROW EXECUTE FUNCTION knowledge_article_search_vector()
    """,
    "UPDATE knowledge_article SET stemming = stemming",
    "CREATE INDEX knowledge_article_search_idx ON knowledge_article USING GIN (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS knowledge_article_search_idx",
    "DROP TRIGGER IF EXISTS knowledge_article_search_vector ON knowledge_article",
    "DROP FUNCTION IF EXISTS knowledge_article_search_vector()",
    "ALTER TABLE knowledge_article DROP COLUMN IF EXISTS search_vector",
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
    dependencies = [("knowledge", "0001_articles_categories_deflections")]

    operations = [migrations.RunPython(forwards, backwards)]
