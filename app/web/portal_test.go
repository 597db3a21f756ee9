package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/apptest"
	"github.com/ecoz/ecoz/app/photo/phototest"
	"github.com/ecoz/ecoz/app/store"
	"github.com/ecoz/ecoz/app/web"
)

// portalServer serves s with its own data folder; minFill is the registration
// form's minimum fill time (negative: off).
func portalServer(t *testing.T, s *store.Store, minFill time.Duration) (base, dataDir string) {
	t.Helper()
	dataDir = t.TempDir()
	srv, err := web.New(web.Config{
		Store:       s,
		Views:       os.DirFS(filepath.Join(apptest.Root(), "assets", "views")),
		Static:      os.DirFS(filepath.Join(apptest.Root(), "assets", "static")),
		I18n:        os.DirFS(filepath.Join(apptest.Root(), "assets", "i18n")),
		Log:         apptest.Logger(t),
		DataDir:     dataDir,
		MinFillTime: minFill,
	})
	if err != nil {
		t.Fatal(err)
	}
	return apptest.Listen(t, srv), dataDir
}

// smallTown is a municipality with two organisations, three houses and the staff
// accounts (password = login), without the demo's history: the portal tests need
// no thousands of tickets, and loading them for each test is slow under -race.
func smallTown(t *testing.T) *store.Store {
	t.Helper()
	s, _ := apptest.Open(t)
	err := s.Write(context.Background(), func(tx *store.Tx) error {
		for k, v := range map[string]string{store.SetMunicipalityName: "Усинск", store.SetMunicipalityCode: "USN", store.SetCenterName: "Открытый Усинск", store.SetCenterPhone: "8 (82144) 2-00-00"} {
			if err := tx.SetSetting(k, v); err != nil {
				return err
			}
		}
		orgs := []*app.Organization{{Name: "ООО «Жилсервис Усинск»", Kind: app.OrgManagement, INN: "1106023458"}, {Name: "ООО «УК Север»", Kind: app.OrgManagement}}
		for i, o := range orgs {
			if err := tx.SaveOrganization(o); err != nil {
				return err
			}
			if err := tx.CreateDemoUser(&app.User{Login: "uk" + strconv.Itoa(i+1), Role: app.RoleOrg, OrganizationID: o.ID}); err != nil {
				return err
			}
		}
		for i, a := range []string{"ул. Ленина, д. 11", "ул. Ленина, д. 17", "ул. Мира, д. 3"} {
			if err := tx.SaveBuilding(&app.Building{Address: a, OrganizationID: orgs[i%2].ID, Apartments: 60}); err != nil {
				return err
			}
		}
		return tx.CreateDemoUser(&app.User{Login: "operator", Role: app.RoleOperator})
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// client is a browser without a script engine: cookies, redirects, and the CSRF
// token of the last page it saw.
type portalClient struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
	last string // body of the last response
	url  string // where the last response came from, after redirects
}

func newPortalClient(t *testing.T, base string) *portalClient {
	jar, _ := cookiejar.New(nil)
	return &portalClient{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (c *portalClient) do(req *http.Request) int {
	c.t.Helper()
	res, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	c.last, c.url = string(b), res.Request.URL.Path
	if m := csrfRe.FindStringSubmatch(c.last); m != nil {
		c.csrf = m[1]
	}
	return res.StatusCode
}

func (c *portalClient) get(path string) int {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	return c.do(req)
}

func (c *portalClient) post(path string, v url.Values) int {
	c.t.Helper()
	v.Set("csrf", c.csrf)
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

type upload struct {
	name string
	data []byte
}

func (c *portalClient) postMultipart(path string, v url.Values, files []upload) int {
	c.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("csrf", c.csrf)
	for k, vals := range v {
		for _, x := range vals {
			w.WriteField(k, x)
		}
	}
	for _, f := range files {
		fw, _ := w.CreateFormFile("photos", f.name)
		fw.Write(f.data)
	}
	w.Close()
	req, _ := http.NewRequest("POST", c.base+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

func (c *portalClient) has(want ...string) {
	c.t.Helper()
	for _, w := range want {
		if !strings.Contains(c.last, w) {
			c.t.Errorf("page %s lacks %q", c.url, w)
		}
	}
}

// register signs a new resident up through the form.
func (c *portalClient) register(name, phone, password string) int {
	c.t.Helper()
	c.get("/register")
	return c.post("/register", url.Values{"name": {name}, "phone": {phone}, "password": {password}, "consent": {"1"}, "stamp": {stampOf(c.last)}})
}

var stampRe = regexp.MustCompile(`name="stamp" value="([^"]+)"`)

func stampOf(page string) string {
	if m := stampRe.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}

func TestRegister(t *testing.T) {
	s := smallTown(t)
	base, _ := portalServer(t, s, -1)

	c := newPortalClient(t, base)
	if st := c.register("Петров Иван", "8 (912) 000-11-22", "секретный-пароль"); st != 200 || c.url != "/my/new" {
		t.Fatalf("registration: %d at %s", st, c.url)
	}
	c.has("Петров Иван", "Новая заявка")
	u := apptest.User(t, s, "+79120001122")
	if u.Role != app.RoleResident || u.Phone != "+79120001122" || u.Name != "Петров Иван" {
		t.Errorf("user %+v", u)
	}
	// The phone in any spelling signs in.
	c2 := newPortalClient(t, base)
	c2.get("/login")
	if st := c2.post("/login", url.Values{"login": {"+7 912 000 11 22"}, "password": {"секретный-пароль"}, "next": {"/my/"}}); st != 200 || c2.url != "/my/" {
		t.Errorf("sign-in by phone: %d at %s", st, c2.url)
	}

	bad := []struct {
		name string
		form url.Values
		want []string
	}{
		{"no consent", url.Values{"name": {"Анна"}, "phone": {"89120003344"}, "password": {"длинный-пароль"}}, []string{"Без согласия", `value="Анна"`, `value="89120003344"`}},
		{"bad phone", url.Values{"name": {"Анна"}, "phone": {"12-34"}, "password": {"длинный-пароль"}, "consent": {"1"}}, []string{"Неполный номер", `value="Анна"`}},
		{"short password", url.Values{"name": {"Анна"}, "phone": {"89120003344"}, "password": {"123"}, "consent": {"1"}}, []string{"не короче 8", `value="89120003344"`}},
		{"taken phone", url.Values{"name": {"Анна"}, "phone": {"+79120001122"}, "password": {"длинный-пароль"}, "consent": {"1"}}, []string{"уже зарегистрирован", "сбросит"}},
		{"honeypot", url.Values{"name": {"Бот"}, "phone": {"89120005566"}, "password": {"длинный-пароль"}, "consent": {"1"}, "website": {"http://spam"}}, []string{"Регистрация не удалась"}},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			c := newPortalClient(t, base)
			c.get("/register")
			if b.form.Get("stamp") == "" {
				b.form.Set("stamp", stampOf(c.last))
			}
			if st := c.post("/register", b.form); st < 400 {
				t.Errorf("status %d", st)
			}
			c.has(b.want...)
			c.has("согласие") // the consent text is on the page again
		})
	}
	if _, err := s.Authenticate(context.Background(), "+79120005566", "длинный-пароль"); err == nil {
		t.Error("a bot's account was created")
	}
}

func TestRegisterBotChecks(t *testing.T) {
	s := smallTown(t)
	base, _ := portalServer(t, s, time.Hour) // nobody is that slow: every submission is "too fast"
	c := newPortalClient(t, base)
	if st := c.register("Быстрый", "89120007788", "длинный-пароль"); st != 400 {
		t.Errorf("too fast: status %d", st)
	}
	c.has("слишком быстро", `value="Быстрый"`)
	c.post("/register", url.Values{"name": {"Бот"}, "phone": {"89120005566"}, "password": {"длинный-пароль"}, "consent": {"1"}, "stamp": {"AAAA"}})
	c.has("Форма устарела")
	// Throttled per address: after 10 attempts an hour, the 11th is refused even if right.
	for i := 0; i < 9; i++ {
		c.register("Быстрый", "89120007788", "длинный-пароль")
	}
	c.has("Слишком много попыток регистрации")
}

// resident registers a fresh resident and returns their client.
func resident(t *testing.T, base, phone string) *portalClient {
	c := newPortalClient(t, base)
	if st := c.register("Житель "+phone, phone, "пароль-жителя"); st != 200 {
		t.Fatalf("register %s: %d", phone, st)
	}
	return c
}

func fileForm(b app.Building) url.Values {
	return url.Values{"address": {b.Address}, "building_id": {itoa(b.ID)}, "apartment": {"17"}, "work_type": {"CW-05"}, "description": {"Течёт кран на кухне, под раковиной лужа"}}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestFileUploadLimits(t *testing.T) {
	s := smallTown(t)
	base, dataDir := portalServer(t, s, -1)
	c := resident(t, base, "89121110000")
	b, err := s.SearchBuildings(context.Background(), "ленина", 1)
	if err != nil || len(b) == 0 {
		t.Fatal("no building", err)
	}
	var tooBig bytes.Buffer
	tooBig.Write(phototest.JPEG(t, 32, 32))
	tooBig.Write(make([]byte, 5<<20))
	cases := []struct {
		name  string
		files []upload
		want  string
	}{
		{"text file", []upload{{"notes.txt", []byte("просто текст, не картинка")}}, "«notes.txt» — не фотография: принимаются только JPEG и PNG"},
		{"over 5 MB", []upload{{"big.jpg", tooBig.Bytes()}}, "«big.jpg» больше 5 МБ"},
		{"declared-huge PNG", []upload{{"huge.png", phototest.HugePNG(50000, 50000)}}, "«huge.png» слишком большое (50000×50000"},
		{"declared-huge JPEG", []upload{{"huge.jpg", phototest.HugeJPEG(50000, 50000)}}, "«huge.jpg» слишком большое (50000×50000"},
		{"four photos", []upload{{"1.jpg", phototest.JPEG(t, 8, 8)}, {"2.jpg", phototest.JPEG(t, 8, 8)}, {"3.jpg", phototest.JPEG(t, 8, 8)}, {"4.jpg", phototest.JPEG(t, 8, 8)}}, "не больше 3 фотографий"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.get("/my/new")
			if st := c.postMultipart("/my/new", fileForm(b[0]), tc.files); st != 400 {
				t.Errorf("status %d", st)
			}
			c.has(tc.want, `value="17"`, "Течёт кран на кухне, под раковиной лужа", `value="CW-05" selected`, b[0].Address)
		})
	}
	n, err := s.CountTickets(apptest.As(apptest.User(t, s, "operator")), store.TicketFilter{Statuses: []app.Status{app.StatusNew}, CreatedFrom: apptest.Now})
	if err != nil || n != 0 {
		t.Errorf("%d tickets filed by refused forms (%v)", n, err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dataDir, "uploads")); len(entries) != 0 {
		t.Errorf("refused uploads left files: %v", entries)
	}
}

func TestFileWithPhotoAndFollow(t *testing.T) {
	s := smallTown(t)
	base, dataDir := portalServer(t, s, -1)
	c := resident(t, base, "89122220000")
	b, _ := s.SearchBuildings(context.Background(), "ленина", 1)
	const marker = "GPS-SECRET-65.99N"
	c.get("/my/new")
	if st := c.postMultipart("/my/new", fileForm(b[0]), []upload{{"kitchen.jpg", phototest.WithEXIF(phototest.JPEG(t, 400, 300), 1, marker)}}); st != 200 {
		t.Fatalf("filing: %d\n%s", st, c.last)
	}
	number := strings.TrimPrefix(c.url, "/my/tickets/")
	// The number and the normative deadline at once (CW-05: 1 day from now).
	due := apptest.Now.Add(24 * time.Hour).In(s.Municipality(context.Background()).Location).Format("02.01.2006 15:04")
	c.has("Заявка <strong>№ "+number+"</strong> зарегистрирована", "до "+due, "Направлена в УО", "Ваши фотографии", "/thumb")
	op := apptest.As(apptest.User(t, s, "operator"))
	tk, err := s.Ticket(op, number)
	// Ленина 11 is served by «Жилсервис Усинск»: the ticket is there at once.
	if err != nil || tk.Status != app.StatusRouted || tk.OrgName != "ООО «Жилсервис Усинск»" || tk.Source != app.SourcePortal || tk.ReporterPhone != "+79122220000" || tk.Apartment != "17" {
		t.Fatalf("ticket routed at filing: %+v %v", tk, err)
	}
	// The stored photo carries no EXIF.
	atts, err := s.Attachments(op, number)
	if err != nil || len(atts) != 1 {
		t.Fatalf("attachments %v %v", atts, err)
	}
	for _, f := range []string{atts[0].File, atts[0].Thumb} {
		data, err := os.ReadFile(filepath.Join(dataDir, "uploads", filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(marker)) || bytes.Contains(data, []byte("Exif")) {
			t.Errorf("%s keeps EXIF", f)
		}
	}
	photoURL := "/photos/" + itoa(atts[0].ID)
	if st := c.get(photoURL); st != 200 || !strings.HasPrefix(c.last, "\xff\xd8\xff") {
		t.Errorf("owner gets photo: %d", st)
	}
	// Nobody else: another resident, an anonymous visitor.
	other := resident(t, base, "89123330000")
	if st := other.get(photoURL); st != 404 {
		t.Errorf("another resident gets the photo: %d", st)
	}
	if st := other.get("/my/tickets/" + number); st != 404 {
		t.Errorf("another resident sees the ticket: %d", st)
	}
	anon := newPortalClient(t, base)
	if anon.get(photoURL); anon.url != "/login" {
		t.Errorf("anonymous photo request ended at %s", anon.url)
	}

	// The organisation that got it accepts and reports done with a photo.
	orgLogin := "uk1"
	orgU := apptest.User(t, s, orgLogin)
	if _, err := s.Act(apptest.As(orgU), number, app.ActionAccept, store.ActInput{}); err != nil {
		t.Fatal(err)
	}
	org := newPortalClient(t, base)
	org.get("/login")
	org.post("/login", url.Values{"login": {orgLogin}, "password": {orgLogin}})
	org.get("/work/tickets/" + number + "/photos")
	org.has("Работа выполнена — сообщить жителю и центру", `name="executor"`)
	if strings.Contains(org.last, `id="done" checked`) {
		t.Error("«работа выполнена» is ticked before anybody ticked it")
	}
	// A photo of work in progress, box left as it is: the ticket stays in work.
	if st := org.postMultipart("/work/tickets/"+number+"/photos", url.Values{"note": {"Начали работу"}}, []upload{{"during.png", phototest.PNG(t, 300, 200)}}); st != 200 {
		t.Fatalf("org photos in progress: %d %s", st, org.last)
	}
	if tk, _ = s.Ticket(op, number); tk.Status != app.StatusAccepted {
		t.Fatalf("status %s after a photo without «done»", tk.Status)
	}
	// Ticked without the executor: asked for, nothing changes.
	if st := org.postMultipart("/work/tickets/"+number+"/photos", url.Values{"done": {"1"}, "note": {"Заменили смеситель"}}, nil); st != 400 {
		t.Fatalf("done without executor: %d", st)
	}
	org.has("Укажите исполнителя работ.", "Кто выполнил работу")
	if tk, _ = s.Ticket(op, number); tk.Status != app.StatusAccepted {
		t.Fatalf("status %s after a refused done", tk.Status)
	}
	if st := org.postMultipart("/work/tickets/"+number+"/photos", url.Values{"done": {"1"}, "executor": {"Сантехник Попов"}, "note": {"Заменили смеситель"}}, []upload{{"after.png", phototest.PNG(t, 300, 200)}}); st != 200 {
		t.Fatalf("org photos: %d %s", st, org.last)
	}
	if tk, _ = s.Ticket(op, number); tk.Status != app.StatusDone {
		t.Fatalf("status %s after photos with done", tk.Status)
	}
	// The staff's ticket page shows both the resident's and the organisation's photos.
	org.get("/work/tickets/" + number)
	org.has("Фото заявителя", "Фото выполненной работы", "/thumb")
	// The resident sees the done photos and answers: reject without words is refused, with words reopens.
	c.get("/my/tickets/" + number)
	c.has("Фотографии выполненной работы", "Заменили смеситель", "Проблема устранена?")
	if st := c.post("/my/tickets/"+number+"/reject", url.Values{"note": {""}}); st != 400 {
		t.Errorf("empty reject: %d", st)
	}
	c.has("Напишите, что не устранено")
	c.post("/my/tickets/"+number+"/reject", url.Values{"note": {"Кран всё ещё капает"}})
	if tk, _ = s.Ticket(op, number); tk.Status != app.StatusReopened || tk.ReopenCount != 1 {
		t.Fatalf("after reject: %s", tk.Status)
	}
	s.Act(apptest.As(orgU), number, app.ActionAccept, store.ActInput{})
	s.Act(apptest.As(orgU), number, app.ActionDone, store.ActInput{})
	c.get("/my/tickets/" + number)
	c.post("/my/tickets/"+number+"/confirm", url.Values{})
	if tk, _ = s.Ticket(op, number); tk.Status != app.StatusClosed {
		t.Fatalf("after confirm: %s", tk.Status)
	}
	c.has("Закрыта", "Кран всё ещё капает")
	// Another organisation cannot attach photos to it.
	for _, u := range mustUsers(t, s) {
		if u.Role == app.RoleOrg && u.OrganizationID != tk.OrganizationID {
			o2 := newPortalClient(t, base)
			o2.get("/login")
			o2.post("/login", url.Values{"login": {u.Login}, "password": {u.Login}})
			if st := o2.get("/work/tickets/" + number + "/photos"); st != 404 {
				t.Errorf("another organisation's dispatcher sees the photo form: %d", st)
			}
			break
		}
	}
}

func mustUsers(t *testing.T, s *store.Store) []*app.User {
	us, err := s.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return us
}

// Without a script the address is typed, not picked: the server finds the house.
func TestFileTypedAddress(t *testing.T) {
	s := smallTown(t)
	base, _ := portalServer(t, s, -1)
	c := resident(t, base, "89124440000")
	b, _ := s.SearchBuildings(context.Background(), "ленина", 1)
	f := fileForm(b[0])
	f.Del("building_id")
	f.Set("address", strings.ToLower(b[0].Address))
	c.get("/my/new")
	if st := c.postMultipart("/my/new", f, nil); st != 200 || !strings.HasPrefix(c.url, "/my/tickets/") {
		t.Fatalf("typed address: %d at %s", st, c.url)
	}
	f.Set("address", "ленина")
	c.get("/my/new")
	if st := c.postMultipart("/my/new", f, nil); st != 400 {
		t.Errorf("ambiguous address: %d", st)
	}
	c.has("Какой из домов?", "Выберите дом из списка")
}

// TestRefusedPostLeavesConnectionClean: a 30 KB JSON post refused before its body
// is read (no token) is answered, and the next request on the same keep-alive
// connection is answered as itself — not as the refused body's unread bytes
// (fasthttp, streaming bodies, reads only the first 8 KB before the handlers).
func TestRefusedPostLeavesConnectionClean(t *testing.T) {
	base, _ := portalServer(t, smallTown(t), 0)
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	big := `{"description":"` + strings.Repeat("течёт кран ", 2000) + `"}`
	req, _ := http.NewRequest("POST", base+"/api/v1/tickets", strings.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("a post without a token: %d", resp.StatusCode)
	}
	resp, err = client.Get(base + "/api/v1/work-types")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the next request on the connection: %d, want 200", resp.StatusCode)
	}
}
