"""Cypher query modules (plain Cypher with named parameters) and networkx analytics."""
