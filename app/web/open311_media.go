package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/ecoz/ecoz/app"
	"github.com/ecoz/ecoz/app/photo"
	"github.com/ecoz/ecoz/app/store"
)

// MediaTimeout bounds the fetch of an Open311 request's media_url, connection
// and body together: the application's request waits for it.
var MediaTimeout = 10 * time.Second

// mediaRefused is the error of a media_url that is not fetched or not an image:
// the specification's error list names the parameter; the description is in
// Russian and English, since the reader is a third party's developer.
func mediaRefused(ru, en string) error {
	msg := ru + " / " + en
	return &app.Error{Code: app.EINVALID, Message: "media_url: " + ru, Fields: map[string]string{"media_url": msg}}
}

// o311Media fetches an Open311 request's media_url and returns it as a photo
// checked and re-encoded as the portal's uploads are (app/photo). A URL a client
// names is fetched only from the municipality's own hosts (the setting
// open311_media_hosts; none by default), else this server would fetch anything
// on request (SSRF); a redirect is followed only on the same host, the body is
// read to the photo limit and its type judged by its bytes, not by what the
// server says.
func (s *Server) o311Media(ctx context.Context, raw string) (*photo.Photo, error) {
	hosts, _ := app.MediaHosts(s.Store.Setting(ctx, store.SetOpen311MediaHosts))
	if len(hosts) == 0 {
		return nil, mediaRefused("фотографии по ссылке не принимаются: центр не указал своих серверов; житель может приложить фото на портале.",
			"photos by URL are not accepted: the centre named no hosts of its own.")
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, mediaRefused("нужен адрес http(s):// фотографии.", "an http(s):// URL of the photo is required.")
	}
	if !app.MediaHostAllowed(hosts, u.Host) {
		return nil, mediaRefused("фотографии принимаются только с серверов муниципалитета ("+strings.Join(hosts, ", ")+"), не с "+u.Host+".",
			"photos are accepted only from the municipality's own hosts, not from "+u.Host+".")
	}
	origin := strings.ToLower(u.Host)
	client := &http.Client{
		Timeout: MediaTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if strings.ToLower(req.URL.Host) != origin || len(via) > 3 {
				return errOtherHost
			}
			return nil
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, mediaRefused("неверный адрес.", "a bad URL.")
	}
	req.Header.Set("Accept", "image/jpeg, image/png")
	res, err := client.Do(req)
	if errors.Is(err, errOtherHost) {
		return nil, mediaRefused("сервер перенаправляет на другой сервер; такие ссылки не открываются.", "the host redirects to another host, which is not followed.")
	} else if err != nil {
		return nil, mediaRefused("фотография не загружена (сервер не ответил вовремя или недоступен).", "the photo could not be fetched (timeout or host unreachable).")
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, mediaRefused(fmt.Sprintf("сервер ответил %d вместо фотографии.", res.StatusCode), fmt.Sprintf("the host answered %d.", res.StatusCode))
	}
	tooLarge := func() (*photo.Photo, error) {
		return nil, mediaRefused(fmt.Sprintf("фотография больше %d МБ.", photo.MaxBytes>>20), fmt.Sprintf("the photo is over %d MB.", photo.MaxBytes>>20))
	}
	if res.ContentLength > photo.MaxBytes {
		return tooLarge()
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, photo.MaxBytes+1))
	if err != nil {
		return nil, mediaRefused("фотография не загружена целиком.", "the photo could not be read in full.")
	}
	if len(data) > photo.MaxBytes {
		return tooLarge()
	}
	if photo.Kind(data) == "" {
		return nil, mediaRefused("по ссылке не фотография: принимаются JPEG и PNG.", "not a photo: JPEG and PNG are accepted.")
	}
	name := path.Base(u.Path)
	if name == "/" || name == "." {
		name = u.Host
	}
	p, err := photo.Process(bytes.NewReader(data), name, "media_url")
	if err != nil && app.ErrorCode(err) == app.EINVALID {
		return nil, mediaRefused(app.ErrorMessage(err), "the image is damaged or too large.")
	}
	return p, err
}

var errOtherHost = errors.New("redirect to another host")
