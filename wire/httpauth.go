package wire

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// TokenCookie is the cookie a browser keeps the cluster's token in after it
// opened a dashboard link carrying ?token=.
const TokenCookie = "dusk_token"

// HTTPAuth guards an HTTP handler (the dashboard, /metrics, pprof) with the
// cluster's token, as gRPC connections are: a request passes with the token
// as "Authorization: Bearer TOKEN" (Prometheus, curl), in the dusk_token
// cookie (a browser), or once as ?token=TOKEN in the URL, which sets the
// cookie and redirects to the same URL without the token, so that it does
// not stay in the address bar or the history. Anything else gets 401. An
// empty token refuses every request: dusk has no unauthenticated mode.
func HTTPAuth(token string, next http.Handler) http.Handler {
	ok := func(got string) bool {
		return token != "" && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query(); q.Has("token") {
			if !ok(q.Get("token")) {
				unauthorized(w)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: TokenCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			q.Del("token")
			u := *r.URL
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return
		}
		if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") && ok(strings.TrimPrefix(h, "Bearer ")) {
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(TokenCookie); err == nil && ok(c.Value) {
			next.ServeHTTP(w, r)
			return
		}
		unauthorized(w)
	})
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("WWW-Authenticate", `Bearer realm="dusk"`)
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte("dusk: this page needs the cluster's token. Open the link the scheduler printed " +
		"(it ends in ?token=...), or send \"Authorization: Bearer TOKEN\".\n"))
}
