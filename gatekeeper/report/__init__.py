"""Reports: the engine's result model and the formatters that render it as text.

``model`` holds the report; ``interface`` the ``Formatter`` protocol and ``RenderOptions``;
``registry`` the ``--format`` names and ``render()``; one module per format (``text``,
``json_format``, ``sarif``, ``junit``, ``github``, ``markdown``, ``html``, ``csv_format``);
``summary`` and ``escape`` the wording and the escaping they share.
"""
