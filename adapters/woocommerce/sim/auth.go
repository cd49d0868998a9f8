package sim

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/retailsync/retailsync/adapters/woocommerce"
)

// oauthWindow is how far oauth_timestamp may be from the store's clock, and how long a nonce is
// remembered.
const oauthWindow = 15 * time.Minute

// authResult is what WooCommerce's authentication decided: an error answer (credentials present but
// wrong), anonymous (no credentials: the route itself refuses later), or the key's permissions.
type authResult struct {
	err         *restError
	anonymous   bool
	permissions string
}

func authError(msg string) *restError {
	return errf(http.StatusUnauthorized, "woocommerce_rest_authentication_error", "%s", msg)
}

// authenticate follows WC_REST_Authentication: Basic (query parameters first) over https, OAuth
// 1.0a over http. Basic credentials over plain http are ignored, as WooCommerce ignores them.
func (s *Sim) authenticate(r *http.Request) authResult {
	if r.TLS != nil || s.cfg.TLSTerminated {
		return s.basicAuth(r)
	}
	return s.oauth(r)
}

func (s *Sim) basicAuth(r *http.Request) authResult {
	q := r.URL.Query()
	key, secret := q.Get("consumer_key"), q.Get("consumer_secret")
	if key == "" || secret == "" {
		key, secret, _ = r.BasicAuth()
	}
	want, known := s.keySecret(key)
	if key == "" || secret == "" || !known {
		return authResult{anonymous: true}
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
		return authResult{err: authError("Consumer secret is invalid.")}
	}
	return authResult{permissions: s.cfg.Permissions}
}

var oauthHeaderParam = regexp.MustCompile(`(oauth_[a-z_-]*)=(?:"([^"]*)"|([^,]*))`)

// oauthParams merges the query and an "Authorization: OAuth" header, as get_oauth_parameters does.
func oauthParams(r *http.Request) url.Values {
	params := url.Values{}
	for k, vs := range r.URL.Query() {
		params[k] = append([]string(nil), vs...)
	}
	if h := strings.TrimSpace(r.Header.Get("Authorization")); strings.HasPrefix(h, "OAuth ") {
		for _, m := range oauthHeaderParam.FindAllStringSubmatch(h, -1) {
			v := m[2]
			if v == "" {
				v = m[3]
			}
			if dec, err := url.QueryUnescape(v); err == nil {
				v = dec
			}
			params.Set(m[1], v)
		}
	}
	return params
}

var oauthRequired = []string{"oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method"}

func (s *Sim) oauth(r *http.Request) authResult {
	params := oauthParams(r)
	var missing []string
	for _, name := range oauthRequired {
		if params.Get(name) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) == len(oauthRequired) {
		return authResult{anonymous: true}
	}
	if len(missing) > 0 {
		word := "parameter"
		if len(missing) > 1 {
			word = "parameters"
		}
		return authResult{err: errf(http.StatusUnauthorized, "woocommerce_rest_authentication_missing_parameter",
			"Missing OAuth %s %s", word, strings.Join(missing, ", "))}
	}
	consumerSecret, known := s.keySecret(params.Get("oauth_consumer_key"))
	if !known {
		return authResult{err: authError("Consumer key is invalid.")}
	}
	given := strings.ReplaceAll(params.Get("oauth_signature"), " ", "+")
	params.Del("oauth_signature")
	method := params.Get("oauth_signature_method")
	if method != woocommerce.OAuthHMACSHA1 && method != woocommerce.OAuthHMACSHA256 {
		return authResult{err: authError("Invalid signature - signature method is invalid.")}
	}
	scheme := "http"
	if r.TLS != nil || s.cfg.TLSTerminated {
		scheme = "https"
	}
	base := woocommerce.OAuthBaseString(r.Method, scheme+"://"+r.Host+r.URL.EscapedPath(), params)
	want, err := woocommerce.OAuthSign(method, woocommerce.OAuthSigningKey(consumerSecret), base)
	if err != nil || subtle.ConstantTimeCompare([]byte(want), []byte(given)) != 1 {
		return authResult{err: authError("Invalid signature - provided signature does not match.")}
	}
	if e := s.checkTimestampAndNonce(params.Get("oauth_timestamp"), params.Get("oauth_nonce")); e != nil {
		return authResult{err: e}
	}
	return authResult{permissions: s.cfg.Permissions}
}

// checkTimestampAndNonce refuses a timestamp more than 15 minutes off and a nonce seen in the last
// 15 minutes, so a captured request cannot be replayed.
func (s *Sim) checkTimestampAndNonce(ts, nonce string) *restError {
	secs, err := strconv.ParseInt(ts, 10, 64)
	now := s.now()
	if err != nil || time.Unix(secs, 0).Before(now.Add(-oauthWindow)) || time.Unix(secs, 0).After(now.Add(oauthWindow)) {
		return authError("Invalid timestamp.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for n, at := range s.nonces {
		if at.Before(now.Add(-oauthWindow)) {
			delete(s.nonces, n)
		}
	}
	if _, used := s.nonces[nonce]; used {
		return authError("Invalid nonce - nonce has already been used.")
	}
	s.nonces[nonce] = time.Unix(secs, 0)
	return nil
}

// authorize applies the authentication result to one route: anonymous requests and keys without
// the needed permission are refused the way WooCommerce refuses them.
func authorize(a authResult, method string) *restError {
	if a.err != nil {
		return a.err
	}
	write := method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
	if a.anonymous {
		switch {
		case !write:
			return errf(http.StatusUnauthorized, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
		case method == http.MethodPost:
			return errf(http.StatusUnauthorized, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")
		case method == http.MethodDelete:
			return errf(http.StatusUnauthorized, "woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource.")
		default:
			return errf(http.StatusUnauthorized, "woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")
		}
	}
	if write && a.permissions == PermRead {
		return authError("The API key provided does not have write permissions.")
	}
	if !write && a.permissions == PermWrite {
		return authError("The API key provided does not have read permissions.")
	}
	return nil
}

// keySecret returns the consumer secret of an API key the store has, and whether it has it.
func (s *Sim) keySecret(key string) (string, bool) {
	s.keysMu.RLock()
	defer s.keysMu.RUnlock()
	secret, ok := s.keys[key]
	return secret, ok
}

// AddKey creates another REST API key (WooCommerce > Settings > Advanced > REST API > Add key), as
// an administrator does before rotating an integration's credentials.
func (s *Sim) AddKey(key, secret string) {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	s.keys[key] = secret
}

// RevokeKey deletes an API key; requests with it fail from then on.
func (s *Sim) RevokeKey(key string) {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	delete(s.keys, key)
}
