"""Whole columns and tables in pandas: normalizing a column (columns), the pandera schema built
from a field spec (schema) and the typed, canonical frame the reports read (canonical)."""
