"""The default flavor puts keystonemiddleware's auth_token in front of the API."""

from __future__ import annotations

import falcon.testing

from heat_api.app import create_app, wrap_auth

from ..conftest import make_conf  # type: ignore[import-not-found]


def test_default_flavor_requires_a_token_but_not_for_the_version_document(engine_client, tmp_path):
    heat_conf = tmp_path / "heat.conf"
    heat_conf.write_text("[keystone_authtoken]\nwww_authenticate_uri = http://127.0.0.1:5000/v3\n")
    conf = make_conf((str(heat_conf),))
    client = falcon.testing.TestClient(wrap_auth(create_app(conf, engine_client), conf))
    assert client.simulate_get("/").status_code == 300
    denied = client.simulate_get("/v1/tenant/stacks")
    assert denied.status_code == 401
    assert denied.headers["www-authenticate"].startswith("Keystone uri=")


def test_noauth_flavor_takes_identity_from_headers(engine_client):
    conf = make_conf(paste_deploy__flavor="noauth")
    client = falcon.testing.TestClient(wrap_auth(create_app(conf, engine_client), conf))
    result = client.simulate_get("/v1/someone/stacks", headers={"X-Auth-User": "u"})
    assert result.status_code == 200
