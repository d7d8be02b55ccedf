#!/bin/sh
# A command agent that plays a review service which is down: it reads the versioned context on stdin
# (docs/agents.md) and answers an error of kind "unavailable". The runner demo uses it to show a
# circuit breaker opening after repeated failures.
set -eu
context=$(cat)
node=$(printf '%s' "$context" | sed -n 's/.*"node":"\([^"]*\)".*/\1/p')
echo "reviewer for ${node:-?}: the review service is not answering" >&2
printf '{"version": 1, "status": "error", "errorKind": "unavailable", "summary": "review service unavailable"}\n'
