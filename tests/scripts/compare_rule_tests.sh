#!/usr/bin/env bash
# Runs one promtool unit-test file through both `$AGENT_TEST_PROMTOOL test rules` and
# `agent --test-rules`, and passes when they agree: the same verdict (pass or fail) and the
# same failing tests (test group names, alert names and expressions with their eval times, rules
# that failed to evaluate). A file named fail_*_test.yml must fail in promtool, any other must
# pass, so a broken corpus file is caught too.
#
# usage: compare_rule_tests.sh AGENT_BINARY TEST_FILE
set -u
agent=$1
file=$2
if [[ -z "${AGENT_TEST_PROMTOOL:-}" ]]; then
  echo "AGENT_TEST_PROMTOOL is not set (run through tests/scripts/servers.sh)" >&2
  exit 1
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$AGENT_TEST_PROMTOOL" test rules "$file" >"$out/promtool.out" 2>"$out/promtool.err"
promtool_rc=$?
"$agent" --test-rules "$file" >"$out/agent.out" 2>"$out/agent.err"
agent_rc=$?

# The lines that name a failing test, in a stable order.
failures() {
  grep -E '^    (name: .*,$|alertname: [^,]+, time: [^,]+,|expr: .*, time: [^,]+|rule: [^,]+, time: [^,]+,)' "$1" |
    sed -E 's/^(    expr: .*, time: [^,]+).*/\1/; s/^(    rule: [^,]+, time: [^,]+),.*/\1/; s/ +$//' |
    sort
}
failures "$out/promtool.err" >"$out/promtool.failures"
failures "$out/agent.err" >"$out/agent.failures"

verdict() { if [[ $1 -eq 0 ]]; then echo pass; else echo fail; fi; }
promtool_verdict=$(verdict $promtool_rc)
agent_verdict=$(verdict $agent_rc)
intended=pass
[[ $(basename "$file") == fail_* ]] && intended=fail

status=0
if [[ $promtool_verdict != "$intended" ]]; then
  echo "corpus error: promtool says $promtool_verdict, the file name says $intended"
  status=1
fi
if [[ $promtool_verdict != "$agent_verdict" ]]; then
  echo "verdicts differ: promtool $promtool_verdict (exit $promtool_rc), agent $agent_verdict (exit $agent_rc)"
  status=1
fi
if ! diff -u "$out/promtool.failures" "$out/agent.failures" >"$out/diff"; then
  echo "failing tests differ (- promtool, + agent):"
  cat "$out/diff"
  status=1
fi
if [[ $status -ne 0 || -n "${VERBOSE:-}" ]]; then
  echo "--- promtool (exit $promtool_rc):"
  cat "$out/promtool.out" "$out/promtool.err"
  echo "--- agent (exit $agent_rc):"
  cat "$out/agent.out" "$out/agent.err"
else
  echo "agree: $promtool_verdict, $(wc -l <"$out/promtool.failures") failing test(s)"
fi
exit $status
