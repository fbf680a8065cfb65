"""The rules: one module per rule kind, each carrying its rules (``metadata.RuleModule``).

``registry.py`` lists the modules, ``catalog.py`` is the catalog built from their
declarations, ``context.py`` is what a rule sees of one app.
"""
