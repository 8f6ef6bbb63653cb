"""``clusters`` and ``brokers``: graph analytics on the collaboration network pulled from the store.

The network: organisations (and alliances, through which shared membership
links their members), with edges for COLLABORATES_WITH, MEMBER_OF and
developer → adopter transfers (DEVELOPED → TRANSFERRED_TO), weighted by how many
such facts join two nodes.

Pulling it is most of the cost on a large graph, so it travels as ids only,
in a handful of rows: the organisations grouped by label set
(``cypher/network_members.cypher``), then the links of pages of
organisations as parallel id lists (``cypher/network_links.cypher``). In
memory the network is a pair of integer arrays (node numbers in id order) with
weights; a ``networkx.Graph`` is built only when someone asks for one.

The algorithms are networkx's, computed by a C implementation where networkx's
pure Python one would take minutes on a 1M-node graph:

- ``clusters``: Louvain (``igraph`` ``community_multilevel``, the same method as
  ``networkx.community.louvain_communities``; networkx itself when igraph is
  missing), seeded, so deterministic for a seed.
- ``brokers``: betweenness exactly as ``networkx.betweenness_centrality``
  (normalised; above a work budget estimated from ``k`` sources drawn as
  networkx draws them for the seed, and rescaled as networkx rescales), with
  the shortest-path counting done by igraph; PageRank is networkx's scipy power
  iteration on the same sparse matrix.

Results are cached in the process until the graph changes. The change test
(``cypher/network_fingerprint.cypher``) is the count and newest ``updated_at``
of every label and relationship type the network is built from: the writers
stamp ``updated_at`` on every created or changed node and edge, and a deletion
lowers a count, so it moves on any change, costs one pass over those
timestamps, and needs no extra bookkeeping by the writers or a particular engine.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import threading
from collections import Counter, OrderedDict
from typing import Any, Iterable, Sequence

import numpy as np

from graph.errors import InputError
from graph.store import GraphStore
from queries import cypher, params
from queries.models import Broker, Brokers, Cluster, Clusters, Node

#: organisations whose links one statement pulls (keeps each statement well inside the time limit)
PAGE = 100_000
#: joins the two ends of a link in one string (ASCII unit separator: never part of an id)
LINK_SEP = "\x1f"
#: sampled betweenness: about this many node + edge visits in total (k = budget / (n + m));
#: exact whenever that allows a source per node
BETWEENNESS_BUDGET = 16_000_000
MIN_SAMPLES = 32
_CACHE_SIZE = 16

METHOD_IGRAPH_LOUVAIN = "igraph.community_multilevel"
METHOD_NX_LOUVAIN = "networkx.louvain_communities"
METHOD_IGRAPH_BETWEENNESS = "igraph.betweenness"
METHOD_NX_BETWEENNESS = "networkx.betweenness_centrality"

_cache: "OrderedDict[tuple, Any]" = OrderedDict()
_lock = threading.Lock()
#: igraph draws its random numbers from one process-wide generator: seeded runs take turns
_igraph_rng_lock = threading.Lock()


class Network:
    """The collaboration network: node ``i`` is ``ids[i]`` (ids sorted), undirected weighted
    edges ``src[j] < dst[j]`` sorted by ``(src, dst)``, one per linked pair."""

    def __init__(self, ids: Sequence[str], kinds: Sequence[str], src: np.ndarray, dst: np.ndarray,
                 weight: np.ndarray, fingerprint: str) -> None:
        # tuples: the cyclic garbage collector stops tracking a tuple of strings, never a list, and
        # at 1M a worker that had answered clusters spent ~25 ms more per full collection on lists
        self.ids = tuple(ids)
        self.kinds = tuple(kinds)
        self.src = src
        self.dst = dst
        self.weight = weight
        self.fingerprint = fingerprint
        self.index = {x: i for i, x in enumerate(ids)}
        #: region id per node (None for an alliance, or unknown)
        self.regions: tuple[str | None, ...] | None = None
        #: industry names per node, loaded by the first ``clusters`` call
        self.industries: tuple[tuple[str, ...], ...] | None = None
        self._graph: Any = None
        self._igraph: Any = None
        self._lock = threading.Lock()

    @property
    def nodes(self) -> int:
        return len(self.ids)

    @property
    def edges(self) -> int:
        return int(self.src.size)

    def kind(self, node_id: str) -> str | None:
        """The kind (University, Enterprise, …, Alliance) of a node of the network."""
        i = self.index.get(node_id)
        return None if i is None else self.kinds[i]

    @property
    def graph(self) -> Any:
        """The network as a ``networkx.Graph`` on the string ids, ``weight`` on each edge
        (built on first use: on a large network this costs seconds and memory)."""
        with self._lock:
            if self._graph is None:
                import networkx as nx

                g = nx.Graph()
                # sorted insertion: networkx iterates in insertion order, and seeded algorithms rely on it
                g.add_nodes_from(self.ids)
                ids = self.ids
                g.add_weighted_edges_from(
                    (ids[a], ids[b], w) for a, b, w in zip(self.src.tolist(), self.dst.tolist(), self.weight.tolist()))
                self._graph = g
            return self._graph

    def igraph(self) -> Any:
        """The network as an ``igraph.Graph`` (vertex ``i`` = node ``i``, edge attribute ``weight``)."""
        with self._lock:
            if self._igraph is None:
                import igraph

                self._igraph = igraph.Graph(n=self.nodes, edges=list(zip(self.src.tolist(), self.dst.tolist())),
                                            edge_attrs={"weight": self.weight.tolist()})
            return self._igraph

    def degrees(self, *, weighted: bool) -> np.ndarray:
        """Degree of every node (summed edge weights when ``weighted``)."""
        w = self.weight if weighted else None
        return (np.bincount(self.src, weights=w, minlength=self.nodes)
                + np.bincount(self.dst, weights=w, minlength=self.nodes))

    def edges_among(self, node_ids: Iterable[str]) -> list[tuple[str, str, float]]:
        """The edges between the given nodes, as ``(id, id, weight)``: what a view of a few
        members needs, without building a networkx graph of the whole network."""
        chosen = np.array(sorted({self.index[x] for x in node_ids if x in self.index}), dtype=np.int64)
        if chosen.size == 0 or self.src.size == 0:
            return []
        keep = np.isin(self.src, chosen) & np.isin(self.dst, chosen)
        ids = self.ids
        return [(ids[a], ids[b], w) for a, b, w in
                zip(self.src[keep].tolist(), self.dst[keep].tolist(), self.weight[keep].tolist())]


def _cached(key: tuple) -> Any:
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    return None


def _remember(key: tuple, value: Any) -> None:
    with _lock:
        _cache[key] = value
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def clear_cache() -> None:
    """Forget every cached network and result (tests, or after an out-of-band change)."""
    with _lock:
        _cache.clear()


def fingerprint(store: GraphStore) -> str:
    """A digest of the graph state the collaboration network is built from."""
    rows = cypher.run(store, "network_fingerprint")
    parts = sorted((r["part"], r["n"], r["t"] or "") for r in rows)
    return hashlib.sha1(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:16]


def _kind(labels: list[str]) -> str:
    specific = sorted(x for x in labels if x != "Organization")
    return specific[0] if specific else "Organization"


def _positions(index: dict[str, int], ids: list[str]) -> np.ndarray:
    """Node numbers of ``ids`` (-1 for an id that is not a node of the network)."""
    get = index.get
    return np.fromiter((get(x, -1) for x in ids), dtype=np.int64, count=len(ids))


def _split_links(links: list[str]) -> tuple[list[str], list[str]]:
    """``start<sep>end`` entries → (starts, ends), split at C speed when no id holds the separator."""
    parts = LINK_SEP.join(links).split(LINK_SEP)
    if len(parts) == 2 * len(links):
        return parts[0::2], parts[1::2]
    # an id containing the separator (no real id does): split each entry at its first one
    pairs = [x.partition(LINK_SEP) for x in links]
    return [p[0] for p in pairs], [p[2] for p in pairs]


def collaboration_network(store: GraphStore, *, fp: str | None = None) -> Network:
    """The collaboration network (cached per graph state)."""
    fp = fp or fingerprint(store)
    key = ("network", id(store), fp)
    hit = _cached(key)
    if hit is not None:
        return hit
    kind_of: dict[str, str] = {}
    region_of: dict[str, str] = {}
    for row in cypher.run(store, "network_members"):
        kind_of.update(dict.fromkeys(row["ids"], _kind(row["labels"])))
        if row["region"] is not None:
            region_of.update(dict.fromkeys(row["ids"], row["region"]))
    orgs = sorted(kind_of)
    starts: list[str] = []
    ends: list[str] = []
    for page in range(0, len(orgs), PAGE):
        for row in cypher.run(store, "network_links", {"ids": orgs[page:page + PAGE], "sep": LINK_SEP}):
            a, b = _split_links(row["links"])
            starts += a
            ends += b
            if row["via"] == "MEMBER_OF":
                for al in b:
                    kind_of.setdefault(al, "Alliance")
    ids = sorted(kind_of)
    index = {x: i for i, x in enumerate(ids)}
    a, b = _positions(index, starts), _positions(index, ends)
    # an end the node list does not hold was written between the two reads: left out, like
    # a link to a node outside the network; a self-link joins nothing
    ok = (a >= 0) & (b >= 0) & (a != b)
    a, b = a[ok], b[ok]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    n = max(len(ids), 1)
    pairs, counts = np.unique(lo * n + hi, return_counts=True)  # sorted by (lo, hi)
    net = Network(ids, [kind_of[x] for x in ids], pairs // n, pairs % n, counts.astype(np.float64), fp)
    net.regions = tuple(region_of.get(x) for x in ids)
    _remember(key, net)
    return net


def _load_industries(store: GraphStore, net: Network) -> tuple[tuple[str, ...], ...]:
    """Industry names of every node (only ``clusters`` describes its members by them)."""
    with net._lock:
        if net.industries is None:
            industries: list[set[str]] = [set() for _ in range(net.nodes)]
            for row in cypher.run(store, "network_attributes"):
                for i in _positions(net.index, row["ids"]).tolist():
                    if i >= 0 and row["industry"] is not None:
                        industries[i].add(row["industry"])
            net.industries = tuple(tuple(sorted(s)) for s in industries)
        return net.industries


def _nodes(store: GraphStore, ids: list[str]) -> dict[str, Node]:
    if not ids:
        return {}
    return {r["n"].id: Node.of(r["n"]) for r in cypher.run(store, "network_nodes", {"ids": sorted(set(ids))})}


def _have_igraph() -> bool:
    try:
        import igraph  # noqa: F401
    except ImportError:
        return False
    return True


def louvain(net: Network, *, seed: int, resolution: float) -> tuple[list[list[int]], float, str]:
    """Louvain communities (node numbers, each sorted), their modularity, and the implementation used."""
    if net.edges == 0:
        return [[i] for i in range(net.nodes)], 0.0, METHOD_IGRAPH_LOUVAIN if _have_igraph() else METHOD_NX_LOUVAIN
    if _have_igraph():
        import igraph

        g = net.igraph()
        with _igraph_rng_lock:
            igraph.set_random_number_generator(random.Random(seed))
            try:
                membership = g.community_multilevel(weights="weight", resolution=resolution).membership
            finally:
                igraph.set_random_number_generator(random)
        modularity = g.modularity(membership, weights="weight", resolution=resolution, directed=False)
        groups: dict[int, list[int]] = {}
        for node, c in enumerate(membership):
            groups.setdefault(c, []).append(node)
        return list(groups.values()), float(modularity), METHOD_IGRAPH_LOUVAIN
    import networkx as nx

    g = net.graph
    found = nx.community.louvain_communities(g, weight="weight", resolution=resolution, seed=seed)
    modularity = nx.community.modularity(g, found, weight="weight", resolution=resolution)
    return [sorted(net.index[x] for x in c) for c in found], float(modularity), METHOD_NX_LOUVAIN


def clusters(store: GraphStore, *, seed: Any = 42, resolution: Any = 1.0, limit: Any = 20,
             members: Any = 10, min_size: Any = 2) -> Clusters:
    """Louvain communities of the collaboration network, largest first.

    Each cluster lists its size, its most connected members, and its dominant
    industries, regions and kinds; the result carries the partition's modularity
    and the implementation that computed it (``method``).
    """
    seed_ = params.integer("seed", seed, lo=0, hi=2**31 - 1, default=42)
    try:
        res = float(resolution)
    except (TypeError, ValueError):
        raise InputError(f"parameter 'resolution' must be a number, got {resolution!r}") from None
    if not 0.01 <= res <= 100:
        raise InputError(f"parameter 'resolution' must be between 0.01 and 100, got {res}")
    limit_ = params.integer("limit", limit, lo=1, hi=params.MAX_LIMIT, default=20)
    members_ = params.integer("members", members, lo=1, hi=100, default=10)
    min_size_ = params.integer("min_size", min_size, lo=1, hi=1_000_000, default=2)
    fp = fingerprint(store)
    key = ("clusters", id(store), fp, seed_, res, limit_, members_, min_size_)
    hit = _cached(key)
    if hit is not None:
        return hit.model_copy(update={"cached": True})
    net = collaboration_network(store, fp=fp)
    communities, modularity, method = louvain(net, seed=seed_, resolution=res)
    if net.edges == 0:
        result = Clusters(seed=seed_, resolution=res, modularity=0.0, nodes=net.nodes, edges=0, clusters=[],
                          method=method, fingerprint=fp)
        _remember(key, result)
        return result
    # node numbers follow id order, so sorting numbers sorts ids
    ordered = sorted((sorted(c) for c in communities if len(c) >= min_size_), key=lambda c: (-len(c), c[0]))
    degree = net.degrees(weighted=True)
    picked = []
    for comm in ordered[:limit_]:
        members_of = np.asarray(comm, dtype=np.int64)
        top = members_of[np.lexsort((members_of, -degree[members_of]))][:members_]
        picked.append((comm, [int(i) for i in top]))
    industries = _load_industries(store, net)
    ids, regions = net.ids, net.regions or [None] * net.nodes
    nodes = _nodes(store, [ids[i] for _, top in picked for i in top])
    out = []
    for rank, (comm, top) in enumerate(picked, start=1):
        inds = Counter(x for i in comm for x in industries[i])
        regs = Counter(regions[i] for i in comm if regions[i])
        out.append(Cluster(
            rank=rank, size=len(comm), top_members=[nodes[ids[i]] for i in top if ids[i] in nodes],
            industries=sorted(inds.items(), key=lambda kv: (-kv[1], kv[0]))[:5],
            regions=sorted(regs.items(), key=lambda kv: (-kv[1], kv[0]))[:5],
            kinds=dict(sorted(Counter(net.kinds[i] for i in comm).items())),
        ))
    result = Clusters(seed=seed_, resolution=res, modularity=round(modularity, 6), nodes=net.nodes,
                      edges=net.edges, clusters=out, method=method, fingerprint=fp)
    _remember(key, result)
    return result


def betweenness_sources(n: int, m: int, seed: int) -> list[int] | None:
    """The sources a betweenness estimate starts from (node numbers), or None for exact.

    ``k = BETWEENNESS_BUDGET / (n + m)`` (at least ``MIN_SAMPLES``), drawn as
    ``networkx.betweenness_centrality(G, k=k, seed=seed)`` draws them from a graph
    whose nodes are in id order.
    """
    k = max(MIN_SAMPLES, BETWEENNESS_BUDGET // max(n + m, 1))
    if k >= n:
        return None
    return random.Random(seed).sample(range(n), k)


def betweenness(net: Network, sources: list[int] | None) -> tuple[np.ndarray, str]:
    """Normalised betweenness of every node, as networkx computes it (exact, or estimated
    from ``sources`` and rescaled as networkx rescales a ``k``-sample)."""
    n = net.nodes
    if _have_igraph():
        g = net.igraph()
        # igraph counts each undirected (s, t) pair once where networkx counts both orders
        raw = 2.0 * np.asarray(g.betweenness(directed=False, sources=sources), dtype=np.float64)
        method = METHOD_IGRAPH_BETWEENNESS
    else:
        import networkx as nx

        g = net.graph
        if sources is None:
            found = nx.betweenness_centrality(g, normalized=False)
        else:
            found = nx.betweenness_centrality_subset(g, [net.ids[s] for s in sources], net.ids, normalized=False)
        # networkx's unnormalised undirected values are halved; back to ordered (s, t) pairs
        raw = 2.0 * np.array([found[x] for x in net.ids], dtype=np.float64)
        method = METHOD_NX_BETWEENNESS
    pairs_through = n - 1  # endpoints are not counted: N in networkx's _rescale
    if pairs_through < 2:
        return raw, method
    if sources is None:
        return raw / (pairs_through * (pairs_through - 1)), method
    k = len(sources)
    scale = np.full(n, 1.0 / (k * (pairs_through - 1)))
    # a source never lies between itself and a target: it is seen from k - 1 sources only
    scale[sources] = 1.0 / ((k - 1) * (pairs_through - 1)) if k > 1 else math.nan
    return raw * scale, method


def pagerank(net: Network, *, alpha: float = 0.85, max_iter: int = 100, tol: float = 1.0e-6) -> np.ndarray:
    """PageRank of every node: networkx's scipy power iteration (``nx.pagerank``) on the weighted network."""
    import scipy.sparse as sp

    n = net.nodes
    if n == 0:
        return np.zeros(0)
    rows = np.concatenate([net.src, net.dst])
    cols = np.concatenate([net.dst, net.src])
    a = sp.coo_array((np.concatenate([net.weight, net.weight]), (rows, cols)), shape=(n, n)).asformat("csr")
    s = np.asarray(a.sum(axis=1)).ravel()
    s[s != 0] = 1.0 / s[s != 0]
    a = sp.dia_array((s.reshape(1, -1), 0), shape=(n, n)).tocsr() @ a
    x = np.repeat(1.0 / n, n)
    p = np.repeat(1.0 / n, n)
    dangling = np.where(s == 0)[0]
    for _ in range(max_iter):
        last = x
        x = alpha * (x @ a + sum(x[dangling]) * p) + (1 - alpha) * p
        if np.absolute(x - last).sum() < n * tol:
            return x
    import networkx as nx

    raise nx.PowerIterationFailedConvergence(max_iter)


def _top(values: np.ndarray, allowed: np.ndarray, limit: int) -> list[int]:
    """The ``limit`` allowed nodes with the highest values, ties by id."""
    order = np.lexsort((np.arange(values.size), -values))
    return [int(i) for i in order[allowed[order]][:limit]]


def brokers(store: GraphStore, *, seed: Any = 42, limit: Any = 10, include_alliances: Any = False) -> Brokers:
    """The organisations that bridge the collaboration network: top ``limit`` by
    betweenness and by PageRank.

    Betweenness is networkx's normalised betweenness centrality. It is exact while
    a source per node fits a work budget (16M node and edge visits); beyond that it
    is estimated from k sources drawn for the seed (k = budget / (nodes + edges),
    at least 32), and the result says so (``betweenness_sampled``, ``betweenness_k``).
    """
    seed_ = params.integer("seed", seed, lo=0, hi=2**31 - 1, default=42)
    limit_ = params.integer("limit", limit, lo=1, hi=params.MAX_LIMIT, default=10)
    with_alliances = str(include_alliances).lower() in ("1", "true", "yes")
    fp = fingerprint(store)
    key = ("brokers", id(store), fp, seed_, limit_, with_alliances)
    hit = _cached(key)
    if hit is not None:
        return hit.model_copy(update={"cached": True})
    net = collaboration_network(store, fp=fp)
    n, m = net.nodes, net.edges
    sources = betweenness_sources(n, m, seed_) if n else None
    if n == 0:
        between, rank = np.zeros(0), np.zeros(0)
        method = METHOD_IGRAPH_BETWEENNESS if _have_igraph() else METHOD_NX_BETWEENNESS
    else:
        between, method = betweenness(net, sources)
        rank = pagerank(net) if m else np.repeat(1.0 / n, n)
    # rounding keeps ties (and their order) identical whatever the float noise
    between_r = np.round(between, 9)
    rank_r = np.round(rank, 9)
    allowed = np.array([with_alliances or k != "Alliance" for k in net.kinds], dtype=bool)
    by_b = _top(between_r, allowed, limit_)
    by_p = _top(rank_r, allowed, limit_)
    nodes = _nodes(store, [net.ids[i] for i in by_b + by_p])
    degree = net.degrees(weighted=False)

    def broker(i: int) -> Broker:
        return Broker(node=nodes[net.ids[i]], betweenness=float(between_r[i]), pagerank=float(rank_r[i]),
                      degree=int(degree[i]))

    result = Brokers(seed=seed_, nodes=n, edges=m, by_betweenness=[broker(i) for i in by_b if net.ids[i] in nodes],
                     by_pagerank=[broker(i) for i in by_p if net.ids[i] in nodes],
                     betweenness_sampled=sources is not None, betweenness_k=None if sources is None else len(sources),
                     method=method, fingerprint=fp)
    _remember(key, result)
    return result
