#!/usr/bin/env bash
# Reproduces BENCHMARKS.md: runs bench/'s benchmarks in interleaved rounds
# (every contender of a comparison runs in each round, one after another,
# so that a noisy moment of a shared machine falls on all of them), then
# summarises them with benchstat: medians, their 95% confidence interval
# (the ± column), and each contender against the baseline.
#
#   bench/run.sh                 all of it (about 15 minutes on 2 cores)
#   ROUNDS=3 bench/run.sh        fewer rounds
#   ONLY='AWS|FC' bench/run.sh   only the benchmarks matching a regexp
#
# The raw results go to bench/results.txt (OUT= to change), the tables to
# standard output. Needs Go and the Go module proxy (for benchstat and the
# libraries compared with).
set -euo pipefail
cd "$(dirname "$0")"

ROUNDS=${ROUNDS:-20}
OUT=${OUT:-results.txt}
ONLY=${ONLY:-.}
# benchstat, pinned: golang.org/x/perf has no release tags.
BENCHSTAT=${BENCHSTAT:-go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da}

go version
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"

go test -c -o bench.test .
trap 'rm -f bench.test' EXIT

# bench runs the benchmarks matching $1 once each, for $2 (a -benchtime),
# if they match $ONLY too.
bench() {
	local names
	names=$(./bench.test -test.list "^Benchmark($1)\$" | grep -E "$ONLY" | paste -sd'|' || true)
	[ -n "$names" ] || return 0
	./bench.test -test.run '^$' -test.bench "^($names)\$" -test.benchtime "$2" -test.count 1 >>"$OUT"
}

: >"$OUT"
bench 'BinarySize' 1x
for round in $(seq "$ROUNDS"); do
	echo "round $round of $ROUNDS" >&2
	bench 'AWS|FC|SCF|Web|WebConn|WebServer|WebPaired|Router|Layers|LayersPaired|Deadline' 200ms
	bench 'LayerInit' 200ms
	bench 'ColdStart' 20x
	bench 'WarmInvoke' 2000x
	bench 'DevServer' 10000x
	bench 'DevRebuild' 2x
done

# A table whose filter matches nothing (with ONLY) is left out.
stat() { $BENCHSTAT "$@" "$OUT" | { grep -vE '^(goos|goarch|pkg|cpu):' || true; }; echo; }
echo
echo "## Target 1: adapters/aws against aws-lambda-go's typed handler and the libraries"
stat -filter '.name:AWS' -col '/impl@(typed anyfaas algnhsa apiproxy lambdaurl)' -row /req
echo "## Target 2: FC 3.0 HTTP trigger, SCF API Gateway, plain HTTP"
stat -filter '.name:FC' -col '/impl@(typed anyfaas)' -row /req
stat -filter '.name:SCF' -col '/impl@(typed anyfaas)' -row /req
stat -filter '.name:Web' -col '/impl@(nethttp anyfaas)' -row /req
stat -filter '.name:WebConn' -col '/impl@(nethttp anyfaas)' -row /req
stat -filter '.name:WebServer' -col '/impl@(nethttp anyfaas)' -row /req
# The two contenders in alternating turns within each benchmark: the
# ratio (anyfaas/nethttp) is the comparison, each one's ns/op beside it.
stat -filter '.name:WebPaired' -row '/req /path'
echo "## Target 3: router"
stat -filter '.name:Router' -col '/functions@(1 100 1000)'
echo "## Target 4: cold start and binary sizes"
stat -filter '.name:ColdStart' -col '/bin@(plain anyfaas)'
stat -filter '.name:WarmInvoke' -col '/bin@(plain anyfaas anyfaas-logging)'
stat -filter '.name:BinarySize' -col '/bin@(plain-hello anyfaas-hello anyfaas-1fn anyfaas-20fn)'
echo "## Target 5: layers"
stat -filter '.name:Layers' -col '/layer@(none logging logging-file)'
stat -filter '.name:Layers' -row /layer -col .name
# No layer and the logging layer in alternating turns: the ratio
# (logging/none) is what the layer adds.
stat -filter '.name:LayersPaired' -row /layer
stat -filter '.name:LayerInit' -row /layer -col .name
stat -filter '.name:Deadline' -col '/impl@(App.Invoke deadline.Invoke)'
echo "## Target 6: anyfaas dev"
stat -filter '.name:DevServer' -col '/server@(bare anyfaas-web anyfaas-dev bare-proxied anyfaas-dev-proxied)'
stat -filter '.name:DevRebuild' -col '/build@(gobuild gobuild-anyfaas-flags anyfaas-dev)'
