package registry

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/registry/regstore"
)

// FuzzParseBatch feeds arbitrary bodies to the registry's batch decoding and
// validation: they must never panic; a refusal is invalid or forbidden with a
// message in valid UTF-8; an accepted batch holds only records of the pushing
// municipality, numbered with its code, with versions of at least 1, and
// nothing personal survives a round trip through the record type. The corpus
// in testdata/fuzz/FuzzParseBatch runs as a regression test.
func FuzzParseBatch(f *testing.F) {
	good, _ := json.Marshal(batchOf("b", rec(1, 1), rec(2, 5)))
	f.Add(good)
	for _, seed := range []string{
		`{"municipality":"TST","batch_id":"x","records":[]}`,
		`{"municipality":"TST","batch_id":"x","records":[{"number":"TST-000001","apartment":"17"}]}`,
		`{"municipality":"TST","batch_id":"x","records":[{"number":1}]}`,
		`{"municipality":"TST","batch_id":"x","records":[{"municipality":"TST","number":"USN-000001","version":1}]}`,
		`{"municipality":"TST","batch_id":"x","records":null}`,
		`{"municipality":"TST","batch_id":"","records":[]}`,
		`{"municipality":"TST","batch_id":"x","records":[{"version":9223372036854775807}]}`,
		`{"municipality":"TST","batch_id":"x","records":[{"created_at":"9999-12-31T23:59:59Z"}]}`,
		`{"municipality":"TST","batch_id":"x","records":[]} trailing`,
		`{"municipality":"\xff","batch_id":"\xfe","records":[]}`,
		`[]`, `null`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := regstore.ParseBatch(body)
		if err == nil {
			rows, verr := regstore.Validate("TST", b, now)
			err = verr
			if err == nil {
				if len(rows) != len(b.Records) {
					t.Fatalf("%d rows for %d records", len(rows), len(b.Records))
				}
				for _, r := range b.Records {
					if r.Municipality != "TST" || len(r.Number) < 4 || r.Number[:4] != "TST-" || r.Version < 1 {
						t.Fatalf("accepted %+v", r)
					}
					out, _ := json.Marshal(r)
					var m map[string]any
					json.Unmarshal(out, &m)
					for _, k := range []string{"apartment", "description", "reporter", "comments"} {
						if _, ok := m[k]; ok {
							t.Fatalf("record carries %s: %s", k, out)
						}
					}
				}
				return
			}
		}
		if c := app.ErrorCode(err); c != app.EINVALID && c != app.EFORBIDDEN || !utf8.ValidString(app.ErrorMessage(err)) {
			t.Fatalf("refused %q with %v (%s)", body, err, c)
		}
	})
}
