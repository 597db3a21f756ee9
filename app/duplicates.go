package app

// Duplicates that mean something: a leaking roof, a burst riser, a dark entrance,
// a stopped lift or a power cut is one incident in the whole building, so every
// call about it in the same category is likely the same case; a dripping tap, a
// running cistern or a dead stove is one flat's, so only a call from that flat is.

// inFlat are the work types whose fault lies inside one flat.
var inFlat = map[string]bool{
	"CW-05":    true, // a dripping tap
	"CW-06":    true, // a running cistern
	"EL-07":    true, // one ring of an electric stove
	"EL-08":    true, // an electric stove dead
	"STOVE-01": true, // a flat's own stove
	"FLOOR-01": true, // a bathroom floor leaking to the flat below
	"WALL-03":  true, // plaster falling off one ceiling
	"SRV-02":   true, // a written request of one owner
}

// InFlat reports whether a work type's fault lies inside one flat, so that only a
// ticket of the same flat is a possible duplicate.
func InFlat(code string) bool { return inFlat[code] }

// DuplicateReason says why the tickets offered as duplicates of t match, in the
// operator's words.
func DuplicateReason(t *Ticket) string {
	if InFlat(t.WorkType.Code) {
		return "та же квартира и категория «" + t.WorkType.Category + "»: неисправность внутри квартиры, открытые заявки за неделю"
	}
	return "тот же дом и категория «" + t.WorkType.Category + "»: общее имущество дома, один случай — много звонков; открытые заявки за неделю"
}
