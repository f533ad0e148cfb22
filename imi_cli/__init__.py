"""IMI: project memory for AI coding agents, kept in `.imi/state.db` inside the repository."""

__version__ = "0.4.0"
