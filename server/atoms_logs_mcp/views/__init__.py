"""Views for hosts that render MCP Apps: the HTML documents, and the JSON each one reads through its data tool.

This layer renders for a person looking at a host's panel, as `render` does for a model reading text. Call
content reaches a view as JSON strings and is set as text there, never as markup (`assets/dom.js`).
"""
