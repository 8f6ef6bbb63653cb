"""``clusters`` and ``brokers``: networkx on the collaboration network pulled from the store.

The network: organisations (and alliances, through which shared membership
links their members), with edges for COLLABORATES_WITH, MEMBER_OF and
developer → adopter transfers (DEVELOPED → TRANSFERRED_TO), weighted by how many
such facts join two nodes. It is pulled in pages of ids
(``cypher/network_page.cypher``), so even a million organisations never travel
as one result.

Results are deterministic for a seed, and cached in the process until the graph
changes. The change test (``cypher/network_fingerprint.cypher``) is the count
and newest ``updated_at`` of every label and relationship type the network is
built from: the writers stamp ``updated_at`` on every created or changed node
and edge, and a deletion lowers a count, so it moves on any change, costs one
pass over those timestamps, and needs no extra bookkeeping by the writers or a
particular engine.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any

from graph.store import GraphStore
from queries import cypher, params
from queries.models import Broker, Brokers, Cluster, Clusters, Node

PAGE = 20_000
#: exact betweenness up to this many nodes; above it, sampled from k sources
EXACT_BETWEENNESS_MAX = 2_000
#: sampled betweenness: about this many node+edge visits in total (k = budget / (n + m))
BETWEENNESS_BUDGET = 4_000_000
MIN_SAMPLES = 8
_CACHE_SIZE = 16


@dataclass
class Network:
    graph: Any  # networkx.Graph
    kinds: dict[str, str]
    regions: dict[str, str | None]
    industries: dict[str, list[str]]
    fingerprint: str


_cache: "OrderedDict[tuple, Any]" = OrderedDict()
_lock = threading.Lock()


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


def collaboration_network(store: GraphStore, *, fp: str | None = None) -> Network:
    """The collaboration network as a weighted ``networkx.Graph`` (cached per graph state)."""
    import networkx as nx

    fp = fp or fingerprint(store)
    key = ("network", id(store), fp)
    hit = _cached(key)
    if hit is not None:
        return hit
    kinds: dict[str, str] = {}
    regions: dict[str, str | None] = {}
    industries: dict[str, list[str]] = {}
    weights: Counter[tuple[str, str]] = Counter()
    after = ""
    while True:
        rows = cypher.run(store, "network_page", {"after": after, "page": PAGE})
        for r in rows:
            a = r["id"]
            kinds[a] = _kind(r["labels"])
            regions[a] = r["region"]
            industries[a] = sorted(set(r["industries"]))
            for b in [*r["collaborators"], *r["adopters"]]:
                if b != a:
                    weights[(a, b) if a < b else (b, a)] += 1
            for al in r["alliances"]:
                kinds.setdefault(al, "Alliance")
                weights[(a, al) if a < al else (al, a)] += 1
        if len(rows) < PAGE:
            break
        after = rows[-1]["id"]
    graph = nx.Graph()
    # sorted insertion: networkx iterates in insertion order, and Louvain's seed relies on it
    graph.add_nodes_from(sorted(kinds))
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(weights.items()) if a in kinds and b in kinds)
    net = Network(graph, kinds, regions, industries, fp)
    _remember(key, net)
    return net


def _nodes(store: GraphStore, ids: list[str]) -> dict[str, Node]:
    if not ids:
        return {}
    return {r["n"].id: Node.of(r["n"]) for r in cypher.run(store, "network_nodes", {"ids": sorted(set(ids))})}


def clusters(store: GraphStore, *, seed: Any = 42, resolution: Any = 1.0, limit: Any = 20,
             members: Any = 10, min_size: Any = 2) -> Clusters:
    """Louvain communities of the collaboration network, largest first.

    Each cluster lists its size, its most connected members, and its dominant
    industries, regions and kinds; the result carries the partition's modularity.
    """
    import networkx as nx

    seed_ = params.integer("seed", seed, lo=0, hi=2**31 - 1, default=42)
    try:
        res = float(resolution)
    except (TypeError, ValueError):
        from graph.errors import InputError

        raise InputError(f"parameter 'resolution' must be a number, got {resolution!r}") from None
    if not 0.01 <= res <= 100:
        from graph.errors import InputError

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
    g = net.graph
    if g.number_of_edges() == 0:
        result = Clusters(seed=seed_, resolution=res, modularity=0.0, nodes=g.number_of_nodes(), edges=0,
                          clusters=[], fingerprint=fp)
        _remember(key, result)
        return result
    communities = nx.community.louvain_communities(g, weight="weight", resolution=res, seed=seed_)
    modularity = nx.community.modularity(g, communities, weight="weight", resolution=res)
    ordered = sorted((sorted(c) for c in communities if len(c) >= min_size_), key=lambda c: (-len(c), c[0]))
    degree = dict(g.degree(weight="weight"))
    picked: list[tuple[list[str], list[str]]] = []
    for comm in ordered[:limit_]:
        top = sorted(comm, key=lambda n: (-degree.get(n, 0), n))[:members_]
        picked.append((comm, top))
    nodes = _nodes(store, [n for _, top in picked for n in top])
    out = []
    for rank, (comm, top) in enumerate(picked, start=1):
        inds = Counter(i for n in comm for i in net.industries.get(n, []))
        regs = Counter(net.regions.get(n) for n in comm if net.regions.get(n))
        out.append(Cluster(
            rank=rank, size=len(comm), top_members=[nodes[n] for n in top if n in nodes],
            industries=sorted(inds.items(), key=lambda kv: (-kv[1], kv[0]))[:5],
            regions=sorted(regs.items(), key=lambda kv: (-kv[1], kv[0]))[:5],
            kinds=dict(sorted(Counter(net.kinds[n] for n in comm).items())),
        ))
    result = Clusters(seed=seed_, resolution=res, modularity=round(modularity, 6), nodes=g.number_of_nodes(),
                      edges=g.number_of_edges(), clusters=out, fingerprint=fp)
    _remember(key, result)
    return result


def brokers(store: GraphStore, *, seed: Any = 42, limit: Any = 10, include_alliances: Any = False) -> Brokers:
    """The organisations that bridge the collaboration network: top ``limit`` by
    betweenness and by PageRank.

    Betweenness is exact up to 2,000 nodes; above that it is estimated from k
    sampled sources (k shrinks as the network grows, at least 8), and the result
    says so (``betweenness_sampled``, ``betweenness_k``).
    """
    import networkx as nx

    seed_ = params.integer("seed", seed, lo=0, hi=2**31 - 1, default=42)
    limit_ = params.integer("limit", limit, lo=1, hi=params.MAX_LIMIT, default=10)
    with_alliances = str(include_alliances).lower() in ("1", "true", "yes")
    fp = fingerprint(store)
    key = ("brokers", id(store), fp, seed_, limit_, with_alliances)
    hit = _cached(key)
    if hit is not None:
        return hit.model_copy(update={"cached": True})
    net = collaboration_network(store, fp=fp)
    g = net.graph
    n, m = g.number_of_nodes(), g.number_of_edges()
    sampled, k = False, None
    if n == 0:
        between: dict[str, float] = {}
        rank: dict[str, float] = {}
    else:
        if n > EXACT_BETWEENNESS_MAX:
            sampled, k = True, min(n, max(MIN_SAMPLES, BETWEENNESS_BUDGET // max(n + m, 1)))
        between = nx.betweenness_centrality(g, k=k, seed=seed_ if sampled else None, normalized=True)
        rank = nx.pagerank(g, weight="weight") if m else {x: 1.0 / n for x in g}
    candidates = [x for x in g if with_alliances or net.kinds.get(x) != "Alliance"]
    # rounding keeps ties (and their order) identical whatever the float noise
    by_b = sorted(candidates, key=lambda x: (-round(between.get(x, 0.0), 9), x))[:limit_]
    by_p = sorted(candidates, key=lambda x: (-round(rank.get(x, 0.0), 9), x))[:limit_]
    nodes = _nodes(store, by_b + by_p)

    def broker(x: str) -> Broker:
        return Broker(node=nodes[x], betweenness=round(between.get(x, 0.0), 9), pagerank=round(rank.get(x, 0.0), 9),
                      degree=g.degree(x))

    result = Brokers(seed=seed_, nodes=n, edges=m, by_betweenness=[broker(x) for x in by_b if x in nodes],
                     by_pagerank=[broker(x) for x in by_p if x in nodes], betweenness_sampled=sampled,
                     betweenness_k=k, fingerprint=fp)
    _remember(key, result)
    return result
