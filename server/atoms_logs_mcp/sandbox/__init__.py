"""A local stand-in for the Atoms API: data, query semantics, fault injection, and an HTTP server."""
