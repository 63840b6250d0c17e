"""Security headers on the pages the gateway serves, none on the widget script or the API."""

import pytest


@pytest.mark.parametrize("path", ["/agent", "/admin", "/static/console.js"])
def test_console_pages_get_a_strict_policy(console, path):
    response = console.get(path)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in response.headers  # plain http


def test_the_consoles_have_no_inline_scripts(console):
    for path in ("/agent", "/admin"):
        html = console.get(path).text
        assert "<script>" not in html and "<script src=" in html


def test_the_demo_shop_may_load_the_widget_and_open_its_socket(console):
    policy = console.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self' ws: wss:" in policy


def test_https_gets_hsts(console):
    assert "max-age" in console.get("https://testserver/agent").headers["strict-transport-security"]


@pytest.mark.parametrize("path", ["/widget.js", "/api/v1/health"])
def test_the_widget_script_and_the_api_get_no_policy(console, path):
    response = console.get(path)
    assert "content-security-policy" not in response.headers and "x-frame-options" not in response.headers
