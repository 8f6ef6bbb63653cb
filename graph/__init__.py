"""The model and the stores: schema, the GraphStore protocol, Neo4j and embedded backends.

Nothing in this package imports from the rest of innograph.
"""

from graph.errors import InnographError
from graph.factory import open_store
from graph.store import Capabilities, EdgeValue, GraphStore, NodeValue, PathValue

__all__ = ["Capabilities", "EdgeValue", "GraphStore", "InnographError", "NodeValue", "PathValue", "open_store"]
