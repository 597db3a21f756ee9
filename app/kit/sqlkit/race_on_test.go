//go:build race

package sqlkit_test

// raceDetector: the tests run under the race detector, many times slower; bounds
// that depend on timing are not checked.
const raceDetector = true
