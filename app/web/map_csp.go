package web

import (
	"strings"

	"github.com/ecoz/ecoz/app/store"
	"github.com/gofiber/fiber/v2"
)

// mapCSP lets the browser load the map's tiles from the tile server the
// administrator configured, and from nowhere else: it adds that server's origin
// to the img-src of the Content-Security-Policy securityHeaders set. Without a
// tile server the policy is left as it is: the map is drawn without tiles.
func (s *Server) mapCSP(c *fiber.Ctx) error {
	if origin := tileOrigin(s.Store.Setting(c.UserContext(), store.SetMapTiles)); origin != "" {
		csp := c.GetRespHeader("Content-Security-Policy")
		if strings.Contains(csp, "img-src 'self' data:") {
			c.Set("Content-Security-Policy", strings.Replace(csp, "img-src 'self' data:", "img-src 'self' data: "+origin, 1))
		}
	}
	return c.Next()
}

// tileOrigin is the scheme and host of a tile URL template, a {s} subdomain
// becoming a wildcard: https://{s}.tile.example.org/{z}/{x}/{y}.png →
// https://*.tile.example.org.
func tileOrigin(tmpl string) string {
	scheme, rest, ok := strings.Cut(tmpl, "://")
	if !ok || (scheme != "https" && scheme != "http") {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	host = strings.ReplaceAll(host, "{s}", "*")
	if host == "" || strings.ContainsAny(host, " ;'\"{}") {
		return ""
	}
	return scheme + "://" + host
}
