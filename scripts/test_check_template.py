"""Tests of scripts/check-template.py's metric check (make infra runs them): a template whose alarm or
dashboard reads a metric, dimension or value the code does not emit fails, and the project's template
passes against the metric contract. Run: .venv/bin/python scripts/test_check_template.py"""

import importlib.util
import json
import pathlib
import subprocess
import sys
import tempfile
import unittest

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("check_template", ROOT / "scripts/check-template.py")
check = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(check)

# The metric contract: the names shared/src/metrics.rs emits (read, not copied, so the two cannot drift).
CONTRACT = (ROOT / "shared/src/metrics.rs").read_text()


def alarm(metric="Answers", dimensions=(("Function", "skill"), ("Outcome", "wrong_code")), namespace="Pod"):
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "Namespace": namespace,
            "MetricName": metric,
            "Dimensions": [{"Name": n, "Value": v} for n, v in dimensions],
        },
    }


def dashboard(*rows):
    body = '{"widgets": [{"type": "metric", "properties": {"region": "${AWS::Region}", "metrics": %s}}]}'
    return {"Type": "AWS::CloudWatch::Dashboard", "Properties": {"DashboardBody": body % json.dumps(list(rows))}}


def problems(*resources):
    template = {"Resources": {f"R{i}": r for i, r in enumerate(resources)}}
    return check.check_pod_metrics(template, check.emitted_names(CONTRACT))


class MetricCheck(unittest.TestCase):
    def test_contract_names_pass(self):
        self.assertEqual(problems(alarm(), dashboard(["Pod", "Requests", "Function", "web"])), [])

    def test_unknown_metric_in_an_alarm_fails(self):
        found = problems(alarm(metric="WrongCodes"))
        self.assertEqual(len(found), 1)
        self.assertIn("'WrongCodes'", found[0])

    def test_unknown_dimension_value_fails(self):
        found = problems(alarm(dimensions=(("Function", "skill"), ("Outcome", "guessed"))))
        self.assertEqual(len(found), 1)
        self.assertIn("Outcome='guessed'", found[0])

    def test_a_dimension_set_the_code_does_not_emit_fails(self):
        found = problems(alarm(dimensions=(("Function", "skill"), ("Outcome", "confirmed"), ("Channel", "sms"))))
        self.assertTrue(any("not a dimension set" in p for p in found), found)
        self.assertTrue(problems(alarm(metric="Requests", dimensions=())))

    def test_metric_math_alarms_are_read(self):
        math = {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "Metrics": [
                    {"Id": "a", "MetricStat": {"Metric": alarm(metric="Answer")["Properties"], "Period": 300}},
                    {"Id": "e", "Expression": "FILL(a, 0)"},
                ]
            },
        }
        found = problems(math)
        self.assertEqual(len(found), 1)
        self.assertIn("'Answer'", found[0])

    def test_unknown_names_on_the_dashboard_fail(self):
        self.assertTrue(problems(dashboard(["Pod", "Latency", "Function", "skill"])))
        self.assertTrue(problems(dashboard(["Pod", "Requests", "Function", "alexa"])))
        search = {"expression": "SEARCH('{Pod,Function,Intent} MetricName=\"Request\" Function=\"skill\"', 'Sum', 300)"}
        self.assertTrue(problems(dashboard([search])))
        search["expression"] = search["expression"].replace('"Request"', '"Requests"')
        self.assertEqual(problems(dashboard([search])), [])
        self.assertTrue(problems(dashboard(["Pod", "Requests", "Function", "skill"], [".", "Answers"])))

    def test_other_namespaces_are_not_checked(self):
        self.assertEqual(problems(alarm(metric="Errors", namespace="AWS/Lambda", dimensions=(("FunctionName", "x"),))), [])

    def test_the_project_template_uses_only_contract_names(self):
        template = yaml.load((ROOT / "infra/template.yaml").read_text(), Loader=check.CloudFormationLoader)
        self.assertEqual(check.check_pod_metrics(template, check.emitted_names(CONTRACT)), [])
        used, _ = check.pod_metrics_used(template)
        self.assertGreater(len({metric for _, metric, _ in used}), 6)

    def test_the_script_fails_on_a_template_with_an_unknown_metric(self):
        with tempfile.TemporaryDirectory() as tmp:
            metrics = pathlib.Path(tmp, "metrics.rs")
            metrics.write_text(CONTRACT)
            good = (ROOT / "infra/template.yaml").read_text()
            bad = good.replace("MetricName: Answers", "MetricName: Answerz", 1)
            self.assertNotEqual(good, bad)
            for text, ok in [(good, True), (bad, False)]:
                path = pathlib.Path(tmp, "template.yaml")
                path.write_text(text)
                run = subprocess.run([sys.executable, str(ROOT / "scripts/check-template.py"), "--template", str(path),
                                      "--metrics", str(metrics)], capture_output=True, text=True)
                self.assertEqual(run.returncode == 0, ok, run.stdout + run.stderr)
                if not ok:
                    self.assertIn("'Answerz'", run.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=1)
