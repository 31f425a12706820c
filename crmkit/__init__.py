"""crmkit: validate, clean, deduplicate and report on customer workbooks."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("crmkit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
