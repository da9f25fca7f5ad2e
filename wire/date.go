package wire

import "time"

// AppendHTTPDate appends t, in UTC, as an IMF-fixdate (RFC 9110 §5.6.7),
// the form of the Date and Last-Modified fields. It writes the 29 bytes
// directly: time.Time.AppendFormat interprets its layout on every call,
// and Last-Modified is formatted on every file response (1% of the
// server's CPU with 2 000 slowloris connections and 1 000 requests a
// second, perf on the 2-core VM). A year outside 0000-9999, which the
// format's four digits cannot hold, goes to AppendFormat, which writes
// what it always wrote.
func AppendHTTPDate(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, imfFixdate)
	}
	hour, minute, sec := t.Clock()
	const days = "SunMonTueWedThuFriSat"
	const months = "JanFebMarAprMayJunJulAugSepOctNovDec"
	wd := 3 * int(t.Weekday())
	mo := 3 * (int(month) - 1)
	return append(b,
		days[wd], days[wd+1], days[wd+2], ',', ' ',
		byte('0'+day/10), byte('0'+day%10), ' ',
		months[mo], months[mo+1], months[mo+2], ' ',
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), ' ',
		byte('0'+hour/10), byte('0'+hour%10), ':',
		byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), ' ', 'G', 'M', 'T')
}
