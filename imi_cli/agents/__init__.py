"""Agent integrations: host hooks, the MCP server, instruction files."""
