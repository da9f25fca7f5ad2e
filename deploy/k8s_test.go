// Package deploy holds Ferrox's Kubernetes manifests (k8s/) and this test,
// which decodes each of them strictly into the Kubernetes API types (an
// unknown or misspelt field fails) and checks what the manifests promise:
// the image, non-root and read-only containers, probes on the container's
// port, a drain that fits the termination grace, an Indexed Job of load
// workers with a synchronised start. It is a module of its own so the main
// module never depends on k8s.io.
package deploy

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// image is the image every manifest runs (`make image` tags it).
const image = "ferrox:latest"

// objects is every decoded object of the manifests, by kind.
type objects struct {
	configMaps  map[string]*corev1.ConfigMap
	deployments []*appsv1.Deployment
	services    []*corev1.Service
	jobs        map[string]*batchv1.Job
	claims      map[string]*corev1.PersistentVolumeClaim
}

// load decodes every document of every deploy/k8s/*.yaml strictly.
func load(t *testing.T) *objects {
	t.Helper()
	files, err := filepath.Glob("k8s/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in k8s/: %v", err)
	}
	o := &objects{configMaps: map[string]*corev1.ConfigMap{}, jobs: map[string]*batchv1.Job{}, claims: map[string]*corev1.PersistentVolumeClaim{}}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range splitDocs(raw) {
			where := fmt.Sprintf("%s document %d", f, i+1)
			var meta struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
			}
			if err := yaml.Unmarshal(doc, &meta); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			var obj any
			switch meta.APIVersion + " " + meta.Kind {
			case "v1 ConfigMap":
				obj = &corev1.ConfigMap{}
			case "apps/v1 Deployment":
				obj = &appsv1.Deployment{}
			case "v1 Service":
				obj = &corev1.Service{}
			case "batch/v1 Job":
				obj = &batchv1.Job{}
			case "v1 PersistentVolumeClaim":
				obj = &corev1.PersistentVolumeClaim{}
			default:
				t.Fatalf("%s: unexpected %s %s; add it to this test", where, meta.APIVersion, meta.Kind)
			}
			if err := yaml.UnmarshalStrict(doc, obj); err != nil {
				t.Fatalf("%s: strict decode: %v", where, err)
			}
			switch v := obj.(type) {
			case *corev1.ConfigMap:
				o.configMaps[v.Name] = v
			case *appsv1.Deployment:
				o.deployments = append(o.deployments, v)
			case *corev1.Service:
				o.services = append(o.services, v)
			case *batchv1.Job:
				o.jobs[v.Name] = v
			case *corev1.PersistentVolumeClaim:
				o.claims[v.Name] = v
			}
		}
	}
	return o
}

// splitDocs splits a multi-document YAML file on its "---" lines.
func splitDocs(b []byte) [][]byte {
	var out [][]byte
	for _, d := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(b), -1) {
		if strings.TrimSpace(stripComments(d)) != "" {
			out = append(out, []byte(d))
		}
	}
	return out
}

func stripComments(s string) string {
	var b bytes.Buffer
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func TestStrictDecodeRejectsUnknownFields(t *testing.T) {
	doc := []byte("apiVersion: batch/v1\nkind: Job\nspec:\n  completionMod: Indexed\n")
	if err := yaml.UnmarshalStrict(doc, &batchv1.Job{}); err == nil {
		t.Fatal("UnmarshalStrict accepted a misspelt field; the manifest test would prove nothing")
	}
}

// checkPod checks what every pod of the manifests must be: the image,
// non-root, no privilege escalation, read-only root, no capabilities,
// cpu and memory limits, and mounts of declared volumes.
func checkPod(t *testing.T, where string, spec *corev1.PodSpec) {
	t.Helper()
	sc := spec.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 {
		t.Errorf("%s: pod securityContext %+v; want runAsNonRoot and a non-zero runAsUser", where, sc)
	}
	volumes := map[string]bool{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = true
	}
	all := append(slices.Clone(spec.InitContainers), spec.Containers...)
	if len(all) == 0 {
		t.Fatalf("%s: no containers", where)
	}
	for _, c := range all {
		cw := where + " container " + c.Name
		if c.Image != image {
			t.Errorf("%s: image %q; want %q", cw, c.Image, image)
		}
		s := c.SecurityContext
		switch {
		case s == nil:
			t.Errorf("%s: no securityContext", cw)
		case s.AllowPrivilegeEscalation == nil || *s.AllowPrivilegeEscalation:
			t.Errorf("%s: allowPrivilegeEscalation not false", cw)
		case s.ReadOnlyRootFilesystem == nil || !*s.ReadOnlyRootFilesystem:
			t.Errorf("%s: readOnlyRootFilesystem not true", cw)
		case s.Capabilities == nil || !slices.Equal(s.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(s.Capabilities.Add) > 0:
			t.Errorf("%s: capabilities %+v; want drop ALL, add none", cw, s.Capabilities)
		}
		for _, m := range c.VolumeMounts {
			if !volumes[m.Name] {
				t.Errorf("%s: mounts volume %q that the pod does not declare", cw, m.Name)
			}
		}
		if c.Resources.Limits.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
			t.Errorf("%s: no cpu and memory limits", cw)
		}
	}
}

// probePort resolves a probe's port against the container's ports.
func probePort(c corev1.Container, p intstr.IntOrString) (int32, bool) {
	for _, cp := range c.Ports {
		if (p.Type == intstr.String && p.StrVal == cp.Name) || (p.Type == intstr.Int && p.IntVal == cp.ContainerPort) {
			return cp.ContainerPort, true
		}
	}
	return 0, false
}

func TestServe(t *testing.T) {
	o := load(t)
	if len(o.deployments) != 1 || len(o.services) != 1 {
		t.Fatalf("%d deployments, %d services; want one each", len(o.deployments), len(o.services))
	}
	d := o.deployments[0]
	spec := &d.Spec.Template.Spec
	checkPod(t, "deployment "+d.Name, spec)
	if !mapsSubset(d.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
		t.Errorf("selector %v does not match the template labels %v", d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
	}
	c := spec.Containers[0]
	if len(c.Args) < 1 || c.Args[0] != "serve" {
		t.Errorf("args %q; want serve …", c.Args)
	}
	if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil {
		t.Fatal("no HTTP readiness probe")
	}
	if c.LivenessProbe == nil || c.LivenessProbe.TCPSocket == nil {
		t.Fatal("no TCP liveness probe")
	}
	cfg := servedConfig(t, o, spec, c)
	for name, port := range map[string]intstr.IntOrString{"readiness": c.ReadinessProbe.HTTPGet.Port, "liveness": c.LivenessProbe.TCPSocket.Port} {
		got, ok := probePort(c, port)
		if !ok || int(got) != cfg.Server.Port {
			t.Errorf("%s probe port %s = container port %d (found %v); want ferrox.yml's server.port %d", name, port.String(), got, ok, cfg.Server.Port)
		}
	}
	svc := o.services[0]
	if !mapsSubset(svc.Spec.Selector, d.Spec.Template.Labels) {
		t.Errorf("service selector %v does not select the pods %v", svc.Spec.Selector, d.Spec.Template.Labels)
	}
	for _, p := range svc.Spec.Ports {
		if got, ok := probePort(c, p.TargetPort); !ok || int(got) != cfg.Server.Port {
			t.Errorf("service targetPort %s is not the container's port %d", p.TargetPort.String(), cfg.Server.Port)
		}
	}
	// The drain: preStop sleep, then up to shutdown_grace for requests in
	// flight, all inside terminationGracePeriodSeconds.
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil {
		t.Fatal("no preStop sleep (endpoints must drop the pod before SIGTERM)")
	}
	grace, err := time.ParseDuration(cfg.Timeouts.ShutdownGrace)
	if err != nil {
		t.Fatalf("ferrox.yml timeouts.shutdown_grace %q: %v", cfg.Timeouts.ShutdownGrace, err)
	}
	need := time.Duration(c.Lifecycle.PreStop.Sleep.Seconds)*time.Second + grace
	if tg := spec.TerminationGracePeriodSeconds; tg == nil || time.Duration(*tg)*time.Second <= need {
		t.Errorf("terminationGracePeriodSeconds %s; want more than preStop %ds + shutdown_grace %v", fmtPtr(tg), c.Lifecycle.PreStop.Sleep.Seconds, grace)
	}
	if cfg.Server.Addr != "0.0.0.0" {
		t.Errorf("ferrox.yml server.addr %q; want 0.0.0.0 (probes and the Service come from outside the pod)", cfg.Server.Addr)
	}
}

// ferroxYML is the part of ferrox.yml the checks read.
type ferroxYML struct {
	Server struct {
		Addr string `json:"addr"`
		Port int    `json:"port"`
	} `json:"server"`
	Timeouts struct {
		ShutdownGrace string `json:"shutdown_grace"`
	} `json:"timeouts"`
}

// servedConfig finds the ConfigMap mounted where --config points and reads
// its ferrox.yml.
func servedConfig(t *testing.T, o *objects, spec *corev1.PodSpec, c corev1.Container) ferroxYML {
	t.Helper()
	i := slices.Index(c.Args, "--config")
	if i < 0 || i+1 >= len(c.Args) {
		t.Fatalf("args %q; want --config FILE", c.Args)
	}
	file := c.Args[i+1]
	for _, m := range c.VolumeMounts {
		if filepath.Dir(file) != m.MountPath {
			continue
		}
		for _, v := range spec.Volumes {
			if v.Name == m.Name && v.ConfigMap != nil {
				cm := o.configMaps[v.ConfigMap.Name]
				if cm == nil {
					t.Fatalf("volume %s names ConfigMap %q, not in the manifests", v.Name, v.ConfigMap.Name)
				}
				var cfg ferroxYML
				if err := yaml.Unmarshal([]byte(cm.Data[filepath.Base(file)]), &cfg); err != nil {
					t.Fatalf("ConfigMap %s %s: %v", cm.Name, filepath.Base(file), err)
				}
				if cfg.Server.Port == 0 {
					t.Fatalf("ConfigMap %s: %s has no server.port", cm.Name, filepath.Base(file))
				}
				return cfg
			}
		}
	}
	t.Fatalf("--config %s is not in a mounted ConfigMap", file)
	return ferroxYML{}
}

func TestLoadJob(t *testing.T) {
	o := load(t)
	j := o.jobs["ferrox-load"]
	if j == nil {
		t.Fatal("no Job ferrox-load")
	}
	s := j.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		t.Errorf("completionMode %v; want Indexed", s.CompletionMode)
	}
	if s.Completions == nil || s.Parallelism == nil || *s.Completions != *s.Parallelism || *s.Completions < 2 {
		t.Errorf("completions %v, parallelism %v; want equal and at least 2 (every worker at once)", s.Completions, s.Parallelism)
	}
	if s.ActiveDeadlineSeconds == nil {
		t.Error("no activeDeadlineSeconds: a load run must be bounded")
	}
	spec := &s.Template.Spec
	checkPod(t, "job "+j.Name, spec)
	if spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("restartPolicy %q; want Never (a late restart cannot keep the start)", spec.RestartPolicy)
	}
	c := spec.Containers[0]
	args := strings.Join(c.Args, " ")
	for _, want := range []string{"load", "--start-at=$(START_AT)", "--allow-remote", "--target=$(TARGET)", "--worker=worker-$(WORKER_INDEX)", "--out=/results/worker-$(WORKER_INDEX)", "--duration="} {
		if !strings.Contains(args, want) {
			t.Errorf("worker args %q lack %q", args, want)
		}
	}
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	if e := env["WORKER_INDEX"]; e.ValueFrom == nil || e.ValueFrom.FieldRef == nil ||
		e.ValueFrom.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("WORKER_INDEX %+v; want the completion-index annotation", e)
	}
	cm := o.configMaps["ferrox-load"]
	for _, k := range []string{"TARGET", "START_AT"} {
		e := env[k]
		if e.ValueFrom == nil || e.ValueFrom.ConfigMapKeyRef == nil || e.ValueFrom.ConfigMapKeyRef.Name != "ferrox-load" || cm == nil || cm.Data[e.ValueFrom.ConfigMapKeyRef.Key] == "" {
			t.Errorf("%s %+v; want a key of ConfigMap ferrox-load", k, e)
		}
	}
	if cm != nil {
		if _, err := time.Parse(time.RFC3339, cm.Data["start_at"]); err != nil {
			t.Errorf("ConfigMap ferrox-load start_at: %v", err)
		}
	}
	m := o.jobs["ferrox-load-merge"]
	if m == nil {
		t.Fatal("no Job ferrox-load-merge")
	}
	checkPod(t, "job "+m.Name, &m.Spec.Template.Spec)
	claim := func(spec *corev1.PodSpec) string {
		for _, v := range spec.Volumes {
			if v.PersistentVolumeClaim != nil {
				return v.PersistentVolumeClaim.ClaimName
			}
		}
		return ""
	}
	if a, b := claim(spec), claim(&m.Spec.Template.Spec); a == "" || a != b || o.claims[a] == nil {
		t.Errorf("workers write to claim %q, the merge reads %q; want the same, declared claim", a, b)
	}
	formats := map[string]bool{}
	for _, c := range append(slices.Clone(m.Spec.Template.Spec.InitContainers), m.Spec.Template.Spec.Containers...) {
		if len(c.Args) < 3 || c.Args[0] != "load" || c.Args[1] != "report" || c.Args[len(c.Args)-1] != "/results" {
			t.Errorf("merge container %s args %q; want load report … /results", c.Name, c.Args)
		}
		for _, a := range c.Args {
			if f, ok := strings.CutPrefix(a, "--format="); ok {
				formats[f] = true
			}
		}
	}
	if len(formats) != 3 {
		t.Errorf("merge formats %v; want text, json and html", formats)
	}
}

func mapsSubset(sub, super map[string]string) bool {
	if len(sub) == 0 {
		return false
	}
	for k, v := range sub {
		if super[k] != v {
			return false
		}
	}
	return true
}

func fmtPtr(p *int64) string {
	if p == nil {
		return "unset"
	}
	return fmt.Sprint(*p)
}
