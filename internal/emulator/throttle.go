package emulator

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Bucket is one token bucket: Capacity tokens, refilled at PerSecond.
type Bucket struct {
	Capacity  float64
	PerSecond float64
}

// Throttle is ARM's request limit for a subscription: one bucket for each kind of request.
type Throttle struct {
	Reads, Writes, Deletes Bucket
}

// ARMThrottle is ARM's limit since 2024 (Microsoft's "Request limits and throttling"): per
// subscription, reads 250 tokens refilled at 25 a second, writes and deletes 200 at 10.
func ARMThrottle() *Throttle {
	return &Throttle{Reads: Bucket{250, 25}, Writes: Bucket{200, 10}, Deletes: Bucket{200, 10}}
}

// ParseThrottle reads --throttle: "arm" for ARMThrottle, or R:W:D where each is a refill rate
// per second (the bucket then holds ten seconds of it) or capacity@rate, e.g. 250@25:200@10:200@10.
func ParseThrottle(s string) (*Throttle, error) {
	if strings.EqualFold(s, "arm") {
		return ARMThrottle(), nil
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("--throttle %q: want arm, or reads:writes:deletes such as 25:10:10 or 250@25:200@10:200@10", s)
	}
	var b [3]Bucket
	for i, p := range parts {
		capacity, rate, hasCap := strings.Cut(p, "@")
		if !hasCap {
			rate = capacity
		}
		r, err := strconv.ParseFloat(rate, 64)
		if err != nil || r <= 0 {
			return nil, fmt.Errorf("--throttle %q: %q is not a positive rate", s, p)
		}
		c := 10 * r
		if hasCap {
			if c, err = strconv.ParseFloat(capacity, 64); err != nil || c < 1 {
				return nil, fmt.Errorf("--throttle %q: %q is not a capacity of at least 1", s, p)
			}
		}
		b[i] = Bucket{Capacity: c, PerSecond: r}
	}
	return &Throttle{Reads: b[0], Writes: b[1], Deletes: b[2]}, nil
}

// limiter keeps the buckets of every subscription.
type limiter struct {
	cfg     Throttle
	mu      sync.Mutex
	buckets map[string]*bucketState // subscription + kind
}

type bucketState struct {
	tokens float64
	at     time.Time
}

// requestKind is the bucket a request draws from, and the name ARM gives it in headers.
func requestKind(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead:
		return "reads"
	case http.MethodDelete:
		return "deletes"
	}
	return "writes"
}

// take draws a token for a request of a kind at now. It returns the tokens left, and when
// none was left, how long until one is.
func (l *limiter) take(sub, kind string, now time.Time) (remaining int, wait time.Duration) {
	cfg := l.cfg.Reads
	switch kind {
	case "writes":
		cfg = l.cfg.Writes
	case "deletes":
		cfg = l.cfg.Deletes
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key := strings.ToLower(sub) + "|" + kind
	b := l.buckets[key]
	if b == nil {
		b = &bucketState{tokens: cfg.Capacity, at: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.at).Seconds(); elapsed > 0 {
		b.tokens = math.Min(cfg.Capacity, b.tokens+elapsed*cfg.PerSecond)
		b.at = now
	}
	if b.tokens < 1 {
		return 0, time.Duration((1 - b.tokens) / cfg.PerSecond * float64(time.Second))
	}
	b.tokens--
	return int(b.tokens), 0
}

// throttle applies the limits to a request, writing the remaining-tokens header ARM writes,
// and refuses it with 429 when its bucket is empty.
func (e *Emulator) throttle(r *request) error {
	if e.limiter == nil {
		return nil
	}
	sub := subscriptionOfPath(r.URL.Path)
	if sub == "" {
		sub = e.opts.Subscriptions[0]
	}
	kind := requestKind(r.Method)
	remaining, wait := e.limiter.take(sub, kind, r.now)
	r.w.Header().Set("x-ms-ratelimit-remaining-subscription-"+kind, strconv.Itoa(remaining))
	if wait > 0 {
		retryAfter(r.w, wait)
		return newError(http.StatusTooManyRequests, "SubscriptionRequestsThrottled",
			"Number of '%s' requests for subscription '%s' exceeded. Please try again after '%d' seconds after additional tokens are available.",
			strings.TrimSuffix(kind, "s"), sub, int(math.Ceil(wait.Seconds())))
	}
	return nil
}

// subscriptionOfPath is the subscription a request path is in, "" for none.
func subscriptionOfPath(path string) string {
	segs := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 3)
	if len(segs) >= 2 && strings.EqualFold(segs[0], "subscriptions") {
		return segs[1]
	}
	return ""
}
