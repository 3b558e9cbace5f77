"""docker-compose.yml's structure (docker cannot run here): the services the recipe promises,
the nginx site the tests run mounted where the nginx image renders it, rendered the same way,
and only environment variables the app reads."""

import os
import re
import subprocess
from typing import Any

import pytest
import yaml

from app.config import Settings
from tests.support.nginx import TEMPLATE, VARIABLES, render, upstream_servers
from tests.support.server import ROOT

COMPOSE = ROOT / "docker-compose.yml"
APPS = ("app1", "app2")
# Read by uvicorn itself (not app/config.py): whose X-Forwarded-* headers it trusts.
UVICORN_VARIABLES = {"FORWARDED_ALLOW_IPS"}
SETTINGS_VARIABLES = {f"OUTCOMES_{name.upper()}" for name in Settings.model_fields}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def _services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = compose["services"]
    return services


def test_the_services_of_the_recipe(compose: dict[str, Any]) -> None:
    services = _services(compose)
    assert set(services) == {"postgres", "redis", "migrate", *APPS, "nginx"}
    assert (ROOT / "Dockerfile").is_file()
    for name in (*APPS, "migrate"):
        assert services[name]["build"] == "."
    for name in APPS:
        assert services[name]["command"] == ["outcomes", "serve"]
        assert "ports" not in services[name], "instances are reached through nginx only"
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert services["migrate"]["command"] == ["outcomes", "migrate"]
    for service in services.values():
        for needed in service.get("depends_on", {}):
            assert needed in services


def test_nginx_mounts_the_template_the_tests_run(compose: dict[str, Any]) -> None:
    nginx = _services(compose)["nginx"]
    mounts = [volume.split(":") for volume in nginx["volumes"]]
    assert len(mounts) == 1
    source, target, mode = mounts[0]
    assert (ROOT / source).resolve() == TEMPLATE
    assert TEMPLATE.is_file()
    # The nginx image renders /etc/nginx/templates/*.template into /etc/nginx/conf.d/.
    assert target == f"/etc/nginx/templates/{TEMPLATE.name}"
    assert target.endswith(".template")
    assert mode == "ro"
    assert set(nginx["environment"]) == set(VARIABLES)
    assert set(re.findall(r"\$\{(\w+)\}", TEMPLATE.read_text())) == set(VARIABLES)
    # The upstream list names every instance at its port, in the tests' own format.
    port = _services(compose)["app1"]["environment"]["OUTCOMES_PORT"]
    assert nginx["environment"]["NGINX_UPSTREAM_SERVERS"] == upstream_servers(
        [f"{app}:{port}" for app in APPS]
    )
    published = nginx["ports"][0].split(":")[0]
    assert _services(compose)["app1"]["environment"]["OUTCOMES_PUBLIC_URL"].endswith(
        f":{published}}}"
    )


def test_envsubst_renders_the_template_as_the_tests_do(compose: dict[str, Any]) -> None:
    """The image (and docs/deploy.md's recipe without docker) render with envsubst, given the
    variable names, so nginx's own $variables survive; the tests' render() is the same."""
    values = dict(_services(compose)["nginx"]["environment"])
    names = " ".join(f"${{{name}}}" for name in VARIABLES)
    rendered = subprocess.run(
        ["envsubst", names],
        input=TEMPLATE.read_text(),
        env={**os.environ, **values},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    assert rendered == render(values)
    assert "$http_upgrade" in rendered
    assert "${NGINX" not in rendered


def _environment_names(compose: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for name, service in _services(compose).items():
        if name in ("postgres", "redis", "nginx"):
            continue
        names |= set(service.get("environment", {}))
    return names


def test_every_variable_is_one_the_app_reads(compose: dict[str, Any]) -> None:
    names = _environment_names(compose)
    assert names - SETTINGS_VARIABLES - UVICORN_VARIABLES == set()
    assert {"OUTCOMES_DATABASE_URL", "OUTCOMES_REDIS_URL", "OUTCOMES_PUBLIC_URL"} <= names


def test_interpolations_have_defaults() -> None:
    """``docker compose up`` works without an .env file: each ${VAR} has a default."""
    for name, default in re.findall(r"\$\{(\w+)(:-[^}]*)?\}", COMPOSE.read_text()):
        assert default, f"${{{name}}} has no default"


def test_the_documented_variables_are_all_there() -> None:
    """docs/deploy.md lists every variable the app reads, and no other OUTCOMES_ name."""
    doc = (ROOT / "docs" / "deploy.md").read_text()
    documented = set(re.findall(r"`(OUTCOMES_[A-Z_]+)`", doc))
    assert SETTINGS_VARIABLES - documented == set()
    assert documented - SETTINGS_VARIABLES == set()
    assert "docs/deploy.md" in (ROOT / "README.md").read_text()


def test_the_doc_names_the_files_the_tests_check() -> None:
    doc = (ROOT / "docs" / "deploy.md").read_text()
    assert "docker-compose.yml" in doc
    assert TEMPLATE.relative_to(ROOT).as_posix() in doc
