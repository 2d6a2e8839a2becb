"""A moto server that enforces IAM, for tests of denied AWS calls.

moto checks credentials and IAM policies once INITIAL_NO_AUTH_ACTION_COUNT actions
have been served. This launcher makes the setup calls with that many actions (a
secret, an IAM user with an access key, and a policy that allows GetSecretValue on
another secret only), prints one JSON line with the endpoint, the secret's ARN and
the user's keys, and serves until its standard input closes.

Usage: python scripts/moto_iam_server.py SECRET_JSON
"""

import json
import os
import sys

SETUP_ACTIONS = 4
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = str(SETUP_ACTIONS)

import boto3  # noqa: E402 (moto reads the setting on import)
from moto.server import ThreadedMotoServer  # noqa: E402


def main():
    secret_json = sys.argv[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    setup = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
    secrets = boto3.client("secretsmanager", **setup)
    iam = boto3.client("iam", **setup)
    arn = secrets.create_secret(Name="pod/denied", SecretString=secret_json)["ARN"]
    iam.create_user(UserName="pod-function")
    key = iam.create_access_key(UserName="pod-function")["AccessKey"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": arn + "-another"}],
    }
    iam.put_user_policy(UserName="pod-function", PolicyName="another-secret-only", PolicyDocument=json.dumps(policy))
    print(
        json.dumps(
            {
                "endpoint": endpoint,
                "arn": arn,
                "access_key_id": key["AccessKeyId"],
                "secret_access_key": key["SecretAccessKey"],
            }
        ),
        flush=True,
    )
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
