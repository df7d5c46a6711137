// profgen: burns CPU in a few known functions under runtime/pprof and
// writes the CPU profile, for perfgate's profile tests
// (tests/e2e/test_profile.sh builds and runs it; its profiles are not
// committed).
//
//	go run . -o a.pb.gz -a 1 -b 1 -rounds 1000 [-label benchmark=X]
//
// The work is a fixed amount of computation (rounds x (a + b) chunks), not
// a duration, so that the profile holds the same CPU time however busy the
// machine is. It is split between hotA and hotB in the ratio a:b (hotA's loop
// calls the inlined helper mixStep, so its samples have an inlined frame;
// hotB's are its own); with -label every sample carries the pprof label
// key=value.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
)

var sink uint64

// mixStep is small enough to be inlined into its callers: the profile
// then has locations with two lines (inlined frames).
func mixStep(h uint64, i int) uint64 {
	h ^= uint64(i)
	h *= 1099511628211
	return h
}

//go:noinline
func hotA(n int) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < n; i++ {
		h = mixStep(h, i)
	}
	return h
}

// hotB does the same work without the inlined helper: its samples are
// its own (flat).
//
//go:noinline
func hotB(n int) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < n; i++ {
		h ^= uint64(i)
		h *= 1099511628211
	}
	return h
}

//go:noinline
func work(a, b, rounds int) {
	const chunk = 100000
	for r := 0; r < rounds; r++ {
		for i := 0; i < a; i++ {
			sink += hotA(chunk)
		}
		for i := 0; i < b; i++ {
			sink += hotB(chunk)
		}
	}
}

func main() {
	out := flag.String("o", "cpu.pb.gz", "output profile")
	a := flag.Int("a", 1, "weight of hotA")
	b := flag.Int("b", 1, "weight of hotB")
	rounds := flag.Int("rounds", 1000, "rounds of work (each a + b chunks)")
	label := flag.String("label", "", "key=value label on every sample")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if kv := strings.SplitN(*label, "=", 2); len(kv) == 2 {
		pprof.Do(context.Background(), pprof.Labels(kv[0], kv[1]), func(context.Context) {
			work(*a, *b, *rounds)
		})
	} else {
		work(*a, *b, *rounds)
	}
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
