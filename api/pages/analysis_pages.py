"""Analysis pages: path finder, industry chain, clusters, alliances."""
