package cli

import (
	"time"

	"github.com/ecoz/ecoz/app/export"
	"github.com/ecoz/ecoz/app/importer"
	"github.com/ecoz/ecoz/app/web"
)

// commands is the command line, one row a command. Adding a command or a flag is
// an edit of this table: the row's Flags declare the flag with its description
// (the help shows it), and the row's Run reads it with c.String("name"),
// c.Bool, c.Int64, c.Float64 or c.Duration.
var commands = []Command{
	{Name: "serve", Summary: "запустить сервер центра (команда по умолчанию)", Run: runServe, Flags: []Flag{
		dataFlag, addrFlag,
		{Name: "demo", Default: false, Usage: "загрузить демо-данные (муниципалитет «Усинск») в пустую папку"},
		{Name: "trusted-proxy", Default: "", Arg: "АДРЕСА", Usage: "адреса или сети обратных прокси через запятую, чьему X-Forwarded-For верить"},
		{Name: "staff-create-limit", Default: int64(web.DefaultStaffCreateLimit), Arg: "N", Usage: "заявок в минуту от одного сотрудника (0 — без ограничения)"},
		{Name: "resident-create-limit", Default: int64(web.DefaultResidentCreateLimit), Arg: "N", Usage: "заявок в час от одного жителя (0 — без ограничения)"},
		{Name: "registry-url", Default: "", Arg: "URL", Usage: "адрес республиканского реестра (вместо настройки)"},
		{Name: "registry-token", Default: "", Arg: "ТОКЕН", Usage: "токен муниципалитета для реестра (вместо настройки; виден в списке процессов — лучше --registry-token-file или " + export.TokenEnv + ")"},
		{Name: "registry-token-file", Default: "", Arg: "ФАЙЛ", Usage: "файл с токеном муниципалитета для реестра (первая строка)"},
		{Name: "export-every", Default: "", Arg: "ДЛИТЕЛЬНОСТЬ", Usage: "интервал выгрузки в реестр, например 15m (вместо настройки)"},
		{Name: "smtp", Default: "", Arg: "URL", Usage: "почтовый сервер для уведомлений: smtp://user:pass@host:587 или smtps://… (вместо настройки)"},
		{Name: "mail-from", Default: "", Arg: "АДРЕС", Usage: "адрес отправителя уведомлений"},
		{Name: "sms-url", Default: "", Arg: "URL", Usage: "адрес HTTP SMS-шлюза с {phone} и {text} (вместо настройки)"},
		{Name: "webhook", Default: "", Arg: "URL", Usage: "адрес webhook для событий заявок (вместо настройки)"},
		{Name: "webhook-secret-file", Default: "", Arg: "ФАЙЛ", Usage: "файл с секретом подписи webhook (HMAC-SHA256)"},
	}},
	{Name: "service install", Summary: "установить системную службу (Windows, Linux/systemd)", Run: runService("install"), Flags: []Flag{
		dataFlag, addrFlag,
		{Name: "user", Default: "", Arg: "ПОЛЬЗОВАТЕЛЬ", Usage: "системный пользователь службы (Linux)"},
	}},
	{Name: "service uninstall", Summary: "удалить системную службу", Run: runService("uninstall")},
	{Name: "service start", Summary: "запустить службу", Run: runService("start")},
	{Name: "service stop", Summary: "остановить службу", Run: runService("stop")},
	{Name: "service restart", Summary: "перезапустить службу", Run: runService("restart")},
	{Name: "service status", Summary: "состояние службы", Run: runService("status")},
	{Name: "user add", Summary: "добавить пользователя центра; пароль читается со стандартного ввода", Password: true, Run: runUserAdd, Flags: []Flag{
		dataFlag,
		{Name: "login", Default: "", Arg: "ЛОГИН", Usage: "логин", Required: true},
		{Name: "role", Default: "", Arg: "РОЛЬ", Usage: "роль: admin, operator, supervisor, org или resident", Required: true},
		{Name: "org", Default: int64(0), Arg: "ID", Usage: "номер организации (для роли org)"},
		{Name: "name", Default: "", Arg: "ИМЯ", Usage: "имя"},
		{Name: "phone", Default: "", Arg: "ТЕЛЕФОН", Usage: "телефон (для жителя)"},
	}},
	{Name: "import buildings", Args: "ФАЙЛ", Summary: "загрузить дома из CSV (сервер остановлен)", Run: runImport(importer.Buildings), Flags: importFlags},
	{Name: "import organizations", Args: "ФАЙЛ", Summary: "загрузить организации из CSV (сервер остановлен)", Run: runImport(importer.Organizations), Flags: importFlags},
	{Name: "backup", Summary: "резервная копия базы (сервер может работать)", Run: runBackup, Flags: []Flag{
		dataFlag,
		{Name: "out", Default: "", Arg: "ФАЙЛ", Usage: "файл копии", Required: true},
	}},
	{Name: "restore", Args: "ФАЙЛ", Summary: "вернуть базу из копии (сервер остановлен)", Run: runRestore, Flags: []Flag{dataFlag}},
	{Name: "export", Summary: "выгрузка для республиканского реестра в файл", Run: runExport, Flags: []Flag{
		dataFlag,
		{Name: "out", Default: "", Arg: "ФАЙЛ", Usage: "файл выгрузки", Required: true},
		{Name: "since", Default: int64(0), Arg: "SEQ", Usage: "выгрузить изменения после этого номера (seq)"},
	}},
	{Name: "rating compute", Summary: "пересчитать рейтинг УО за день (по умолчанию — вчера)", Run: runRatingCompute, Flags: []Flag{
		dataFlag,
		{Name: "date", Default: "", Arg: "ГГГГ-ММ-ДД", Usage: "день (по умолчанию — вчера)"},
	}},
	{Name: "registry serve", Summary: "запустить республиканский реестр (до SIGINT/SIGTERM)", Run: runRegistryServe, Flags: []Flag{
		dataFlag, regDBFlag, addrFlag,
		{Name: "tls-cert", Default: "", Arg: "ФАЙЛ", Usage: "сертификат TLS (PEM); вместе с --tls-key"},
		{Name: "tls-key", Default: "", Arg: "ФАЙЛ", Usage: "закрытый ключ TLS (PEM); вместе с --tls-cert"},
		{Name: "stale-after", Default: time.Hour, Arg: "ДЛИТЕЛЬНОСТЬ", Usage: "предупреждать, если муниципалитет не присылал данные дольше"},
		{Name: "rating-every", Default: 5 * time.Minute, Arg: "ДЛИТЕЛЬНОСТЬ", Usage: "пересчитывать рейтинг республики не чаще (страница показывает время расчёта; 0 — при каждом просмотре)"},
		{Name: "rate", Default: float64(20), Arg: "N", Usage: "запросов в секунду на один токен"},
		{Name: "trusted-proxy", Default: "", Arg: "АДРЕСА", Usage: "адреса или сети обратных прокси через запятую, чьему X-Forwarded-For верить"},
	}},
	{Name: "registry municipality add", Summary: "добавить муниципалитет в реестр и выдать его токен", Run: runRegistryMunicipality("add"), Flags: []Flag{
		dataFlag, regDBFlag, codeFlag,
		{Name: "name", Default: "", Arg: "НАЗВАНИЕ", Usage: "название", Required: true},
	}},
	{Name: "registry municipality revoke", Summary: "отозвать токен муниципалитета", Run: runRegistryMunicipality("revoke"), Flags: []Flag{dataFlag, regDBFlag, codeFlag}},
	{Name: "registry municipality reissue", Summary: "выдать муниципалитету новый токен", Run: runRegistryMunicipality("reissue"), Flags: []Flag{dataFlag, regDBFlag, codeFlag}},
	{Name: "registry user add", Summary: "добавить пользователя реестра; пароль читается со стандартного ввода", Password: true, Run: runRegistryUserAdd, Flags: []Flag{
		dataFlag, regDBFlag,
		{Name: "login", Default: "", Arg: "ЛОГИН", Usage: "логин", Required: true},
	}},
	{Name: "registry import", Args: "ФАЙЛ", Summary: "загрузить файл выгрузки центра в реестр", Run: runRegistryImport, Flags: []Flag{dataFlag, regDBFlag}},
	{Name: "registry migrate", Summary: "перенести реестр из файла SQLite в PostgreSQL (со сверкой числа записей)", Run: runRegistryMigrate, Flags: []Flag{
		{Name: "from", Default: "", Arg: "ФАЙЛ", Usage: "файл реестра SQLite (registry.db)", Required: true},
		{Name: "to", Default: "", Arg: "postgres://…", Usage: "пустая база PostgreSQL (пароль лучше в PGPASSWORD или ~/.pgpass)", Required: true},
	}},
	{Name: "apikey add", Summary: "выдать ключ Open311 приложению (последняя строка — ключ)", Run: runAPIKeyAdd, Flags: []Flag{dataFlag, apiKeyNameFlag, apiKeyRateFlag}},
	{Name: "apikey revoke", Summary: "отозвать ключ приложения", Run: runAPIKeyRevoke, Flags: []Flag{dataFlag, apiKeyNameFlag}},
	{Name: "version", Summary: "версия программы", Run: runVersion},
}

// groups are the words that lead to commands: what to say when the next is missing.
var groups = []Group{
	{Name: "service", Expect: "после «service» ожидается install, uninstall, start, stop, restart или status", Unknown: "неизвестное действие службы «%s»"},
	{Name: "user", Expect: "после «user» ожидается «add»"},
	{Name: "import", Expect: "после «import» ожидается «buildings» или «organizations»"},
	{Name: "rating", Expect: "после «rating» ожидается «compute»"},
	{Name: "apikey", Expect: "после «apikey» ожидается «add» или «revoke»"},
	{Name: "registry", Expect: registryUsage},
	{Name: "registry municipality", Expect: "после «registry municipality» ожидается add, revoke или reissue"},
	{Name: "registry user", Expect: "после «registry user» ожидается «add»"},
}

const registryUsage = "после «registry» ожидается serve, municipality add|revoke|reissue, user add, import или migrate"

var (
	addrFlag    = Flag{Name: "addr", Default: ":8080", Arg: "АДРЕС:ПОРТ", Usage: "адрес для приёма соединений"}
	codeFlag    = Flag{Name: "code", Default: "", Arg: "КОД", Usage: "код муниципалитета", Required: true}
	importFlags = []Flag{dataFlag, {Name: "skip-bad", Default: false, Usage: "импортировать верные строки, пропустив строки с ошибками"}}
)
