package app

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestNormalizePhoneMobileAsTheLibrary: a Russian mobile number in E.164 is taken
// as it is, and that is what the library makes of it, across every mobile code.
func TestNormalizePhoneMobileAsTheLibrary(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	nums := []string{"+79000000000", "+79999999999", "+79123456789", " +79091234567 "}
	for i := 0; i < 2000; i++ {
		nums = append(nums, fmt.Sprintf("+79%09d", rng.Intn(1e9)))
	}
	for _, s := range nums {
		got, err := NormalizePhone(s)
		n, perr := phonenumbers.Parse(strings.TrimSpace(s), "RU")
		if perr != nil || !phonenumbers.IsPossibleNumber(n) {
			t.Fatalf("%s: the library does not take it (%v)", s, perr)
		}
		if want := phonenumbers.Format(n, phonenumbers.E164); err != nil || got != want {
			t.Fatalf("%q: %q, %v; the library writes %q", s, got, err, want)
		}
	}
	// Not the quick way: other forms still go through the library.
	for in, want := range map[string]string{"8 912 345-67-89": "+79123456789", "+7 912 345 67 89": "+79123456789", "+78214420000": "+78214420000"} {
		if got, err := NormalizePhone(in); err != nil || got != want {
			t.Errorf("%q: %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := NormalizePhone("+7912345678x"); err == nil {
		t.Error("+7912345678x taken for a number")
	}
}

// TestFormatPhoneMobileAsTheLibrary: the quick way for a Russian mobile number
// writes what the phone library writes, for numbers across every mobile code;
// other numbers still go through the library.
func TestFormatPhoneMobileAsTheLibrary(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	nums := []string{"+79000000000", "+79999999999", "+79123456789", "+79091234567"}
	for i := 0; i < 2000; i++ {
		nums = append(nums, fmt.Sprintf("+79%09d", rng.Intn(1e9)))
	}
	for _, n := range nums {
		if got, want := FormatPhone(n), formatPhone(n); got != want {
			t.Fatalf("%s: %q, the library writes %q", n, got, want)
		}
	}
	for n, want := range map[string]string{
		"+79123456789":  "8 (912) 345-67-89",
		"+78214420000":  formatPhone("+78214420000"), // a landline: the library's own grouping
		"+375291234567": formatPhone("+375291234567"),
		"+7912345678x":  formatPhone("+7912345678x"), // not a number: not the quick way
	} {
		if got := FormatPhone(n); got != want {
			t.Errorf("%s: %q, want %q", n, got, want)
		}
	}
	if got := FormatPhone("+78214420000"); got == "+78214420000" || got[:2] != "8 " {
		t.Errorf("a landline in Усинск: %q", got)
	}
}
