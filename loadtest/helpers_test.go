package loadtest

import (
	"net/url"
	"os"
)

func osPID() int { return os.Getpid() }

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func startTargetURL() *url.URL { return mustURL("http://127.0.0.1:1") }
