//go:build !race

package sqlkit_test

const raceDetector = false
