package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gru-iac/gru"
)

// readingEvery is how often gru says it is still reading what is live.
const readingEvery = 10 * time.Second

// tellReading says on w, every interval until stop is called, that gru is still reading what
// is live and from where: against a slow or silent endpoint, planning is never silent.
func tellReading(w io.Writer, s *gru.Session, every time.Duration) (stop func()) {
	kind, endpoint, _ := s.Where()
	from := map[string]string{"local": "the local cloud", "endpoint": endpoint, "azure": "Azure Resource Manager"}[kind]
	if from == "" {
		from = kind
	}
	start := time.Now()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-tick.C:
				fmt.Fprintf(w, "still reading what is live from %s (%v) ...\n", from, now.Sub(start).Round(time.Second))
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}
