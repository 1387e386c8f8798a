//go:build race

package provider

// raceDetector: the tests run under the race detector, which slows the
// provider several times while its batch windows stay in real time.
const raceDetector = true
