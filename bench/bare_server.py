"""The cold-start baseline: a bare `MCPServer` with one tool, over stdio. `python bench/bare_server.py`"""

from mcp.server import MCPServer

server = MCPServer("bare")


@server.tool()
def echo(text: str) -> str:
    """Return the text unchanged."""
    return text


if __name__ == "__main__":
    server.run("stdio")
