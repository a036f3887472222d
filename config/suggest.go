package config

import "strings"

// suggest returns the known key closest to name (canonical), or "" when
// none is close enough to be the one meant. A key that ends with name, as
// "worker.memory.target" ends with "memory.target", counts as closest.
func suggest(name string) string {
	if name == "" {
		return ""
	}
	for _, k := range names {
		if strings.HasSuffix(k, "."+name) {
			return k
		}
	}
	best, bestDist := "", max(2, len(name)/3)+1
	for _, k := range names {
		if d := editDistance(name, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b: the fewest
// single-byte insertions, deletions and substitutions that turn a into b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
