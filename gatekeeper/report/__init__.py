"""Reports: the engine's result model and the formatters that render it as text."""
