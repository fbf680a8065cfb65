"""Reports: the formatters that render the engine's result (``gatekeeper.results``) as text.

``interface`` holds the ``Formatter`` protocol and ``RenderOptions``; ``registry`` the
``--format`` names and ``render()``; one module per format (``text``, ``json_format``,
``sarif``, ``junit``, ``github``, ``markdown``, ``html``, ``csv_format``); ``summary`` and
``escape`` the wording and the escaping they share.
"""
