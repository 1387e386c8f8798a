//go:build !race

package provider

// raceDetector: the tests run without the race detector.
const raceDetector = false
