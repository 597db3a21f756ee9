package web_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/web"
)

// FuzzDecodeStrict feeds arbitrary bodies to the API's request decoding: it must
// never panic, must refuse with an *app.Error (a 400 or 413 a person can read), and
// whatever it accepts must survive a round trip — encoding the decoded request and
// decoding it again gives the same request.
func FuzzDecodeStrict(f *testing.F) {
	for _, seed := range []string{
		`{"building_id":1,"apartment":"12","work_type":"ROOF-01","description":"Течёт","reporter_name":"Иван","reporter_phone":"8 912 345-67-89"}`,
		`{"building_id":"1"}`,
		`{"building_id":1.5}`,
		`{"building_id":1e400}`,
		`{"description":"\ud800"}`,
		`{"note":"x","organization_id":3,"parent":"USN-000001"}`,
		`{"unknown":1}`,
		`{"building_id":1}{"building_id":2}`,
		`[]`, `null`, `""`, `{`, ``, `   `, "\xff\xfe",
		`{"apartment":null,"work_type":"a\u0000b"}`,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, optional bool) {
		check := func(v any) {
			err := web.DecodeStrict("application/json", body, v, optional)
			if err != nil {
				if c := app.ErrorCode(err); c != app.EINVALID && c != app.ETOOLARGE || app.ErrorMessage(err) == "" {
					t.Fatalf("refused %q with %v (code %s)", body, err, c)
				}
				if m := app.ErrorMessage(err); !utf8.ValidString(m) {
					t.Fatalf("refused %q with a message that is not UTF-8: %q", body, m)
				}
				return
			}
			again, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("accepted %q but cannot encode it: %v", body, err)
			}
			fresh := reflect.New(reflect.TypeOf(v).Elem()).Interface()
			if err := web.DecodeStrict("application/json", again, fresh, false); err != nil {
				t.Fatalf("accepted %q, re-encoded as %s, refused: %v", body, again, err)
			}
			if !reflect.DeepEqual(v, fresh) {
				t.Fatalf("round trip of %q: %+v became %+v", body, v, fresh)
			}
		}
		check(&app.NewTicket{})
		check(&web.ActRequest{})
	})
}
