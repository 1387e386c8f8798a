package client

import "context"

// Logger receives the client's log lines. The provider backs it with tflog,
// one subsystem per vendor; fields never hold secrets (the client redacts
// them first).
type Logger interface {
	Trace(ctx context.Context, msg string, fields map[string]any)
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

type nopLogger struct{}

func (nopLogger) Trace(context.Context, string, map[string]any) {}
func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}
