package textproc

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

func words(n int) []string {
	r := rand.New(rand.NewSource(1))
	w := make([]string, n)
	for i := range w {
		w[i] = fmt.Sprintf("Word%d", r.Intn(100000))
	}
	return w
}

func BenchmarkTokenize(b *testing.B) {
	s := strings.Join(words(2000), " ")
	b.SetBytes(int64(len(s)))
	for i := 0; i < b.N; i++ {
		Tokenize(s)
	}
}

func BenchmarkSortWords(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			src := words(n)
			w := make([]string, n)
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				copy(w, src)
				b.StartTimer()
				SortWords(w)
			}
		})
	}
}

func BenchmarkDigest(b *testing.B) {
	buf := make([]byte, 64<<10)
	b.SetBytes(int64(len(buf)))
	for i := 0; i < b.N; i++ {
		Digest(buf)
	}
}

func BenchmarkDecode(b *testing.B) {
	recs := make([]Record, 200)
	for i := range recs {
		recs[i] = Record{i, fmt.Sprint("name", i), []string{"a", "b"}, float64(i) / 3}
	}
	data, _ := json.Marshal(recs)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Decode(data)
	}
}

func BenchmarkJoin(b *testing.B) {
	w := words(1000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Join(w)
	}
}
