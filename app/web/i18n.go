package web

import "github.com/gofiber/fiber/v2"

// The UI is written in Russian, and Russian text is the message key: a view says
// {{$.L.T "Новые"}} and a user whose locale is "en" reads "New". A missing English
// entry falls back to the Russian original, so a screen never shows a bare key.
// A small embedded map was chosen over go-i18n: the staff UI has two locales and no
// plural forms worth a library, and keying by the Russian text keeps the views
// readable to the people who check them.

// Locales are the languages a user may choose, the first one the default.
var Locales = []string{"ru", "en"}

// Lang translates the UI's Russian messages into one locale.
type Lang struct {
	Code string
	m    map[string]string
}

// T returns ru in the user's language.
func (l Lang) T(ru string) string {
	if v, ok := l.m[ru]; ok {
		return v
	}
	return ru
}

// lang is the language of the signed-in user (Russian for everybody else).
func lang(c *fiber.Ctx) Lang {
	if u := currentUser(c); u != nil && u.Locale == "en" {
		return Lang{Code: "en", m: english}
	}
	return Lang{Code: "ru"}
}

var english = map[string]string{
	// navigation
	"Заявки": "Tickets", "Новая заявка": "New ticket", "Обзвон": "Callbacks", "Сводка": "Overview",
	"Поиск": "Search", "Администрирование": "Administration", "Выйти": "Sign out", "Вход": "Sign in",
	"Язык": "Language", "Пользователи": "Users", "Организации": "Organisations", "Дома": "Buildings",
	"Виды работ": "Work types", "Настройки": "Settings", "Импорт": "Import",
	// queues
	"Рабочее место": "Workspace", "Новые": "New", "Ждут принятия": "Awaiting acceptance", "Просрочены": "Overdue",
	"В работе": "In work", "Открыты повторно": "Reopened", "Входящие": "Incoming", "Ждут подтверждения": "Awaiting confirmation",
	"Заявок нет.": "No tickets.", "Дальше →": "Next →", "Обновляется само": "Refreshes by itself",
	"Номер": "Number", "Адрес": "Address", "Вид работ": "Work type", "Статус": "Status", "Организация": "Organisation",
	"Срок": "Deadline", "Телефон": "Phone", "Попыток": "Attempts", "просрочена": "overdue", "не принята": "not accepted",
	"авария": "emergency", "Позвонить": "Call", "Принять": "Accept",
	// statuses and actions
	"Новая": "New", "Направлена в УО": "Sent to the organisation", "Выполнена, ждёт подтверждения": "Done, awaiting confirmation",
	"Закрыта": "Closed", "Открыта повторно": "Reopened", "Отменена": "Cancelled",
	"Зарегистрирована": "Registered", "Направить в УО": "Send to the organisation", "Принять в работу": "Accept",
	"Вернуть в центр (не наша)": "Return to the centre (not ours)", "Выполнено": "Done", "Житель подтвердил": "Resident confirmed",
	"Житель не подтвердил": "Resident did not confirm", "Не дозвонились": "Not reached", "Отменить": "Cancel",
	"Связать с заявкой": "Link to a ticket", "Комментарий": "Comment", "Вместе с основной заявкой": "With the main ticket",
	// ticket page
	"Заявка": "Ticket", "Описание": "Description", "Заявитель": "Reporter", "Основная заявка": "Main ticket",
	"Принять до": "Accept by", "Устранить до": "Fix by", "Открывалась повторно": "Reopened times", "Недозвонов": "Failed calls",
	"Действия": "Actions", "История": "History", "Печать": "Print", "Причина": "Reason", "Слова жителя": "Resident's words",
	"Исполнитель": "Executor", "Номер основной заявки": "Main ticket number", "по адресу дома": "by the building's address",
	// intake
	"Телефон звонящего": "Caller's phone", "Имя": "Name", "Квартира": "Apartment", "Найти дом": "Find the building",
	"Что случилось": "What happened", "Сохранить": "Save", "Заявка зарегистрирована": "Ticket registered",
	"Прочитайте звонящему": "Read to the caller", "Возможные дубли": "Possible duplicates", "Связать": "Link",
	"Прежние заявки звонящего": "Caller's earlier tickets", "Срок устранения": "Deadline",
	// confirmation call
	"Звонок жителю": "Call to the resident", "Подтвердил — закрыть": "Confirmed — close",
	"Не подтвердил — открыть повторно": "Not confirmed — reopen", "Не дозвонился": "Not reached",
	// supervisor
	"Сегодня": "Today", "Новых": "New", "В работе сейчас": "In work now", "Просрочено": "Overdue",
	"Все": "All", "Найти": "Find", "Период с": "From", "по": "to", "Только просроченные": "Overdue only",
	"Скачать XLSX": "Download XLSX", "Скачать CSV": "Download CSV", "Найдено": "Found",
	"Не направлено в организации:": "Not sent to organisations:", "все просроченные →": "all overdue →",
	"Новых сегодня": "New today", "Всего": "Total", "все открытые": "all open", "дом:": "building:",
	// shared fragments of the staff screens
	"кв.": "apt.", "повторно:": "reopened:", "Рейтинг УО": "Organisation rating", "Отчёт": "Report",
	"Аналитика": "Analytics", "Настройки рейтинга": "Rating settings", "Сохранено.": "Saved.",
	"к списку": "back to the list", "Добавить": "Add", "нет": "none", "из": "of",
	// ticket page (remaining)
	"номер": "number", "устранить до": "fix by", "если это тот же случай, свяжите:": "if it is the same case, link them:",
	"Источник": "Source", "портал": "portal", "телефон": "phone", "Версия": "Version",
	"Фотографии": "Photos", "Фото заявителя": "Reporter's photos", "Фото выполненной работы": "Photos of the work done",
	"Фотографии работы (приложить при выполнении)": "Work photos (attach when done)", "виден жителю": "visible to the resident",
	"Экран звонка жителю →": "Call screen →",
	"Разделы": "Sections", "Очереди": "Queues", "в организацию, обслуживающую дом": "to the organisation serving the building",
	// intake (remaining)
	"улица и дом, например «ленина 5»": "street and number, e.g. «ленина 5»", "Найденные дома": "Buildings found",
	"словами жителя: «течёт», «нет горячей воды», «лифт»": "in the resident's words: «течёт», «нет горячей воды», «лифт»",
	"Подходящие виды работ":                               "Matching work types", "Enter в поле или Ctrl+Enter в описании": "Enter in a field or Ctrl+Enter in the description",
	"Раньше с этого номера не звонили.":           "No earlier calls from this number.",
	"тот же дом и категория, открытые, за неделю": "same building and category, open, within a week",
	"прежний адрес звонящего":                     "the caller's earlier address", "Дом не найден: проверьте улицу и номер.": "Building not found: check the street and number.",
	"срок": "deadline", "Не нашлось: попробуйте другое слово (например «кран», «свет», «подъезд»).": "Nothing found: try another word (e.g. «кран», «свет», «подъезд»).",
	// confirmation call (remaining)
	"недозвонов:": "failed calls:", "Отчёт УО": "Organisation's report",
	"Спросите: «Проблема устранена?» — и нажмите одну кнопку.": "Ask: “Is the problem fixed?” — and press one button.",
	"Заявка сейчас в статусе":                                  "The ticket's status is now", "звонок не нужен.": "no call is needed.",
	"Открыть заявку": "Open the ticket", "Вся заявка": "The whole ticket",
	// page titles
	"Выгрузка в республиканский реестр": "Export to the republic registry",
	// admin: users
	"Логин": "Login", "Роль": "Role", "отключён": "disabled", "Новый пользователь": "New user", "Пароль": "Password",
	"Создать": "Create", "Пользователь": "User", "Новый пароль": "New password",
	"пусто — оставить прежний; сброс завершает сеансы": "empty — keep the current one; a reset ends the sessions",
	"отключён (не может войти)":                        "disabled (cannot sign in)", "только для диспетчера УО": "only for an organisation's dispatcher",
	"Администратор": "Administrator", "Оператор центра": "Centre operator", "Управление ЖКХ": "Housing department",
	"Диспетчер УО": "Organisation dispatcher", "Житель": "Resident",
	// admin: organisations
	"Название": "Name", "Тип": "Type", "ИНН": "INN (tax number)", "не действует": "inactive", "Новая организация": "New organisation",
	"действует (ей направляются заявки)": "active (tickets are sent to it)",
	"Управляющая организация":            "Management organisation", "Ресурсоснабжающая организация": "Resource supplier", "Подрядчик": "Contractor",
	// admin: buildings
	"Всего домов:": "Buildings in all:", "; показаны первые 200 — найдите нужный по адресу": "; the first 200 are shown — find the one you need by its address",
	"Квартир": "Apartments", "Площадь": "Area", "Год": "Year", "Новый дом": "New building",
	"РСО": "Resource supplier", "необязательно": "optional", "Площадь, м²": "Area, m²", "Год постройки": "Year built",
	// admin: work types
	"Код": "Code", "Категория": "Category", "Принять за": "Accept within", "не используется": "not used",
	"Федеральный норматив": "Federal standard", "Действующий срок": "Deadline in force", "Примечание": "Note",
	"Местный норматив, ч": "Local standard, h", "действует, если нет федерального; 0 — нет": "applies when there is no federal one; 0 — none",
	"Принять в работу за, ч": "Accept within, h", "0 — по умолчанию муниципалитета": "0 — the municipality's default",
	"Слова для поиска": "Search words", "как говорят жители": "as residents say it",
	"Из каталога (федеральные нормы)": "From the catalogue (federal norms)", "Обновляются вместе с каталогом; изменить их здесь нельзя.": "Updated with the catalogue; they cannot be changed here.",
	"В холодный период": "In the cold period", "Локализовать за": "Localise within", "мин": "min", "Срок идёт только": "The clock runs only",
	"с": "from", "до": "to", "Передать звонок": "Hand the call to", "срока в часах нет": "no deadline in hours",
	"Кому направлять (каталог)": "Sent to (catalogue)", "Слова для поиска (каталог)": "Search words (catalogue)", "Состояние": "State",
	"выведен из каталога": "retired from the catalogue", "не предлагается; старые заявки его показывают": "not offered; old tickets still show it",
	"Местные значения муниципалитета": "The municipality's own values", "Кому направлять": "Send to", "как в каталоге": "as the catalogue says",
	"Свои слова для поиска": "Own search words", "через «;», в дополнение к каталогу": "separated by «;», added to the catalogue's",
	"0 — по правилам (авария — срок локализации; иначе меньшее из 24 ч и половины срока)": "0 — by the rules (emergency: the localisation clock; otherwise the earlier of 24 h and half the deadline)",
	"используется": "in use", "История изменений": "Change history", "Когда": "When", "Кто": "Who", "Поле": "Field",
	"Было": "Was", "Стало": "Became", "Не менялся.": "Never changed.",
	// admin: settings
	"Муниципалитет": "Municipality", "как его видят жители": "as residents see it", "Код муниципалитета": "Municipality code",
	"2–8 латинских букв; начало номеров заявок": "2–8 Latin letters; the start of ticket numbers", "Часовой пояс": "Time zone",
	"например Europe/Moscow": "e.g. Europe/Moscow", "Название центра": "Centre name", "Телефон центра": "Centre phone",
	"Срок принятия в работу, ч": "Time to accept, h", "для видов работ без своего срока": "for work types without their own",
	"Адрес республиканского реестра": "Republic registry address", "Интервал выгрузки в реестр": "Registry export interval",
	"например 15m": "e.g. 15m",
	// admin: import
	"Импорт домов и организаций": "Import of buildings and organisations",
	"CSV (UTF-8 или Windows-1251, разделитель «;» или «,») или XLSX; первая строка — заголовки.": "CSV (UTF-8 or Windows-1251, separator «;» or «,») or XLSX; the first row holds the column names (in Russian).",
	"Дома:": "Buildings:", "(название или ИНН) и по желанию": "(name or INN) and optionally", "Организации:": "Organisations:",
	"и по желанию": "and optionally",
	"Сначала будет показан предпросмотр и все ошибочные строки; без вашего подтверждения ничего не записывается.": "You will first see a preview and every bad row; nothing is written without your confirmation.",
	"Что импортировать": "What to import", "Файл": "File", "Проверить файл": "Check the file",
	"Строк с данными:": "Data rows:", "ошибочных:": "bad:", "Ошибочные строки": "Bad rows", "Строка": "Row", "Предпросмотр": "Preview",
	"Импортировано строк:": "Rows imported:", "пропущено ошибочных:": "bad ones skipped:", "Импортировать ещё файл": "Import another file",
	"В файле есть ошибки: исправьте файл и загрузите снова — или импортируйте только верные строки.": "The file has errors: fix it and upload it again — or import only the good rows.",
	"пропустить ошибочные строки": "skip the bad rows", "и импортировать остальные": "and import the rest", "Импортировать": "Import",
	// admin: registry export
	"Реестр": "Registry", "не задан": "not set", "Интервал": "Interval", "Последняя успешная выгрузка": "Last successful export",
	"ещё не было": "none yet", "В очереди изменений": "Changes queued", "Отставание": "Lag", "Подтверждено реестром": "Acknowledged by the registry",
	"до изменения №": "up to change no.", "всего записей": "records in all", "Последняя ошибка": "Last error",
	"Следующая попытка": "Next attempt", "Выгрузить сейчас": "Export now",
	"Выгрузка запущена; обновите страницу через несколько секунд.": "Export started; reload the page in a few seconds.",
	"То же в JSON:": "The same in JSON:", "Файл для переноса без связи:": "A file to carry over without a connection:",
	// admin: registry export (errors)
	"Адрес реестра не задан: укажите его в настройках (registry_url, registry_token) или флагами --registry-url и --registry-token.": "The registry address is not set: set it in the settings (registry_url, registry_token) or with the flags --registry-url and --registry-token.",
	"Попыток подряд не удалось:": "Attempts failed in a row:", "последняя": "the last one",
	"Выгрузка повторится автоматически; ничего не теряется.": "The export will be retried automatically; nothing is lost.",
	// weekly report
	"Отчёт к еженедельному совещанию": "Report for the weekly meeting", "Неделя": "Week", "Показать": "Show",
	"последняя полная": "the last full one", "Сформирован": "Generated",
	"Связанные звонки об одной аварии и отменённые заявки не учитываются.": "Linked calls about one emergency and cancelled tickets are not counted.",
	"Итоги по организациям": "Totals by organisation", "Итоги по категориям": "Totals by category",
	"Заявки, зарегистрированные за неделю, и их состояние сейчас.": "Tickets registered during the week, and their state now.",
	"Поступило": "Received", "В срок": "On time", "Открыто повторно": "Reopened", "Среднее время выполнения, ч": "Average time to fix, h",
	"Всего:": "In all:", "показаны первые": "the first shown:", "Выполнена": "Done", "Открыта повторно, раз": "Reopened, times",
	"Просроченные": "Overdue", "Срок истёк на этой неделе, а заявка выполнена позже или не выполнена до сих пор.": "The deadline passed this week, and the ticket was done later or is still not done.",
	"Просрочка, ч": "Overdue by, h", "Открытые повторно": "Reopened",
	"Житель не подтвердил выполнение на этой неделе.": "The resident did not confirm the fix this week.",
	"Самые долгие": "The slowest", "Выполнены на этой неделе; дольше всего от регистрации до отметки «выполнено».": "Done this week; the longest from registration to the “done” mark.",
	"Выполнялась, ч": "Took, h", "Нет.": "None.",
	"Слабые места: повторяющиеся заявки": "Weak spots: repeated tickets", "Дома, откуда за 30 дней": "Buildings that in 30 days",
	"конец недели": "end of the week", "пришло": "sent", "и больше заявок одной категории.": "or more tickets of one category.",
	"Заявок": "Tickets", "Слабые места: больше всего заявок на квартиру": "Weak spots: most tickets per apartment",
	"Заявок за 30 дней": "Tickets in 30 days", "На квартиру": "Per apartment",
	"Заявки дома": "The building's tickets", "категория": "category", "зарегистрированы с": "registered from",
	"Связанные звонки и отменённые заявки здесь тоже показаны.": "Linked calls and cancelled tickets are shown here too.",
	"Показаны последние 500 заявок.":                            "The last 500 tickets are shown.", "К отчёту": "To the report",
	// analytics dashboard
	"Аналитика для администрации": "Analytics for the administration", "Отчёт к совещанию": "Meeting report",
	"Рейтинг организаций": "Organisation rating", "Заявки по дням и категориям, 30 дней": "Tickets by day and category, 30 days",
	"Заявок за 30 дней нет.": "No tickets in 30 days.", "Доля заявок, выполненных в срок": "Share of tickets done on time",
	"По всем управляющим организациям, за 30 дней до каждого дня — по сохранённым дням рейтинга.": "All management organisations, for the 30 days before each day — from the saved rating days.",
	"Рейтинг ещё не рассчитывался.": "The rating has not been computed yet.", "Время принятия в работу": "Time to accept",
	"Заявки за 30 дней, принятые в работу:": "Tickets of 30 days accepted:", "Нет принятых заявок.": "No accepted tickets.",
	// rating settings
	"Настройки сохранены.": "Settings saved.", "Веса составляющих, % (сумма — 100)": "Component weights, % (sum — 100)",
	"Выполнено в срок": "Done on time", "Принято в срок": "Accepted on time", "С первого раза": "Fixed first time",
	"Нагрузка": "Load", "Не просрочено сейчас": "Not overdue now", "Сейчас сумма:": "The sum now:",
	"Время ежедневного расчёта (местное)": "Daily computation time (local)", "Пересчитать день": "Recompute a day",
	"День": "Day", "Пересчитать": "Recompute",
	"Рейтинг дня считается по журналу на конец того дня с текущими весами и заменяет сохранённый.": "A day's rating is computed from the log as of that day's end with the current weights and replaces the saved one.",
}
