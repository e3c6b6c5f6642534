package armclient

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// Limits are the refill rates, per second, of ARM's per-subscription token buckets.
type Limits struct {
	Reads, Writes, Deletes float64
}

// ARMLimits are ARM's refill rates since 2024 (Microsoft's "Request limits and throttling"):
// reads 25 a second, writes and deletes 10.
func ARMLimits() Limits { return Limits{Reads: 25, Writes: 10, Deletes: 10} }

// pacer is a pipeline policy that keeps a run under ARM's rate limits instead of provoking
// 429s. ARM tells, on every answer, how many tokens the subscription has left for that kind
// of request (x-ms-ratelimit-remaining-subscription-reads/writes/deletes). The pacer keeps an
// estimate of each bucket from those headers, refills it at ARM's rate, spends a token for
// every request it lets through, and makes a request wait when the estimate is empty. Until
// ARM has said anything, requests go through unpaced.
type pacer struct {
	limits Limits
	mu     sync.Mutex
	// buckets is guarded by mu; a bucket is created at ARM's first answer of its kind.
	buckets map[string]*estimate
	waits   int64 // requests that waited, guarded by mu
	// inFlight holds the sequence numbers of the requests sent and not answered, by kind:
	// ARM's count of tokens left in an answer does not know of the requests sent after it.
	inFlight map[string]map[uint64]bool
	seq      uint64
}

type estimate struct {
	tokens float64 // may go below zero: tokens promised to requests waiting for them
	at     time.Time
	// capacity is the bucket's size as far as ARM has shown it: one more than the most
	// tokens it ever reported left. Refills never go above it.
	capacity float64
}

// refill adds the tokens ARM has added since the estimate was made.
func (b *estimate) refill(now time.Time, rate float64) {
	b.tokens = math.Min(b.capacity, b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
}

func newPacer(l Limits) *pacer {
	return &pacer{limits: l, buckets: map[string]*estimate{}, inFlight: map[string]map[uint64]bool{}}
}

// sent records a request of a kind leaving now and returns its sequence number.
func (p *pacer) sent(kind string) uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	if p.inFlight[kind] == nil {
		p.inFlight[kind] = map[uint64]bool{}
	}
	p.inFlight[kind][p.seq] = true
	return p.seq
}

// answered forgets a request once answered (or failed) and returns how many of its kind,
// sent after it, are still in flight.
func (p *pacer) answered(kind string, seq uint64) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.inFlight[kind], seq)
	later := 0
	for s := range p.inFlight[kind] {
		if s > seq {
			later++
		}
	}
	return later
}

func kindOf(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead:
		return "reads"
	case http.MethodDelete:
		return "deletes"
	}
	return "writes"
}

func (p *pacer) rate(kind string) float64 {
	switch kind {
	case "writes":
		return p.limits.Writes
	case "deletes":
		return p.limits.Deletes
	}
	return p.limits.Reads
}

// reserve spends a token of a kind and returns how long to wait for it.
func (p *pacer) reserve(kind string, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.buckets[kind]
	rate := p.rate(kind)
	if b == nil || rate <= 0 {
		return 0
	}
	b.refill(now, rate)
	b.tokens--
	// One token of headroom: ARM's bucket and this estimate refill on different clocks, and
	// a request that arrives a hair early at an empty bucket is refused.
	if b.tokens >= headroom {
		return 0
	}
	p.waits++
	return time.Duration((headroom - b.tokens) / rate * float64(time.Second))
}

// headroom is how many tokens the pacer leaves in each bucket.
const headroom = 1.0

// observe takes ARM's count of tokens left, less the requests sent after the one it answers
// (ARM had not counted them yet). It lowers the estimate to it (other clients may share the
// subscription) but does not raise it above what requests in flight have spent.
func (p *pacer) observe(kind string, remaining int, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.buckets[kind]
	if b == nil {
		p.buckets[kind] = &estimate{tokens: float64(remaining), at: now, capacity: float64(remaining) + 1}
		return
	}
	b.capacity = math.Max(b.capacity, float64(remaining)+1)
	b.refill(now, p.rate(kind))
	b.tokens = math.Min(b.tokens, float64(remaining))
}

// Do paces one attempt of a request (it is a per-retry policy: retries are paced too).
func (p *pacer) Do(req *policy.Request) (*http.Response, error) {
	kind := kindOf(req.Raw().Method)
	if wait := p.reserve(kind, time.Now()); wait > 0 {
		if err := sleep(req.Raw().Context(), wait); err != nil {
			return nil, err
		}
	}
	seq := p.sent(kind)
	resp, err := req.Next()
	later := p.answered(kind, seq)
	if resp != nil {
		if v := resp.Header.Get("x-ms-ratelimit-remaining-subscription-" + kind); v != "" {
			if n, perr := strconv.Atoi(v); perr == nil {
				p.observe(kind, n-later, time.Now())
			}
		}
	}
	return resp, err
}

// Waits is how many requests the pacer has held back so far.
func (c *Client) Waits() int64 {
	c.pacer.mu.Lock()
	defer c.pacer.mu.Unlock()
	return c.pacer.waits
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
