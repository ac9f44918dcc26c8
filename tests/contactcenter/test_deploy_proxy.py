"""The shipped docker-compose stack puts one reverse proxy in front of gunicorn, and that proxy is the
one hop TRUSTED_PROXY_COUNT=1 trusts: a client can neither reach gunicorn directly nor add a hop to
X-Forwarded-For (unlimited sign-in tries, forged audit addresses)."""

import re

import yaml
from django.conf import settings

ROOT = settings.BASE_DIR
NGINX_CONF = "deploy/nginx/nginx.conf"


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _nginx() -> str:
    # Comments would let a commented-out directive satisfy the assertions.
    return "\n".join(line.split("#", 1)[0] for line in (ROOT / NGINX_CONF).read_text().splitlines())


def _directives(conf: str, name: str) -> list[str]:
    return [match.strip() for match in re.findall(rf"^\s*{name}\s+([^;]+);", conf, flags=re.MULTILINE)]


def test_only_the_proxy_publishes_a_port_and_web_is_on_the_compose_network_only():
    services = _compose()["services"]
    assert {name for name, service in services.items() if service.get("ports")} == {"proxy"}
    assert "ports" not in services["web"]
    assert services["proxy"]["image"].startswith("nginx:")
    assert any(volume.startswith(f"./{NGINX_CONF}:/etc/nginx/nginx.conf") for volume in services["proxy"]["volumes"])
    # The proxy shares a network with web and with nothing else (no way to the database or the broker).
    proxy_networks = set(services["proxy"]["networks"])
    reachable = {name for name, service in services.items() if proxy_networks & set(service.get("networks", []))}
    assert reachable == {"proxy", "web"}


def test_trusted_proxy_count_is_one_and_exactly_one_proxy_stands_in_front_of_web():
    services = _compose()["services"]
    for name in ("web", "worker", "beat", "migrate"):
        assert str(services[name]["environment"]["TRUSTED_PROXY_COUNT"]) == "1", name
    proxies = [name for name, service in services.items() if str(service.get("image", "")).startswith("nginx")]
    assert proxies == ["proxy"]
    upstreams = re.findall(r"^\s*server\s+([\w.-]+):(\d+)\s*;", _nginx(), flags=re.MULTILINE)
    assert upstreams == [("web", "8000")]


def test_the_proxy_overwrites_x_forwarded_for_and_sets_proto_host_and_request_id():
    conf = _nginx()
    headers = dict(value.split(None, 1) for value in _directives(conf, "proxy_set_header"))
    assert headers["X-Forwarded-For"] == "$remote_addr"
    assert "$proxy_add_x_forwarded_for" not in conf and "$http_x_forwarded_for" not in conf
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["X-Forwarded-Host"] == "$host"
    assert headers["X-Request-ID"] == "$request_id"
    assert _directives(conf, "proxy_pass") and all(p == "http://ncsc_web" for p in _directives(conf, "proxy_pass"))


def test_the_proxy_body_limit_is_the_apps_upload_limit():
    (value,) = _directives(_nginx(), "client_max_body_size")
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]
    assert int(number) * factor == settings.UPLOAD_REQUEST_MAX_BYTES
