package client

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestMemoCallsOncePerKey(t *testing.T) {
	t.Parallel()
	var m Memo[int]
	var calls atomic.Int32
	gate := make(chan struct{})
	fn := func(context.Context) (int, error) { //nolint:unparam // the signature Memo.Do takes
		calls.Add(1)
		<-gate
		return 42, nil
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if v, err := m.Do(context.Background(), "k", fn); v != 42 || err != nil {
				t.Errorf("got %d, %v", v, err)
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	close(gate)
	wg.Wait()
	if v, _ := m.Do(context.Background(), "k", fn); v != 42 || calls.Load() != 1 {
		t.Fatalf("fn ran %d times for one key, want 1", calls.Load())
	}
	if _, _ = m.Do(context.Background(), "other", fn); calls.Load() != 2 {
		t.Fatalf("another key must call again")
	}
}

func TestMemoForgetsFailures(t *testing.T) {
	t.Parallel()
	var m Memo[string]
	boom := errors.New("boom")
	if _, err := m.Do(context.Background(), "k", func(context.Context) (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	v, err := m.Do(context.Background(), "k", func(context.Context) (string, error) { return "ok", nil })
	if v != "ok" || err != nil {
		t.Fatalf("a failure was kept: %q, %v", v, err)
	}
}

func TestMemoCancellation(t *testing.T) {
	t.Parallel()
	var m Memo[int]
	started := make(chan struct{})
	sharedCancelled := make(chan struct{})
	fn := func(ctx context.Context) (int, error) {
		close(started)
		<-ctx.Done()
		close(sharedCancelled)
		return 0, ctx.Err()
	}
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { _, err := m.Do(ctx1, "k", fn); errs <- err }()
	<-started
	go func() { _, err := m.Do(ctx2, "k", fn); errs <- err }()
	time.Sleep(10 * time.Millisecond)

	cancel1()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled caller got %v", err)
	}
	select {
	case <-sharedCancelled:
		t.Fatal("the shared call was cancelled while another caller still waited")
	case <-time.After(20 * time.Millisecond):
	}
	cancel2()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("the second caller got %v", err)
	}
	select {
	case <-sharedCancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the shared call kept running after every caller left")
	}
}
