"""Cell text, the bottom layer: reading one value (normalize), Arrow string columns (arrow),
personal data in free text (pii) and generated ids (ids). Imports nothing else of crmkit."""
