"""The CLI verbs: one module per verb, each exposing a click command named ``command``."""
