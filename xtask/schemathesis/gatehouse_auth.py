"""Schemathesis hooks for Gatehouse: every request carries an administrator session,
signed in again every few seconds, and the generated requests never target that
administrator's own account or switch on a tenant-wide MFA requirement, either of which
would blind the rest of the run (the server refuses neither: they are legitimate).

`cargo xtask test` sets GATEHOUSE_URL, GATEHOUSE_EMAIL and GATEHOUSE_PASSWORD."""

import json
import os
import urllib.request

import schemathesis


def sign_in():
    body = json.dumps(
        {"email": os.environ["GATEHOUSE_EMAIL"], "password": os.environ["GATEHOUSE_PASSWORD"]}
    ).encode()
    request = urllib.request.Request(
        os.environ["GATEHOUSE_URL"] + "/api/v1/auth/login",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)["data"]


ADMIN_ID = sign_in()["user"]["id"]


@schemathesis.auth(refresh_interval=5)
class GatehouseSession:
    def get(self, case, context):
        return sign_in()["token"]

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.hook
def filter_path_parameters(context, path_parameters):
    return not path_parameters or path_parameters.get("user_id") != ADMIN_ID


@schemathesis.hook
def filter_body(context, body):
    return not (isinstance(body, dict) and body.get("mfa_policy") in ("EVERYONE", "ROLES"))
