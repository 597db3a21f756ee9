package app

// Batch is one push to the republic registry (the contract's "Registry export"):
// the municipality's code, an id unique to this push, and up to MaxBatch records.
// A record carries nothing personal (TicketRecord), with Municipality set.
type Batch struct {
	Municipality string         `json:"municipality"`
	BatchID      string         `json:"batch_id"`
	Records      []TicketRecord `json:"records"`
}

// MaxBatch is the most records one push may carry.
const MaxBatch = 1000
