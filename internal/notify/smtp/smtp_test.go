package smtp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/notify"
	"github.com/canopy-iam/canopy/internal/notify/smtp"
)

// session is what the fake server saw on one connection.
type session struct {
	tls                bool
	user, pass         string
	authBeforeTLS      bool
	from               string
	to                 []string
	data               string
	delivered, quitted bool
}

// fakeSMTP speaks just enough SMTP on 127.0.0.1 for the sender: EHLO,
// STARTTLS (when cert is set), AUTH PLAIN (offered after STARTTLS when
// there is a cert), MAIL, RCPT, DATA, QUIT.
type fakeSMTP struct {
	addr       string
	cert       *tls.Certificate
	auth       bool
	rejectRcpt bool
	silent     bool // accept connections but never greet

	mu       sync.Mutex
	sessions []*session
	wg       sync.WaitGroup
}

func startFake(t *testing.T, f *fakeSMTP) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = ln.Addr().String()
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.wg.Add(1)
			go func() {
				defer f.wg.Done()
				defer c.Close()
				f.serve(c)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); f.wg.Wait() })
	return f
}

func (f *fakeSMTP) all() []*session {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*session(nil), f.sessions...)
}

func (f *fakeSMTP) serve(raw net.Conn) {
	raw.SetDeadline(time.Now().Add(10 * time.Second))
	s := &session{}
	f.mu.Lock()
	f.sessions = append(f.sessions, s)
	f.mu.Unlock()
	if f.silent {
		io.Copy(io.Discard, raw)
		return
	}
	conn := textproto.NewConn(raw)
	reply := func(lines ...string) { conn.PrintfLine("%s", strings.Join(lines, "\r\n")) }
	reply("220 fake.test ESMTP")
	for {
		line, err := conn.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			ext := []string{"fake.test"}
			if f.cert != nil && !s.tls {
				ext = append(ext, "STARTTLS")
			}
			if f.auth && (f.cert == nil || s.tls) {
				ext = append(ext, "AUTH PLAIN")
			}
			out := make([]string, len(ext))
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				out[i] = "250" + sep + e
			}
			reply(out...)
		case "STARTTLS":
			reply("220 go ahead")
			tc := tls.Server(raw, &tls.Config{Certificates: []tls.Certificate{*f.cert}})
			if err := tc.Handshake(); err != nil {
				return
			}
			s.tls = true
			conn = textproto.NewConn(tc)
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			dec, err := base64.StdEncoding.DecodeString(initial)
			parts := strings.Split(string(dec), "\x00")
			if mech != "PLAIN" || err != nil || len(parts) != 3 {
				reply("535 bad auth")
				continue
			}
			s.user, s.pass, s.authBeforeTLS = parts[1], parts[2], !s.tls
			reply("235 ok")
		case "MAIL":
			s.from = between(arg)
			reply("250 ok")
		case "RCPT":
			if f.rejectRcpt {
				reply("550 no such user")
				continue
			}
			s.to = append(s.to, between(arg))
			reply("250 ok")
		case "DATA":
			reply("354 go ahead")
			data, err := conn.ReadDotBytes()
			if err != nil {
				return
			}
			s.data, s.delivered = string(data), true
			reply("250 queued")
		case "QUIT":
			s.quitted = true
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}

func between(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}

// selfSigned returns a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fake smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

var invitation = notify.Message{Kind: notify.Email, To: "Alice <alice@example.com>", Subject: "Welcome",
	Body: "Hello Alice,\n.\nA line with only a dot must survive.\n"}

func checkDelivered(t *testing.T, s *session) {
	t.Helper()
	if !s.delivered || s.from != "admin@canopy.example" || len(s.to) != 1 || s.to[0] != "alice@example.com" {
		t.Fatalf("envelope: delivered=%v from=%q to=%q", s.delivered, s.from, s.to)
	}
	msg, err := mail.ReadMessage(strings.NewReader(s.data))
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Header.Get("Subject"); got != "Welcome" {
		t.Errorf("Subject %q", got)
	}
	if to, err := msg.Header.AddressList("To"); err != nil || to[0].Address != "alice@example.com" {
		t.Errorf("To %q: %v", msg.Header.Get("To"), err)
	}
	if from, err := msg.Header.AddressList("From"); err != nil || from[0].Address != "admin@canopy.example" || from[0].Name != "Canopy" {
		t.Errorf("From %q: %v", msg.Header.Get("From"), err)
	}
	if msg.Header.Get("Message-ID") == "" || msg.Header.Get("Date") == "" {
		t.Errorf("missing Message-ID or Date: %v", msg.Header)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	// ReadDotBytes turned CRLF into LF.
	if string(body) != invitation.Body {
		t.Errorf("body %q; want %q", body, invitation.Body)
	}
	if !s.quitted {
		t.Error("no QUIT")
	}
}

func TestSMTPDeliversWithoutTLSOrAuth(t *testing.T) {
	f := startFake(t, &fakeSMTP{})
	s := &smtp.Sender{Addr: f.addr, From: "Canopy <admin@canopy.example>"}
	if err := s.Send(context.Background(), invitation); err != nil {
		t.Fatal(err)
	}
	got := f.all()
	if len(got) != 1 || got[0].tls || got[0].user != "" {
		t.Fatalf("sessions %+v", got)
	}
	checkDelivered(t, got[0])
}

func TestSMTPUpgradesWithSTARTTLSThenAuthenticates(t *testing.T) {
	cert, pool := selfSigned(t)
	f := startFake(t, &fakeSMTP{cert: cert, auth: true})
	s := &smtp.Sender{Addr: f.addr, From: "Canopy <admin@canopy.example>", Username: "mailer", Password: "s3cret",
		TLS: &tls.Config{RootCAs: pool}}
	if err := s.Send(context.Background(), invitation); err != nil {
		t.Fatal(err)
	}
	got := f.all()
	if len(got) != 1 || !got[0].tls || got[0].authBeforeTLS || got[0].user != "mailer" || got[0].pass != "s3cret" {
		t.Fatalf("session %+v; want STARTTLS, then AUTH PLAIN mailer/s3cret", got)
	}
	checkDelivered(t, got[0])
}

func TestSMTPRefusesAnUntrustedCertificate(t *testing.T) {
	cert, _ := selfSigned(t)
	f := startFake(t, &fakeSMTP{cert: cert, auth: true})
	s := &smtp.Sender{Addr: f.addr, From: "admin@canopy.example", Username: "mailer", Password: "s3cret"}
	if err := s.Send(context.Background(), invitation); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("untrusted certificate: %v", err)
	}
	for _, s := range f.all() {
		if s.user != "" || s.delivered {
			t.Fatalf("sent credentials or the message over an untrusted connection: %+v", s)
		}
	}
}

func TestSMTPAuthNeedsTheServerToOfferIt(t *testing.T) {
	f := startFake(t, &fakeSMTP{})
	s := &smtp.Sender{Addr: f.addr, From: "admin@canopy.example", Username: "mailer", Password: "s3cret"}
	if err := s.Send(context.Background(), invitation); err == nil || !strings.Contains(err.Error(), "AUTH") {
		t.Fatalf("no AUTH offered: %v", err)
	}
	if got := f.all(); len(got) != 1 || got[0].delivered {
		t.Fatalf("sessions %+v", got)
	}
}

func TestSMTPReportsARejectedRecipient(t *testing.T) {
	f := startFake(t, &fakeSMTP{rejectRcpt: true})
	s := &smtp.Sender{Addr: f.addr, From: "admin@canopy.example"}
	err := s.Send(context.Background(), invitation)
	if err == nil || !strings.Contains(err.Error(), "550") {
		t.Fatalf("rejected recipient: %v", err)
	}
}

func TestSMTPGivesUpWhenTheServerHangs(t *testing.T) {
	f := startFake(t, &fakeSMTP{silent: true})
	s := &smtp.Sender{Addr: f.addr, From: "admin@canopy.example"}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := s.Send(ctx, invitation); err == nil {
		t.Fatal("a silent server accepted the message")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("gave up after %v; want about the context's 200ms", d)
	}
	s.Timeout = 200 * time.Millisecond // no deadline in the context: the sender's own timeout
	if err := s.Send(context.Background(), invitation); err == nil {
		t.Fatal("a silent server accepted the message")
	}
}

func TestSMTPRefusesSMSAndBadMessages(t *testing.T) {
	s := &smtp.Sender{Addr: "127.0.0.1:1", From: "admin@canopy.example"}
	err := s.Send(context.Background(), notify.Message{Kind: notify.SMS, To: "86-13800000000", Body: "123456"})
	if !errors.Is(err, notify.ErrUnsupported) {
		t.Fatalf("SMS over SMTP: %v", err)
	}
	if err := s.Send(context.Background(), notify.Message{Kind: notify.Email, To: "a@example.com\r\nBcc: b@example.com"}); err == nil {
		t.Fatal("header injection accepted")
	}
	bad := &smtp.Sender{Addr: "127.0.0.1:1", From: "not an address"}
	if err := bad.Send(context.Background(), invitation); err == nil || !strings.Contains(err.Error(), "From") {
		t.Fatalf("bad From: %v", err)
	}
}
