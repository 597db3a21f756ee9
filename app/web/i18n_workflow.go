package web

// English for the screens of the centre's own work (routing figures, callbacks,
// queue order and filters); merged into the one dictionary at start-up.
func init() {
	for ru, en := range map[string]string{
		"Направление заявок центром":    "Routing by the centre",
		"Норма центра (муниципальная):": "The centre's own norm (municipal):",
		"мин": "min",
		"Сегодня направлено в норму:": "Routed within the norm today:",
		"из":           "of",
		"в среднем за": "on average in",
		"Ждут направления сейчас:":                         "Waiting to be routed now:",
		"дольше нормы:":                                    "beyond the norm:",
		"очередь «Новые» →":                                "the «New» queue →",
		"Срок направления центром, мин":                    "Centre's routing norm, min",
		"Попыток дозвониться":                              "Callback attempts",
		"муниципальная норма центра":                       "the centre's municipal norm",
		"до «Не удалось связаться», не менее чем за 2 дня": "before «Could not reach», over at least 2 days",
		"Не удалось связаться":                             "Could not reach",
		"Выполнена":                                        "Done at",
		"Последняя попытка":                                "Last attempt",
		"последняя":                                        "last",
		"перезвонить в":                                    "call back at",
		"Перезвонить в":                                    "Call back at",
		"звонит":                                           "being called by",
		"Звоните вы, до":                                   "You are calling, until",
		"Звоню":                                            "I am calling",
		"Продолжить звонок":                                "Continue the call",
		"необязательно":                                    "optional",
		"Порядок":                                          "Order",
		"по срокам (аварии первыми)":                       "by deadline (emergencies first)",
		"по регистрации":                                   "by registration",
		"все":                                              "all",
		"Категория":                                        "Category",
		"аварийные":                                        "emergencies",
		"просроченные":                                     "overdue",
		"Показать":                                         "Show",
		"Показано заявок:":                                 "Tickets shown:",
	} {
		english[ru] = en
	}
}
