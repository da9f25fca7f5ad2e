package parser

import "testing"

// TestValidHost: RFC 9110 §7.2 Host = uri-host [ ":" port ], RFC 3986
// §3.2.2 for the host forms.
func TestValidHost(t *testing.T) {
	cases := []struct {
		host string
		want bool
	}{
		{"", true}, // empty reg-name is valid syntax
		{"example.com", true},
		{"example.com:8080", true},
		{"example.com:", true}, // port = *DIGIT
		{"EXAMPLE.com", true},
		{"a-b_c~d.e", true},
		{"!$&'()*+,;=", true},
		{"caf%C3%A9.example", true},
		{"127.0.0.1:80", true},
		{"[::1]", true},
		{"[::1]:443", true},
		{"[::]", true},
		{"[1:2:3:4:5:6:7:8]", true},
		{"[1::8]", true},
		{"[1:2:3:4:5:6:7::]", true},
		{"[::ffff:192.0.2.1]", true},
		{"[64:ff9b::192.0.2.33]:80", true},
		{"[v1.fe80::a+b]", true},
		{"[VF.x:y]", true},
		{"a b", false},
		{"a@b", false},
		{"user:pw@h", false},
		{"a/b", false},
		{"a\\b", false},
		{"a\x00b", false},
		{"a:b", false},
		{"a:80:90", false},
		{"a%2", false},
		{"a%zz", false},
		{"[::1", false},
		{"[::1]x", false},
		{"[::1]:x", false},
		{"::1", false},
		{"[1:2:3]", false},
		{"[1:2:3:4:5:6:7:8:9]", false},
		{"[1::2::3]", false},
		{"[12345::]", false},
		{"[:1:2:3:4:5:6:7]", false},
		{"[1:2:3:4:5:6:7:]", false},
		{"[::1.2.3]", false},
		{"[::1.2.3.256]", false},
		{"[::01.2.3.4]", false},
		{"[fe80::1%25eth0]", false}, // zone ids are not in HTTP's grammar
		{"[g::1]", false},
		{"[v.x]", false},
		{"[v1.]", false},
		{"[v1x]", false},
		{"[]", false},
	}
	for _, c := range cases {
		if got := validHost([]byte(c.host)); got != c.want {
			t.Errorf("validHost(%q) = %v; want %v", c.host, got, c.want)
		}
	}
}

// TestValidAuthorityForm: RFC 9112 §3.2.3 authority-form = uri-host ":" port.
func TestValidAuthorityForm(t *testing.T) {
	for _, c := range []struct {
		t    string
		want bool
	}{
		{"example.com:443", true},
		{"[::1]:443", true},
		{"example.com", false},
		{"example.com:", false},
		{":443", false},
		{"[::1]", false},
		{"u@h:443", false},
	} {
		if got := validAuthorityForm([]byte(c.t)); got != c.want {
			t.Errorf("validAuthorityForm(%q) = %v; want %v", c.t, got, c.want)
		}
	}
}
