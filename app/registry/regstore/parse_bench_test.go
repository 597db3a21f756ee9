package regstore

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/kit"
	jsonv2 "github.com/go-json-experiment/json"
)

// BenchmarkParseBatch measures the decoding of a full sound batch (app.MaxBatch
// records), as ParseBatch does it (jsonv2, one pass) and as the kit's strict
// standard decoder would: the measurement go-json-experiment has to win to stay.
func BenchmarkParseBatch(b *testing.B) {
	at := "2026-11-30T10:00:00Z"
	org := &app.OrganizationRf{ID: 7, Name: "УК «Жилсервис»"}
	recs := make([]app.TicketRecord, app.MaxBatch)
	for i := range recs {
		recs[i] = app.TicketRecord{Number: fmt.Sprintf("TST-%06d", i+1), Status: app.StatusAccepted, Source: app.SourcePhone,
			WorkType:     app.WorkTypeRef{Code: "WAT-02", Name: "Течь из-под раковины", Category: "Водоснабжение"},
			Building:     app.BuildingRef{ID: int64(i % 300), Address: "ул. Ленина, д. 5"},
			Organization: org, CreatedAt: at, AcceptDueAt: &at, DueAt: &at, AcceptedAt: &at, Version: int64(i + 1), UpdatedAt: at}
	}
	body, err := json.Marshal(app.Batch{Municipality: "TST", BatchID: "b1", Records: recs})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("jsonv2", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var v app.Batch
			if err := jsonv2.Unmarshal(body, &v, jsonv2.RejectUnknownMembers(true)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("kit.Strict", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			var v app.Batch
			if err := kit.Strict(body, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
