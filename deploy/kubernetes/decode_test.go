package kubernetes

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// stream is a decoded manifest.
type stream struct {
	objs        []runtime.Object
	namespaces  []*corev1.Namespace
	configMaps  []*corev1.ConfigMap
	services    []*corev1.Service
	deployments []*appsv1.Deployment
	autoscalers []*autoscalingv2.HorizontalPodAutoscaler
	budgets     []*policyv1.PodDisruptionBudget
	ingresses   []*networkingv1.Ingress
}

// decodeStrict splits a multi-document YAML stream with the apimachinery
// reader, converts each document to JSON with sigs.k8s.io/yaml and decodes
// it into the official type for its kind, refusing unknown fields and
// trailing data.
func decodeStrict(data []byte) (*stream, error) {
	s := &stream{}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return s, nil
		}
		if err != nil {
			return nil, err
		}
		j, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if t := strings.TrimSpace(string(j)); t == "null" || t == "" {
			continue // comments only
		}
		var tm metav1.TypeMeta
		if err := json.Unmarshal(j, &tm); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		var obj runtime.Object
		switch tm.APIVersion + " " + tm.Kind {
		case "v1 Namespace":
			o := &corev1.Namespace{}
			s.namespaces, obj = append(s.namespaces, o), o
		case "v1 ConfigMap":
			o := &corev1.ConfigMap{}
			s.configMaps, obj = append(s.configMaps, o), o
		case "v1 Service":
			o := &corev1.Service{}
			s.services, obj = append(s.services, o), o
		case "apps/v1 Deployment":
			o := &appsv1.Deployment{}
			s.deployments, obj = append(s.deployments, o), o
		case "autoscaling/v2 HorizontalPodAutoscaler":
			o := &autoscalingv2.HorizontalPodAutoscaler{}
			s.autoscalers, obj = append(s.autoscalers, o), o
		case "policy/v1 PodDisruptionBudget":
			o := &policyv1.PodDisruptionBudget{}
			s.budgets, obj = append(s.budgets, o), o
		case "networking.k8s.io/v1 Ingress":
			o := &networkingv1.Ingress{}
			s.ingresses, obj = append(s.ingresses, o), o
		default:
			return nil, fmt.Errorf("document %d: unexpected %s %s", i, tm.APIVersion, tm.Kind)
		}
		dec := json.NewDecoder(bytes.NewReader(j))
		dec.DisallowUnknownFields()
		if err := dec.Decode(obj); err != nil {
			return nil, fmt.Errorf("document %d (%s): %w", i, tm.Kind, err)
		}
		if dec.More() {
			return nil, fmt.Errorf("document %d (%s): trailing data", i, tm.Kind)
		}
		s.objs = append(s.objs, obj)
	}
}

func TestDecodeStrictRefusesUnknownFields(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replica: 2\n",
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n  label: {}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n  a: c\n",
		"apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n",
	} {
		if _, err := decodeStrict([]byte(doc)); err == nil {
			t.Errorf("decodeStrict accepted\n%s", doc)
		}
	}
}

// mustGenerate generates and writes the manifest of dir, and decodes it.
func mustGenerate(t *testing.T, dir string, opts Options) (*Manifest, []byte, *stream) {
	t.Helper()
	m, err := Generate(dir, opts)
	if err != nil {
		t.Fatalf("Generate(%s): %v", dir, err)
	}
	var b bytes.Buffer
	if err := m.WriteYAML(&b); err != nil {
		t.Fatal(err)
	}
	s, err := decodeStrict(b.Bytes())
	if err != nil {
		t.Fatalf("decode the manifest: %v\n%s", err, b.String())
	}
	return m, b.Bytes(), s
}
