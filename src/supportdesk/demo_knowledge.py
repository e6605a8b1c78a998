"""Demo knowledge base: categories and a few articles, some translated, written through the
services by the demo engineer. Safe to load again and again: what exists is left alone."""

from __future__ import annotations

from typing import Protocol

from django.db import transaction
from django.utils import timezone

from supportdesk.accounts.models import User
from supportdesk.knowledge import services
from supportdesk.knowledge.models import Article, Category
from supportdesk.licensing.models import Product


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


CATEGORIES = (("howto", "How-to", 1), ("troubleshooting", "Troubleshooting", 2))
# slug, language, category, product codes, visibility, title, summary, body
ARTICLES = (
    (
        "replication-stalls",
        "en",
        "troubleshooting",
        ("VBR",),
        "public",
        "Replication to the DR site stalls",
        "A replication job that stops part-way usually waits for a WAN accelerator.",
        "When a replication job stops at the same percentage every night, check the WAN "
        "accelerator's cache size and the bandwidth throttling rules.\n\nRaise the cache to at "
        "least 100 GB and retry the job.",
    ),
    (
        "replication-stalls",
        "de",
        "troubleshooting",
        ("VBR",),
        "public",
        "Replikation zum DR-Standort bleibt stehen",
        "Eine Replikation, die stehen bleibt, wartet meist auf den WAN-Beschleuniger.",
        "Bleibt ein Replikationsauftrag jede Nacht beim selben Prozentsatz stehen, prüfen Sie "
        "die Cachegröße des WAN-Beschleunigers und die Drosselungsregeln.",
    ),
    (
        "replication-stalls",
        "cs",
        "troubleshooting",
        ("VBR",),
        "public",
        "Replikace do záložní lokality se zastaví",
        "Replikace, která se zastaví, obvykle čeká na WAN akcelerátor.",
        "Zastaví-li se replikační úloha každou noc na stejném procentu, zkontrolujte velikost "
        "mezipaměti WAN akcelerátoru a pravidla omezení šířky pásma.",
    ),
    (
        "vss-writer-timeout",
        "en",
        "troubleshooting",
        ("VBR",),
        "customers",
        "Backup job fails with a VSS writer timeout",
        "Application-aware processing times out when a VSS writer is stuck.",
        "Run `vssadmin list writers` on the guest. Restart the service of any writer that is not "
        "stable, then retry the backup job.",
    ),
    (
        "restore-single-file",
        "en",
        "howto",
        ("VBR", "VONE"),
        "public",
        "Restore a single file from a backup",
        "File-level restore without restoring the whole machine.",
        "Open the backup in the console, choose Restore guest files, pick the restore point and "
        "browse to the file.",
    ),
    (
        "licence-renewal",
        "en",
        "howto",
        (),
        "public",
        "Renew maintenance before it lapses",
        "Why a lapsed maintenance contract refuses technical cases, and how to renew.",
        "Technical cases need maintenance in force. Ask your license administrator to request a "
        "one-click license update from the Licenses page.",
    ),
)


def load_knowledge(stdout: Writer) -> None:
    now = timezone.now()
    author = User.objects.filter(username="engineer").first()
    made = 0
    with transaction.atomic():
        categories = {}
        for slug, name, position in CATEGORIES:
            found = Category.objects.filter(slug=slug).first()
            categories[slug] = found or services.category_create(
                actor=author, slug=slug, name=name, position=position, at=now
            )
        for slug, language, category, codes, visibility, title, summary, body in ARTICLES:
            if Article.objects.filter(slug=slug, language=language).exists():
                continue
            services.article_create(
                actor=author,
                slug=slug,
                language=language,
                title=title,
                summary=summary,
                body=body,
                category=categories[category],
                products=list(Product.objects.filter(code__in=codes)),
                visibility=visibility,
                status="published",
                at=now,
            )
            made += 1
    stdout.write(f"demo knowledge base: {made} articles written, see /kb/ and /kb/ask/\n")
