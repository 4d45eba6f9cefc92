# `make bundle` writes dist/atoms-logs-mcp-<version>.mcpb, the Claude Desktop bundle, for this machine's
# operating system, processor and Python version (scripts/build_bundle.py says why it is per-platform).
PYTHON ?= python3

.PHONY: bundle check-manifest test-bundle clean-bundle

bundle:
	$(PYTHON) scripts/build_bundle.py

# manifest.json in step with pyproject.toml and valid for the official MCPB CLI, without building.
check-manifest:
	$(PYTHON) scripts/build_bundle.py --check

test-bundle:
	$(PYTHON) -m pytest tests/test_bundle.py -q

clean-bundle:
	rm -rf build/bundle dist/*.mcpb
