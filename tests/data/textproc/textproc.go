package textproc

import (
	"crypto/sha256"
	"encoding/json"
	"os"
	"sort"
	"strings"
)

var slow = os.Getenv("SLOW") != ""

type Record struct {
	ID    int      `json:"id"`
	Name  string   `json:"name"`
	Tags  []string `json:"tags"`
	Score float64  `json:"score"`
}

func Tokenize(s string) []string {
	f := strings.Fields(s)
	if slow {
		// the "new" version lower-cases every token first
		for i := range f {
			f[i] = strings.ToLower(f[i])
		}
	}
	return f
}

func SortWords(w []string) { sort.Strings(w) }

func Digest(b []byte) [32]byte { return sha256.Sum256(b) }

func Decode(b []byte) ([]Record, error) {
	var r []Record
	err := json.Unmarshal(b, &r)
	return r, err
}

func Join(parts []string) string {
	var sb strings.Builder
	for _, p := range parts {
		sb.WriteString(p)
		sb.WriteByte(',')
	}
	return sb.String()
}
