"""Fills the skill package's placeholders from the deployed stack's outputs.

    aws cloudformation describe-stacks --stack-name pod --query 'Stacks[0].Outputs' > build/stack-outputs.json
    python3 scripts/fill-skill-package.py build/stack-outputs.json [--endpoint lambda|https]

Writes build/skill-package/ (skill.json, interaction models) and build/account-linking.json for
`ask deploy` / `ask smapi update-account-linking-info`. APP_CLIENT_ID and APP_CLIENT_SECRET come from
the environment (the secret never goes into the repository or the stack outputs).
"""

import json
import os
import pathlib
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = ROOT / "alexa-model"
TARGET = ROOT / "build"


def outputs(path):
    entries = json.loads(pathlib.Path(path).read_text())
    return {entry["OutputKey"]: entry["OutputValue"] for entry in entries}


def fill(text, values):
    for name, value in values.items():
        text = text.replace("\"{{" + name + "}}\"", json.dumps(value))
    if "{{" in text:
        missing = sorted({part.split("}}")[0] for part in text.split("{{")[1:]})
        sys.exit(f"fill-skill-package: no value for {', '.join(missing)}")
    return text


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    kind = args[args.index("--endpoint") + 1] if "--endpoint" in args else "lambda"
    stack = outputs(args[0])
    if kind == "lambda":
        endpoint = {"uri": stack["SkillFunctionArn"]}
    elif kind == "https":
        if "SkillFunctionUrl" not in stack:
            sys.exit("fill-skill-package: deploy with SkillFunctionUrl=true to use the https endpoint")
        endpoint = {"uri": stack["SkillFunctionUrl"], "sslCertificateType": "Wildcard"}
    else:
        sys.exit("fill-skill-package: --endpoint is lambda or https")
    client_id = os.environ.get("APP_CLIENT_ID", "")
    client_secret = os.environ.get("APP_CLIENT_SECRET", "")
    if not client_id or not client_secret:
        sys.exit("fill-skill-package: set APP_CLIENT_ID and APP_CLIENT_SECRET (the Auth0 application's)")
    values = {
        "ENDPOINT": endpoint,
        "PRIVACY_POLICY_URL": stack["PrivacyPolicyUrl"],
        "AUTHORIZATION_URL": stack["AuthorizationUrl"],
        "ACCESS_TOKEN_URL": stack["AccessTokenUrl"],
        "APP_CLIENT_ID": client_id,
        "APP_CLIENT_SECRET": client_secret,
    }
    package = TARGET / "skill-package"
    if package.exists():
        shutil.rmtree(package)
    shutil.copytree(SOURCE / "interactionModels", package / "interactionModels")
    (package / "skill.json").write_text(fill((SOURCE / "skill-package/skill.json").read_text(encoding="utf-8"), values), encoding="utf-8")
    linking = TARGET / "account-linking.json"
    linking.write_text(fill((SOURCE / "skill-package/account-linking.json").read_text(), values))
    os.chmod(linking, 0o600)
    for path in (package / "skill.json", linking):
        json.loads(path.read_text(encoding="utf-8"))
    print(f"fill-skill-package: wrote {package.relative_to(ROOT)}/ and {linking.relative_to(ROOT)} ({kind} endpoint)")


if __name__ == "__main__":
    main()
