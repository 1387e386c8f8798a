// Package client is the HTTP core shared by every vendor client of the
// provider: a pooled transport with TLS settings, per-request timeouts,
// retries with backoff that honour Retry-After, a client-side rate limiter,
// request logging with secrets redacted, typed API errors, a cap on response
// sizes, and a memo that lets one provider process ask an API once for the
// same thing.
//
// A vendor client builds one with New(API, Settings): the API is what the
// vendor knows (its name, base URL, rate, secrets, error format), the
// Settings what the user chose (timeout, retries, TLS, user agent, logger).
// A vendor's own configuration errors are *ConfigError, naming the field.
//
// It has no Terraform imports: logging goes through the Logger interface,
// which the provider backs with tflog.
package client
