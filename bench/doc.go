// Package bench measures anyfaas against what a user would otherwise write
// or pick, in the same run on the same machine, with go test -bench and
// benchstat. It is its own module, so that the libraries it compares with
// (algnhsa, aws-lambda-go-api-proxy, …) stay out of anyfaas's go.mod.
//
// Every comparison drives the contenders over the same path, native bytes
// in to native bytes out, with the same work in the handler:
//
//   - GET: read the query parameter "name", answer {"message":"hello, <name>"};
//   - POST: decode a 4 KB JSON order from the body and answer it, encoded
//     again.
//
// See BENCHMARKS.md at the repository's root for the results, the machine
// and the command (bench/run.sh) that reproduces them.
package bench
