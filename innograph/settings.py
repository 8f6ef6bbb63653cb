"""One settings object, read from the environment (prefix ``INNOGRAPH_``) when the app starts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


#: Passwords a deployment must never run with (Neo4j's initial one and the usual suspects).
DEFAULT_PASSWORDS = frozenset({"neo4j", "password", "changeme", "change-me", "secret", "admin", "123456", "12345678"})


class Settings(BaseSettings):
    """Every setting of innograph, with its default and what it is for."""

    model_config = SettingsConfigDict(env_prefix="INNOGRAPH_", env_file=None, extra="ignore")

    data_dir: Path = Field(Path(".innograph"), description="where the embedded engine keeps its data and socket")
    graph_name: str = Field("innograph", pattern=r"^[A-Za-z0-9_-]{1,64}$", description="graph (embedded) name")
    neo4j_uri: str | None = Field(None, description="bolt://, neo4j:// or neo4j+s:// URI; set → use Neo4j")
    neo4j_user: str = Field("neo4j", description="Neo4j user")
    neo4j_password: SecretStr | None = Field(None, description="Neo4j password")
    neo4j_database: str | None = Field(None, description="Neo4j database (default: the server's default)")
    query_timeout: float = Field(30.0, gt=0, le=3600, description="seconds a single statement may run")
    fsync: Literal["always", "everysec", "no"] = Field(
        "always", description="embedded engine append-only fsync policy (always: no acknowledged write is lost)"
    )
    batch_size: int = Field(5000, ge=1, le=100_000, description="rows per write transaction")
    host: str = Field("127.0.0.1", description="API bind address")
    port: int = Field(8000, ge=1, le=65535, description="API port")
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list, description="keys accepted by write endpoints")
    require_key_for_reads: bool = Field(False, description="ask for an API key on read endpoints too")
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list, description="origins allowed by CORS")
    max_upload_mb: int = Field(50, ge=1, le=10_000, description="largest file accepted by the upload endpoint")
    workers: int = Field(1, ge=1, le=64, description="API worker processes (innograph serve)")
    projection: bool = Field(
        True, description="the API keeps an in-memory copy of the graph's adjacency for paths and neighbourhoods, "
        "rebuilt in the background after each change (off: every walk runs in the engine)",
    )
    projection_max_edges: int = Field(
        30_000_000, ge=0, le=2_000_000_000,
        description="a graph with more edges is not copied into memory (about 20 bytes an edge per API worker)",
    )
    request_timeout: float = Field(
        60.0, gt=0, le=3600, description="seconds a read request may take before the API answers 503 (engine stuck)"
    )

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("neo4j_password")
    @classmethod
    def _not_a_default(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in DEFAULT_PASSWORDS:
            raise ValueError("refusing a default Neo4j password: set INNOGRAPH_NEO4J_PASSWORD to a real secret")
        return value

    @property
    def engine(self) -> str:
        return "neo4j" if self.neo4j_uri else "falkordb"

    def open_store(self):  # -> graph.GraphStore
        """Open the engine these settings select."""
        from graph import open_store

        return open_store(
            neo4j_uri=self.neo4j_uri,
            neo4j_user=self.neo4j_user,
            neo4j_password=self.neo4j_password.get_secret_value() if self.neo4j_password else None,
            neo4j_database=self.neo4j_database,
            data_dir=self.data_dir,
            graph_name=self.graph_name,
            query_timeout=self.query_timeout,
            fsync=self.fsync,
        )
