package wire

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHTTPAuth(t *testing.T) {
	h := HTTPAuth("secret", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("in")) }))
	get := func(url string, mod func(*http.Request)) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", url, nil)
		if mod != nil {
			mod(r)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	if w := get("/", nil); w.Code != http.StatusUnauthorized {
		t.Errorf("no token: %d", w.Code)
	}
	if w := get("/?token=wrong", nil); w.Code != http.StatusUnauthorized {
		t.Errorf("wrong token in URL: %d", w.Code)
	}
	w := get("/page?x=1&token=secret", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/page?x=1" {
		t.Fatalf("token in URL: %d, Location %q", w.Code, w.Header().Get("Location"))
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != TokenCookie || !cookies[0].HttpOnly {
		t.Fatalf("cookies = %+v", cookies)
	}
	if w := get("/page", func(r *http.Request) { r.AddCookie(cookies[0]) }); w.Code != 200 || w.Body.String() != "in" {
		t.Errorf("with the cookie: %d %q", w.Code, w.Body.String())
	}
	if w := get("/metrics", func(r *http.Request) { r.Header.Set("Authorization", "Bearer secret") }); w.Code != 200 {
		t.Errorf("bearer: %d", w.Code)
	}
	if w := get("/metrics", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: TokenCookie, Value: "nope"}) }); w.Code != 401 {
		t.Errorf("wrong cookie: %d", w.Code)
	}
	open := HTTPAuth("", http.NotFoundHandler())
	w = httptest.NewRecorder()
	open.ServeHTTP(w, httptest.NewRequest("GET", "/?token=", nil))
	if w.Code != 401 {
		t.Errorf("empty token let a request in: %d", w.Code)
	}
}
