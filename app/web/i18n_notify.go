package web

// English for the notification screens (#16), kept apart from i18n.go so that
// the areas' dictionaries merge without conflicts.
func init() {
	for k, v := range map[string]string{
		"Уведомления": "Notifications", "Исходящие": "Outbox", "Исходящие сообщения": "Outgoing messages",
		"Тексты сообщений": "Message texts", "Каналы": "Channels", "почта": "e-mail", "настроена": "configured",
		"настроены": "configured", "настроен": "configured", "нет": "none",
		"Флаги командной строки (--smtp, --sms-url, --webhook) важнее этих настроек.": "Command-line flags (--smtp, --sms-url, --webhook) override these settings.",
		"Почтовый сервер": "Mail server", "Адрес отправителя": "Sender address", "SMS-шлюз: адрес": "SMS gateway: URL",
		"SMS-шлюз: тело запроса": "SMS gateway: request body", "пусто — GET; «{…}» — JSON; иначе форма": "empty: GET; «{…}»: JSON; otherwise a form",
		"Секрет подписи webhook": "Webhook signing secret", "задан; пусто — оставить прежний": "set; leave empty to keep it", "не задан": "not set",
		"Адрес центра для ссылок": "Centre's address for links", "Дежурный оператор центра: телефон": "Centre's duty operator: phone",
		"Дежурный оператор центра: e-mail": "Centre's duty operator: e-mail", "Управление ЖКХ: телефон": "Housing department: phone",
		"заявки, которые не удалось направить": "tickets that could not be routed", "Управление ЖКХ: e-mail": "Housing department: e-mail",
		"Дежурные организаций": "Organisations on duty",
		"Сюда приходят новые аварии и истекающие сроки локализации и устранения.": "New emergencies and running-out localisation and resolution clocks go here.",
		"Все": "All", "Ждут отправки": "Waiting", "Отправлены": "Sent", "Не доставлены": "Failed",
		"Последняя ошибка канала": "Channel's last error", "Создано": "Created", "Сообщение": "Message", "Канал": "Channel",
		"Кому": "To", "Состояние": "State", "Ответ канала": "Channel's answer", "ждёт": "waiting", "с": "from",
		"отправлено": "sent", "не доставлено": "failed", "Отправить снова": "Resend", "Сообщений нет.": "No messages.",
		"Поля": "Fields", "Пустой текст — текст по умолчанию.": "An empty text is the default one.",
		"Предпросмотр на заявке №": "Preview on ticket no.", "Предпросмотр": "Preview",
		"Заявка зарегистрирована": "Ticket registered", "Проблема устранена?": "Is the problem fixed?",
		"Заявка снова в работе": "Ticket back in work", "Заявка закрыта": "Ticket closed", "Новая авария": "New emergency",
		"Истекает срок локализации": "Localisation clock running out", "Истекает срок устранения": "Resolution clock running out",
		"Заявка не направлена": "Ticket not routed", "Изменение заявки": "Ticket changed",
		"Уведомлять о ходе заявки": "Notify about the ticket", "только с согласия звонящего (152-ФЗ)": "only with the caller's consent (152-FZ)",
		"не уведомлять": "do not notify", "SMS на этот телефон": "SMS to this phone", "электронная почта": "e-mail",
		"Секрет входящих SMS («СТОП»)": "Inbound SMS secret («STOP»)", "E-mail звонящего": "Caller's e-mail", "канал не настроен": "channel not configured",
	} {
		english[k] = v
	}
}
