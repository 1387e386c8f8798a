// Command endpointgroups-emulator serves the emulated OPSWAT and Dr.Web APIs
// on a loopback port, for the demo and for trying the provider by hand.
//
//	endpointgroups-emulator [-listen 127.0.0.1:0] [-addr-file FILE] [-seed FILE] [-latency 0s]
//	                        [-drweb-line LINE] [-drweb-xml-only] [-opswat-rate-limit N] [-opswat-rate-reset window|place|fixed]
//
// It prints the base URL it serves, writes it to -addr-file when given, and
// runs until interrupted.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/endpointgroups/terraform-provider-endpointgroups/internal/emulator"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "endpointgroups-emulator:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:0", "loopback address to listen on")
	addrFile := flag.String("addr-file", "", "write the base URL to this file once listening")
	seedFile := flag.String("seed", "", "seed data (JSON, the format of internal/emulator/seed.json); default: the built-in demo data")
	latency := flag.Duration("latency", 0, "delay every answer by this much")
	xmlOnly := flag.Bool("drweb-xml-only", false, "answer Dr.Web requests in XML whatever format is asked for")
	line := flag.String("drweb-line", "", "answer like this Dr.Web server line: avdesk-4.1.3 (XML only), ess-12 (ESS 12.0.11/13.0.0, "+
		"an unquoted version in the JSON head), ess-13.0.1 (system groups listed at the top level); default: AV-Desk 4.1.3 answers in either format")
	rateLimit := flag.Int("opswat-rate-limit", 0, "answer 429 to OPSWAT requests past this many a minute (the API allows 10); 0: no limit")
	rateReset := flag.String("opswat-rate-reset", "window", "how X-RateLimit-Reset-Time reads: window (until the sliding window is free), "+
		"place (until one place of the sliding window frees), fixed (fixed minutes: until the minute ends)")
	flag.Parse()

	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return fmt.Errorf("-listen %q: %w", *listen, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-listen %q: the emulator serves on loopback addresses only", *listen)
	}
	seed := emulator.DefaultSeed()
	if *seedFile != "" {
		data, err := os.ReadFile(*seedFile)
		if err != nil {
			return err
		}
		if seed, err = emulator.ParseSeed(data); err != nil {
			return fmt.Errorf("%s: %w", *seedFile, err)
		}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := emulator.NewUnstarted(seed)
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	srv.SetLatency(*latency)
	if err := srv.SetDrWebServerLine(emulator.DrWebServerLine(*line)); err != nil {
		return fmt.Errorf("-drweb-line: %w", err)
	}
	if *xmlOnly {
		srv.SetDrWebXMLOnly(true)
	}
	if *rateLimit > 0 {
		srv.SetRateLimit(*rateLimit, time.Minute)
	}
	if reading, err := emulator.ParseRateLimitReset(*rateReset); err != nil {
		return fmt.Errorf("-opswat-rate-reset: %w", err)
	} else {
		srv.SetRateLimitReset(reading)
	}

	fmt.Println(srv.URL)
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile, []byte(srv.URL+"\n"), 0o600); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	// Give answers in flight a moment before the listener goes.
	time.Sleep(50 * time.Millisecond)
	fmt.Fprint(os.Stderr, srv.Summary())
	return nil
}
