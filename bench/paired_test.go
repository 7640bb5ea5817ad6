package bench

import (
	"testing"
	"time"
)

// BenchmarkWebPaired is BenchmarkWeb ("alone") and BenchmarkWebConn
// ("server") with the two contenders taking turns of about a millisecond
// each (A B, B A, A B, …), within one benchmark, rather than one after
// the other for the whole benchmark time. On a shared machine whose speed drifts over
// seconds, both then run at the same speed, and their ratio, reported as
// the metric "anyfaas/nethttp", is what the comparison reads; each one's
// time per request is reported too ("nethttp-ns/op", "anyfaas-ns/op").
// ns/op is the time of a pair of requests, one of each; allocs/op counts
// both.
func BenchmarkWebPaired(b *testing.B) {
	for _, c := range cases {
		raw := httpRequest(c.post)
		b.Run("req="+c.name+"/path=alone", func(b *testing.B) {
			var turns [2]func(int)
			for i, ct := range webContenders(c.post) {
				serve := serveAlone(ct.h, raw)
				out, err := serve()
				if err != nil {
					b.Fatal(err)
				}
				checkReply(b, out, c.post)
				turns[i] = func(k int) {
					for range k {
						if _, err := serve(); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			paired(b, [2]string{"nethttp", "anyfaas"}, turns)
		})
		b.Run("req="+c.name+"/path=server", func(b *testing.B) {
			var turns [2]func(int)
			for i, ct := range webContenders(c.post) {
				conn := serveMem(b, ct.h, raw, c.post)
				turns[i] = func(k int) {
					if _, err := conn.serve(k); err != nil {
						b.Fatal(err)
					}
				}
			}
			paired(b, [2]string{"nethttp", "anyfaas"}, turns)
		})
	}
}

// turn is how long a contender runs before the other takes its turn: long
// enough that reading the clock costs nothing by comparison, short enough
// that the machine's speed does not change within a pair of turns.
const turn = time.Millisecond

// paired runs b.N requests of each of the two contenders, named by names
// (the baseline first), each turns[i](k) serving k requests, in turns (the
// order swapped every pair, so that neither always follows the other),
// and reports each one's time per request ("<name>-ns/op") and their ratio
// ("<second>/<first>").
func paired(b *testing.B, names [2]string, turns [2]func(k int)) {
	// A turn's size in requests, from the time of a few.
	start := time.Now()
	turns[0](8)
	k := max(1, int(turn/(time.Since(start)/8)))
	turns[1](8) // warmed alike
	b.ReportAllocs()
	b.ResetTimer()
	var spent [2]time.Duration
	for done, pair := 0, 0; done < b.N; pair++ {
		n := min(k, b.N-done)
		for j := range 2 {
			i := (j + pair) % 2
			t := time.Now()
			turns[i](n)
			spent[i] += time.Since(t)
		}
		done += n
	}
	b.StopTimer()
	b.ReportMetric(float64(spent[0].Nanoseconds())/float64(b.N), names[0]+"-ns/op")
	b.ReportMetric(float64(spent[1].Nanoseconds())/float64(b.N), names[1]+"-ns/op")
	b.ReportMetric(float64(spent[1])/float64(spent[0]), names[1]+"/"+names[0])
}
