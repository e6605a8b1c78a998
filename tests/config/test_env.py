from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from supportdesk.config import env


class TestHomeDir:
    def test_default_is_under_the_users_local_share(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("HOME", str(tmp_path))

        home = env.home_dir(None)

        assert home == tmp_path / ".local" / "share" / "supportdesk"
        assert home.is_dir()

    def test_given_folder_is_created_private(self, tmp_path: Path) -> None:
        home = env.home_dir(str(tmp_path / "a" / "b"))

        assert home == tmp_path / "a" / "b"
        assert stat.S_IMODE(home.stat().st_mode) == 0o700


class TestSecretKey:
    def test_made_once_and_kept_private(self, tmp_path: Path) -> None:
        key = env.secret_key(None, tmp_path)

        path = tmp_path / "secret_key"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text() == key + "\n"
        assert len(key) >= 50
        assert env.secret_key(None, tmp_path) == key

    def test_each_home_gets_its_own(self, tmp_path: Path) -> None:
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()

        assert env.secret_key(None, tmp_path / "a") != env.secret_key(None, tmp_path / "b")

    def test_the_environment_wins_and_nothing_is_written(self, tmp_path: Path) -> None:
        assert env.secret_key("from-the-environment", tmp_path) == "from-the-environment"
        assert not (tmp_path / "secret_key").exists()

    def test_an_empty_key_file_is_refused(self, tmp_path: Path) -> None:
        (tmp_path / "secret_key").write_text("\n")

        with pytest.raises(ImproperlyConfigured, match="secret_key is empty"):
            env.secret_key(None, tmp_path)


class TestDatabase:
    def test_default_is_sqlite_in_the_home_with_wal_and_immediate_transactions(
        self, tmp_path: Path
    ) -> None:
        config = env.database(None, tmp_path)

        assert config["ENGINE"] == "supportdesk.sqlite"  # Django's, writers queued
        assert config["NAME"] == str(tmp_path / "supportdesk.sqlite3")
        assert config["OPTIONS"] == {
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=5000;"
            ),
        }

    def test_an_sqlite_url_gets_the_same_options(self, tmp_path: Path) -> None:
        config = env.database(f"sqlite:///{tmp_path}/other.db", tmp_path)

        assert config["NAME"] == f"{tmp_path}/other.db"
        assert config["OPTIONS"] == env.SQLITE_OPTIONS
        assert config["CONN_MAX_AGE"] is None  # persistent: no checkpoint per request

    def test_postgres_url(self, tmp_path: Path) -> None:
        config = env.database("postgres://desk:s%40cret@db.example:6543/support", tmp_path)

        assert config["ENGINE"] == "supportdesk.postgresql"  # Django's, checked after a pause
        assert (config["NAME"], config["USER"], config["PASSWORD"]) == (
            "support",
            "desk",
            "s@cret",
        )
        assert (config["HOST"], config["PORT"]) == ("db.example", 6543)
        assert config["CONN_MAX_AGE"] == 60
        assert config["CONN_HEALTH_CHECKS"] is True
        assert "transaction_mode" not in config.get("OPTIONS", {})

    def test_unknown_scheme_is_a_configuration_error(self, tmp_path: Path) -> None:
        with pytest.raises(ImproperlyConfigured, match="DATABASE_URL is not a database URL"):
            env.database("nosuchdb://x/y", tmp_path)


class TestMail:
    def test_default_is_the_local_mta(self) -> None:
        assert env.mail(None) == {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "localhost",
                "port": 25,
                "username": "",
                "password": "",
                "use_tls": False,
                "use_ssl": False,
                "timeout": 30,
            },
        }

    def test_starttls_with_login(self) -> None:
        config = env.mail("smtp://desk%40example.com:p%2Fss@mail.example:587?tls=1&timeout=5")

        assert config["OPTIONS"] == {
            "host": "mail.example",
            "port": 587,
            "username": "desk@example.com",
            "password": "p/ss",
            "use_tls": True,
            "use_ssl": False,
            "timeout": 5,
        }

    def test_smtps_defaults_to_port_465(self) -> None:
        options = env.mail("smtps://mail.example")["OPTIONS"]

        assert (options["port"], options["use_ssl"], options["use_tls"]) == (465, True, False)

    def test_console(self) -> None:
        assert env.mail("console:") == {"BACKEND": "django.core.mail.backends.console.EmailBackend"}

    @pytest.mark.parametrize(
        ("url", "message"),
        [
            ("http://mail.example", "must start with smtp://"),
            ("smtps://mail.example?tls=1", "choose tls=1"),
            ("smtp://mail.example:notaport", "bad port or timeout"),
            ("smtp://mail.example?timeout=soon", "bad port or timeout"),
        ],
    )
    def test_bad_urls_are_configuration_errors(self, url: str, message: str) -> None:
        with pytest.raises(ImproperlyConfigured, match=message):
            env.mail(url)


class TestEnvValues:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [("1", True), ("TRUE", True), ("yes", True), ("on", True), ("0", False), ("off", False)],
    )
    def test_bool(self, monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
        monkeypatch.setenv("SUPPORTDESK_X", raw)

        assert env.env_bool("SUPPORTDESK_X") is expected

    def test_bool_unset_is_the_default(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("SUPPORTDESK_X", raising=False)

        assert env.env_bool("SUPPORTDESK_X", default=True) is True

    def test_bool_rejects_other_words(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("SUPPORTDESK_X", "maybe")

        with pytest.raises(ImproperlyConfigured, match="SUPPORTDESK_X must be one of"):
            env.env_bool("SUPPORTDESK_X")

    def test_list(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("SUPPORTDESK_X", " desk.example, ,[::1] ")

        assert env.env_list("SUPPORTDESK_X", ["default"]) == ["desk.example", "[::1]"]
        monkeypatch.delenv("SUPPORTDESK_X")
        assert env.env_list("SUPPORTDESK_X", ["default"]) == ["default"]


class TestInt:
    def test_unset_or_blank_is_the_default(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("SD_TEST_INT", raising=False)
        assert env.env_int("SD_TEST_INT", 7) == 7
        monkeypatch.setenv("SD_TEST_INT", " ")
        assert env.env_int("SD_TEST_INT", 7) == 7

    def test_a_number(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("SD_TEST_INT", " 42 ")
        assert env.env_int("SD_TEST_INT", 7) == 42

    @pytest.mark.parametrize(
        ("raw", "message"),
        [
            ("ten", "must be a whole number"),
            ("4", "must be at least 5"),
            ("-1", "must be at least 5"),
        ],
    )
    def test_bad_values_name_the_variable(
        self, monkeypatch: pytest.MonkeyPatch, raw: str, message: str
    ) -> None:
        monkeypatch.setenv("SD_TEST_INT", raw)
        with pytest.raises(ImproperlyConfigured, match=f"SD_TEST_INT {message}"):
            env.env_int("SD_TEST_INT", 7, minimum=5)


class TestCache:
    def test_unset_is_this_process_memory(self) -> None:
        assert env.cache(None)["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"

    def test_redis(self) -> None:
        assert env.cache("redis://cache:6379/0") == {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://cache:6379/0",
        }

    def test_anything_else_is_refused(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="SUPPORTDESK_CACHE_URL must start"):
            env.cache("memcached://cache:11211")
