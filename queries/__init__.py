"""Cypher query modules (plain Cypher with named parameters) and networkx analytics.

Each query is a function ``f(store, …) -> pydantic model`` (see
:mod:`queries.models`); :func:`queries.registry.queries` lists them by name.
The Cypher texts live in ``queries/cypher/``.
"""
