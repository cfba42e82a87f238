"""Integrity checks: text copied from cited sources, citations that cannot exist, AI traces.

The modules `text`, `compare`, `citations` and `traces` are pure (text in, findings out);
`fetch` is the only one that talks HTTP to a source, `detector` the only one that talks to
an external detector, and `service` (the only one touching the database) runs them for the sync.
"""
