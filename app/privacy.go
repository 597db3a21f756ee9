package app

import "time"

// Retention of personal data (152-ФЗ, ст. 5 ч. 7): a reporter's name, phone,
// flat and words are kept while the request is worked on and for a period
// after it is closed (for repeat complaints, disputes and the municipality's
// reports), then anonymised. What the rating and the reports count — the work
// type, the building, the organisation, the times and the statuses — stays.
const (
	// DefaultRetentionYears is how long after closure personal data is kept
	// unless the administrator sets otherwise.
	DefaultRetentionYears = 3
	// MaxRetentionYears bounds the setting.
	MaxRetentionYears = 10
)

// ActionAnonymize is the audit event of an anonymisation: by the nightly
// retention job (actor "система") or by an administrator on a resident's request.
const ActionAnonymize Action = "anonymize"

// AnonymizedText replaces the description of an anonymised ticket.
const AnonymizedText = "Текст обращения удалён: персональные данные обезличены."

// RetentionCutoff is the closure time before which a ticket's personal data is
// past keeping, as of now.
func RetentionCutoff(now time.Time, years int) time.Time {
	if years < 1 {
		years = DefaultRetentionYears
	}
	return now.AddDate(-years, 0, 0)
}
