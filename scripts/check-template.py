"""Checks infra/template.yaml against the code: the orders table has the keys,
TTL attribute and capacity mode that shared/src/store/dynamodb.rs uses, every
function's binary exists in the workspace, and every metric an alarm or the
dashboard reads in namespace Pod is one the code emits (shared/src/metrics.rs).
cfn-lint checks the rest. scripts/test_check_template.py tests the metric check.

    check-template.py [--template FILE] [--metrics FILE]"""

import argparse
import json
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


SECRET_SETTINGS = ["API_SIGNING_KEY", "APP_CLIENT_SECRET", "MGMT_CLIENT_SECRET", "CODE_SECRET", "SESSION_KEY"]
# The one statement allowed to grant on every resource but SNS's own ARNs (see the template's comment).
WILDCARD_EXCEPTION = "SmsToPhoneNumbersOnly"


def functions(template):
    return {n: r for n, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}


def environment(template, resource, provider):
    """A function's environment variables (Globals and its own) with CodeProvider=provider:
    !If picks the branch the provider's conditions choose; a removed value (AWS::NoValue) is dropped."""
    variables = dict(template["Globals"]["Function"]["Environment"]["Variables"])
    variables.update(resource["Properties"].get("Environment", {}).get("Variables", {}))
    conditions = {"WithBuiltinCodes": provider == "builtin", "WithNotices": True, "WithSkillFunctionUrl": False}
    resolved = {}
    for name, value in variables.items():
        if isinstance(value, list) and len(value) == 3 and value[0] in conditions:
            value = value[1] if conditions[value[0]] else value[2]
        if value == "AWS::NoValue":
            continue
        resolved[name] = value
    return resolved


def statements(resource):
    found = []
    for policy in resource["Properties"].get("Policies", []):
        if isinstance(policy, list) and len(policy) == 3:  # !If [condition, policy, NoValue]
            policy = policy[1]
        if isinstance(policy, dict):
            found += policy.get("Statement", [])
    return found


def check_secrets_and_clients(template):
    problems = []
    params = template["Parameters"]
    if params["TokenAlgorithm"]["Default"] != "RS256":
        problems.append("TokenAlgorithm must default to RS256")
    if set(params["CodeProvider"]["AllowedValues"]) != {"auth0", "builtin"}:
        problems.append("CodeProvider must offer auth0 and builtin")
    expected_secret = {"SkillFunction": "ServiceSecretArn", "ApiFunction": "ServiceSecretArn", "WebFunction": "WebSecretArn"}
    for name, resource in functions(template).items():
        env = environment(template, resource, "auth0")
        text = str(resource["Properties"].get("Environment", "")) + str(template["Globals"])
        if "resolve:secretsmanager" in text:
            problems.append(f"{name}: a secret value is resolved into the function configuration")
        for secret in SECRET_SETTINGS:
            if secret in env:
                problems.append(f"{name}: {secret} is in the environment; it belongs in the secret")
        wanted = expected_secret.get(name)
        if env.get("SECRETS_ARN") != wanted:
            problems.append(f"{name}: SECRETS_ARN must be !Ref {wanted}")
        reads = [s for s in statements(resource) if "secretsmanager:GetSecretValue" in str(s.get("Action"))]
        if len(reads) != 1 or reads[0].get("Resource") != wanted or reads[0].get("Action") != "secretsmanager:GetSecretValue":
            problems.append(f"{name}: needs exactly one secretsmanager:GetSecretValue on !Ref {wanted} only")
        holds_management = "MGMT_CLIENT_ID" in env
        if holds_management != (name != "WebFunction"):
            problems.append(f"{name}: MGMT_CLIENT_ID belongs to the skill and the api only")
        for statement in statements(resource):
            broad = statement.get("Resource") == "*" or "NotResource" in statement
            if broad and statement.get("Sid") != WILDCARD_EXCEPTION:
                problems.append(f"{name}: statement {statement.get('Sid')} grants on every resource")
            if statement.get("Sid") == WILDCARD_EXCEPTION and statement.get("Action") != "sns:Publish":
                problems.append(f"{name}: the wildcard exception may allow sns:Publish only")
            if "ses:SendEmail" in str(statement.get("Action")) and "identity/*" in str(statement.get("Resource")):
                problems.append(f"{name}: ses:SendEmail must name the sender's identity, not identity/*")
    return problems


def settings_read_by_code():
    names = set()
    for path in ["shared/src/config.rs", "shared/src/secrets.rs", "functions/web/src/settings.rs"]:
        names |= set(re.findall(r'"([A-Z][A-Z0-9_]+)"', (ROOT / path).read_text()))
    return names | {"RUST_LOG"}


def check_settings_are_read(template, provider):
    problems = []
    known = settings_read_by_code()
    for name, resource in functions(template).items():
        env = environment(template, resource, provider)
        for variable in env:
            if variable not in known:
                problems.append(f"{name} (CodeProvider={provider}): {variable} is read by no code")
        if env.get("CODE_PROVIDER") != "CodeProvider":
            problems.append(f"{name}: CODE_PROVIDER must be the CodeProvider parameter")
        if provider == "builtin" and (env.get("CODE_DELIVERY") != "aws" or "SES_FROM_ADDRESS" not in env):
            problems.append(f"{name} (CodeProvider=builtin): needs CODE_DELIVERY=aws and SES_FROM_ADDRESS")
    return problems


def dynamodb_actions_called_by_store():
    """The DynamoDB actions the store adapter calls outside its test-only helpers (`#[doc(hidden)]`)."""
    actions = set()
    for path in (ROOT / "shared/src/store").glob("dynamodb*.rs"):
        text = path.read_text()
        # A test-only helper (a full scan for the store suite) is marked #[doc(hidden)]; drop its body.
        text = re.sub(r"#\[doc\(hidden\)\]\s*pub async fn .*?\n    \}\n", "", text, flags=re.S)
        for call in re.findall(r"\.(get_item|query|put_item|update_item|delete_item|batch_write_item|batch_get_item|scan)\(\)", text):
            actions.add("dynamodb:" + "".join(part.capitalize() for part in call.split("_")))
        # A transaction needs the action of each write it holds.
        for kind in re.findall(r"\b(Put|Update|Delete|ConditionCheck)::builder\(\)", text):
            actions.add({"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem", "Delete": "dynamodb:DeleteItem",
                         "ConditionCheck": "dynamodb:ConditionCheckItem"}[kind])
    return actions


def check_dynamodb_actions(template):
    """Every function reaches the table through the one store adapter: each may call every action it calls."""
    problems = []
    wanted = dynamodb_actions_called_by_store()
    for name, resource in functions(template).items():
        granted = set()
        for statement in statements(resource):
            action = statement.get("Action")
            granted |= set(action if isinstance(action, list) else [action])
        missing = sorted(wanted - granted)
        if missing:
            problems.append(f"{name}: the store calls {', '.join(missing)}, which its role does not allow")
    return problems


# The EMF namespace and the dimension sets the code emits (the metric contract; a CloudWatch metric is
# one namespace, name and exact set of dimension names, so an alarm on another set matches nothing).
POD_NAMESPACE = "Pod"
DIMENSION_SETS = [{"Function"}, {"Function", "Intent"}, {"Function", "Outcome"}, {"Function", "Channel"}]


def emitted_names(source):
    """The values of the `pub const NAME: &str = "value";` items of shared/src/metrics.rs: the namespace,
    metric and dimension names and the dimension values the code emits."""
    return set(re.findall(r'pub const [A-Z0-9_]+: &str = "([^"]*)";', source))


def pod_metrics_used(template):
    """(where, metric name, {dimension: value}) of every metric in namespace Pod that an alarm or the
    dashboard reads, and the problems found on the way (a form the check cannot read)."""
    used, problems = [], []
    for name, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::CloudWatch::Alarm":
            metrics = [props] if "MetricName" in props else []
            metrics += [q["MetricStat"]["Metric"] for q in props.get("Metrics", []) if "MetricStat" in q]
            for metric in metrics:
                if metric.get("Namespace") == POD_NAMESPACE:
                    dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
                    used.append((name, metric["MetricName"], dims))
        elif resource["Type"] == "AWS::CloudWatch::Dashboard":
            body = props["DashboardBody"]
            if isinstance(body, list):  # !Sub [body, {variables}]
                body = body[0]
            try:
                widgets = json.loads(re.sub(r"\$\{[^}]*\}", "substituted", body))["widgets"]
            except (ValueError, KeyError, TypeError) as error:
                problems.append(f"{name}: the dashboard body is not JSON with widgets ({error})")
                continue
            for widget in widgets:
                for row in widget.get("properties", {}).get("metrics", []):
                    fields = [f for f in row if not isinstance(f, dict)]
                    expressions = [f["expression"] for f in row if isinstance(f, dict) and "expression" in f]
                    if fields and any(f in (".", "...") for f in fields):
                        problems.append(f"{name}: a dashboard row uses the '.' shorthand; write it out")
                    elif fields and fields[0] == POD_NAMESPACE:
                        used.append((name, fields[1], dict(zip(fields[2::2], fields[3::2]))))
                    for expression in expressions:
                        used += search_metrics(name, expression)
    return used, problems


def search_metrics(where, expression):
    """The Pod metrics a dashboard SEARCH('{Namespace,Dim,…} MetricName="…" Dim="value"', …) reads."""
    used = []
    for schema, terms in re.findall(r"SEARCH\('\{([^}]*)\}([^']*)'", expression):
        namespace, *dimensions = [part.strip() for part in schema.split(",")]
        if namespace != POD_NAMESPACE:
            continue
        pairs = dict(re.findall(r'(\w+)="([^"]*)"', terms))
        metric = pairs.pop("MetricName", "")
        dims = {d: pairs.get(d) for d in dimensions}
        used.append((where, metric, dims))
    return used


def check_pod_metrics(template, emitted):
    """Every Pod metric an alarm or the dashboard reads: its name, dimension names and values are ones
    the code emits, and its dimensions are one of the contract's dimension sets."""
    used, problems = pod_metrics_used(template)
    if POD_NAMESPACE not in emitted:
        problems.append(f"the code does not emit the namespace {POD_NAMESPACE}")
    for where, metric, dims in used:
        if metric not in emitted:
            problems.append(f"{where}: metric {metric!r} in namespace {POD_NAMESPACE} is one the code does not emit")
        if set(dims) not in DIMENSION_SETS:
            problems.append(f"{where}: {metric} with dimensions {sorted(dims)}, which is not a dimension set the code emits")
        for dimension, value in dims.items():
            if dimension not in emitted:
                problems.append(f"{where}: dimension {dimension!r} is one the code does not emit")
            # A SEARCH may leave a dimension open (any value, e.g. every intent).
            if value is not None and value not in emitted:
                problems.append(f"{where}: {metric} {dimension}={value!r} is a value the code does not emit")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", default=ROOT / "infra/template.yaml", type=pathlib.Path)
    parser.add_argument("--metrics", default=ROOT / "shared/src/metrics.rs", type=pathlib.Path)
    args = parser.parse_args()
    template = yaml.load(args.template.read_text(), Loader=CloudFormationLoader)
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
    if template["Globals"]["Function"].get("Tracing") != "Active":
        problems.append("the functions need X-Ray active tracing (Globals: Tracing: Active)")
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
    problems += check_secrets_and_clients(template)
    problems += check_dynamodb_actions(template)
    for provider in ("auth0", "builtin"):
        problems += check_settings_are_read(template, provider)
    if args.metrics.exists():
        problems += check_pod_metrics(template, emitted_names(args.metrics.read_text()))
    else:
        # Until the code has its metric names, the alarms cannot be checked against them.
        print(f"check-template: {args.metrics.name} is not there yet; the alarms' metric names are unchecked")
    if problems:
        sys.exit("check-template: " + "; ".join(problems))
    shown = args.template.resolve()
    shown = shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown
    print(f"check-template: {shown} matches the code")


if __name__ == "__main__":
    main()
