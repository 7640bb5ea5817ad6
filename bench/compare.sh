#!/usr/bin/env bash
# Compares the adapters' benchmarks at a git revision (before) with the
# working tree (after), in interleaved rounds, with benchstat: how the
# optimisations of BENCHMARKS.md were measured.
#
#   bench/compare.sh 2febc24          before = that commit
#   ROUNDS=6 ONLY='AWS|FC' bench/compare.sh HEAD
#
# The revision is exported with git archive into a temporary directory,
# and this directory's adapter benchmarks are run against it.
set -euo pipefail
cd "$(dirname "$0")"

REV=${1:?usage: bench/compare.sh <git revision>}
ROUNDS=${ROUNDS:-8}
ONLY=${ONLY:-AWS|FC|SCF|Web|WebServer|Router}
BENCHSTAT=${BENCHSTAT:-go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da}
FILES="go.mod go.sum doc.go fixtures_test.go handlers_test.go aws_test.go fc_scf_test.go web_test.go router_test.go layers_test.go deadline_test.go"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; rm -f after.test' EXIT
git -C .. archive "$REV" | tar -x -C "$tmp"
mkdir -p "$tmp/bench"
cp $FILES "$tmp/bench/"
(cd "$tmp/bench" && go mod tidy >/dev/null && go test -c -o before.test .)
go test -c -o after.test .

: >before.txt
: >after.txt
for round in $(seq "$ROUNDS"); do
	echo "round $round of $ROUNDS" >&2
	(cd "$tmp/bench" && ./before.test -test.run '^$' -test.bench "^Benchmark($ONLY)\$" -test.benchtime 300ms) >>before.txt
	./after.test -test.run '^$' -test.bench "^Benchmark($ONLY)\$" -test.benchtime 300ms >>after.txt
done
$BENCHSTAT before.txt after.txt
