"""The rules: one module per rule kind, and the catalog of rule ids (``catalog.py``)."""
