"""Model-facing text: rows, one call, untrusted content fences."""
