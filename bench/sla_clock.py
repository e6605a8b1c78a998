"""Benchmark: the SLA clock against workclock, pandas and businesstimedelta.

    .venv/bin/python bench/sla_clock.py [--quick] [--seed N]

(after ``uv sync --extra dev --extra bench``, or ``make bench-sla``).  Builds a fixed, seeded
workload of SLA computations (due-time additions and elapsed-time measurements for customers in
19 time zones), runs it through our clock and through each peer, checks a sample of it against
the minute-stepping reference of the test suite, measures how the cost of one addition grows
with the target, and ends with one ``RESULT`` line.  See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import random
import sys
import time as clock
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import numpy as np
import pandas as pd
import pytz
from businesstimedelta import BusinessTimeDelta, HolidayRule, Rules, WorkDayRule
from workclock import Holidays, Schedule, WorkDay

from supportdesk.policy import load_policy
from supportdesk.policy.calendar import BusinessCalendar, public_holidays, zone
from supportdesk.policy.model import Hours
from supportdesk.policy.sla import BusinessClock, clock_for

ROOT = Path(__file__).resolve().parent.parent

# (country, subdivision, IANA zone): northern and southern DST, zones whose clocks change at
# midnight (Santiago, Cairo), a half-hour change (Lord Howe), half-hour offsets, no DST at all
CUSTOMERS: list[tuple[str, str | None, str]] = [
    ("CZ", None, "Europe/Prague"),
    ("DE", "BY", "Europe/Berlin"),
    ("GB", "ENG", "Europe/London"),
    ("FR", None, "Europe/Paris"),
    ("ES", "MD", "Europe/Madrid"),
    ("US", "CA", "America/Los_Angeles"),
    ("US", "NY", "America/New_York"),
    ("CA", "QC", "America/Toronto"),
    ("BR", "SP", "America/Sao_Paulo"),
    ("MX", None, "America/Mexico_City"),
    ("CL", None, "America/Santiago"),
    ("JP", None, "Asia/Tokyo"),
    ("IN", None, "Asia/Kolkata"),
    ("AU", "NSW", "Australia/Sydney"),
    ("AU", "NSW", "Australia/Lord_Howe"),
    ("NZ", None, "Pacific/Auckland"),
    ("ZA", None, "Africa/Johannesburg"),
    ("IL", None, "Asia/Jerusalem"),
    ("EG", None, "Africa/Cairo"),
]

# program -> share of the workload (free has no clock, so nothing to compute)
PROGRAM_SHARES = {"basic": 0.35, "trial": 0.25, "production": 0.25, "premium": 0.15}
ADD_SHARE = 0.7  # the rest are elapsed-time (between) computations

# local wall times around openings and closings (minutes after midnight), and midnight
EDGE_MINUTES = [479, 480, 481, 1019, 1020, 1021, 1199, 1200, 1201, 0]

FIRST_DAY = date(2026, 1, 1)
LAST_DAY = date(2028, 12, 31)
HOLIDAY_YEARS = range(2025, 2032)  # what the peers are given (the workload ends in 2029)
TARGET_HOURS = (1, 8, 40, 200, 1000)
ZERO = timedelta(0)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FAST_PASS_S = 3.0  # a first timed pass quicker than this gets two more (best of 3)


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------------------------
# The workload


@dataclass(frozen=True, slots=True)
class Item:
    op: str  # "add" or "between"
    customer: int  # index into CUSTOMERS
    program: str
    clock: str  # "business" or "24x7"
    start: datetime  # aware, in the customer's zone
    amount: timedelta | None  # for add
    end: datetime | None  # for between (never before start)


def clock_changes(tz: ZoneInfo) -> list[datetime]:
    """The instants (UTC) at which ``tz`` changes its UTC offset in 2026-2028."""
    out = []
    t = datetime(2026, 1, 1, tzinfo=UTC)
    last = datetime(2029, 1, 1, tzinfo=UTC)
    prev = t.astimezone(tz).utcoffset()
    while t < last:
        nxt = t + timedelta(minutes=30)
        off = nxt.astimezone(tz).utcoffset()
        if off != prev:
            out.append(nxt)
            prev = off
        t = nxt
    return out


def local(day: date, minute: int, tz: ZoneInfo, fold: int) -> datetime:
    """Local wall time ``minute`` on ``day`` as a real instant in ``tz`` (a wall time that a
    clock change skips is normalised through UTC, as a parser of local times would)."""
    wall = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz, fold=fold)
    return wall.astimezone(UTC).astimezone(tz)


def build_workload(n: int, seed: int) -> list[Item]:
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not secrets
    policy = POLICY
    zones = [ZoneInfo(tz) for _, _, tz in CUSTOMERS]
    changes = [clock_changes(tz) for tz in zones]
    holiday_days = [
        sorted(holidays.country_holidays(cc, subdiv=sd, years=range(2026, 2029)))
        for cc, sd, _ in CUSTOMERS
    ]
    span_days = (LAST_DAY - FIRST_DAY).days
    programs = list(PROGRAM_SHARES)
    shares = list(PROGRAM_SHARES.values())
    targets = {
        p: [m for m in policy.programs[p].targets.values() if m is not None] for p in programs
    }

    def instant(ci: int, near: datetime | None = None) -> datetime:
        tz = zones[ci]
        fold = rng.randint(0, 1)
        r = rng.random()
        if near is not None:
            day = near.astimezone(tz).date() + timedelta(days=rng.randint(0, 7))
        elif r < 0.15 and changes[ci]:  # a clock-change night: up to 4 h either side
            change = rng.choice(changes[ci])
            return (change + timedelta(minutes=rng.randint(-240, 240))).astimezone(tz)
        elif r < 0.25:  # on or the day before a public holiday
            day = rng.choice(holiday_days[ci]) - timedelta(days=rng.randint(0, 1))
        else:
            day = FIRST_DAY + timedelta(days=rng.randint(0, span_days))
        minute = rng.choice(EDGE_MINUTES) if rng.random() < 0.55 else rng.randint(0, 1439)
        return local(day, minute, tz, fold)

    items = []
    for _ in range(n):
        ci = rng.randrange(len(CUSTOMERS))
        program = rng.choices(programs, shares)[0]
        kind = policy.programs[program].hours.clock
        start = instant(ci)
        if rng.random() < ADD_SHARE:
            amount = timedelta(minutes=rng.choice(targets[program]))
            items.append(Item("add", ci, program, kind, start, amount, None))
            continue
        r = rng.random()
        if r < 0.4:  # an edge time up to a week later
            end = instant(ci, near=start)
        elif r < 0.6:  # a short while
            end = start + timedelta(minutes=rng.randint(0, 240))
        else:
            end = start + timedelta(minutes=rng.randint(0, 5 * 1440))
        end = end.astimezone(zones[ci])
        if end < start:
            start, end = end, start
        items.append(Item("between", ci, program, kind, start, None, end))
    return items


# --------------------------------------------------------------------------------------------
# Engines: each turns an item into a call (f, a, b); the timed loop calls f(a, b)

Call = tuple[Callable[[Any, Any], Any], Any, Any]


POLICY = load_policy()


def hours_of(program: str) -> Hours:
    return POLICY.programs[program].hours


def wall(minute: int) -> time:
    return time((minute // 60) % 24, minute % 60)


def holiday_dates(ci: int) -> set[date]:
    cc, sd, _ = CUSTOMERS[ci]
    return set(holidays.country_holidays(cc, subdiv=sd, years=HOLIDAY_YEARS))


class Engine:
    name = ""
    note = ""

    def __init__(self) -> None:
        self._cache: dict[tuple[Any, ...], Any] = {}

    def cached(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        value = self._cache.get(key)
        if value is None:
            value = self._cache[key] = build()
        return value

    def call(self, item: Item) -> Call:
        raise NotImplementedError

    def add_call(self, ci: int, program: str, start: datetime, amount: timedelta) -> Call:
        return self.call(Item("add", ci, program, hours_of(program).clock, start, amount, None))


class Ours(Engine):
    name = "ours"

    def __init__(self, fresh: bool = False) -> None:
        super().__init__()
        self.fresh = fresh  # new calendars (cold: no year loaded), not the cached ones

    def clock(self, ci: int, program: str) -> Any:
        cc, sd, tz = CUSTOMERS[ci]
        hours = hours_of(program)

        def build() -> Any:
            if self.fresh and hours.clock == "business":
                return BusinessClock(BusinessCalendar(hours, zone(tz), public_holidays(cc, sd)))
            return clock_for(hours, tz, cc, sd)

        return self.cached((ci, hours.key), build)

    def call(self, item: Item) -> Call:
        c = self.clock(item.customer, item.program)
        if item.op == "add":
            return (c.add, item.start, item.amount)
        return (c.between, item.start, item.end)


class Workclock(Engine):
    name = "workclock"
    note = "24x7 items on a 24x7 Schedule (WorkDay(00:00, 00:00) every day) in the customer's zone"

    def schedule(self, ci: int, hours: Hours) -> Schedule:
        tz = CUSTOMERS[ci][2]

        def build() -> Schedule:
            if hours.clock == "24x7":
                return Schedule([WorkDay(time(0), time(0), days=range(7))], time_zone=ZoneInfo(tz))
            rules: list[Any] = [
                WorkDay(wall(hours.open_minute), wall(hours.close_minute), days=sorted(hours.days))
            ]
            if hours.public_holidays:
                rules.append(Holidays(holiday_dates(ci)))
            return Schedule(rules, time_zone=ZoneInfo(tz))

        return self.cached((ci, hours.key), build)

    def batches(self, items: Sequence[Item]) -> list[Call]:
        """The workload as one add_many or between_many call per schedule and operation."""
        groups: dict[tuple[int, str, str], tuple[list[datetime], list[Any]]] = {}
        for i in items:
            hours = hours_of(i.program)
            xs, ys = groups.setdefault((i.customer, hours.key, i.op), ([], []))
            xs.append(i.start)
            ys.append(i.amount if i.op == "add" else i.end)
        out: list[Call] = []
        for (ci, key, op), (xs, ys) in groups.items():
            s = self.schedule(ci, POLICY.hours[key])
            out.append((s.add_many if op == "add" else s.between_many, xs, ys))
        return out

    def call(self, item: Item) -> Call:
        s = self.schedule(item.customer, hours_of(item.program))
        if item.op == "add":
            return (s.add, item.start, item.amount)
        return (s.between, item.start, item.end)


def real_add(start: datetime, amount: timedelta) -> datetime:
    return (start.astimezone(UTC) + amount).astimezone(start.tzinfo)


def real_between(start: datetime, end: datetime) -> timedelta:
    return end.astimezone(UTC) - start.astimezone(UTC)


def pandas_real_add(start: datetime, amount: pd.Timedelta) -> datetime:
    return (pd.Timestamp(start) + amount).to_pydatetime()


def pandas_real_between(start: datetime, end: datetime) -> timedelta:
    return (pd.Timestamp(end) - pd.Timestamp(start)).to_pytimedelta()


class Pandas(Engine):
    name = "pandas"
    note = (
        "CustomBusinessHour on naive local wall time, results localized back; elapsed time "
        "from rollforward + np.busday_count on the offset's own business-day calendar; "
        "24x7 items on tz-aware Timestamp + Timedelta (a business-hour offset cannot span "
        "24 hours)"
    )

    def offset(self, ci: int, hours: Hours, n: int) -> pd.offsets.CustomBusinessHour:
        def build() -> pd.offsets.CustomBusinessHour:
            days = " ".join(WEEKDAYS[d] for d in sorted(hours.days))
            hols = sorted(holiday_dates(ci)) if hours.public_holidays else []
            return pd.offsets.CustomBusinessHour(
                n=n,
                start=wall(hours.open_minute).strftime("%H:%M"),
                end=wall(hours.close_minute).strftime("%H:%M"),
                weekmask=days,
                holidays=hols,
            )

        return self.cached((ci, hours.key, n), build)

    def call(self, item: Item) -> Call:
        hours = hours_of(item.program)
        tz = ZoneInfo(CUSTOMERS[item.customer][2])
        if hours.clock == "24x7":
            if item.op == "add":
                return (pandas_real_add, item.start, pd.Timedelta(item.amount))
            return (pandas_real_between, item.start, item.end)
        if item.op == "add":
            assert item.amount is not None
            n, rest = divmod(item.amount, timedelta(hours=1))
            if rest:  # CustomBusinessHour counts whole hours only
                return (unsupported, item.start, item.amount)
            return (self.adder(tz), item.start, self.offset(item.customer, hours, n))
        off = self.offset(item.customer, hours, 1)
        day = timedelta(minutes=hours.close_minute - hours.open_minute)
        return (self.measurer(off, day), item.start, item.end)

    def adder(self, tz: ZoneInfo) -> Callable[[datetime, Any], datetime]:
        def add(start: datetime, off: Any) -> datetime:
            due = pd.Timestamp(start.replace(tzinfo=None)) + off
            return due.to_pydatetime().replace(tzinfo=tz)

        return self.cached(("add", tz.key), lambda: add)

    def measurer(self, off: Any, day: timedelta) -> Callable[[datetime, datetime], timedelta]:
        cal = off.calendar
        day_td = pd.Timedelta(day)

        def between(start: datetime, end: datetime) -> timedelta:
            a = off.rollforward(pd.Timestamp(start.replace(tzinfo=None)))
            b = off.rollforward(pd.Timestamp(end.replace(tzinfo=None)))
            if b <= a:
                return ZERO
            da, db = a.normalize(), b.normalize()
            days = int(np.busday_count(da.date(), db.date(), busdaycal=cal))
            return (days * day_td + (b - db) - (a - da)).to_pytimedelta()

        return self.cached(("between", id(off)), lambda: between)


def unsupported(a: Any, b: Any) -> Any:
    raise NotImplementedError("not expressible with this engine")


class BusinessTimeDeltaEngine(Engine):
    name = "businesstimedelta"
    note = (
        "WorkDayRule + HolidayRule on naive local wall time (rules in UTC, results relabelled "
        "with the customer's zone); 24x7 items on plain aware datetime arithmetic (a rule "
        "cannot cover a whole day: its end must differ from its start, and an overnight rule "
        "is skipped once its start time has passed)"
    )

    def rules(self, ci: int, hours: Hours) -> Rules:
        def build() -> Rules:
            rules: list[Any] = [
                WorkDayRule(
                    start_time=wall(hours.open_minute),
                    end_time=wall(hours.close_minute),
                    working_days=sorted(hours.days),
                )
            ]
            if hours.public_holidays:
                rules.append(HolidayRule(holiday_dates(ci)))
            return Rules(rules)

        return self.cached((ci, hours.key), build)

    def call(self, item: Item) -> Call:
        hours = hours_of(item.program)
        if hours.clock == "24x7":
            if item.op == "add":
                return (real_add, item.start, item.amount)
            return (real_between, item.start, item.end)
        rules = self.rules(item.customer, hours)
        tz = ZoneInfo(CUSTOMERS[item.customer][2])
        if item.op == "add":
            delta = self.cached(
                ("delta", item.customer, hours.key, item.amount),
                lambda: BusinessTimeDelta(rules, timedelta=item.amount),
            )
            return (self.adder(tz), item.start, delta)
        return (self.measurer(rules), item.start, item.end)

    def adder(self, tz: ZoneInfo) -> Callable[[datetime, Any], datetime]:
        def add(start: datetime, delta: Any) -> datetime:
            due: datetime = start.replace(tzinfo=None) + delta
            return due.replace(tzinfo=tz)

        return self.cached(("add", tz.key), lambda: add)

    def measurer(self, rules: Rules) -> Callable[[datetime, datetime], timedelta]:
        def between(start: datetime, end: datetime) -> timedelta:
            found: timedelta = rules.difference(
                start.replace(tzinfo=None), end.replace(tzinfo=None)
            ).timedelta
            return found

        return self.cached(("between", id(rules)), lambda: between)


# --------------------------------------------------------------------------------------------
# Timing


def run(calls: Sequence[Call]) -> list[Any]:
    out: list[Any] = []
    append = out.append
    for f, a, b in calls:
        try:
            append(f(a, b))
        except Exception as error:  # a peer that raises disagrees; it must not stop the run
            append(error)
    return out


@dataclass
class Timing:
    n: int  # calls per pass
    wall: float = float("inf")  # best perf_counter seconds of a pass
    cpu: float = float("inf")  # best process_time seconds of a pass
    passes: int = 0

    @property
    def per_s(self) -> float:
        return self.n / self.wall

    @property
    def cpu_per_s(self) -> float:
        return self.n / self.cpu

    @property
    def us(self) -> float:
        return self.wall / self.n * 1e6


def timed(calls: Sequence[Call], timing: Timing) -> None:
    gc.collect()
    gc.disable()
    try:
        c0, t0 = clock.process_time(), clock.perf_counter()
        run(calls)
        t1, c1 = clock.perf_counter(), clock.process_time()
    finally:
        gc.enable()
    timing.wall = min(timing.wall, t1 - t0)
    timing.cpu = min(timing.cpu, c1 - c0)
    timing.passes += 1


def race(plans: dict[str, Sequence[Call]], warm: int = 2000) -> dict[str, Timing]:
    """Time each list of calls, after a warm-up over its first ``warm`` calls: one pass each,
    then two more rounds (best of 3) for the lists whose pass took under FAST_PASS_S.  The
    rounds go engine by engine, so that a change in the machine's load hits every engine."""
    timings = {name: Timing(len(calls)) for name, calls in plans.items()}
    for calls in plans.values():
        run(calls[:warm])
    for name, calls in plans.items():
        timed(calls, timings[name])
    for _ in range(2):
        for name, calls in plans.items():
            if timings[name].wall < FAST_PASS_S:
                timed(calls, timings[name])
    return timings


def load_note() -> str:
    cores = os.cpu_count() or 1
    one, five, _ = os.getloadavg()
    busy = "  (busy: other processes share the cores, figures are depressed)" if one > cores else ""
    return f"load average {one:.1f} / {five:.1f} (1 / 5 min) on {cores} cores{busy}"


# --------------------------------------------------------------------------------------------
# The reference


def reference_module() -> Any:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("tests.policy.reference")


def expected(ref: Any, item: Item) -> datetime | timedelta:
    cc, sd, tz_name = CUSTOMERS[item.customer]
    tz = ZoneInfo(tz_name)
    hours = hours_of(item.program)
    if hours.clock == "24x7":  # real elapsed time
        if item.op == "add":
            assert item.amount is not None
            return (item.start.astimezone(UTC) + item.amount).astimezone(tz)
        assert item.end is not None
        return item.end.astimezone(UTC) - item.start.astimezone(UTC)
    country = cc if hours.public_holidays else None
    args = (tz, hours.days, hours.open_minute, hours.close_minute, country, sd)
    if item.op == "add":
        assert item.amount is not None
        return ref.due(item.start, item.amount // timedelta(minutes=1), *args)
    return timedelta(minutes=ref.elapsed_minutes(item.start, item.end, *args))


def same(got: Any, want: datetime | timedelta) -> bool:
    """The same duration, or the same instant shown with the same UTC offset."""
    if isinstance(want, timedelta):
        return isinstance(got, timedelta) and got == want
    return (
        isinstance(got, datetime)
        and got.utcoffset() is not None
        and got.astimezone(UTC) == want.astimezone(UTC)
        and got.utcoffset() == want.utcoffset()
    )


def describe(item: Item) -> str:
    cc, sd, tz = CUSTOMERS[item.customer]
    where = f"{tz} {cc}{'-' + sd if sd else ''}"
    if item.op == "add":
        return f"{item.program} add {item.start.isoformat()} + {item.amount} ({where})"
    assert item.end is not None
    return f"{item.program} between {item.start.isoformat()} .. {item.end.isoformat()} ({where})"


def show(got: Any) -> str:
    if isinstance(got, datetime):
        return got.isoformat()
    if isinstance(got, BaseException):
        return f"raised {type(got).__name__}: {got}"
    return str(got)


# --------------------------------------------------------------------------------------------
# Main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run (under a minute)")
    parser.add_argument("--seed", type=int, default=2026, help="workload seed (default 2026)")
    args = parser.parse_args(argv)
    n_items = 10_000 if args.quick else 100_000
    n_check = 300 if args.quick else 2_000
    n_pandas = 1_000 if args.quick else 5_000
    n_cost = 300 if args.quick else 2_000
    rng = random.Random(args.seed + 1)  # noqa: S311 - sampling, not secrets
    started = clock.perf_counter()

    say(f"SLA clock benchmark ({'quick' if args.quick else 'full'} run, seed {args.seed})")
    say(
        f"python {sys.version.split()[0]}, pandas {pd.__version__}, numpy {np.__version__}, "
        f"holidays {holidays.__version__}, pytz {pytz.__version__}"
    )
    say()
    say(f"[1/5] building the workload: {n_items:,} computations over {len(CUSTOMERS)} zones")
    items = build_workload(n_items, args.seed)
    mix = Counter(f"{i.clock} {i.op}" for i in items)
    progs = Counter(i.program for i in items)
    edge = sum(
        1
        for i in items
        if i.start.hour * 60 + i.start.minute in EDGE_MINUTES and i.start.second == 0
    )
    say("  mix: " + ", ".join(f"{k} {v:,}" for k, v in sorted(mix.items())))
    say("  programs: " + ", ".join(f"{k} {v:,}" for k, v in sorted(progs.items())))
    say(f"  starts at an opening/closing/midnight edge minute: {edge:,}")

    engines: list[Engine] = [Ours(), Workclock(), Pandas(), BusinessTimeDeltaEngine()]
    say("  building every engine's calendars (outside the timed loops) ...")
    calls = {e.name: [e.call(i) for i in items] for e in engines}

    say()
    say("[2/5] throughput (operations per second, whole list, perf_counter)")
    pandas_idx = sorted(rng.sample(range(n_items), n_pandas))
    plans = {
        e.name: [calls[e.name][k] for k in pandas_idx] if e.name == "pandas" else calls[e.name]
        for e in engines
    }
    say(f"  {load_note()}")
    timings = race(plans)
    per_s = {name: t.per_s for name, t in timings.items()}
    for e in engines:
        t = timings[e.name]
        how = f"{t.n:,} items" if t.n == n_items else f"a random {t.n:,}-item subset, extrapolated"
        best = "best of 3" if t.passes == 3 else "1 pass"
        say(
            f"  {e.name:<18} {t.per_s:>12,.0f} /s   ({how}, {best}, {t.wall:.2f} s; "
            f"CPU time {t.cpu_per_s:,.0f} /s)"
        )
        if e.note:
            say(f"  {'':<18} {e.note}")
    cold = Ours(fresh=True)
    cold_timing = Timing(n_items)
    timed([cold.call(i) for i in items], cold_timing)
    say(
        f"  ours, cold         {cold_timing.per_s:>12,.0f} /s   (fresh calendars: holiday years "
        f"and day tables loaded inside the one timed pass)"
    )
    wc = engines[1]
    assert isinstance(wc, Workclock)
    batch = race({"batch": wc.batches(items)}, warm=0)["batch"]
    say(
        f"  workclock, batch   {n_items / batch.wall:>12,.0f} /s   (info only: add_many / "
        f"between_many, one call per schedule and operation; ours has no batch API)"
    )
    say("  by kind (operations per second of this process's CPU time, best of 3):")
    in_pandas = set(pandas_idx)
    kinds = sorted(mix)
    by_kind: dict[str, dict[str, Timing]] = {}
    for kind in kinds:
        idx = [k for k, i in enumerate(items) if f"{i.clock} {i.op}" == kind]
        by_kind[kind] = race(
            {
                e.name: [calls[e.name][k] for k in idx if e.name != "pandas" or k in in_pandas]
                for e in engines
            },
            warm=200,
        )
    say(f"    {'':<18}" + "".join(f"{kind:>18}" for kind in kinds))
    for e in engines:
        say(f"    {e.name:<18}" + "".join(f"{by_kind[k][e.name].cpu_per_s:>18,.0f}" for k in kinds))
    say(f"  {load_note()}")

    say()
    say(f"[3/5] checking {n_check:,} sampled items against the minute-stepping reference")
    ref = reference_module()
    sample = sorted(rng.sample(range(n_items), n_check))
    t0 = clock.perf_counter()
    wants = [expected(ref, items[k]) for k in sample]
    say(f"  reference computed in {clock.perf_counter() - t0:.1f} s")
    disagree: dict[str, list[tuple[Item, Any, Any]]] = {}
    for e in engines:
        got = run([calls[e.name][k] for k in sample])
        bad = []
        for k, g, w in zip(sample, got, wants, strict=True):
            item = items[k]
            if not same(g, w):
                bad.append((item, g, w))
        disagree[e.name] = bad
        kinds_bad = Counter(f"{i.clock} {i.op}" for i, _, _ in bad)
        detail = f" ({', '.join(f'{k} {v}' for k, v in sorted(kinds_bad.items()))})" if bad else ""
        say(f"  {e.name:<18} disagrees on {len(bad):>5,} of {n_check:,}{detail}")
        for item, g, w in bad[: 5 if e.name == "ours" else 2]:
            say(f"      {describe(item)}")
            say(f"        got {show(g)}, reference {show(w)}")

    say()
    say(f"[4/5] cost per call by target, basic clock, {n_cost:,} starts (microseconds per call)")
    cost_items = []
    basic_customers = [rng.randrange(len(CUSTOMERS)) for _ in range(n_cost)]
    for ci in basic_customers:
        tz = ZoneInfo(CUSTOMERS[ci][2])
        day = FIRST_DAY + timedelta(days=rng.randint(0, (LAST_DAY - FIRST_DAY).days))
        minute = rng.choice(EDGE_MINUTES) if rng.random() < 0.5 else rng.randint(0, 1439)
        cost_items.append((ci, local(day, minute, tz, 0)))
    cost: dict[str, dict[int, Timing]] = {"ours": {}, "workclock": {}}
    cross = 0
    for hours_n in TARGET_HOURS:
        amount = timedelta(hours=hours_n)
        plans = {
            e.name: [e.add_call(ci, "basic", s, amount) for ci, s in cost_items]
            for e in engines[:2]
        }
        for name, t in race(plans, warm=len(cost_items)).items():
            cost[name][hours_n] = t
        ours_got, wc_got = run(plans["ours"]), run(plans["workclock"])
        cross += sum(
            1 for (ci, _), a, b in zip(cost_items, ours_got, wc_got, strict=True) if not same(a, b)
        )
    say(f"  {'target':<16}" + "".join(f"{h:>9} h" for h in TARGET_HOURS))
    for name, row in cost.items():
        cpu = [row[h].cpu / row[h].n * 1e6 for h in TARGET_HOURS]
        wall_us = [row[h].us for h in TARGET_HOURS]
        say(f"  {name + ', CPU':<16}" + "".join(f"{x:>11.2f}" for x in cpu))
        say(f"  {name + ', wall':<16}" + "".join(f"{x:>11.2f}" for x in wall_us))
    flat = cost["ours"][1000].cpu / cost["ours"][1].cpu
    flat_wall = cost["ours"][1000].wall / cost["ours"][1].wall
    say(
        f"  flat = cost(1000 h) / cost(1 h) for ours = {flat:.2f} in CPU time "
        f"({flat_wall:.2f} in wall time); workclock "
        f"{cost['workclock'][1000].cpu / cost['workclock'][1].cpu:.2f}"
    )
    say(f"  ours and workclock differ on {cross} of {n_cost * len(TARGET_HOURS):,} of these calls")
    n_long = 3 if args.quick else 8
    long_bad = 0
    t0 = clock.perf_counter()
    ours = engines[0]
    for hours_n in TARGET_HOURS:
        for ci, s in cost_items[:n_long]:
            item = Item("add", ci, "basic", "business", s, timedelta(hours=hours_n), None)
            f, a, b = ours.call(item)
            if not same(f(a, b), expected(ref, item)):
                long_bad += 1
                say(f"  ours disagrees with the reference: {describe(item)}")
    say(
        f"  ours against the reference on {n_long} starts per target: {long_bad} disagreements "
        f"({clock.perf_counter() - t0:.1f} s)"
    )

    say()
    say("[5/5] summary")
    ours_per_s = per_s["ours"]
    peers = [e.name for e in engines[1:]]
    agreeing = [p for p in peers if not disagree[p]]
    best_peer = max(agreeing or peers, key=per_s.__getitem__)
    ratio = ours_per_s / per_s[best_peer]
    say(
        f"  ours / {best_peer}: {ratio:.2f} in wall time, "
        f"{timings['ours'].cpu_per_s / timings[best_peer].cpu_per_s:.2f} in CPU time"
    )
    business = [k for k in kinds if k.startswith("business")]
    for name in ("ours", best_peer):
        n = sum(by_kind[k][name].n for k in business)
        cpu = sum(by_kind[k][name].cpu for k in business)
        say(f"  business-hours items only, {name}: {n / cpu:,.0f} /s (CPU time)")
    ours_bad = len(disagree["ours"]) + long_bad
    say(f"  total time {clock.perf_counter() - started:.0f} s")
    if ours_bad:
        say(f"  OURS DISAGREES WITH THE REFERENCE on {ours_bad} checked items (see above)")
    if agreeing:
        say(f"  best peer: {best_peer}, the fastest of those that agree on every checked item")
    else:
        say(f"  no peer agrees with the reference on every checked item: best peer {best_peer}")
    say(
        f"RESULT ours_per_s={ours_per_s:.0f} best_peer={best_peer} "
        f"best_peer_per_s={per_s[best_peer]:.0f} ratio={ratio:.2f} "
        f"disagreements={len(disagree['ours'])} flat={flat:.2f}"
    )
    return 1 if ours_bad else 0


if __name__ == "__main__":
    sys.exit(main())
