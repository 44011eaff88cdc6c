// Package yamlconf reads and writes YAML with gopkg.in/yaml.v3.
package yamlconf

import (
	"strconv"

	"gopkg.in/yaml.v3"
)

// A Config is a service's configuration.
type Config struct {
	Name     string            `yaml:"name" json:"name"`
	Port     int               `yaml:"port" json:"port"`
	Debug    bool              `yaml:"debug,omitempty" json:"debug"`
	Replicas []string          `yaml:"replicas,flow" json:"replicas"`
	Limits   map[string]int    `yaml:"limits" json:"limits"`
	Labels   map[string]string `yaml:",inline" json:"labels"`
}

// Parse reads a YAML document into a Config and writes it back.
//
//microfn:service
func Parse(doc string) (Config, string, error) {
	var c Config
	if err := yaml.Unmarshal([]byte(doc), &c); err != nil {
		return Config{}, "", err
	}
	out, err := yaml.Marshal(c)
	if err != nil {
		return Config{}, "", err
	}
	return c, string(out), nil
}

// Keys lists the keys of a YAML mapping in document order, with their
// line numbers.
//
//microfn:service
func Keys(doc string) ([]string, error) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
		return nil, err
	}
	out := []string{}
	if len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
		return out, nil
	}
	m := n.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, m.Content[i].Value+"@"+strconv.Itoa(m.Content[i].Line))
	}
	return out, nil
}
