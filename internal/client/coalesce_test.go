package client

import (
	"sync"
	"testing"
	"time"
)

// coalescer returns a Coalescer whose Go reports each group on went.
func coalescer(window, maxWait time.Duration) (*Coalescer, *sync.Mutex, chan int) {
	var mu sync.Mutex
	went := make(chan int, 10)
	n := 0
	c := &Coalescer{L: &mu, Window: window, MaxWait: maxWait}
	c.Go = func() { n++; went <- n }
	return c, &mu, went
}

func arrive(mu *sync.Mutex, c *Coalescer) {
	mu.Lock()
	defer mu.Unlock()
	c.Arrive()
}

// Arrivals within a window go together; the next arrival opens a new group.
func TestCoalescerGroupsArrivals(t *testing.T) {
	t.Parallel()
	c, mu, went := coalescer(100*time.Millisecond, time.Hour)
	for range 5 {
		arrive(mu, c)
	}
	if n := <-went; n != 1 {
		t.Fatalf("group %d went first", n)
	}
	arrive(mu, c)
	if n := <-went; n != 2 {
		t.Fatalf("group %d went second", n)
	}
	select {
	case n := <-went:
		t.Fatalf("group %d went, but there were two", n)
	case <-time.After(300 * time.Millisecond):
	}
}

// A group goes at MaxWait even when its window is longer.
func TestCoalescerMaxWait(t *testing.T) {
	t.Parallel()
	c, mu, went := coalescer(time.Hour, 50*time.Millisecond)
	arrive(mu, c)
	select {
	case <-went:
	case <-time.After(30 * time.Second):
		t.Fatal("the group never went")
	}
}

// Flush sends the group at once, and its timer then does nothing.
func TestCoalescerFlush(t *testing.T) {
	t.Parallel()
	c, mu, went := coalescer(20*time.Millisecond, time.Hour)
	arrive(mu, c)
	mu.Lock()
	c.Flush()
	c.Flush() // nothing open: nothing sent
	open := c.Open()
	mu.Unlock()
	if n := <-went; n != 1 || open {
		t.Fatalf("group %d, open %v", n, open)
	}
	select {
	case n := <-went:
		t.Fatalf("the stopped timer sent group %d", n)
	case <-time.After(200 * time.Millisecond):
	}
}

// Hold keeps a quiet group waiting for arrivals the caller expects.
func TestCoalescerHold(t *testing.T) {
	t.Parallel()
	c, mu, went := coalescer(5*time.Millisecond, time.Hour)
	asked := 0
	c.Hold = func() bool { asked++; return asked < 3 }
	arrive(mu, c)
	<-went
	mu.Lock()
	defer mu.Unlock()
	if asked != 3 {
		t.Fatalf("Hold asked %d times, want 3", asked)
	}
}
