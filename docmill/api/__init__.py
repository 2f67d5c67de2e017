"""The REST API, /health, /ready, /metrics and the static web UI (FastAPI)."""
