package cli

import (
	"crypto/tls"
	"fmt"
	"net"
)

// tlsListener wraps ln in TLS 1.2+ with the given PEM certificate and key.
func tlsListener(ln net.Listener, certFile, keyFile string) (net.Listener, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("сертификат TLS не загружен (%s, %s): %v", certFile, keyFile, err)
	}
	return tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), nil
}
