# `make bundles` writes dist/atoms-logs-mcp-<version>-<target>.mcpb, the Claude Desktop bundles, for macOS (arm64,
# x64), Windows x64 and Linux (x64, arm64), each carrying its dependencies for CPython 3.11-3.13, and
# dist/atoms-logs-mcp-<version>-uv.mcpb, for which the host provides Python (scripts/build_bundle.py says how).
PYTHON ?= $(if $(wildcard .venv/bin/python),.venv/bin/python,python3)  # the README's environment has uv

.PHONY: bundles bundle check-manifest test-bundle clean-bundle screenshots

bundles:
	$(PYTHON) scripts/build_bundle.py

# Only this machine's target (Linux x86_64 here).
bundle:
	$(PYTHON) scripts/build_bundle.py --target linux-x64

# manifest.json in step with pyproject.toml and valid for the official MCPB CLI, without building.
check-manifest:
	$(PYTHON) scripts/build_bundle.py --check

test-bundle:
	$(PYTHON) -m pytest tests/test_bundle.py -q

clean-bundle:
	rm -rf build/bundles dist/*.mcpb

# docs/call-view.png and docs/window-view.png, taken by the browser tests from the demo data (needs chromium).
screenshots:
	WRITE_VIEW_SCREENSHOTS=1 $(PYTHON) -m pytest tests/test_views_browser.py -q -k draws
