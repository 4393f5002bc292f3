"""Tooling around the library: the console script, the experiment runner, notebooks, plotting.

Nothing in the library imports from here; the console script and the experiments do.

How it is built: docs/package.md §tools.
"""
