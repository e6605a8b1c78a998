"""Errors raised by the policy core."""

from __future__ import annotations


class PolicyError(Exception):
    """A policy file that cannot be used: names the file, the key and the problem."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {problem}")


class InputError(ValueError):
    """A bad value given to the policy core; ``field`` names the input that was wrong."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")
