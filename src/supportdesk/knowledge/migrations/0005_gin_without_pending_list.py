"""The knowledge base's GIN indexes without a pending list (PostgreSQL only).

With ``fastupdate`` on (PostgreSQL's default), new entries wait in an unsorted pending list
until the next vacuum, and every search reads the whole list: after a bulk import of
articles, up to ``gin_pending_list_limit`` (4 MB) of it, which tripled the index part of a
search at 100,000 articles (bench/kb_search.py). Articles are written by staff, a few at a
time, so inserting straight into the index costs nothing a user notices, and a search no
longer depends on when autovacuum last ran. Turning it off flushes nothing by itself: the
``gin_clean_pending_list`` calls do that at once.
"""

from django.db import migrations

INDEXES = ("knowledge_article_search_idx", "knowledge_article_head_idx")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} SET (fastupdate = off)")
        schema_editor.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX {name} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0004_search_head_and_prefixes")]

    operations = [migrations.RunPython(forwards, backwards)]
