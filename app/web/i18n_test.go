package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ecoz/ecoz/app/apptest"
)

// TestEnglishStaffScreens: the administrator's catalogues and the supervisor's
// overview and search read in English once the user chooses English.
func TestEnglishStaffScreens(t *testing.T) {
	s, _ := demo(t)
	srv := apptest.Server(t, s)
	english := func(login string) *client {
		t.Helper()
		c := signIn(t, srv, login)
		if st, _, _ := c.post("/work/locale", url.Values{"locale": {"en"}, "back": {"/work/"}}); st != http.StatusSeeOther {
			t.Fatalf("%s chooses English: %d", login, st)
		}
		return c
	}
	check := func(c *client, path string, want, unwanted []string) {
		t.Helper()
		st, body := c.get(path)
		if st != http.StatusOK {
			t.Fatalf("GET %s: %d", path, st)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", path, w)
			}
		}
		for _, u := range unwanted {
			if strings.Contains(body, u) {
				t.Errorf("%s still shows %q", path, u)
			}
		}
	}

	adm := english("admin")
	nav := []string{`lang="en"`, ">Users</a>", ">Organisations</a>", ">Buildings</a>", ">Work types</a>", ">Settings</a>", ">Import</a>"}
	check(adm, "/admin/users", append(nav, "<h1>Users</h1>", "<h2>New user</h2>", "Login", "Password", "Administrator"),
		[]string{"<h1>Пользователи</h1>", "Новый пользователь", ">Логин<", ">Создать<", ">Администратор<"})
	check(adm, "/admin/orgs", []string{"<h1>Organisations</h1>", "<h2>New organisation</h2>", "Management organisation", ">Add</button>"},
		[]string{"<h1>Организации</h1>", "Новая организация", ">Название<", ">Добавить<"})
	check(adm, "/admin/buildings", []string{"<h1>Buildings</h1>", "<h2>New building</h2>", "Year built", "Buildings in all:"},
		[]string{"<h1>Дома</h1>", "Новый дом", "Год постройки", "Всего домов"})
	check(adm, "/admin/work-types", []string{"<h1>Work types</h1>", ">Category</th>", ">Accept within</th>"},
		[]string{"<h1>Виды работ</h1>", ">Категория<", ">Принять за<"})
	check(adm, "/admin/settings", []string{"<h1>Settings</h1>", "Municipality code", "Time zone", ">Save</button>"},
		[]string{"<h1>Настройки</h1>", "Код муниципалитета", "Часовой пояс"})
	check(adm, "/admin/import", []string{"<h1>Import of buildings and organisations</h1>", "What to import", "Check the file"},
		[]string{"Импорт домов и организаций", "Что импортировать", "Проверить файл"})
	check(adm, "/admin/registry/", []string{"<h1>Export to the republic registry</h1>", "Changes queued"},
		[]string{"Выгрузка в республиканский реестр", "В очереди изменений"})
	check(adm, "/rating/admin/", []string{"<h1>Rating settings</h1>", "Component weights", "Recompute a day"},
		[]string{"<h1>Настройки рейтинга</h1>", "Веса составляющих", "Пересчитать день"})

	op := english("operator")
	check(op, "/work/new", []string{"Buildings found", "Matching work types"}, []string{"Найденные дома", "Подходящие виды работ"})
	check(op, "/work/lookup/buildings?building_q=zzzz", []string{"Building not found"}, []string{"Дом не найден"})

	sup := english("supervisor")
	check(sup, "/work/overview", []string{`lang="en"`, "<h1>Today, ", "Not sent to organisations:", "New today", "In work now", "<h2>Overdue</h2>"},
		[]string{"<h1>Сегодня", "Не направлено", "Новых сегодня", "<h2>Просрочены</h2>"})
	check(sup, "/work/search?overdue=1", []string{"<h1>Search</h1>", "Overdue only", "Found", "Download XLSX", "all open"},
		[]string{"<h1>Поиск</h1>", "Только просроченные", "Найдено", "все открытые"})
	check(sup, "/report/", []string{"<h1>Report for the weekly meeting</h1>", "Totals by organisation", "Received", "Weak spots: repeated tickets"},
		[]string{"Отчёт к еженедельному совещанию", "Итоги по организациям", "Поступило", "Слабые места"})
	check(sup, "/report/dashboard", []string{"<h1>Analytics for the administration</h1>", "Time to accept"},
		[]string{"Аналитика для администрации", "Время принятия в работу"})
}
