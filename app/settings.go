package app

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Setting keys: what the administrator sets for the centre (stored by the store,
// checked here).
const (
	SetMunicipalityName = "municipality_name"
	SetMunicipalityCode = "municipality_code"
	SetTimeZone         = "timezone"
	SetAcceptHours      = "accept_hours" // the municipality's own acceptance norm; "": the rule
	SetColdPeriod       = "cold_period"  // «ДД.ММ-ДД.ММ»
	SetCenterName       = "center_name"
	SetCenterPhone      = "center_phone"
	SetRegistryURL      = "registry_url"
	SetRegistryToken    = "registry_token"
	SetExportEvery      = "export_every"
	SetDemo             = "demo"
	// SetRouteMinutes is how soon the centre sends a ticket that nobody could be
	// found for at filing to an organisation (the centre's own norm).
	SetRouteMinutes = "route_minutes"
	// SetCallbackAttempts is how many failed confirmation calls, spread over at
	// least two days, put a ticket into «Не удалось связаться».
	SetCallbackAttempts = "callback_attempts"
	// SetMapTiles is the map's tile server, an URL template with {z}, {x} and {y};
	// empty (the default): no tiles, the map is drawn from the coordinates alone
	// and the browser fetches nothing from outside.
	SetMapTiles = "map_tiles"
	// SetMapAttribution is the tile server's required credit line.
	SetMapAttribution = "map_attribution"
	// SetRetentionYears: years after closure that a ticket's personal data is kept.
	SetRetentionYears = "retention_years"
	// SetOpen311MediaHosts lists the municipality's own hosts from which an Open311
	// request's media_url is fetched (comma separated, host or host:port); empty
	// (the default): media_url is refused.
	SetOpen311MediaHosts = "open311_media_hosts"
)

// MediaHosts reads the setting SetOpen311MediaHosts: lower-case hosts, each
// with or without a port. bad names the first entry that is not a host.
func MediaHosts(value string) (hosts []string, bad string) {
	for _, h := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\t' }) {
		h = strings.ToLower(h)
		u, err := url.Parse("http://" + h)
		if err != nil || u.Host != h || u.Hostname() == "" || strings.ContainsAny(h, "/?#@") {
			return nil, h
		}
		hosts = append(hosts, h)
	}
	return hosts, ""
}

// MediaHostAllowed reports whether a media_url on host (as in a URL: name or
// name:port) may be fetched: the host is listed, with this port or without one.
func MediaHostAllowed(hosts []string, host string) bool {
	host = strings.ToLower(host)
	name := host
	if u, err := url.Parse("http://" + host); err == nil {
		name = u.Hostname()
	}
	for _, h := range hosts {
		if h == host || h == name {
			return true
		}
	}
	return false
}

var codeRe = regexp.MustCompile(`^[A-Z]{2,8}$`)

// MunicipalityCode normalises a municipality's code (upper case, trimmed) and
// checks it: the centre's setting and the registry's municipalities use it.
// msg is empty when the code is good.
func MunicipalityCode(code string) (norm, msg string) {
	norm = strings.ToUpper(strings.TrimSpace(code))
	if !codeRe.MatchString(norm) {
		return norm, "Код муниципалитета — 2–8 латинских букв, например USN."
	}
	return norm, ""
}

// MunicipalityName checks a municipality's (or centre's) name; msg is empty when
// it is good.
func MunicipalityName(name string) (msg string) {
	if name == "" || len([]rune(name)) > 200 {
		return "Название — от 1 до 200 символов."
	}
	return ""
}

// ValidateSetting checks a value before it is stored.
func ValidateSetting(key, value string) (string, error) {
	value = strings.TrimSpace(value)
	bad := func(msg string) (string, error) {
		return "", &Error{Code: EINVALID, Message: msg, Fields: map[string]string{key: msg}}
	}
	switch key {
	case SetMunicipalityCode:
		var msg string
		if value, msg = MunicipalityCode(value); msg != "" {
			return bad(msg)
		}
	case SetMunicipalityName, SetCenterName:
		if msg := MunicipalityName(value); msg != "" {
			return bad(msg)
		}
	case SetTimeZone:
		if _, err := time.LoadLocation(value); err != nil || value == "" || value == "Local" {
			return bad("Неизвестный часовой пояс; пример: Europe/Moscow.")
		}
	case SetAcceptHours:
		if value == "" {
			break
		}
		h, err := strconv.ParseFloat(strings.ReplaceAll(value, ",", "."), 64)
		if err != nil || h <= 0 || h > 720 {
			return bad("Срок принятия в работу — число часов от 0,1 до 720, или пусто (по правилам).")
		}
		value = strconv.FormatFloat(h, 'f', -1, 64)
	case SetColdPeriod:
		p, err := ParseColdPeriod(value)
		if err != nil {
			return bad("Холодный период — в виде ДД.ММ-ДД.ММ, например 01.10-30.04.")
		}
		value = p.String()
	case SetCenterPhone:
		if value != "" {
			if _, err := NormalizePhone(value); err != nil {
				return bad(err.Error())
			}
		}
	case SetExportEvery:
		d, err := time.ParseDuration(value)
		if err != nil || d < 10*time.Second || d > 24*time.Hour {
			return bad("Интервал выгрузки — от 10s до 24h, например 15m.")
		}
	case SetRegistryURL:
		if value != "" && !strings.HasPrefix(value, "http://") && !strings.HasPrefix(value, "https://") {
			return bad("Адрес реестра начинается с http:// или https://.")
		}
	case SetRouteMinutes:
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 || n > 24*60 {
			return bad("Срок направления — целое число минут от 1 до 1440.")
		}
		value = strconv.Itoa(n)
	case SetCallbackAttempts:
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 || n > 20 {
			return bad("Число попыток дозвониться — от 1 до 20.")
		}
		value = strconv.Itoa(n)
	case SetMapTiles:
		if value == "" {
			break
		}
		u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{s}", "a").Replace(value))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || !strings.Contains(value, "{z}") || !strings.Contains(value, "{x}") || !strings.Contains(value, "{y}") {
			return bad("Адрес сервера карты — http(s)://… с {z}, {x} и {y}, например https://tile.openstreetmap.org/{z}/{x}/{y}.png; пусто — без подложки.")
		}
	case SetMapAttribution:
		if len([]rune(value)) > 300 {
			return bad("Подпись карты — не длиннее 300 символов.")
		}
	case SetRetentionYears:
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 || n > MaxRetentionYears {
			return bad(fmt.Sprintf("Срок хранения персональных данных — целое число лет от 1 до %d.", MaxRetentionYears))
		}
		value = strconv.Itoa(n)
	case SetOpen311MediaHosts:
		hosts, badHost := MediaHosts(value)
		if badHost != "" {
			return bad("«" + badHost + "» — не имя сервера: перечислите через запятую серверы муниципалитета, например photo.usinsk.ru или 10.0.0.5:8080, без http:// и пути.")
		}
		value = strings.Join(hosts, ", ")
	case SetRegistryToken, SetDemo:
	default:
		return bad("Неизвестная настройка " + key + ".")
	}
	return value, nil
}
