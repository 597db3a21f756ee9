package web

// English for the weekly meeting's screens (issue #13): the report's new
// sections, decisions and the minutes' links.
var englishMeeting = map[string]string{
	"Протокол совещания":                                        "Meeting minutes",
	"Время до направления в организацию, медиана":               "Time to route to an organisation, median",
	"Направлено в пределах нормы центра (30 мин)":               "Routed within the centre's norm (30 min)",
	"Ждут направления сейчас (из зарегистрированных за неделю)": "Waiting to be routed now (of those registered in the week)",
	"Ждут звонка для подтверждения сейчас":                      "Awaiting the confirmation call now",
	"Попыток дозвона на одно подтверждение":                     "Call attempts per confirmation",
	"Не удалось связаться с жителем":                            "Resident never reached",
	"Рядом с каждой цифрой — изменение к прошлой неделе (▲ больше, ▼ меньше; зелёным — к лучшему, красным — к худшему).": "Next to each figure: the change since the previous week (▲ more, ▼ less; green for better, red for worse).",
	"Аварии: локализация": "Emergencies: localisation",
	"Аварийные заявки, срок локализации которых пришёлся на эту неделю.": "Emergencies whose localisation deadline fell in this week.",
	"Срок на неделе":              "Due this week",
	"Локализовано в срок":         "Localised on time",
	"С опозданием":                "Late",
	"Ещё не локализовано":         "Not localised yet",
	"К прошлой неделе":            "Against last week",
	"Срок локализации":            "Localisation deadline",
	"Локализована":                "Localised",
	"Минут":                       "Minutes",
	"ещё нет":                     "not yet",
	"Работа центра":               "The centre's work",
	"Показатель":                  "Figure",
	"Пояснение":                   "Explanation",
	"показать все":                "show all",
	"Поручения прошлых совещаний": "Decisions of earlier meetings",
	"Все невыполненные и выполненные с начала прошлой недели.": "All not done, and those done since the start of last week.",
	"Поручения этого совещания":                                "This meeting's decisions",
	"Поручение записано.":                                      "Decision recorded.",
	"Поручение":                                                "Decision",
	"Ответственная организация":                                "Responsible organisation",
	"Дом (необязательно)":                                      "Building (optional)",
	"Заявки (номера через запятую, необязательно)":             "Tickets (numbers, comma-separated, optional)",
	"Записать поручение":                                       "Record the decision",
	"Совещание":                                                "Meeting",
	"Дата совещания":                                           "Meeting date",
	"Участники":                                                "Attendees",
	"Ответственный":                                            "Responsible",
	"Дом, заявки":                                              "Building, tickets",
	"Состояние":                                                "State",
	"Отметка организации":                                      "Organisation's note",
	"Работа центра за 7 дней":                                  "The centre's work, 7 days",
	"Последние 7 дней против 7 дней до них.":                   "The last 7 days against the 7 before.",
	"7 дней":                 "7 days",
	"Поручения совещаний":    "Meeting decisions",
	"Поручения":              "Decisions",
	"К исполнению":           "To do",
	"Отметить выполненным":   "Mark done",
	"Что сделано":            "What was done",
	"Выполнено":              "Done",
	"Выполненные":            "Done",
	"Отметка сохранена.":     "Note saved.",
	"в работе":               "open",
	"просрочено":             "overdue",
	"выполнено":              "done",
	"выполнено с опозданием": "done late",
	"Поручения еженедельного совещания Управления ЖКХ. Когда поручение выполнено, отметьте это и напишите, что сделано: отметка попадёт в отчёт следующего совещания.": "Decisions of the housing department's weekly meeting. When one is done, mark it and say what was done: the note goes into the next meeting's report.",
}

func init() {
	for k, v := range englishMeeting {
		if _, ok := english[k]; !ok {
			english[k] = v
		}
	}
}
