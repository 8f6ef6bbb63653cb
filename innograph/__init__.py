"""innograph: a knowledge graph of Heilongjiang's innovation ecosystem.

This package is the composition root: settings and the command line.
"""

__version__ = "0.1.0"
