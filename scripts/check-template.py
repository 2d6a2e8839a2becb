"""Checks infra/template.yaml against the code: the orders table has the keys,
TTL attribute and capacity mode that shared/src/store/dynamodb.rs uses, and
every function's binary exists in the workspace. cfn-lint checks the rest."""

import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent


class CloudFormationLoader(yaml.SafeLoader):
    """Reads !Ref, !Sub, !GetAtt … as plain values."""


def any_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


CloudFormationLoader.add_multi_constructor("!", any_tag)


def rust_constant(name):
    source = (ROOT / "shared/src/store/dynamodb.rs").read_text()
    match = re.search(rf'pub const {name}: &str = "([^"]+)";', source)
    if not match:
        sys.exit(f"check-template: {name} not found in dynamodb.rs")
    return match.group(1)


def main():
    template = yaml.load((ROOT / "infra/template.yaml").read_text(), Loader=CloudFormationLoader)
    table = template["Resources"]["OrdersTable"]["Properties"]
    problems = []
    keys = {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]}
    if keys != {rust_constant("PARTITION_KEY"): "HASH", rust_constant("SORT_KEY"): "RANGE"}:
        problems.append(f"key schema {keys} differs from the store's")
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    if set(types.values()) != {"S"} or set(types) != set(keys):
        problems.append(f"attribute definitions {types} should be the two string keys")
    if table["TimeToLiveSpecification"] != {"AttributeName": rust_constant("TTL_ATTRIBUTE"), "Enabled": True}:
        problems.append("TTL must be enabled on the store's TTL attribute")
    if table.get("BillingMode") != "PAY_PER_REQUEST":
        problems.append("the table must be on-demand")
    skill_env = template["Resources"]["SkillFunction"]["Properties"]["Environment"]["Variables"]
    if skill_env.get("ALEXA_VERIFY_SIGNATURE") != "true" or "ALEXA_SKILL_ID" not in skill_env:
        problems.append("the skill function must set ALEXA_VERIFY_SIGNATURE=true and ALEXA_SKILL_ID")
    binaries = {p.stem for p in (ROOT / "functions").glob("*/Cargo.toml")}
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            binary = resource["Metadata"]["BuildProperties"]["Binary"]
            crate = ROOT / "functions" / binary.removeprefix("pod-") / "Cargo.toml"
            if not crate.exists() or f'name = "{binary}"' not in crate.read_text():
                problems.append(f"{name} builds {binary}, which is not a workspace crate")
            policies = str(resource["Properties"].get("Policies", ""))
            if "'*'" in policies or "dynamodb:*" in policies:
                problems.append(f"{name} has a wildcard permission")
    if problems:
        sys.exit("check-template: " + "; ".join(problems))
    print("check-template: infra/template.yaml matches the code")


if __name__ == "__main__":
    main()
