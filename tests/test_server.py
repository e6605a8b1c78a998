"""The embedded gunicorn's master: what it loads before forking its workers."""

from __future__ import annotations

import gc

from supportdesk.config.server import _Gunicorn


def test_the_master_loads_the_application_and_freezes_it_out_of_the_collectors_sight() -> None:
    # A full collection in a worker walked every object loaded at boot, stopping all the
    # worker's threads for over 100 ms (bench/open_cases.py's p99); frozen, it does not.
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        application = _Gunicorn({"bind": ["127.0.0.1:0"], "workers": 1}).load()
        assert callable(application)
        assert gc.get_freeze_count() > 50_000
        assert len(gc.get_objects(generation=2)) < gc.get_freeze_count() / 10
    finally:
        gc.unfreeze()
