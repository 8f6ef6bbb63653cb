"""The one exception root of innograph and its families.

Every layer raises these; the CLI turns them into exit codes and the API into
RFC 9457 problem documents. Engine-specific exceptions never leave `graph/`.
"""

from __future__ import annotations


class InnographError(Exception):
    """Root of every error innograph raises on purpose."""

    exit_code = 1


class SchemaError(InnographError):
    """A label, relationship type or property that the ontology does not know."""

    exit_code = 2


class StoreError(InnographError):
    """The graph engine refused or failed a statement."""

    exit_code = 3


class StoreUnavailable(StoreError):
    """The engine cannot be reached (not started, crashed, network down)."""

    exit_code = 4


class StoreAuthError(StoreError):
    """The engine rejected the credentials."""

    exit_code = 5


class QueryTimeout(StoreError):
    """A statement ran past its time limit and was stopped by the engine."""

    exit_code = 6


class ConstraintViolation(StoreError):
    """A write broke a uniqueness constraint; the whole batch was rolled back."""

    exit_code = 7


class InputError(InnographError):
    """User input (a file, a row, a parameter) is invalid."""

    exit_code = 2
