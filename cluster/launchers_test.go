package cluster

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// shellQuote's output, run by a real shell, gives back the string.
func TestShellQuoteRoundTrips(t *testing.T) {
	for _, s := range []string{"plain", "with space", "it's", `"double"`, "$HOME", "`cmd`", "a;b", "", "tab\there", "new\nline", "/x/y-1.2:3=4"} {
		out, err := exec.Command("sh", "-c", "printf %s "+shellQuote(s)).Output()
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if string(out) != s {
			t.Errorf("shellQuote(%q) = %s, which the shell reads as %q", s, shellQuote(s), out)
		}
	}
}

func TestHostPart(t *testing.T) {
	for in, want := range map[string]string{"node1": "node1", "me@node1": "node1", "me@10.0.0.2": "10.0.0.2", "node1:22": "node1"} {
		if got := hostPart(in); got != want {
			t.Errorf("hostPart(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSlurmJobScript(t *testing.T) {
	s := Slurm{Scheduler: "tcp://login1:8786", Binary: "/shared/my prog", TokenFile: "/shared/token", Cores: 4,
		Memory: 8 << 30, Walltime: 90 * time.Minute, Partition: "compute", Account: "proj", Directives: []string{"--constraint=skylake"},
		WorkerArgs: []string{"--resources", "GPU=1"}}
	script, err := s.JobScript()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"#SBATCH --cpus-per-task=4\n", "#SBATCH --mem=8192M\n", "#SBATCH --time=01:30:00\n", "#SBATCH --partition=compute\n",
		"#SBATCH --account=proj\n", "#SBATCH --constraint=skylake\n",
		`exec '/shared/my prog' worker tcp://login1:8786 --name "slurm-$SLURM_JOB_ID" --nthreads "${SLURM_CPUS_PER_TASK:-1}" --token-file /shared/token --memory-limit "${SLURM_MEM_PER_NODE}MiB" --resources GPU=1`,
	} {
		if !strings.Contains(script, want) {
			t.Errorf("the job script lacks %q:\n%s", want, script)
		}
	}
	// The script is valid shell.
	if out, err := exec.Command("sh", "-n", "-c", script).CombinedOutput(); err != nil {
		t.Errorf("sh -n: %v: %s", err, out)
	}
	for _, bad := range []Slurm{{TokenFile: "/t"}, {Scheduler: "tcp://x:1"}} {
		if _, err := bad.JobScript(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func TestAdaptOptionsRefused(t *testing.T) {
	for _, o := range []AdaptOptions{{Minimum: -1, Maximum: 2}, {Minimum: 3, Maximum: 2}, {Minimum: 0, Maximum: 0}} {
		if err := o.defaults(); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

// A launched worker counts while it starts and while it runs, not once
// it retires or, having joined, is gone.
func TestMembersCount(t *testing.T) {
	var m Members
	if !m.Counts("w", nil) {
		t.Error("a worker not seen yet (starting) does not count")
	}
	if !m.Counts("w", map[string]string{"w": "running"}) {
		t.Error("a running worker does not count")
	}
	if m.Counts("w", map[string]string{"w": "retiring"}) {
		t.Error("a retiring worker counts")
	}
	if m.Counts("w", map[string]string{}) {
		t.Error("a worker that joined and is gone counts")
	}
	m.Forget("w")
	if !m.Counts("w", nil) {
		t.Error("a forgotten name is not a new, starting worker")
	}
}
