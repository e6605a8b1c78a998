"""Benchmark: knowledge-base search over generated articles, on SQLite (FTS5) and PostgreSQL
(tsvector + GIN), against a naive ``LIKE`` search on the same data in the same run.

    .venv/bin/python bench/kb_search.py [--quick] [--articles N] [--queries N] [--seed N]

(after ``make sync``, or ``make bench-kb``).  For each database it makes a fresh one (a
temporary SQLite file; a throw-away PostgreSQL database on BENCH_PG_HOST, dropped at the
end), migrates it, loads the generated articles through the ORM (the triggers of migration
knowledge.0002 index them, as in production), then times ``supportdesk.knowledge.search``
(every word, ranked, with snippets, as the portal and API search) and the wizard's
suggestions (any word, last word a prefix), and ``naive_search`` (every word as a
case-insensitive ``LIKE`` substring of title or body).  Each database runs in a child process
of its own.  Ends with one ``RESULT`` line; ``p99_ms`` is the worse of the two databases'
search p99.  See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
PG_MAINTENANCE_DB = os.environ.get("BENCH_PG_DB", "postgres")
GOAL_P99_MS = 30.0

# words of the field, mixed into the generated vocabulary so that queries look like real ones
DOMAIN_TEXT = (
    "backup replication proxy repository tape vault restore snapshot agent job failed error "
    "timeout vss writer cluster hyperv vmware storage deduplication compression encryption "
    "retention license upgrade console database sql exchange sharepoint linux windows kernel "
    "network bandwidth throttling cache accelerator cloud object immutable catalog index "
    "certificate credentials permission service driver cbt changed block tracking guest file "
    "volume disk latency throughput schedule retry warning checksum corruption rescan"
)
DOMAIN = DOMAIN_TEXT.split()
SYLLABLE_TEXT = "ka ri to ne ma su lo vi de ra po ze mi la tu be no xa fe go hi ju ky"
SYLLABLES = SYLLABLE_TEXT.split()


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# --- the workload: built from the seed, the same for both databases --------------------------


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words: dict[str, None] = dict.fromkeys(DOMAIN)
    while len(words) < size:
        words["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))] = None
    ordered = list(words)
    rng.shuffle(ordered)
    return ordered


def zipf_weights(n: int, s: float = 1.05) -> list[float]:
    return [1.0 / (rank**s) for rank in range(1, n + 1)]


def queries(rng: random.Random, words: list[str], n: int) -> list[str]:
    """1 to 3 words each, drawn by frequency, without the very commonest (which a search
    box's stop-word list would drop)."""
    pool = words[10:]
    weights = zipf_weights(len(words))[10:]
    out = []
    for _ in range(n):
        k = rng.choices((1, 2, 3), weights=(45, 40, 15))[0]
        out.append(" ".join(rng.choices(pool, weights=weights, k=k)))
    return out


def prefixes(rng: random.Random, texts: list[str]) -> list[str]:
    """What a customer has typed so far: the words, the last one cut short."""
    out = []
    for text in texts:
        *done, last = text.split()
        cut = last[: max(2, rng.randint(2, len(last)))]
        out.append(" ".join([*done, cut]))
    return out


# --- one database, in a child process ---------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from supportdesk.knowledge.models import Article, Category
    from supportdesk.knowledge.search import Filters, naive_search, search
    from supportdesk.policy.knowledge import pg_config

    vendor = connection.vendor
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)  # noqa: S311 - a reproducible workload
    words = vocabulary(rng, 6000)
    weights = zipf_weights(len(words))
    cumulative = list(__import__("itertools").accumulate(weights))
    categories = [
        Category.objects.create(slug=f"c{i}", name=f"Category {i}", position=i) for i in range(20)
    ]
    now = timezone.now()
    languages = ("en",) * 8 + ("de", "cs")
    made = 0
    batch = 2000
    say(f"[{vendor}] loading {args.articles:,} articles ...")
    while made < args.articles:
        rows = []
        for i in range(made, min(made + batch, args.articles)):
            title = " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(4, 9)))
            body = " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(80, 220)))
            language = languages[i % len(languages)]
            rows.append(
                Article(
                    slug=f"a{i}",
                    language=language,
                    title=title.capitalize(),
                    summary=" ".join(rng.choices(words, cum_weights=cumulative, k=12)),
                    body=body,
                    category=categories[i % len(categories)],
                    visibility=("public", "customers", "customers", "internal")[i % 4],
                    status="published" if i % 10 else "draft",
                    stemming=pg_config(language),
                    created_at=now,
                    updated_at=now,
                    published_at=now if i % 10 else None,
                )
            )
        with transaction.atomic():
            Article.objects.bulk_create(rows)
        made += len(rows)
        if made % 20000 == 0 or made == args.articles:
            say(f"[{vendor}]   {made:,} loaded ({time.perf_counter() - t0:.0f} s)")
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(
                "INSERT INTO knowledge_article_fts(knowledge_article_fts) VALUES ('optimize')"
            )
        cursor.execute("ANALYZE")
    load_s = time.perf_counter() - t0

    qrng = random.Random(args.seed + 1)  # noqa: S311
    texts = queries(qrng, words, args.queries)
    typed = prefixes(qrng, texts)
    customer = Filters(audience="customer")
    english = Filters(audience="customer", languages=("en",))

    cpu: dict[str, list[float]] = {}

    def timed(run, items, name="") -> tuple[list[float], int]:
        """Wall-clock milliseconds per query; also this process's CPU milliseconds (on SQLite
        the whole search, which a busy machine does not inflate much; on PostgreSQL only the
        client's share)."""
        for text in items[:10]:  # warm the caches
            run(text)
        times, found, spent = [], 0, []
        for n, text in enumerate(items, 1):
            start, start_cpu = time.perf_counter(), time.thread_time()
            hits = run(text)
            times.append((time.perf_counter() - start) * 1000)
            spent.append((time.thread_time() - start_cpu) * 1000)
            found += bool(hits)
            if n % 250 == 0:
                say(f"[{vendor}]   {n}/{len(items)}")
        cpu[name] = spent
        return times, found

    say(f"[{vendor}] search: {len(texts)} queries ...")
    search_ms, search_found = timed(lambda q: search(q, customer, limit=10), texts, "search")
    say(f"[{vendor}] suggestions: {len(typed)} partial subjects ...")
    suggest_ms, _ = timed(
        lambda q: search(q, english, any_term=True, prefix_last=True, limit=5), typed, "suggest"
    )
    like_texts = texts[: args.like_queries]
    say(f"[{vendor}] naive LIKE: {len(like_texts)} queries ...")
    like_ms, like_found = timed(lambda q: naive_search(q, customer, limit=10), like_texts)
    say(
        "CHILD "
        + json.dumps(
            {
                "vendor": vendor,
                "articles": args.articles,
                "load_s": round(load_s, 1),
                "search": [percentile(search_ms, 0.5), percentile(search_ms, 0.99)],
                "search_found": search_found / len(texts),
                "suggest": [percentile(suggest_ms, 0.5), percentile(suggest_ms, 0.99)],
                "like": [percentile(like_ms, 0.5), percentile(like_ms, 0.99)],
                "like_found": like_found / max(1, len(like_texts)),
                "like_n": len(like_texts),
                "mean_search": statistics.fmean(search_ms),
                "search_cpu": [percentile(cpu["search"], 0.5), percentile(cpu["search"], 0.99)],
                "suggest_cpu": [percentile(cpu["suggest"], 0.5), percentile(cpu["suggest"], 0.99)],
            }
        )
    )


# --- the parent: one child per database, then the comparison ----------------------------------


def run_child(args: argparse.Namespace, database_url: str, home: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SUPPORTDESK_HOME": home,
        "DJANGO_SETTINGS_MODULE": "supportdesk.config.settings",
    }
    cmd = [sys.executable, __file__, "--child", "--articles", str(args.articles),
           "--queries", str(args.queries), "--like-queries", str(args.like_queries),
           "--seed", str(args.seed)]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 - this same script
        cmd, env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    result = None
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("CHILD "):
            result = json.loads(line[6:])
        else:
            sys.stdout.write(line)
            sys.stdout.flush()
    if process.wait() != 0 or result is None:
        raise SystemExit(f"the {database_url.split(':')[0]} run failed")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 articles, fewer queries")
    parser.add_argument("--articles", type=int)
    parser.add_argument("--queries", type=int)
    parser.add_argument("--like-queries", type=int)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.articles = args.articles or (10_000 if args.quick else 100_000)
    args.queries = args.queries or (200 if args.quick else 1000)
    args.like_queries = args.like_queries or (10 if args.quick else 100)
    if args.child:
        child(args)
        return

    import psycopg

    results = []
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as home:
        say(
            f"knowledge-base search: {args.articles:,} articles, {args.queries} queries, "
            f"seed {args.seed}"
        )
        results.append(run_child(args, f"sqlite:///{home}/bench.sqlite3", home))
        name = f"kb_bench_{os.getpid()}"
        admin = f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={PG_MAINTENANCE_DB}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
            results.append(run_child(args, url, home))
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    say("")
    say(f"{'database':<11} {'load s':>7} {'search p50':>11} {'p99':>7} {'suggest p50':>12} "
        f"{'p99':>7} {'LIKE p50':>9} {'p99':>8}  (ms)")  # fmt: skip
    for r in results:
        say(f"{r['vendor']:<11} {r['load_s']:>7} {r['search'][0]:>11.2f} {r['search'][1]:>7.2f} "
            f"{r['suggest'][0]:>12.2f} {r['suggest'][1]:>7.2f} {r['like'][0]:>9.1f} "
            f"{r['like'][1]:>8.1f}")  # fmt: skip
    for r in results:
        say(f"{r['vendor']:<11} CPU ms of this process per query: search p50 "
            f"{r['search_cpu'][0]:.2f} p99 {r['search_cpu'][1]:.2f}, suggestions p50 "
            f"{r['suggest_cpu'][0]:.2f} p99 {r['suggest_cpu'][1]:.2f}")  # fmt: skip
    say(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    by = {r["vendor"]: r for r in results}
    sq, pg = by["sqlite"], by["postgresql"]
    worst = max(sq["search"][1], pg["search"][1])
    say(f"goal: search p99 under {GOAL_P99_MS:.0f} ms on both: "
        + ("met" if worst < GOAL_P99_MS else "NOT met"))  # fmt: skip
    say(
        f"RESULT p99_ms={worst:.2f} sqlite_p50_ms={sq['search'][0]:.2f} "
        f"sqlite_p99_ms={sq['search'][1]:.2f} pg_p50_ms={pg['search'][0]:.2f} "
        f"pg_p99_ms={pg['search'][1]:.2f} suggest_p99_ms="
        f"{max(sq['suggest'][1], pg['suggest'][1]):.2f} like_sqlite_p50_ms={sq['like'][0]:.1f} "
        f"like_pg_p50_ms={pg['like'][0]:.1f} sqlite_cpu_p99_ms={sq['search_cpu'][1]:.2f} "
        f"speedup_p50_sqlite="
        f"{sq['like'][0] / max(sq['search'][0], 1e-9):.0f} speedup_p50_pg="
        f"{pg['like'][0] / max(pg['search'][0], 1e-9):.0f} articles={args.articles}"
    )


if __name__ == "__main__":
    main()
