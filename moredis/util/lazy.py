"""Lazy imports for heavy libraries (numpy costs ~13 MB of RSS at start-up, counted
against us in the memory benchmark, and most servers never need it).

    from moredis.util.lazy import numpy as np   # imported on first attribute access
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """A stand-in that imports the real module on first use and then caches each
    attribute on itself, so later accesses cost a plain attribute lookup."""

    def __init__(self, name: str) -> None:
        self.__dict__["_lazy_name"] = name

    def __getattr__(self, attr: str) -> Any:
        mod = importlib.import_module(self.__dict__["_lazy_name"])
        val = getattr(mod, attr)
        self.__dict__[attr] = val
        return val


numpy: Any = LazyModule("numpy")
