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
}
