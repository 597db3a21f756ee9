package web

// English for the staff screens of issue #18 (API keys, coordinates, the map's
// settings, the public text), kept apart from the main table so that branches
// adding strings do not collide.
func init() {
	for ru, en := range map[string]string{
		"Ключи Open311": "Open311 keys",
		"Серверы фотографий для Open311": "Photo servers for Open311",
		"media_url заявок Open311 загружается только с этих серверов муниципалитета, через запятую; пусто — media_url не принимается":                                                                                                       "an Open311 request's media_url is fetched only from these servers of the municipality, comma separated; empty: media_url is refused",
		"Сторонние приложения (городские порталы, мобильные приложения) подают заявки по стандарту Open311 GeoReport v2 с ключом, который выдаёт администратор. Читать список заявок и видов работ можно без ключа: личных данных там нет.": "Third-party applications (city portals, mobile apps) file requests through Open311 GeoReport v2 with a key the administrator issues. Reading requests and work types needs no key: they hold nothing personal.",
		"Ключ для приложения": "The key for the application",
		"выдан. Он показывается один раз — скопируйте и передайте его разработчикам приложения:": "is issued. It is shown only once: copy it and pass it to the application's developers:",
		"Приложение":             "Application",
		"Лимит, заявок в минуту": "Limit, requests a minute",
		"Выдан":                   "Issued",
		"Подано заявок":           "Requests filed",
		"Состояние":               "State",
		"без ограничения":         "no limit",
		"отозван":                 "revoked",
		"Отозвать":                "Revoke",
		"Ключей ещё не выдавали.": "No keys issued yet.",
		"Новый ключ":              "New key",
		"Название приложения":     "Application name",
		"0 — без ограничения":     "0: no limit",
		"Выдать ключ":             "Issue a key",
		"Широта":                  "Latitude",
		"Долгота":                 "Longitude",
		"Координаты":              "Coordinates",
		"градусы, например 65.9936; для карты и Open311": "degrees, e.g. 65.9936; for the map and Open311",
		"градусы, например 57.5293":                      "degrees, e.g. 57.5293",
		"Сервер подложки карты":                          "Map tile server",
		"https://…/{z}/{x}/{y}.png; пусто — карта без подложки, без обращений в интернет": "https://…/{z}/{x}/{y}.png; empty: the map without tiles, no internet traffic",
		"Подпись подложки карты":             "Map tile credit",
		"например © участники OpenStreetMap": "e.g. © OpenStreetMap contributors",
		"через приложение":                   "through the application",
		"Текст для открытых данных":          "Text for open data",
		"Что видят все (Open311, карта): суть неисправности без имён, квартир и телефонов": "What everyone sees (Open311, the map): the fault, without names, flats or phones",
		"Сохранить текст": "Save the text",
		"Опубликовать":    "Publish",
		"Не опубликован: описание заявки в открытых данных не показывается.": "Not published: open data show no description of this ticket.",
	} {
		english[ru] = en
	}
}
