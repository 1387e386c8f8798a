package client

import (
	"sync"
	"time"
)

// Coalescer decides when a group of arrivals goes together: once none has
// come for Window, and never later than MaxWait after the group's first.
// Terraform starts the reads of a plan some milliseconds apart, so lookups
// that wait a moment for each other can share a request (drweb's info.ds
// batches) or a decision (opswat's search-or-walk plan).
//
// It holds no lock of its own: every method is called with L held, and Go
// and Hold are called with L held, so that what the group holds and when
// it goes change together. A timer that fires after the group went, or
// after a later arrival started a new window, does nothing.
type Coalescer struct {
	L       sync.Locker
	Window  time.Duration
	MaxWait time.Duration
	// Go sends the group.
	Go func()
	// Hold, if set, is asked when a window ends quietly: true waits another
	// window, for arrivals the caller knows are still to come (never past
	// MaxWait).
	Hold func() bool

	open  bool
	first time.Time
	timer *time.Timer
	armed int // the timer that may act; every arm and every Flush moves it on
}

// Arrive counts an arrival in the open group, opening one if none is, and
// starts the group's quiet window again.
func (c *Coalescer) Arrive() {
	if !c.open {
		c.open, c.first = true, time.Now()
	}
	c.arm()
}

// Open reports whether a group is waiting to go.
func (c *Coalescer) Open() bool { return c.open }

// Flush sends the open group now (it is full, or its answer is known).
func (c *Coalescer) Flush() {
	if !c.open {
		return
	}
	c.open = false
	c.armed++
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	c.Go()
}

func (c *Coalescer) arm() {
	if c.timer != nil {
		c.timer.Stop()
	}
	c.armed++
	token := c.armed
	c.timer = time.AfterFunc(max(0, min(c.Window, c.MaxWait-time.Since(c.first))), func() {
		c.L.Lock()
		defer c.L.Unlock()
		if token != c.armed {
			return // stopped too late: the group went, or waits for a newer window
		}
		if c.Hold != nil && time.Since(c.first) < c.MaxWait && c.Hold() {
			c.arm()
			return
		}
		c.Flush()
	})
}
