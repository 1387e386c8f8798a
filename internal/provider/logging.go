package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Log subsystems, one per vendor; TF_LOG_PROVIDER_ENDPOINTGROUPS_OPSWAT and
// …_DRWEB set their levels apart from the provider's.
const (
	subsystemOPSWAT = "opswat"
	subsystemDrWeb  = "drweb"
)

// withLogging adds the vendor subsystems to an operation's context; the clients
// log through them.
func withLogging(ctx context.Context) context.Context {
	ctx = tflog.NewSubsystem(ctx, subsystemOPSWAT, tflog.WithLevelFromEnv("TF_LOG_PROVIDER_ENDPOINTGROUPS_OPSWAT"))
	return tflog.NewSubsystem(ctx, subsystemDrWeb, tflog.WithLevelFromEnv("TF_LOG_PROVIDER_ENDPOINTGROUPS_DRWEB"))
}

// tfLogger backs the client layer's Logger with a tflog subsystem. The
// client redacts secrets before anything reaches it.
type tfLogger struct{ subsystem string }

func (l tfLogger) Trace(ctx context.Context, msg string, fields map[string]any) {
	tflog.SubsystemTrace(ctx, l.subsystem, msg, fields)
}

func (l tfLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.SubsystemDebug(ctx, l.subsystem, msg, fields)
}

func (l tfLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.SubsystemWarn(ctx, l.subsystem, msg, fields)
}
