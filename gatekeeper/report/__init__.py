"""Reports: the formatters that render the engine's result (``gatekeeper.results``) as text.

``interface`` holds the ``Formatter`` protocol (formatters write to a text stream),
``StreamFormatter`` and ``RenderOptions``; ``registry`` the ``--format`` names, ``render()``
and ``write()``; one module per format (``text``, ``json_format``, ``sarif``, ``junit``,
``github``, ``markdown``, ``html`` with ``html_sections``, ``csv_format``); ``v1`` the models
of the ``gatekeeper.report/v1`` document and its JSON Schema; ``summary`` and ``escape`` the
wording and the escaping they share. Where the renderings go is ``gatekeeper.outputs``.
"""
