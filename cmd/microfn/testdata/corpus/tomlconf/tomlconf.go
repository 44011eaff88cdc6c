// Package tomlconf reads and writes TOML with github.com/BurntSushi/toml.
package tomlconf

import (
	"bytes"
	"sort"
	"time"

	"github.com/BurntSushi/toml"
)

// A Config is a service's configuration.
type Config struct {
	Title   string            `toml:"title" json:"title"`
	Started time.Time         `toml:"started" json:"started"`
	Timeout time.Duration     `toml:"timeout" json:"timeout"`
	Servers map[string]Server `toml:"servers" json:"servers"`
	Ports   []int             `toml:"ports" json:"ports"`
}

// A Server is one entry of servers.
type Server struct {
	IP   string `toml:"ip" json:"ip"`
	Role string `toml:"role" json:"role"`
}

// Parse decodes a TOML document, lists the keys it did not use, and
// encodes the configuration again.
//
//microfn:service
func Parse(doc string) (Config, []string, string, error) {
	var c Config
	md, err := toml.Decode(doc, &c)
	if err != nil {
		return Config{}, nil, "", err
	}
	var undecoded []string
	for _, k := range md.Undecoded() {
		undecoded = append(undecoded, k.String())
	}
	sort.Strings(undecoded)
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(c); err != nil {
		return Config{}, nil, "", err
	}
	return c, undecoded, buf.String() + "timeout=" + c.Timeout.String(), nil
}
