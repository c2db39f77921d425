// Package work holds the deliberately expensive code paths of the test services,
// so their profiles have known hot spots: SlowPrimeCount burns CPU,
// BuildAllocReport allocates heavily. Tests look for these function names.
package work

import (
	"fmt"
	"strings"
	"sync"
)

// SlowPrimeCount counts primes below n by trial division: deliberately slow.
func SlowPrimeCount(n int) int {
	count := 0
	for i := 2; i < n; i++ {
		if isPrime(i) {
			count++
		}
	}
	return count
}

func isPrime(v int) bool {
	for d := 2; d*d <= v; d++ {
		if v%d == 0 {
			return false
		}
	}
	return true
}

// retained keeps the last reports alive so in-use heap profiles are not empty.
var (
	retainedMu sync.Mutex
	retained   [][]string
)

// BuildAllocReport allocates many short strings and slices: an allocation-heavy path.
func BuildAllocReport(rows int) int {
	lines := make([]string, 0, 16)
	for i := 0; i < rows; i++ {
		cells := make([]string, 0, 8)
		for j := 0; j < 8; j++ {
			cells = append(cells, fmt.Sprintf("r%d-c%d", i, j))
		}
		lines = append(lines, strings.Join(cells, ","))
	}
	retainedMu.Lock()
	retained = append(retained, lines)
	if len(retained) > 64 {
		retained = retained[1:]
	}
	retainedMu.Unlock()
	return len(lines)
}
