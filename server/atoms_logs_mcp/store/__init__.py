"""The local call store: details of finished calls kept on disk (SQLite), with a full-text index of their turns."""
